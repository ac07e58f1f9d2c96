using System.Text.Json;
using Harness.Security.Signing;

namespace Harness.Tests.Mechanisms;

public sealed class PortalyEventKeyTests
{
    [Theory]
    [InlineData("""{"event":"creator_subscription.checkout.completed","sessionId":"s1","subscriptionId":"s1"}""", "creator_subscription.checkout.completed:s1")]
    [InlineData("""{"event":"creator_subscription.checkout.failed","sessionId":"s2"}""", "creator_subscription.checkout.failed:s2")]
    [InlineData("""{"event":"creator_subscription.payment.succeeded","subscriptionId":"s1","paymentId":"p1","chargedAt":"2026-07-15T10:00:00.000Z"}""", "creator_subscription.payment.succeeded:s1:2026-07-15T10:00:00.000Z")]
    [InlineData("""{"event":"creator_subscription.payment.failed","subscriptionId":"s1","paymentReference":"","failedAt":"2026-08-15T10:00:00.000Z"}""", "creator_subscription.payment.failed:s1:2026-08-15T10:00:00.000Z")]
    [InlineData("""{"event":"creator_subscription.payment.refunded","subscriptionId":"s1","orderId":"o1"}""", "creator_subscription.payment.refunded:o1")]
    [InlineData("""{"event":"creator_subscription.payment.refund_failed","subscriptionId":"s1","orderId":"o1"}""", "creator_subscription.payment.refund_failed:o1")]
    [InlineData("""{"event":"creator_subscription.canceled","subscriptionId":"s1","canceledAt":"2026-07-01T06:59:00.000Z"}""", "creator_subscription.canceled:s1")]
    public void Each_event_is_keyed_by_the_fields_the_contract_names(string payload, string key)
    {
        Assert.Equal(key, Of(payload));
    }

    [Theory]
    [InlineData("""{"event":"creator_subscription.active","subscriptionId":"s1"}""")]
    [InlineData("""{"event":"creator_subscription.cancel_requested","subscriptionId":"s1"}""")]
    [InlineData("""{"event":"creator_subscription.payment.failed","subscriptionId":"s1"}""")]
    [InlineData("""{"event":"something.else","sessionId":"s1"}""")]
    [InlineData("""{"sessionId":"s1"}""")]
    public void Repeatable_lifecycle_events_unknown_events_and_missing_fields_have_no_key(string payload)
    {
        Assert.Null(Of(payload));
    }

    private static string? Of(string json)
    {
        using var document = JsonDocument.Parse(json);
        return PortalyEventKey.Of(document.RootElement);
    }
}
