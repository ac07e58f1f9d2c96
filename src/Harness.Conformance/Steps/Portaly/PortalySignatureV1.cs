using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Harness.Conformance.Steps.Portaly;

/// <summary>
/// The merchant's side of Portaly callback signature v1 (shared spec portaly.md, "Callbacks (exact)"), written from the
/// spec for the runner (which may not use the harness's own signer): lowercase hex
/// <c>HMAC-SHA256(callbackSecret, timestamp + "." + stableJson(payload))</c>, where stableJson is
/// <c>JSON.stringify</c> with object keys sorted at every level by JavaScript's <c>localeCompare</c> (ICU, en-US).
/// </summary>
public static class PortalySignatureV1
{
    public const string EventHeader = "x-portaly-event";
    public const string TimestampHeader = "x-portaly-timestamp";
    public const string SignatureHeader = "x-portaly-signature";

    /// <summary>How old a timestamp may be (the spec's 5 minutes).</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    /// <summary>How far ahead of the runner's clock a timestamp may be (clock skew; the contract names none).</summary>
    public static readonly TimeSpan Skew = TimeSpan.FromSeconds(30);

    /// <param name="payload">The parsed callback body.</param>
    /// <param name="keyOrder">The key order; JavaScript's localeCompare (ICU en-US) unless given (a test shows what another order signs).</param>
    public static string StableJson(JsonElement payload, StringComparer? keyOrder = null)
    {
        var collation = keyOrder ?? EnUs().GetStringComparer(CompareOptions.None);
        var json = new StringBuilder();
        Write(json, payload, collation);
        return json.ToString();
    }

    public static string Sign(string secret, string timestamp, string stableJson) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(timestamp + "." + stableJson)));

    /// <summary>Why a callback does not verify (rules 1–4 of the receiver), or null when it does.</summary>
    public static string? Problem(string secret, string? eventHeader, string? timestamp, string? signature, string body, DateTimeOffset receivedAt)
    {
        if (string.IsNullOrEmpty(eventHeader) || string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signature))
        {
            return $"a header is missing ({EventHeader} '{eventHeader}', {TimestampHeader} '{timestamp}', {SignatureHeader} '{signature}')";
        }

        if (!DateTimeOffset.TryParseExact(timestamp, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            return $"{TimestampHeader} '{timestamp}' is not ISO 8601 UTC with milliseconds";
        }

        if (receivedAt - at > Window || at - receivedAt > Skew)
        {
            return $"{TimestampHeader} '{timestamp}' is not fresh: received at {receivedAt:O}";
        }

        JsonElement payload;
        try
        {
            using var document = JsonDocument.Parse(body);
            payload = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return "the body is not JSON";
        }

        var expected = Sign(secret, timestamp, StableJson(payload));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature)))
        {
            return $"{SignatureHeader} does not verify with the key's callback secret (expected {expected} over {Shorten(StableJson(payload))})";
        }

        var bodyEvent = payload.ValueKind == JsonValueKind.Object && payload.TryGetProperty("event", out var e) ? e.ToString() : null;
        return bodyEvent == eventHeader ? null : $"{EventHeader} '{eventHeader}' is not the body's event '{bodyEvent}'";
    }

    private static string Shorten(string text) => text.Length > 300 ? text[..300] + "…" : text;

    private static CompareInfo EnUs()
    {
        try
        {
            return CultureInfo.GetCultureInfo("en-US", predefinedOnly: true).CompareInfo;
        }
        catch (CultureNotFoundException e)
        {
            throw new PlatformNotSupportedException("Verifying Portaly callbacks needs ICU (en-US collation); this process runs with InvariantGlobalization.", e);
        }
    }

    private static void Write(StringBuilder json, JsonElement value, StringComparer collation)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                json.Append('{');
                var first = true;
                // OrderBy is stable like JavaScript's sort: keys the collation ranks equal keep their order.
                foreach (var property in value.EnumerateObject().OrderBy(p => p.Name, collation))
                {
                    json.Append(first ? "" : ",");
                    first = false;
                    Quote(json, property.Name);
                    json.Append(':');
                    Write(json, property.Value, collation);
                }

                json.Append('}');
                break;
            case JsonValueKind.Array:
                json.Append('[');
                var firstItem = true;
                foreach (var item in value.EnumerateArray())
                {
                    json.Append(firstItem ? "" : ",");
                    firstItem = false;
                    Write(json, item, collation);
                }

                json.Append(']');
                break;
            case JsonValueKind.String:
                Quote(json, value.GetString()!);
                break;
            case JsonValueKind.Number:
                var number = double.Parse(value.GetRawText(), CultureInfo.InvariantCulture);
                json.Append(double.IsFinite(number) ? JavaScriptNumber(number) : "null");
                break;
            default:
                json.Append(value.GetRawText());
                break;
        }
    }

    /// <summary>JSON.stringify's quoting: only the quote, the backslash and control characters are escaped.</summary>
    private static void Quote(StringBuilder json, string text)
    {
        json.Append('"');
        foreach (var c in text)
        {
            json.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\b' => "\\b",
                '\f' => "\\f",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                < ' ' => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }

        json.Append('"');
    }

    /// <summary>ECMAScript Number::toString: the shortest round-trip digits, decimal from 1e-7 to 1e21, exponent otherwise.</summary>
    public static string JavaScriptNumber(double value)
    {
        if (value == 0)
        {
            return "0";
        }

        var sign = value < 0 ? "-" : "";
        var roundTrip = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        // The shortest digits from "R", the exponent from its E form (or from the digits' position).
        var exponentAt = roundTrip.IndexOf('E', StringComparison.Ordinal);
        var mantissa = exponentAt < 0 ? roundTrip : roundTrip[..exponentAt];
        var exponent = exponentAt < 0 ? 0 : int.Parse(roundTrip[(exponentAt + 1)..], CultureInfo.InvariantCulture);
        var point = mantissa.IndexOf('.', StringComparison.Ordinal);
        var whole = point < 0 ? mantissa : mantissa[..point];
        var all = whole + (point < 0 ? "" : mantissa[(point + 1)..]);
        var digits = all.TrimStart('0');
        var leadingZeros = all.Length - digits.Length;
        digits = digits.TrimEnd('0');

        // n: the position of the decimal point relative to the digits (value = 0.digits × 10^n).
        var n = whole.Length - leadingZeros + exponent;
        var k = digits.Length;
        string text;
        if (k <= n && n <= 21)
        {
            text = digits + new string('0', n - k);
        }
        else if (n is > 0 and <= 21)
        {
            text = digits[..n] + "." + digits[n..];
        }
        else if (n is > -6 and <= 0)
        {
            text = "0." + new string('0', -n) + digits;
        }
        else
        {
            var e = n - 1;
            text = digits[..1] + (k > 1 ? "." + digits[1..] : "") + "e" + (e >= 0 ? "+" : "-") + Math.Abs(e).ToString(CultureInfo.InvariantCulture);
        }

        return sign + text;
    }
}
