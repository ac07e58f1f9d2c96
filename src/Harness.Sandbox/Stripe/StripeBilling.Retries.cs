using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// Retries of a declined subscription invoice, on <see cref="RetryDelayDays"/>, and the subscription's end state when every
/// one failed; an invoice paid at last settles the subscription.
/// </summary>
public sealed partial class StripeBilling
{
    private void Retry(JsonObject subscription, JsonObject invoice, long at)
    {
        var id = subscription.Str("id")!;
        var events = new List<StripeEvent>();
        if (StripeInvoicing.Attempt(objects, invoice, subscription, at))
        {
            Settled(subscription, invoice, events);
        }
        else
        {
            var retriesDone = invoice["attempt_count"]!.GetValue<long>() - 1;
            invoice["next_payment_attempt"] = retriesDone < RetryDelayDays.Length ? at + (RetryDelayDays[retriesDone] * 86_400) : null;
            events.Add(new StripeEvent("invoice.payment_failed", StripeLists.Public(invoice)));
            if (retriesDone >= RetryDelayDays.Length)
            {
                subscription.Remove("_retry_invoice");
                var previousStatus = subscription.Str("status");
                switch (subscription.Str("_end_state"))
                {
                    case "unpaid":
                        subscription["status"] = "unpaid";
                        events.Add(new StripeEvent("customer.subscription.updated", StripeLists.Public(subscription), new JsonObject { ["status"] = previousStatus }));
                        break;
                    case "past_due":
                        break;
                    default:
                        subscription["status"] = "canceled";
                        subscription["canceled_at"] = at;
                        subscription["ended_at"] = at;
                        subscription["cancellation_details"] = new JsonObject { ["comment"] = null, ["feedback"] = null, ["reason"] = "payment_failed" };
                        events.Add(new StripeEvent("customer.subscription.deleted", StripeLists.Public(subscription)));
                        break;
                }
            }
        }

        objects.Put(invoice);
        objects.Put(subscription);
        webhooks.Send(id, events);
    }

    /// <summary>A retried or paid-by-hand invoice was paid: its retries stop, and a <c>past_due</c> subscription is <c>active</c> again.</summary>
    private static void Settled(JsonObject subscription, JsonObject invoice, List<StripeEvent> events)
    {
        invoice["next_payment_attempt"] = null;
        if (subscription.Str("_retry_invoice") == invoice.Str("id"))
        {
            subscription.Remove("_retry_invoice");
        }

        var publicInvoice = StripeLists.Public(invoice);
        events.Add(new StripeEvent("invoice.paid", publicInvoice));
        events.Add(new StripeEvent("invoice.payment_succeeded", publicInvoice));
        if (subscription.Str("status") == "past_due")
        {
            subscription["status"] = "active";
            events.Add(new StripeEvent("customer.subscription.updated", StripeLists.Public(subscription), new JsonObject { ["status"] = "past_due" }));
        }

        ApplyPending(subscription, invoice.Str("id")!, events);
    }
}
