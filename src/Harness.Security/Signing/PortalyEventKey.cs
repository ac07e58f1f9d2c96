using System.Text.Json;

namespace Harness.Security.Signing;

/// <summary>
/// The idempotency key of a verified Portaly callback, per event as the contract defines it. Retries and manual
/// re-deliveries of one event share the key; distinct occurrences (each renewal attempt, each refund outcome) do not.
/// </summary>
public static class PortalyEventKey
{
    /// <summary>
    /// <c>event:field:…</c>, or null when the event has no stable identity: <c>active</c> repeats on every recovery
    /// from past_due and <c>cancel_requested</c> after every resume, so a permanent key would swallow legitimate
    /// transitions (the receiver applies those idempotently instead); also null for unknown events or missing fields.
    /// </summary>
    public static string? Of(JsonElement payload)
    {
        var name = Field(payload, "event");
        string[]? fields = name switch
        {
            "creator_subscription.checkout.completed" or "creator_subscription.checkout.failed" => ["sessionId"],
            "creator_subscription.payment.succeeded" => ["subscriptionId", "chargedAt"],
            "creator_subscription.payment.failed" => ["subscriptionId", "failedAt"],
            "creator_subscription.payment.refunded" or "creator_subscription.payment.refund_failed" => ["orderId"],
            "creator_subscription.canceled" => ["subscriptionId"], // terminal: sent at most once per subscription
            _ => null,
        };
        if (fields is null)
        {
            return null;
        }

        var values = fields.Select(f => Field(payload, f)).ToArray();
        return values.Any(string.IsNullOrEmpty) ? null : string.Join(':', [name, .. values]);
    }

    private static string? Field(JsonElement payload, string name) =>
        payload.ValueKind == JsonValueKind.Object && payload.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
