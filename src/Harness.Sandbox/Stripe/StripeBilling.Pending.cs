using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// Pending updates (docs.stripe.com/billing/subscriptions/pending-updates): a plan change made with
/// <c>payment_behavior=pending_if_incomplete</c> whose invoice does not pay waits in <c>pending_update</c>, the
/// subscription left as it was; paying the invoice applies it, and it is dropped with its invoice voided when it expires.
/// <c>error_if_incomplete</c> refuses such a change with the card's 402 instead.
/// </summary>
public sealed partial class StripeBilling
{
    /// <summary>The longest a pending update waits: Stripe's 23 hours, or less when the period or the trial ends sooner.</summary>
    public const long PendingUpdateSeconds = 23 * 3600;

    /// <summary>Whether a change waits in <c>pending_update</c> for its invoice to be paid.</summary>
    public static bool HasPendingUpdate(JsonObject subscription) => subscription["_pending"] is not null;

    /// <summary>
    /// The error the invoice <paramref name="change"/> makes now would meet, worked out on a copy; null when the change
    /// invoices nothing now, nothing is due, or the charge would pay.
    /// </summary>
    public JsonObject? DeclineOfChange(JsonObject subscription, ItemChange change, long now)
    {
        var copy = (JsonObject)subscription.DeepClone();
        if (InvoiceOnCopy(copy, change, now, "in_check") is not ({ } invoice, var prorations))
        {
            return null;
        }

        StripeInvoicing.Sweep(objects, invoice, copy, prorations);
        StripeInvoicing.ApplyBalance(objects, invoice, now, preview: true);
        return invoice["amount_due"]!.GetValue<long>() == 0 ? null : StripeInvoicing.DeclineOf(copy, StripePaymentMethods.SavedCard(objects, copy), "subscription_update");
    }

    /// <summary>
    /// Makes the change's invoice, whose charge declines (<see cref="DeclineOfChange"/> said so), and keeps the change in
    /// <c>pending_update</c> with <paramref name="metadata"/> (merged when it applies). Fills <paramref name="previous"/>
    /// and answers the events after <c>customer.subscription.updated</c>. The caller holds the unit.
    /// </summary>
    public List<StripeEvent> Pend(JsonObject subscription, ItemChange change, JsonObject? metadata, long now, JsonObject previous)
    {
        var changed = (JsonObject)subscription.DeepClone();
        var (reset, prorations) = PlanChange(changed, change, now, new JsonObject())!.Value;
        var invoice = InvoiceNow(changed, change, reset, prorations, now)!;
        var events = new List<StripeEvent>();
        foreach (var proration in prorations)
        {
            objects.Put(proration);
            events.Add(new StripeEvent("invoiceitem.created", StripeLists.Public(proration)));
        }

        StripeInvoicing.Sweep(objects, invoice, changed);
        StripeInvoicing.ApplyBalance(objects, invoice, now);
        var finalized = StripeLists.Public(invoice);
        events.AddRange([new StripeEvent("invoice.created", finalized), new StripeEvent("invoice.finalized", finalized)]);
        StripeInvoicing.Attempt(objects, invoice, changed, now);

        // Stripe does not retry a pending update's invoice: the merchant pays it (or lets the update expire).
        invoice["next_payment_attempt"] = null;
        objects.Put(invoice);
        events.Add(new StripeEvent("invoice.payment_failed", StripeLists.Public(invoice)));

        var end = subscription["current_period_end"]!.GetValue<long>();
        var expires = Math.Min(now + PendingUpdateSeconds, subscription.Str("status") == "trialing" ? Math.Min(end, subscription["trial_end"]!.GetValue<long>()) : end);
        var fields = new JsonObject { ["items"] = changed["items"]!.DeepClone() };
        if (reset)
        {
            foreach (var field in new[] { "billing_cycle_anchor", "cancel_at", "current_period_end", "current_period_start" })
            {
                fields[field] = changed[field]?.DeepClone();
            }
        }

        subscription["_pending"] = new JsonObject { ["invoice"] = invoice.Str("id"), ["expires_at"] = expires, ["fields"] = fields, ["metadata"] = metadata?.DeepClone() };
        previous["pending_update"] = null;
        previous["latest_invoice"] = subscription["latest_invoice"]?.DeepClone();
        subscription["latest_invoice"] = invoice.Str("id");
        subscription["pending_update"] = new JsonObject
        {
            ["billing_cycle_anchor"] = reset ? changed["billing_cycle_anchor"]!.DeepClone() : null,
            ["expires_at"] = expires,
            ["metadata"] = metadata?.DeepClone(),
            ["subscription_items"] = new JsonArray([.. ((JsonArray)changed["items"]!["data"]!).Select(i => i!.DeepClone())]),
            ["trial_end"] = null,
            ["trial_from_plan"] = null,
        };
        return events;
    }

