using System.Text.Json.Serialization;

namespace Harness.Sandbox.Faults;

[JsonConverter(typeof(JsonStringEnumConverter<FaultKind>))]
public enum FaultKind
{
    /// <summary>Provider API: the response is held back for <c>seconds</c> on the sandbox clock.</summary>
    [JsonStringEnumMemberName("latency")]
    Latency,

    /// <summary>Provider API: answer with <c>status</c> (500 by default) in the provider's error shape.</summary>
    [JsonStringEnumMemberName("server_error")]
    ServerError,

    /// <summary>Callback: every event is delivered twice, byte for byte.</summary>
    [JsonStringEnumMemberName("duplicate")]
    Duplicate,

    /// <summary>Callback: the events one action produces are delivered in reverse order.</summary>
    [JsonStringEnumMemberName("out_of_order")]
    OutOfOrder,

    /// <summary>Callback: the first attempt waits <c>seconds</c> on the sandbox clock.</summary>
    [JsonStringEnumMemberName("delayed")]
    Delayed,

    /// <summary>Callback: the signature does not match the body.</summary>
    [JsonStringEnumMemberName("tampered_signature")]
    TamperedSignature,

    /// <summary>Callback: the signed timestamp is <c>seconds</c> (600 by default) in the past.</summary>
    [JsonStringEnumMemberName("stale_timestamp")]
    StaleTimestamp,

    /// <summary>Callback: the amount in the payload is off by one minor unit (signature still valid).</summary>
    [JsonStringEnumMemberName("wrong_amount")]
    WrongAmount,

    /// <summary>Callback: the event is lost on the way — logged as dropped, never sent (the merchant must query); a resend still sends it.</summary>
    [JsonStringEnumMemberName("dropped")]
    Dropped,
}

/// <summary>
/// One scripted fault. It matches requests or callbacks of one provider (or all) and one payment (or all),
/// and fires <see cref="Remaining"/> more times (null: every time) — "fail the next 2 attempts, then succeed"
/// is a rule with Remaining = 2.
/// </summary>
public sealed class FaultRule
{
    [JsonPropertyName("id")]
    public string Id { get; set; } = "";

    [JsonPropertyName("kind")]
    public FaultKind Kind { get; set; }

    [JsonPropertyName("provider")]
    public string? Provider { get; set; }

    [JsonPropertyName("payment_id")]
    public string? PaymentId { get; set; }

    [JsonPropertyName("remaining")]
    public int? Remaining { get; set; }

    [JsonPropertyName("fired")]
    public int Fired { get; set; }

    [JsonPropertyName("seconds")]
    public int? Seconds { get; set; }

    [JsonPropertyName("status")]
    public int? Status { get; set; }
}
