using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;
using static Harness.Sandbox.Creem.CreemJson;

namespace Harness.Sandbox.Creem;

/// <summary>
/// Plan and seat changes during a period: an upgrade to another product, and a new number of <c>units</c>. Both
/// prorate the price difference the same way and settle it by Creem's <c>update_behavior</c>.
/// </summary>
internal sealed partial class CreemBilling
{
    public static readonly string[] UpdateBehaviours = ["proration-charge-immediately", "proration-charge", "proration-none"];

    /// <summary>
    /// Moves an active subscription to another recurring product. The difference for the rest of the period,
    /// prorated by time, is charged now, added to the next renewal, or dropped; a downgrade credits nothing.
    /// </summary>
    public (JsonObject? Subscription, string? Refusal) Upgrade(string id, JsonObject product, string behaviour) => Change(id, (subscription, now, events) =>
    {
        if (subscription.Str("status") != "active")
        {
            return $"Only an active subscription can be upgraded; this one is {subscription.Str("status")}";
        }

        if (product.Str("id") == subscription["product"].Str("id"))
        {
            return "The subscription is already on this product";
        }

        var before = Price(subscription);
        subscription["product"] = product.DeepClone();
        ((JsonObject)subscription["items"]![0]!)["product_id"] = product.Str("id");
        return Settle(subscription, Prorate(subscription, Price(subscription) - before, now), behaviour, now, events, "Upgrade proration");
    });

    /// <summary>
    /// Sets the subscription item's <c>units</c> (seats): renewals charge price × units from now on. More seats
    /// during a paid period are prorated and settled as <paramref name="behaviour"/> says; fewer credit nothing; a
    /// trial's seats change what its end charges, and nothing now.
    /// </summary>
    public (JsonObject? Subscription, string? Refusal) UpdateUnits(string id, string? itemId, string? productId, long units, string behaviour) => Change(id, (subscription, now, events) =>
    {
        var status = subscription.Str("status");
        if (status is not ("active" or "trialing"))
        {
            return $"Only an active or trialing subscription can be updated; this one is {status}";
        }

        var item = (JsonObject)subscription["items"]![0]!;
        if ((itemId ?? item.Str("id")) != item.Str("id") || (productId ?? item.Str("product_id")) != item.Str("product_id"))
        {
            return "Subscription item not found: the sandbox's subscriptions have one item, named by its id or its product_id";
        }

        var before = Price(subscription);
        item["units"] = units;
        var proration = status == "trialing" ? 0 : Prorate(subscription, Price(subscription) - before, now);
        return Settle(subscription, proration, behaviour, now, events, "Seat update proration");
    });

    /// <summary>
    /// The share of <paramref name="difference"/> for what is left of the current period: difference × time
    /// remaining ÷ period length, rounded half up, in minor units. A decrease is 0: nothing is credited.
    /// </summary>
    private static long Prorate(JsonObject subscription, long difference, DateTimeOffset now)
    {
        var start = ParseIso(subscription.Str("current_period_start_date")!);
        var end = ParseIso(subscription.Str("current_period_end_date")!);
        // A period that starts after now (renewed ahead of the clock by the control API) has all of it left.
        var length = Math.Max(1, (end - start).Ticks);
        var remaining = Math.Clamp((end - now).Ticks, 0, length);
        return difference <= 0 ? 0 : (long)(((Int128)difference * remaining * 2 + length) / (2 * (Int128)length));
    }

    /// <summary>
    /// Charges <paramref name="proration"/> now (<c>subscription.paid</c> after <c>subscription.update</c>), adds it to
    /// the next renewal, or drops it; a refusal when the immediate charge declines (the caller keeps nothing then).
    /// </summary>
    private string? Settle(JsonObject subscription, long proration, string behaviour, DateTimeOffset now, List<CreemEvent> events, string description)
    {
        if (proration > 0 && behaviour == "proration-charge-immediately")
        {
            if (!Charge(subscription, proration, 0, now, description))
            {
                return "The card was declined; the subscription was not changed";
            }

            events.Add(Snapshot("subscription.paid", subscription));
        }
        else if (proration > 0 && behaviour == "proration-charge")
        {
            subscription["_pending_proration"] = subscription["_pending_proration"]!.GetValue<long>() + proration;
        }

        events.Insert(0, Snapshot("subscription.update", subscription));
        return null;
    }
}
