using System.Globalization;
using System.Text.Json.Nodes;
using Harness.Portaly.Callbacks;
using Harness.Portaly.Checkout;
using Harness.Security.Signing;
using Harness.Tests.Mechanisms;

namespace Harness.Tests.Portaly;

/// <summary><c>checkout.failed</c> against the contract's production examples: the same session and charge give the vector's stableJson and signature.</summary>
public sealed class CheckoutFailedPayloadTests
{
    [Fact]
    public void A_tappay_decline_carries_the_payment_in_the_metadata_as_the_production_example()
    {
        var session = SessionOf("session_fixture_2", "TapPay 3D Secure payment failed", "2026-07-01T07:09:59.000Z", new() { ["campaign"] = "夏季", ["source"] = "web" });
        var charge = new FailedCharge("TapPay 3D Secure payment failed", 299, "tappay", "rec_fixture_1", new TapPayAnswer("rec_fixture_1", 0));

        AssertMatches("checkout-failed-portaly-metadata", CallbackPayloads.CheckoutFailed(session, charge));
    }

    [Fact]
    public void A_failure_without_a_payment_reference_carries_only_the_amount_and_the_reason()
    {
        var tracking = """{"utm_source":"newsletter","utm_medium":"email","utm_campaign":"夏季","gclid":"Cj0KCQ_fixture","ref":"partner-a"}""";
        var session = SessionOf("session_fixture_3", "TapPay payment failed", "2026-07-01T07:14:59.000Z", new() { ["tracking"] = tracking });

        AssertMatches("checkout-failed-tracking-metadata", CallbackPayloads.CheckoutFailed(session, new FailedCharge("TapPay payment failed", 299)));
    }

    private static void AssertMatches(string vectorId, JsonObject payload)
    {
        var vector = PortalyVectors.Get(vectorId);
        Assert.Equal(vector.GetProperty("stableJson").GetString(), PortalyStableJson.Of(payload));
        var signature = PortalySignature.Sign(vector.GetProperty("secret").GetString()!, vector.GetProperty("timestamp").GetString()!, payload);
        Assert.Equal(vector.GetProperty("signature").GetString(), signature);
    }

    /// <summary>The vectors' failed live session of plan_fixture_1 (299 TWD) for buyer@example.com.</summary>
    private static CheckoutSession SessionOf(string id, string reason, string failedAt, Dictionary<string, string> metadata)
    {
        var at = DateTimeOffset.Parse(failedAt, CultureInfo.InvariantCulture);
        return new CheckoutSession(
            id, "profile_fixture_1", "live", "key_1", "plan_fixture_1", "月訂閱 A&B", "active", 299, "TWD", "monthly", "fixed", true,
            SessionStatus.Failed, 299, 299, null, "token", null, null, "https://merchant.example/callback", null, null, metadata,
            null, "buyer@example.com", null, false, null, null, null, reason, null, at, at.AddMinutes(20), at.AddMinutes(-10), at);
    }
}
