using System.Text.Json;
using System.Text.Json.Nodes;
using Harness.Security.Signing;

namespace Harness.Tests.Mechanisms;

public sealed class PortalySignatureTests
{
    private const string Secret = "portaly_fixture_secret_not_for_production";

    public static TheoryData<string> Vectors => PortalyVectors.Ids();

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Every_production_vector_reproduces_stable_json_and_signature(string id)
    {
        var vector = PortalyVectors.Get(id);
        var payload = vector.GetProperty("payload");

        Assert.Equal(vector.GetProperty("stableJson").GetString(), PortalyStableJson.Of(payload));
        Assert.Equal(vector.GetProperty("signature").GetString(), PortalySignature.Sign(vector.GetProperty("secret").GetString()!, vector.GetProperty("timestamp").GetString()!, payload));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Every_production_vector_passes_verification_as_sent(string id)
    {
        var (timestamp, body, signature, eventName) = Callback(id);

        // Three vectors carry no event; their signature still verifies, and the event rule (checked after it) refuses them.
        Assert.Equal(eventName is null ? PortalyVerdict.EventMismatch : PortalyVerdict.Valid,
            PortalySignature.Verify(Secret, eventName ?? "creator_subscription.canceled", timestamp, signature, body, At(timestamp)));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Wrong_secret_changed_timestamp_tampered_payload_short_or_upper_case_signature_fail(string id)
    {
        var (timestamp, body, signature, eventName) = Callback(id);
        var header = eventName ?? "creator_subscription.canceled";
        var otherTimestamp = PortalySignature.Timestamp(At(timestamp).AddMilliseconds(1));
        var tampered = JsonNode.Parse(body)!.AsObject();
        tampered["flags"] = tampered["flags"] is null ? false : null;

        Assert.Equal(PortalyVerdict.SignatureMismatch, PortalySignature.Verify(Secret + "x", header, timestamp, signature, body, At(timestamp)));
        Assert.Equal(PortalyVerdict.SignatureMismatch, PortalySignature.Verify(Secret, header, otherTimestamp, signature, body, At(timestamp)));
        Assert.Equal(PortalyVerdict.SignatureMismatch, PortalySignature.Verify(Secret, header, timestamp, signature, tampered.ToJsonString(), At(timestamp)));
        Assert.Equal(PortalyVerdict.SignatureMismatch, PortalySignature.Verify(Secret, header, timestamp, signature[..^1], body, At(timestamp)));
        Assert.Equal(PortalyVerdict.SignatureMismatch, PortalySignature.Verify(Secret, header, timestamp, signature.ToUpperInvariant(), body, At(timestamp)));
    }

    [Fact]
    public void A_changed_amount_fails()
    {
        var (timestamp, body, signature, eventName) = Callback("checkout-basic");

        Assert.Equal(PortalyVerdict.SignatureMismatch, PortalySignature.Verify(Secret, eventName, timestamp, signature,
            body.Replace("\"amount\": 1,", "\"amount\": 100,", StringComparison.Ordinal), At(timestamp)));
    }

    [Fact]
    public void A_timestamp_is_accepted_up_to_five_minutes_old_and_thirty_seconds_ahead()
    {
        var (timestamp, body, signature, eventName) = Callback("checkout-basic");
        var sentAt = At(timestamp);

        Assert.Equal(PortalyVerdict.Valid, PortalySignature.Verify(Secret, eventName, timestamp, signature, body, sentAt.AddMinutes(5)));
        Assert.Equal(PortalyVerdict.StaleTimestamp, PortalySignature.Verify(Secret, eventName, timestamp, signature, body, sentAt.AddMinutes(5).AddMilliseconds(1)));
        Assert.Equal(PortalyVerdict.Valid, PortalySignature.Verify(Secret, eventName, timestamp, signature, body, sentAt.AddSeconds(-30)));
        Assert.Equal(PortalyVerdict.FutureTimestamp, PortalySignature.Verify(Secret, eventName, timestamp, signature, body, sentAt.AddSeconds(-30).AddMilliseconds(-1)));
    }

    [Theory]
    [InlineData("2026-07-01T07:00:00Z")]
    [InlineData("2026-07-01T15:00:00.000+08:00")]
    [InlineData("2026-07-01 07:00:00.000Z")]
    [InlineData("1782889200000")]
    public void A_timestamp_not_in_the_contract_format_is_refused(string timestamp)
    {
        var (_, body, signature, eventName) = Callback("checkout-basic");

        Assert.Equal(PortalyVerdict.MalformedTimestamp, PortalySignature.Verify(Secret, eventName, timestamp, signature, body, At("2026-07-01T07:00:00.000Z")));
    }

    [Fact]
    public void Each_of_the_three_headers_is_required()
    {
        var (timestamp, body, signature, eventName) = Callback("checkout-basic");
        var now = At(timestamp);

        Assert.Equal(PortalyVerdict.MissingHeader, PortalySignature.Verify(Secret, null, timestamp, signature, body, now));
        Assert.Equal(PortalyVerdict.MissingHeader, PortalySignature.Verify(Secret, eventName, "", signature, body, now));
        Assert.Equal(PortalyVerdict.MissingHeader, PortalySignature.Verify(Secret, eventName, timestamp, null, body, now));
    }

    [Fact]
    public void The_event_header_must_equal_the_signed_body_event()
    {
        var (timestamp, body, signature, _) = Callback("checkout-basic");

        Assert.Equal(PortalyVerdict.EventMismatch, PortalySignature.Verify(Secret, "creator_subscription.canceled", timestamp, signature, body, At(timestamp)));
    }

    [Fact]
    public void A_body_that_is_not_json_repeats_a_key_or_holds_a_lone_surrogate_is_refused()
    {
        var (timestamp, _, signature, eventName) = Callback("checkout-basic");

        Assert.Equal(PortalyVerdict.MalformedBody, PortalySignature.Verify(Secret, eventName, timestamp, signature, "{\"event\":", At(timestamp)));
        Assert.Equal(PortalyVerdict.MalformedBody, PortalySignature.Verify(Secret, eventName, timestamp, signature,
            "{\"event\":\"creator_subscription.checkout.completed\",\"customerName\":\"\\ud800\"}", At(timestamp)));
        Assert.Equal(PortalyVerdict.MalformedBody, PortalySignature.Verify(Secret, eventName, timestamp, signature,
            "{\"event\":\"creator_subscription.checkout.completed\",\"amount\":1,\"amount\":2}", At(timestamp)));
    }

    [Fact]
    public void The_timestamp_header_is_iso_8601_utc_with_milliseconds()
    {
        Assert.Equal("2026-07-01T07:00:00.000Z", PortalySignature.Timestamp(new DateTimeOffset(2026, 7, 1, 15, 0, 0, TimeSpan.FromHours(8))));
    }

    /// <summary>A vector as it arrives: the payload exactly as written in the file (insertion order, indented).</summary>
    private static (string Timestamp, string Body, string Signature, string? Event) Callback(string id)
    {
        var vector = PortalyVectors.Get(id);
        var payload = vector.GetProperty("payload");
        var eventName = payload.TryGetProperty("event", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        return (vector.GetProperty("timestamp").GetString()!, payload.GetRawText(), vector.GetProperty("signature").GetString()!, eventName);
    }

    private static DateTimeOffset At(string timestamp) => DateTimeOffset.Parse(timestamp, System.Globalization.CultureInfo.InvariantCulture);
}
