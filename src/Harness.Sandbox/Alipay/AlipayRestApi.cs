using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.Alipay;

/// <summary>
/// The v3 REST routes alipay-sdk's <c>curl()</c> calls (providers.md §3.4): a JSON body, the
/// <c>authorization: ALIPAY-SHA256withRSA app_id=…,nonce=…,timestamp=…,sign=…</c> header signed over
/// <c>authString\nMETHOD\npath?query\nbody\n</c>, plain JSON answers signed in <c>alipay-signature</c>, and failures as
/// <c>{code,message}</c> with HTTP ≥ 400.
/// </summary>
public static partial class AlipayRestApi
{
    private const string Scheme = "ALIPAY-SHA256withRSA ";

    public static void Map(WebApplication app, AlipayProvider provider)
    {
        foreach (var (path, method) in new[]
        {
            ("/v3/alipay/trade/precreate", AlipayProvider.Precreate),
            ("/v3/alipay/trade/query", AlipayProvider.Query),
            ("/v3/alipay/trade/close", AlipayProvider.Close),
            ("/v3/alipay/trade/refund", AlipayProvider.Refund),
        })
        {
            app.MapPost(path, (HttpRequest request) => HandleAsync(provider, method, request));
        }
    }

    private static async Task<IResult> HandleAsync(AlipayProvider provider, string method, HttpRequest request)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
        if (Authenticate(provider, request, body) is { } refused)
        {
            return provider.Replies.RestError(refused, StatusCodes.Status401Unauthorized);
        }

        var (biz, failure) = AlipayProvider.ParseBiz(body);
        var outcome = failure is not null ? AlipayProvider.Outcome.FromFailure(failure) : provider.Run(method, biz!, NotifyUrl(biz!), "");
        if (outcome.Failure is { } businessFailure)
        {
            var status = businessFailure.SubCode == "ACQ.TRADE_NOT_EXIST" ? StatusCodes.Status404NotFound : StatusCodes.Status400BadRequest;
            return provider.Replies.RestError(businessFailure, status);
        }

        return provider.Replies.Rest(outcome.Fields!);
    }

    /// <summary>v3 carries <c>notify_url</c> in the body; it is a common parameter, not a business field.</summary>
    private static string NotifyUrl(JsonObject biz) =>
        biz["notify_url"] is JsonValue value && value.TryGetValue<string>(out var url) && HttpUrl.IsValid(url)
            ? url
            : "";

    /// <summary>The header's fields, then the RSA2 signature with the app key over the v3 signing string.</summary>
    private static AlipayFailure? Authenticate(AlipayProvider provider, HttpRequest request, string body)
    {
        var header = request.Headers.Authorization.ToString();
        var signAt = header.LastIndexOf(",sign=", StringComparison.Ordinal);
        if (!header.StartsWith(Scheme, StringComparison.Ordinal) || signAt < 0)
        {
            return AlipayFailure.Missing("isv.missing-signature", "缺少 authorization 头，或其格式不是 ALIPAY-SHA256withRSA app_id=…,nonce=…,timestamp=…,sign=…");
        }

        var authString = header[Scheme.Length..signAt];
        var fields = AuthField().Matches(authString).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.Ordinal);
        if (fields.GetValueOrDefault("app_id") != AlipayProvider.AppId)
        {
            return AlipayFailure.Invalid("isv.invalid-app-id", "无效的AppID参数");
        }

        if (!fields.ContainsKey("nonce") || !long.TryParse(fields.GetValueOrDefault("timestamp"), NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            return AlipayFailure.Invalid("isv.invalid-timestamp", "authorization 缺少 nonce 或毫秒时间戳 timestamp");
        }

        var content = $"{authString}\n{request.Method}\n{request.Path}{request.QueryString}\n{body}\n";
        if (request.Headers["alipay-app-auth-token"].ToString() is { Length: > 0 } token)
        {
            content += token + "\n";
        }

        return provider.Keys.VerifyApp(content, header[(signAt + ",sign=".Length)..])
            ? null
            : AlipayFailure.Invalid("isv.invalid-signature", "验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配");
    }

    [GeneratedRegex("(?:^|,)([a-z_]+)=([^,]*)")]
    private static partial Regex AuthField();
}
