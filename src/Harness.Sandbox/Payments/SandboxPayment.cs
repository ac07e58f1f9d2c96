using System.Text.Json.Serialization;
using Harness.Storage;

namespace Harness.Sandbox.Payments;

[JsonConverter(typeof(JsonStringEnumConverter<PaymentStatus>))]
public enum PaymentStatus
{
    [JsonStringEnumMemberName("open")]
    Open,

    [JsonStringEnumMemberName("paid")]
    Paid,

    [JsonStringEnumMemberName("expired")]
    Expired,

    [JsonStringEnumMemberName("canceled")]
    Canceled,
}

/// <summary>
/// What every provider's payment has in common: the hosted pay page, expiry and the control API's listing work
/// on this; the provider keeps its own richer object (a Checkout Session, an Epay order) under the same id.
/// </summary>
public sealed class SandboxPayment : IDocument
{
    [JsonPropertyName("id")]
    public string Id { get; set; } = "";

    [JsonPropertyName("provider")]
    public string Provider { get; set; } = "";

    [JsonPropertyName("status")]
    public PaymentStatus Status { get; set; }

    /// <summary>Integer minor units (cents, fen).</summary>
    [JsonPropertyName("amount")]
    public long Amount { get; set; }

    [JsonPropertyName("currency")]
    public string Currency { get; set; } = "";

    [JsonPropertyName("description")]
    public string Description { get; set; } = "";

    /// <summary>The merchant's own reference (client_reference_id, request_id, out_trade_no).</summary>
    [JsonPropertyName("merchant_reference")]
    public string? MerchantReference { get; set; }

    [JsonPropertyName("created_at")]
    public DateTime CreatedAt { get; set; }

    [JsonPropertyName("expires_at")]
    public DateTime ExpiresAt { get; set; }

    /// <summary>What the provider's QR code encodes (WeChat's <c>code_url</c>, Alipay's <c>qr_code</c>, Epay's <c>qrcode</c> or <c>urlscheme</c>); the pay page draws it.</summary>
    [JsonPropertyName("qr_code")]
    public string? QrCode { get; set; }

    /// <summary>How many times the buyer was declined on the pay page.</summary>
    [JsonPropertyName("declines")]
    public int Declines { get; set; }

    /// <summary>The card paid with on a card page: brand and last four digits, never the number; null when none was entered.</summary>
    [JsonPropertyName("card_brand")]
    public string? CardBrand { get; set; }

    [JsonPropertyName("card_last4")]
    public string? CardLast4 { get; set; }

    [JsonPropertyName("card_exp_month")]
    public int? CardExpMonth { get; set; }

    [JsonPropertyName("card_exp_year")]
    public int? CardExpYear { get; set; }

    /// <summary>
    /// The expiry loop's order while the payment is open, none once it has left <c>open</c>: the time alone (the loop
    /// always reads from the earliest, never pages on), so the entry is short.
    /// </summary>
    [JsonIgnore]
    public string? ExpiryOrder => Status == PaymentStatus.Open ? OrderKeys.Time(ExpiresAt) : null;

    /// <summary>The control API's list order within the provider's payments: the provider, creation time, then id.</summary>
    [JsonIgnore]
    public string ProviderCreatedOrder => Provider + "|" + CreatedOrder;

    /// <summary>The control API's list order across providers: not stored or indexed, the providers' lists are merged on it.</summary>
    internal string CreatedOrder => OrderKeys.Time(CreatedAt, Id);
}
