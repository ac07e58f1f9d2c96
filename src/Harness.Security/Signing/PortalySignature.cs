using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Harness.Security.Signing;

/// <summary>
/// Portaly callback signature v1: lowercase hex HMAC-SHA256(callbackSecret, timestamp + "." + stableJson(payload)),
/// sent with the headers below; <see cref="Verify"/> applies the receiver rules of the contract.
/// </summary>
public static class PortalySignature
{
    public const string EventHeader = "x-portaly-event";
    public const string TimestampHeader = "x-portaly-timestamp";
    public const string SignatureHeader = "x-portaly-signature";

    /// <summary>The contract's replay window.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How far ahead of the receiver's clock a timestamp may be. The contract rejects future timestamps without
    /// naming a tolerance; a few seconds of NTP drift between two honest hosts must not fail every callback, and
    /// 30 s keeps a pre-dated replay no more useful than the age window already allows.
    /// </summary>
    public static readonly TimeSpan FutureSkew = TimeSpan.FromSeconds(30);

    /// <summary>Portaly's signer writes with JSON.stringify, which never repeats a key.</summary>
    private static readonly JsonDocumentOptions StrictJson = new() { AllowDuplicateProperties = false };

    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    /// <summary>The <c>x-portaly-timestamp</c> value for an instant: ISO 8601 UTC with milliseconds.</summary>
    public static string Timestamp(DateTimeOffset at) => at.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture);

    public static string Sign(string secret, string timestamp, JsonElement payload) =>
        HmacSignature.Sha256Hex(secret, timestamp + "." + PortalyStableJson.Of(payload));

    public static string Sign(string secret, string timestamp, JsonNode? payload) =>
        HmacSignature.Sha256Hex(secret, timestamp + "." + PortalyStableJson.Of(payload));

    /// <summary>Receiver rules, in the contract's order; nothing about the callback may be acted on unless this is <see cref="PortalyVerdict.Valid"/>.</summary>
    public static PortalyVerdict Verify(
        string secret, string? eventHeader, string? timestampHeader, string? signatureHeader, string body, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(eventHeader) || string.IsNullOrEmpty(timestampHeader) || string.IsNullOrEmpty(signatureHeader))
        {
            return PortalyVerdict.MissingHeader;
        }

        if (!DateTimeOffset.TryParseExact(timestampHeader, TimestampFormat, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal, out var sentAt))
        {
            return PortalyVerdict.MalformedTimestamp;
        }

        if (now - sentAt > MaxAge)
        {
            return PortalyVerdict.StaleTimestamp;
        }

        if (sentAt - now > FutureSkew)
        {
            return PortalyVerdict.FutureTimestamp;
        }

        string expected;
        bool eventMatches;
        try
        {
            using var document = JsonDocument.Parse(body, StrictJson);
            expected = Sign(secret, timestampHeader, document.RootElement);
            // The event header is not signed; only the body's copy is, so the two must agree.
            eventMatches = document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("event", out var bodyEvent)
                && bodyEvent.ValueKind == JsonValueKind.String
                && bodyEvent.ValueEquals(eventHeader);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Not JSON, or what JSON.parse accepts but cannot be reproduced here (a lone surrogate, which
            // System.Text.Json cannot read as a string; duplicate keys, of which JSON.parse keeps the last): fail closed.
            return PortalyVerdict.MalformedBody;
        }

        if (!SignatureComparison.Equal(expected, signatureHeader))
        {
            return PortalyVerdict.SignatureMismatch;
        }

        return eventMatches ? PortalyVerdict.Valid : PortalyVerdict.EventMismatch;
    }
}
