using System.Text.Json.Nodes;

namespace Harness.Sandbox.Stripe;

/// <summary>A subscription checkout's <c>subscription_data[billing_cycle_anchor]</c>: what its line items charge up to the anchor.</summary>
public sealed partial class CheckoutSessions
{
    /// <summary>
    /// Sets each recurring line item's <c>amount_subtotal</c> to what the first invoice charges for it at
    /// <paramref name="now"/> (<see cref="StripeAnchors.Due"/>: prorated, 0 with <c>proration_behavior=none</c>, the full
    /// amount once the anchor has passed) and the session's subtotal to the sum; <see cref="Discount"/> then makes the totals.
    /// </summary>
    private static void ProrateToAnchor(JsonObject session, long now)
    {
        if (session["_anchor"] is not JsonObject stored)
        {
            return;
        }

        var anchor = StripeAnchors.FromJson(stored);
        var subtotal = 0L;
        foreach (var item in ((JsonArray)session["_line_items"]!).OfType<JsonObject>())
        {
            var price = item["price"]!;
            var full = StripeTiers.Advance(price, item["quantity"]!.GetValue<long>());
            var amount = price["recurring"] is JsonObject recurring ? StripeAnchors.Due(full, anchor, recurring, now) : full;
            item["amount_subtotal"] = amount;
            item["amount_total"] = amount;
            subtotal = checked(subtotal + amount);
        }

        session["amount_subtotal"] = subtotal;
        session["amount_total"] = subtotal;
    }
}
