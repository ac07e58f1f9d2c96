using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// A trial added to an active subscription by an update's <c>trial_end</c> (docs.stripe.com/billing/subscriptions/billing-cycle,
/// "add a trial to change the billing cycle"): the unused time of the paid period credited, the trial until the new end.
/// And a trial's end for a missing card (<c>trial_settings[end_behavior][missing_payment_method]=cancel|pause</c>).
/// </summary>
public sealed partial class StripeBilling
{
    /// <summary>
    /// Makes the active subscription trialing from <paramref name="now"/> to <paramref name="end"/>: the trial, the billing
    /// cycle anchor, the period (subscription and items) and a scheduled cancel follow it, and <c>trial_will_end</c> is
    /// due three days before the end (at once for a shorter trial, <see cref="SendDueNotice"/>). Unless
    /// <paramref name="prorationBehavior"/> is <c>none</c>, the unused time of the paid period is a credit proration,
    /// invoiced now with <c>always_invoice</c> (the credit going to the customer's balance), else swept into the
    /// invoice at the trial's end. Fills <paramref name="previous"/> and answers the events after
    /// <c>customer.subscription.updated</c>. The caller holds the unit and stores the subscription.
    /// </summary>
    public List<StripeEvent> AddTrial(JsonObject subscription, long end, string prorationBehavior, long now, JsonObject previous)
    {
        var events = new List<StripeEvent>();
        var item = (JsonObject)subscription["items"]!["data"]![0]!;
        var start = subscription["current_period_start"]!.GetValue<long>();
        var periodEnd = subscription["current_period_end"]!.GetValue<long>();
        if (prorationBehavior != "none" && now < periodEnd)
        {
            var price = (JsonObject)item["price"]!;
            var quantity = item["quantity"]!.GetValue<long>();
            var credit = Proration(subscription, item, price, quantity, -Prorate(Amount(price, quantity), now, start, periodEnd), "Unused time on", now, periodEnd);
            objects.Put(credit);
            events.Add(new StripeEvent("invoiceitem.created", StripeLists.Public(credit)));
            if (prorationBehavior == "always_invoice")
            {
                // Collected while still active: a paid invoice would otherwise end the new trial.
                var invoice = StripeInvoicing.NewInvoice(objects, subscription, now, now, "subscription_update", 0, itemLines: false);
                previous["latest_invoice"] = subscription["latest_invoice"]?.DeepClone();
                subscription["latest_invoice"] = invoice.Str("id");
                events.AddRange(Collect(subscription, invoice, now, previous, announce: true));
            }
        }

        foreach (var field in new[] { "billing_cycle_anchor", "current_period_end", "current_period_start", "items", "status", "trial_end", "trial_start" })
        {
            previous[field] = subscription[field]?.DeepClone();
        }

        subscription["status"] = "trialing";
        subscription["trial_start"] = now;
        subscription["trial_end"] = end;
        subscription["billing_cycle_anchor"] = end;
        StartPeriod(subscription, now, end);
        if (subscription["cancel_at_period_end"]!.GetValue<bool>())
        {
            previous["cancel_at"] = subscription["cancel_at"]?.DeepClone();
            subscription["cancel_at"] = end;
        }

        subscription["_trial_will_end_at"] = Math.Max(now, end - StripeTrials.NoticeSeconds);
        return events;
    }

    /// <summary>Sends <c>trial_will_end</c> now when it is due by <paramref name="now"/> (a trial shorter than the notice). The caller holds the unit.</summary>
    public void SendDueNotice(JsonObject subscription, long now)
    {
        if (subscription["_trial_will_end_at"] is JsonValue notice && notice.GetValue<long>() <= now)
        {
            TrialWillEnd(subscription);
        }
    }

    /// <summary>
    /// A trial ending at <paramref name="at"/> with no card to charge (neither the subscription's
    /// <c>default_payment_method</c> nor the customer's saved default) under
    /// <c>trial_settings[end_behavior][missing_payment_method]</c> <c>cancel</c> or <c>pause</c>: the subscription is
    /// canceled (<c>customer.subscription.deleted</c>) or paused (<c>customer.subscription.updated</c>, then
    /// <c>customer.subscription.paused</c>; nothing bills until <see cref="Resume"/>) then, without an invoice. False, and
    /// nothing done, otherwise: <c>create_invoice</c> (the default) bills as before.
    /// </summary>
    private bool EndedForMissingCard(JsonObject subscription, long at)
    {
        var behavior = subscription["trial_settings"]?["end_behavior"].Str("missing_payment_method");
        if (subscription.Str("status") != "trialing" || behavior is not ("cancel" or "pause") || StripePaymentMethods.SavedCard(objects, subscription) is not null)
        {
            return false;
        }

        var previous = new JsonObject { ["status"] = "trialing" };
        if (subscription["trial_end"]!.GetValue<long>() != at)
        {
            // A trial ended early (trial_end=now) moves the billing cycle anchor with it, as when it bills.
            previous["trial_end"] = subscription["trial_end"]!.DeepClone();
            previous["billing_cycle_anchor"] = subscription["billing_cycle_anchor"]!.DeepClone();
            subscription["billing_cycle_anchor"] = at;
        }

        subscription["trial_end"] = at;
        subscription.Remove("_trial_will_end_at");
        if (behavior == "pause")
        {
            subscription["status"] = "paused";
            objects.Put(subscription);
            var paused = StripeLists.Public(subscription);
            webhooks.Send(subscription.Str("id")!, [new StripeEvent("customer.subscription.updated", paused, previous), new StripeEvent("customer.subscription.paused", paused)]);
            return true;
        }

        subscription["status"] = "canceled";
        subscription["canceled_at"] = at;
        subscription["ended_at"] = at;
        subscription["cancel_at"] = null;
        subscription["cancel_at_period_end"] = false;
        objects.Put(subscription);
        webhooks.Send(subscription.Str("id")!, [new StripeEvent("customer.subscription.deleted", StripeLists.Public(subscription))]);
        return true;
    }
}
