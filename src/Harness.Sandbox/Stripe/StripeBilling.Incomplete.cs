using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// Subscriptions whose first invoice is not paid at creation (<c>incomplete</c>): Stripe gives the customer 23 hours
/// to pay it, then the subscription is <c>incomplete_expired</c>, its invoice void and its intent canceled. And a
/// trial's end moved by an update.
/// </summary>
public sealed partial class StripeBilling
{
    /// <summary>How long an incomplete subscription waits for its first payment (docs.stripe.com/billing/subscriptions/overview#payment-window).</summary>
    public const long IncompleteSeconds = 23 * 3600;

    /// <summary>Whether the subscription waits for its first payment, and expires on its clock if none comes.</summary>
    private static bool Expires(JsonObject subscription) =>
        subscription.Str("status") == "incomplete" && subscription["_incomplete_expires_at"] is not null;

    /// <summary>
    /// Moves a trialing subscription's end to <paramref name="end"/>: the trial, its first period, the billing cycle anchor
    /// and a scheduled cancel move with it, and <c>trial_will_end</c> is due again three days before the new end (at once
    /// when that is past). Fills <paramref name="previous"/>; the caller holds the unit and stores the subscription.
    /// </summary>
    public static void MoveTrialEnd(JsonObject subscription, long end, long now, JsonObject previous)
    {
        foreach (var field in new[] { "billing_cycle_anchor", "current_period_end", "trial_end" })
        {
            previous[field] = subscription[field]?.DeepClone();
            subscription[field] = end;
        }

        if (subscription["cancel_at_period_end"]!.GetValue<bool>())
        {
            previous["cancel_at"] = subscription["cancel_at"]?.DeepClone();
            subscription["cancel_at"] = end;
        }

        foreach (var item in ((JsonArray)subscription["items"]!["data"]!).OfType<JsonObject>())
        {
            item["current_period_end"] = end;
        }

        if (subscription["_trial_will_end_at"] is not null || end - StripeTrials.NoticeSeconds > now)
        {
            subscription["_trial_will_end_at"] = Math.Max(now, end - StripeTrials.NoticeSeconds);
        }
    }

    /// <summary>
    /// Voids the open first invoice of a subscription that ends incomplete (expired, or canceled by <c>DELETE</c>) and
    /// cancels its PaymentIntent; answers <c>invoice.voided</c>, or nothing when there is no open invoice. The caller holds the unit.
    /// </summary>
    public List<StripeEvent> VoidOpenInvoice(JsonObject subscription, long at)
    {
        var events = new List<StripeEvent>();
        if (subscription.Str("latest_invoice") is { } invoiceId && objects.Get(invoiceId, "invoice") is { } invoice && invoice.Str("status") == "open")
        {
            invoice["status"] = "void";
            invoice["status_transitions"]!["voided_at"] = at;
            objects.Put(invoice);
            if (invoice.Str("_payment_intent") is { } intentId)
            {
                intents.CancelForInvoice(intentId, at);
            }

            events.Add(new StripeEvent("invoice.voided", StripeLists.Public(invoice)));
        }

        return events;
    }

    /// <summary>Expires the subscription when its payment window has closed by <paramref name="now"/>; false when it has not.</summary>
    private bool ExpireWhenDue(JsonObject subscription, long now)
    {
        var at = subscription["_incomplete_expires_at"]!.GetValue<long>();
        if (at > now)
        {
            return false;
        }

        subscription.Remove("_incomplete_expires_at");
        subscription["status"] = "incomplete_expired";
        subscription["ended_at"] = at;
        var events = VoidOpenInvoice(subscription, at);
        objects.Put(subscription);
        events.Add(new StripeEvent("customer.subscription.deleted", StripeLists.Public(subscription)));
        webhooks.Send(subscription.Str("id")!, events);
        return true;
    }
}
