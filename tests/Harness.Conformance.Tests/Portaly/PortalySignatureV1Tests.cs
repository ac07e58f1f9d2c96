using System.Text.Json;
using Harness.Conformance.Steps.Portaly;

namespace Harness.Conformance.Tests.Portaly;

/// <summary>
/// The runner's own Portaly verifier against every production vector of <c>portaly-callback-vectors.json</c> (the shared
/// spec's file, copied as a resource): the same stableJson and signature, and the spec's negative cases refused.
/// </summary>
public sealed class PortalySignatureV1Tests
{
    public static TheoryData<string> VectorIds() => [.. Vectors().Select(v => v.GetProperty("id").GetString()!)];

    [Theory]
    [MemberData(nameof(VectorIds))]
    public void Every_vector_gives_the_expected_stable_json_and_signature(string id)
    {
        var vector = Vector(id);
        var payload = vector.GetProperty("payload");

        var stable = PortalySignatureV1.StableJson(payload);

        Assert.Equal(vector.GetProperty("stableJson").GetString(), stable);
        Assert.Equal(vector.GetProperty("signature").GetString(), PortalySignatureV1.Sign(vector.GetProperty("secret").GetString()!, vector.GetProperty("timestamp").GetString()!, stable));
    }

    [Theory]
    [MemberData(nameof(VectorIds))]
    public void Every_vector_verifies_as_received_and_fails_when_anything_is_changed(string id)
    {
        var vector = Vector(id);
        var secret = vector.GetProperty("secret").GetString()!;
        var timestamp = vector.GetProperty("timestamp").GetString()!;
        var signature = vector.GetProperty("signature").GetString()!;
        var body = vector.GetProperty("payload").GetRawText();
        var eventName = vector.GetProperty("payload").TryGetProperty("event", out var e) ? e.GetString() : null;
        var at = DateTimeOffset.Parse(timestamp, System.Globalization.CultureInfo.InvariantCulture).AddSeconds(3);

        var header = eventName ?? "creator_subscription.checkout.completed";
        var verdict = PortalySignatureV1.Problem(secret, header, timestamp, signature, body, at);
        // A payload without "event" (the vectors of stableJson alone) passes every rule but the header's event.
        if (eventName is null)
        {
            Assert.Contains("is not the body's event", verdict, StringComparison.Ordinal);
        }
        else
        {
            Assert.Null(verdict);
        }

        const string Refused = PortalySignatureV1.SignatureHeader + " does not verify";
        Assert.Contains(Refused, PortalySignatureV1.Problem(secret + "x", header, timestamp, signature, body, at), StringComparison.Ordinal);
        Assert.Contains(Refused, PortalySignatureV1.Problem(secret, header, timestamp.Replace(".000Z", ".001Z", StringComparison.Ordinal), signature, body, at), StringComparison.Ordinal);
        Assert.Contains(Refused, PortalySignatureV1.Problem(secret, header, timestamp, signature[..^2], body, at), StringComparison.Ordinal);
        Assert.Contains(Refused, PortalySignatureV1.Problem(secret, header, timestamp, signature.ToUpperInvariant(), body, at), StringComparison.Ordinal);
        var tampered = System.Text.Json.Nodes.JsonNode.Parse(body)!.AsObject();
        tampered["tampered"] = 1;
        Assert.Contains(Refused, PortalySignatureV1.Problem(secret, header, timestamp, signature, tampered.ToJsonString(), at), StringComparison.Ordinal);
    }

    [Fact]
    public void A_timestamp_older_than_five_minutes_or_ahead_of_the_clock_and_a_missing_header_are_refused()
    {
        var vector = Vector("checkout-basic");
        var secret = vector.GetProperty("secret").GetString()!;
        var timestamp = vector.GetProperty("timestamp").GetString()!;
        var signature = vector.GetProperty("signature").GetString()!;
        var body = vector.GetProperty("payload").GetRawText();
        var signedAt = DateTimeOffset.Parse(timestamp, System.Globalization.CultureInfo.InvariantCulture);
        const string Event = "creator_subscription.checkout.completed";

        Assert.Null(PortalySignatureV1.Problem(secret, Event, timestamp, signature, body, signedAt.AddMinutes(5)));
        Assert.Contains("not fresh", PortalySignatureV1.Problem(secret, Event, timestamp, signature, body, signedAt.AddMinutes(5).AddMilliseconds(1)), StringComparison.Ordinal);
        Assert.Contains("not fresh", PortalySignatureV1.Problem(secret, Event, timestamp, signature, body, signedAt.AddMinutes(-1)), StringComparison.Ordinal);
        Assert.Contains("missing", PortalySignatureV1.Problem(secret, "", timestamp, signature, body, signedAt), StringComparison.Ordinal);
        Assert.Contains("not the body's event", PortalySignatureV1.Problem(secret, "creator_subscription.active", timestamp, signature, body, signedAt), StringComparison.Ordinal);
        Assert.Contains("milliseconds", PortalySignatureV1.Problem(secret, Event, "2026-07-01T07:00:00Z", signature, body, signedAt), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0d, "0")]
    [InlineData(-42d, "-42")]
    [InlineData(1.5d, "1.5")]
    [InlineData(0.000001d, "0.000001")]
    [InlineData(1e-7d, "1e-7")]
    [InlineData(1e21d, "1e+21")]
    [InlineData(1e20d, "100000000000000000000")]
    [InlineData(123456789.125d, "123456789.125")]
    [InlineData(1.2345e25d, "1.2345e+25")]
    public void Numbers_are_written_as_JavaScript_writes_them(double value, string expected) =>
        Assert.Equal(expected, PortalySignatureV1.JavaScriptNumber(value));

    private static JsonElement Vector(string id) => Vectors().Single(v => v.GetProperty("id").GetString() == id);

    private static IEnumerable<JsonElement> Vectors()
    {
        using var stream = typeof(PortalySignatureV1Tests).Assembly.GetManifestResourceStream("portaly-callback-vectors.json")!;
        using var document = JsonDocument.Parse(stream);
        return [.. document.RootElement.GetProperty("vectors").EnumerateArray().Select(v => v.Clone())];
    }
}
