using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;
using static Harness.Sandbox.Creem.CreemJson;

namespace Harness.Sandbox.Creem;

/// <summary>
/// Plan changes during a period: an upgrade to another product. It and the item and seat changes of
/// CreemBilling.Items.cs prorate the price difference the same way and settle it by Creem's <c>update_behavior</c>.
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

        if (UpgradeConflict(subscription, product) is { } conflict)
        {
            return conflict;
        }

        var before = Price(subscription);
        subscription["product"] = product.DeepClone();
        ((JsonObject)subscription["items"]![0]!)["product_id"] = product.Str("id");
        return Settle(subscription, Math.Max(0, Prorate(subscription, Price(subscription) - before, now)), behaviour, now, events, "Upgrade proration");
    });

    /// <summary>
    /// The share of <paramref name="difference"/> for what is left of the current period: difference × time
    /// remaining ÷ period length in minor units, its size rounded half up; negative (a credit) for a decrease.
    /// </summary>
    private static long Prorate(JsonObject subscription, long difference, DateTimeOffset now)
    {
        var start = ParseIso(subscription.Str("current_period_start_date")!);
        var end = ParseIso(subscription.Str("current_period_end_date")!);
        // A period that starts after now (renewed ahead of the clock by the control API) has all of it left.
        var length = Math.Max(1, (end - start).Ticks);
        var remaining = Math.Clamp((end - now).Ticks, 0, length);
        var share = (long)(((Int128)Math.Abs(difference) * remaining * 2 + length) / (2 * (Int128)length));
        return difference < 0 ? -share : share;
    }

    /// <summary>
    /// Charges <paramref name="proration"/> now (<c>subscription.paid</c> after <c>subscription.update</c>), adds it to
    /// the next renewal, or drops it; a credit (negative) is taken off the next renewal unless the behaviour is
    /// <c>proration-none</c>. A refusal when the immediate charge declines (the caller keeps nothing then).
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
        else if ((proration > 0 && behaviour == "proration-charge") || (proration < 0 && behaviour != "proration-none"))
        {
            subscription["_pending_proration"] = subscription["_pending_proration"]!.GetValue<long>() + proration;
        }

        events.Insert(0, Snapshot("subscription.update", subscription));
        return null;
    }
}
