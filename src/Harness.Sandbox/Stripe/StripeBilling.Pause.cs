using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// A paused subscription resumed (<c>POST /v1/subscriptions/{id}/resume</c>, docs.stripe.com/api/subscriptions/resume):
/// a new period from now charged at once, or the period around now on the old billing cycle with prorations.
/// </summary>
public sealed partial class StripeBilling
{
    /// <summary>
    /// Resumes the paused subscription at <paramref name="now"/>. With <paramref name="anchorNow"/> the billing cycle
    /// restarts now: a new period, its invoice (<c>subscription_update</c>) charged at once; paid, the subscription is
    /// <c>active</c>, declined <c>past_due</c> with the invoice on the retry schedule. Otherwise (<c>unchanged</c>) it moves
    /// to the period of its old cycle that holds now, and the remaining time of it is a proration from
    /// <paramref name="prorationDate"/> (default now): pending for the next renewal (<c>create_prorations</c>), invoiced
    /// now (<c>always_invoice</c>) or none. Sends <c>customer.subscription.updated</c>, <c>customer.subscription.resumed</c>
    /// and the invoice's events. The caller holds the unit and has checked the status.
    /// </summary>
    public void Resume(JsonObject subscription, bool anchorNow, string prorationBehavior, long? prorationDate, long now)
    {
        var previous = new JsonObject { ["status"] = "paused" };
        foreach (var field in new[] { "billing_cycle_anchor", "current_period_end", "current_period_start", "latest_invoice" })
        {
            previous[field] = subscription[field]?.DeepClone();
        }

        subscription["status"] = "active";
        if (anchorNow)
        {
            subscription["billing_cycle_anchor"] = now;
        }

        var (start, end) = PeriodAround(subscription, now);
        StartPeriod(subscription, start, end);
        if (subscription["cancel_at_period_end"]!.GetValue<bool>())
        {
            previous["cancel_at"] = subscription["cancel_at"]?.DeepClone();
            subscription["cancel_at"] = end;
        }

        var followers = new List<StripeEvent>();
        JsonObject? invoice = null;
        if (anchorNow)
        {
            invoice = StripeInvoicing.NewInvoice(objects, subscription, now, end, "subscription_update", ItemsAmount(subscription));
            StripeInvoicing.ApplyDiscounts(objects, invoice, subscription);
        }
        else if (prorationBehavior != "none" && (prorationDate ?? now) < end)
        {
            var item = (JsonObject)subscription["items"]!["data"]![0]!;
            var price = (JsonObject)item["price"]!;
            var quantity = item["quantity"]!.GetValue<long>();
            var at = prorationDate ?? now;
            var proration = Proration(subscription, item, price, quantity, Prorate(Amount(price, quantity), at, start, end), "Remaining time on", at, end);
            objects.Put(proration);
            followers.Add(new StripeEvent("invoiceitem.created", StripeLists.Public(proration)));
            if (prorationBehavior == "always_invoice")
            {
                invoice = StripeInvoicing.NewInvoice(objects, subscription, now, now, "subscription_update", 0, itemLines: false);
            }
        }

        if (invoice is not null)
        {
            subscription["latest_invoice"] = invoice.Str("id");
            followers.AddRange(Collect(subscription, invoice, now, previous, announce: true));
            // Collect notes the status it moved from, active; the update's change is from paused.
            previous["status"] = "paused";
        }

        foreach (var field in new[] { "billing_cycle_anchor", "latest_invoice" })
        {
            if (JsonNode.DeepEquals(previous[field], subscription[field]))
            {
                previous.Remove(field);
            }
        }

        objects.Put(subscription);
        var resumed = StripeLists.Public(subscription);
        webhooks.Send(subscription.Str("id")!, [new StripeEvent("customer.subscription.updated", resumed, previous), new StripeEvent("customer.subscription.resumed", resumed), .. followers]);
    }

    /// <summary>The period of the subscription's billing cycle (from its <c>billing_cycle_anchor</c>) that holds <paramref name="now"/>.</summary>
    public static (long Start, long End) PeriodAround(JsonObject subscription, long now)
    {
        var recurring = Recurring(subscription);
        return StripePeriods.Around(StripeAnchors.CycleAnchor(subscription), now, recurring.Str("interval"), IntervalCount(recurring));
    }
}
