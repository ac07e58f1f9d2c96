using System.Globalization;
using System.Text.Json.Serialization;
using Harness.NewApi.Quota;

namespace Harness.NewApi.TopUp;

/// <summary>An entry of upstream's <c>PayMethods</c> option.</summary>
public sealed record PayMethod(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("color")] string? Color = null,
    [property: JsonPropertyName("min_topup")] string? MinTopUp = null);

/// <summary>
/// The top-up options of upstream's <c>options</c> table (new-api.md §5.2), from the <c>NewApi</c> configuration
/// section with upstream's option names. The host points the Epay gateway at the sandbox with its published
/// merchant, so a first start pays end to end.
/// </summary>
public sealed class TopUpSettings
{
    /// <summary>The Epay gateway's base URL (<c>PayAddress</c>); <c>/submit.php</c> is appended.</summary>
    public string PayAddress { get; set; } = "";

    public string EpayId { get; set; } = "";

    public string EpayKey { get; set; } = "";

    /// <summary>Where notify URLs point (<c>CustomCallbackAddress</c>, else <c>ServerAddress</c>, else this app's own address).</summary>
    public string CustomCallbackAddress { get; set; } = "";

    /// <summary>The site's address, for return URLs; empty: the address the request came to.</summary>
    public string ServerAddress { get; set; } = "";

    /// <summary>Local currency per 1 USD of quota (<c>Price</c>).</summary>
    public decimal Price { get; set; } = 7.3m;

    public int MinTopUp { get; set; } = 1;

    public List<PayMethod> PayMethods { get; set; } =
    [
        new("支付宝", "alipay", "rgba(var(--semi-blue-5), 1)"),
        new("微信", "wxpay", "rgba(var(--semi-green-5), 1)"),
        new("自定义1", "custom1", "black", "50"),
    ];

    /// <summary><c>TopupGroupRatio</c>: a user group's price multiplier; missing or 0 is 1.</summary>
    public Dictionary<string, decimal> TopupGroupRatio { get; set; } = new(StringComparer.Ordinal) { ["default"] = 1, ["vip"] = 1, ["svip"] = 1 };

    /// <summary><c>payment_setting.amount_options</c>.</summary>
    public List<int> AmountOptions { get; set; } = [10, 20, 50, 100, 200, 500];

    /// <summary><c>payment_setting.amount_discount</c>: amount → price factor.</summary>
    public Dictionary<string, decimal> AmountDiscount { get; set; } = new(StringComparer.Ordinal);

    public string TopUpLink { get; set; } = "";

    /// <summary>
    /// <c>general_setting.quota_display_type</c>: <c>USD</c> (default), <c>CNY</c>, <c>TOKENS</c>, <c>CUSTOM</c>. Only
    /// <c>TOKENS</c> changes the top-up routes: amounts are then asked for in tokens (quota units).
    /// </summary>
    public string QuotaDisplayType { get; set; } = "USD";

    public bool TokensMode => QuotaDisplayType == "TOKENS";

    /// <summary><c>StripeApiSecret</c>: must start with <c>sk_</c> or <c>rk_</c>.</summary>
    public string StripeApiSecret { get; set; } = "";

    public string StripeWebhookSecret { get; set; } = "";

    public string StripePriceId { get; set; } = "";

    public decimal StripeUnitPrice { get; set; } = 8.0m;

    public int StripeMinTopUp { get; set; } = 1;

    public bool StripePromotionCodesEnabled { get; set; }

    /// <summary>Where Stripe's API is (not an upstream option: upstream always calls api.stripe.com); the host sets the sandbox's.</summary>
    public string StripeApiBase { get; set; } = "https://api.stripe.com";

    public string CreemApiKey { get; set; } = "";

    /// <summary><c>CreemProducts</c>: a JSON array of <c>{productId, name, price, currency, quota}</c>, kept as the string upstream stores.</summary>
    public string CreemProducts { get; set; } = "[]";

    public bool CreemTestMode { get; set; }

    public string CreemWebhookSecret { get; set; } = "";

    /// <summary>Where Creem's API is (upstream: api.creem.io, or test-api.creem.io in test mode); the host sets the sandbox's.</summary>
    public string CreemApiBase { get; set; } = "";

    public bool StripeEnabled => StripeApiSecret.Length > 0 && StripeWebhookSecret.Length > 0 && StripePriceId.Length > 0;

    public bool CreemEnabled => CreemApiKey.Length > 0 && CreemProducts.Trim() is { Length: > 0 } products && products != "[]";

    public bool CreemWebhookEnabled => CreemEnabled && CreemWebhookSecret.Length > 0;

    public string CreemBase => CreemApiBase.Length > 0 ? CreemApiBase.TrimEnd('/') : CreemTestMode ? "https://test-api.creem.io" : "https://api.creem.io";

    public bool EpayEnabled => PayAddress.Length > 0 && EpayId.Length > 0 && EpayKey.Length > 0 && PayMethods.Count > 0;

    public decimal GroupRatio(string group) => TopupGroupRatio.TryGetValue(group, out var ratio) && ratio != 0 ? ratio : 1;

    /// <summary>The smallest amount a request may ask for: <c>MinTopUp</c>, or that many USD in tokens in TOKENS mode.</summary>
    public long MinAmount => TokensMode ? MinTopUp * QuotaAccounts.PerUnit : MinTopUp;

    /// <summary>The Stripe minimum, as <see cref="MinAmount"/>.</summary>
    public long StripeMinAmount => TokensMode ? StripeMinTopUp * QuotaAccounts.PerUnit : StripeMinTopUp;

    /// <summary>The USD units a requested amount is worth (tokens ÷ 500,000 in TOKENS mode).</summary>
    public decimal Units(long amount) => TokensMode ? amount / (decimal)QuotaAccounts.PerUnit : amount;

    /// <summary>The amount's discount factor, looked up by the amount as requested; 1 when none (or not positive).</summary>
    public decimal Discount(long amount) => AmountDiscount.TryGetValue(amount.ToString(CultureInfo.InvariantCulture), out var d) && d > 0 ? d : 1;

    /// <summary>Upstream's <c>getPayMoney</c>: units × Price × group ratio × the amount's discount.</summary>
    public decimal PayMoney(long amount, string group) => Units(amount) * Price * GroupRatio(group) * Discount(amount);
}
