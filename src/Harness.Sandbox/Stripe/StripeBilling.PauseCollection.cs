using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// Paused payment collection (<c>pause_collection</c>, docs.stripe.com/billing/subscriptions/pause-payment): the
/// subscription keeps its status and still makes its invoices, but none is charged; each is kept as a draft, marked
/// uncollectible or voided as the pause's <c>behavior</c> says, until collection resumes at <c>resumes_at</c> (or
/// the pause is unset by an update).
/// </summary>
public sealed partial class StripeBilling
{
    /// <summary>What becomes of an invoice made while collection is paused, as Stripe names it.</summary>
    public static readonly string[] PauseBehaviors = ["keep_as_draft", "mark_uncollectible", "void"];

    /// <summary>When a paused collection resumes by itself; null when it is not paused or waits for an update.</summary>
    private static long? ResumesAt(JsonObject subscription) =>
        subscription["pause_collection"]?["resumes_at"] is JsonValue at ? at.GetValue<long>() : null;

    /// <summary>
    /// Resumes collection when its <c>resumes_at</c> has come by <paramref name="now"/>, and no later than the period
    /// end, so that a renewal at or after it is collected: <c>pause_collection</c> back to null, with
    /// <c>customer.subscription.updated</c>. False when it is not due.
    /// </summary>
    private bool ResumeCollectionWhenDue(JsonObject subscription, long now)
    {
        if (ResumesAt(subscription) is not { } at || at > now || at > subscription["current_period_end"]!.GetValue<long>())
        {
            return false;
        }

        var previous = new JsonObject { ["pause_collection"] = subscription["pause_collection"]!.DeepClone() };
        subscription["pause_collection"] = null;
        objects.Put(subscription);
        webhooks.Send(subscription.Str("id")!, [new StripeEvent("customer.subscription.updated", StripeLists.Public(subscription), previous)]);
        return true;
    }

    /// <summary>
    /// Instead of collecting an invoice made while collection is paused: the pending invoice items swept in, then, as the
    /// pause's behavior says, a draft that does not advance (<c>invoice.created</c>), or finalized and then marked
    /// <c>uncollectible</c> or voided (<c>invoice.created</c>, <c>invoice.finalized</c>, then
    /// <c>invoice.marked_uncollectible</c> or <c>invoice.voided</c>). Nothing is charged and the customer's credit
    /// balance is left for an invoice that is collected. A trial's end still ends the trial (<paramref name="previous"/>
    /// notes it). Stores both; null when collection is not paused.
    /// </summary>
    private List<StripeEvent>? HoldWhilePaused(JsonObject subscription, JsonObject invoice, long at, JsonObject previous)
    {
        if (subscription["pause_collection"]?.Str("behavior") is not { } behavior)
        {
            return null;
        }

        StripeInvoicing.Sweep(objects, invoice, subscription);
        invoice["auto_advance"] = false;
        invoice["status"] = "draft";
        invoice["status_transitions"]!["finalized_at"] = null;
        var events = new List<StripeEvent> { new("invoice.created", StripeLists.Public(invoice)) };
        if (behavior != "keep_as_draft")
        {
            invoice["status"] = "open";
            invoice["status_transitions"]!["finalized_at"] = at;
            events.Add(new StripeEvent("invoice.finalized", StripeLists.Public(invoice)));
            var uncollectible = behavior == "mark_uncollectible";
            invoice["status"] = uncollectible ? "uncollectible" : "void";
            invoice["status_transitions"]![uncollectible ? "marked_uncollectible_at" : "voided_at"] = at;
            events.Add(new StripeEvent(uncollectible ? "invoice.marked_uncollectible" : "invoice.voided", StripeLists.Public(invoice)));
        }

        if (subscription.Str("status") == "trialing")
        {
            previous["status"] = "trialing";
            subscription["status"] = "active";
        }

        objects.Put(invoice);
        objects.Put(subscription);
        return events;
    }
}