    /// <summary>
    /// The pending update whose invoice <paramref name="invoiceId"/> was just paid takes effect: the changed items (and
    /// period, on a new cycle) and its metadata; <c>customer.subscription.updated</c> and <c>…pending_update_applied</c>.
    /// </summary>
    public static void ApplyPending(JsonObject subscription, string invoiceId, List<StripeEvent> events)
    {
        if (subscription["_pending"] is not JsonObject pending || pending.Str("invoice") != invoiceId)
        {
            return;
        }

        var previous = new JsonObject { ["pending_update"] = subscription["pending_update"]!.DeepClone() };
        foreach (var (field, value) in (JsonObject)pending["fields"]!)
        {
            previous[field] = subscription[field]?.DeepClone();
            subscription[field] = value?.DeepClone();
        }

        if (pending["metadata"] is JsonObject metadata)
        {
            StripeLists.MergeMetadata(subscription, metadata, previous);
        }

        subscription["pending_update"] = null;
        subscription.Remove("_pending");
        var shown = StripeLists.Public(subscription);
        events.AddRange([new StripeEvent("customer.subscription.updated", shown, previous), new StripeEvent("customer.subscription.pending_update_applied", shown)]);
    }

    /// <summary>
    /// Drops the pending update, its changes discarded, and voids its invoice if still open (<c>invoice.voided</c>, the
    /// answer): when it expires, the subscription is canceled, or a new change replaces it. Fills
    /// <paramref name="previous"/>; nothing when there is none. The caller holds the unit and stores the subscription.
    /// </summary>
    public List<StripeEvent> DiscardPending(JsonObject subscription, long at, JsonObject previous)
    {
        if (subscription["_pending"] is not JsonObject pending)
        {
            return [];
        }

        var events = subscription.Str("latest_invoice") == pending.Str("invoice") ? VoidOpenInvoice(subscription, at) : [];
        ForgetPending(subscription, pending.Str("invoice")!, previous);
        return events;
    }

    /// <summary>
    /// Forgets the pending update whose invoice is <paramref name="invoiceId"/> (voided), filling
    /// <paramref name="previous"/>; false when the subscription has no such update.
    /// </summary>
    public static bool ForgetPending(JsonObject subscription, string invoiceId, JsonObject previous)
    {
        if (subscription["_pending"]?.Str("invoice") != invoiceId)
        {
            return false;
        }

        previous["pending_update"] = subscription["pending_update"]!.DeepClone();
        subscription["pending_update"] = null;
        subscription.Remove("_pending");
        return true;
    }

    /// <summary>
    /// Expires the pending update when its time has come by <paramref name="now"/>: its invoice voided,
    /// <c>customer.subscription.updated</c> and <c>…pending_update_expired</c>; false when it has not.
    /// </summary>
    private bool ExpirePendingWhenDue(JsonObject subscription, long now)
    {
        if (subscription["_pending"]?["expires_at"] is not JsonValue due || due.GetValue<long>() > now)
        {
            return false;
        }

        var previous = new JsonObject();
        var events = DiscardPending(subscription, due.GetValue<long>(), previous);
        var shown = StripeLists.Public(subscription);
        events.AddRange([new StripeEvent("customer.subscription.updated", shown, previous), new StripeEvent("customer.subscription.pending_update_expired", shown)]);
        objects.Put(subscription);
        webhooks.Send(subscription.Str("id")!, events);
        return true;
    }
}
