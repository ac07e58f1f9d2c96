using System.Globalization;
using System.Security.Cryptography;
using Harness.Http;
using Harness.Security.Signing;
using Microsoft.AspNetCore.Http;

namespace Harness.NewApi.TopUp;

/// <summary>What top-up and subscription orders share of Epay (new-api.md §5.7–5.8): trade numbers, amounts, the signed form, the signed callback.</summary>
internal static class EpayGateway
{
    private const string Alphanumerics = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    /// <summary><c>{prefix}USR{uid}NO{6 random alphanumerics}{unix seconds}</c>: <c>USR…</c> for top-ups, <c>SUBUSR…</c> for subscriptions.</summary>
    public static string TradeNo(string prefix, string userId, long now) =>
        $"{prefix}USR{userId}NO{RandomNumberGenerator.GetString(Alphanumerics, 6)}{now}";

    /// <summary>An amount as Epay carries it: two decimals.</summary>
    public static string Money(decimal money) => decimal.Round(money, 2, MidpointRounding.AwayFromZero).ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>The submit form with its <c>sign</c> and <c>sign_type</c>.</summary>
    public static Dictionary<string, string?> SignedForm(Dictionary<string, string?> form, string key)
    {
        form["sign"] = SortedParamsMd5.Sign(form, key);
        form["sign_type"] = "MD5";
        return form;
    }

    /// <summary>A callback's parameters (the form of a POST with one, else the query) when Epay is set up and their signature holds; else null.</summary>
    public static async Task<Dictionary<string, string?>?> SignedCallbackAsync(HttpRequest request, TopUpSettings settings)
    {
        // An unreadable form (multipart cut short) has no parameters, so it is refused as an unsigned one is.
        IEnumerable<KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues>> parameters = request.HasFormContentType
            ? (IEnumerable<KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues>>?)await RequestForm.TryReadAsync(request) ?? []
            : request.Query;
        var values = parameters.ToDictionary(p => p.Key, p => (string?)p.Value.ToString(), StringComparer.Ordinal);
        return values.Count > 0 && settings.EpayEnabled && SortedParamsMd5.Verify(values, settings.EpayKey, values.GetValueOrDefault("sign")) ? values : null;
    }
}
