using System.Globalization;
using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>What a subscription update asks of its items (<see cref="ItemEdit"/>: changed, added, deleted), how to prorate, a cycle reset.</summary>
public sealed record ItemChange(IReadOnlyList<ItemEdit> Items, string ProrationBehavior, long? ProrationDate, bool ResetCycle);

/// <summary>
/// Plan changes (docs.stripe.com/billing/subscriptions/change-price, …/prorations): items added, removed, or their price or
/// quantity changed mid-period, with proration invoice items for the unused and the remaining time, invoiced at the next renewal
/// or at once; a change of billing interval (or <c>billing_cycle_anchor=now</c>) starts a new period with an invoice now.
/// </summary>
public sealed partial class StripeBilling
{
    /// <summary>
    /// Applies <paramref name="change"/> to the subscription's items at <paramref name="now"/>: fills
    /// <paramref name="previous"/> (<c>items</c>, and the period fields on a cycle reset) and answers the events that follow
    /// <c>customer.subscription.updated</c> (<c>invoiceitem.created</c>, then the invoice's). With
    /// <paramref name="confirmLater"/> (<c>default_incomplete</c>) an invoice to pay waits for its PaymentIntent to be
    /// confirmed. The caller holds the unit.
    /// </summary>
    public List<StripeEvent> ChangeItem(JsonObject subscription, ItemChange change, long now, JsonObject previous, bool confirmLater = false)
    {
        if (PlanChange(subscription, change, now, previous) is not var (reset, prorations))
        {
            return [];
        }

        var events = new List<StripeEvent>();
        foreach (var proration in prorations)
        {
            objects.Put(proration);
            events.Add(new StripeEvent("invoiceitem.created", StripeLists.Public(proration)));
        }

        if (InvoiceNow(subscription, change, reset, prorations, now) is not { } invoice)
        {
            objects.Put(subscription);
            return events;
        }

        previous["latest_invoice"] = subscription["latest_invoice"]?.DeepClone();
        subscription["latest_invoice"] = invoice.Str("id");
        events.AddRange(Collect(subscription, invoice, now, previous, announce: true, confirmLater));
        return events;
    }

    /// <summary>
    /// A cancel with <c>prorate=true</c>: the unused time of every licensed item from <paramref name="now"/> to the period
    /// end, as pending credit invoice items (a trial has nothing paid to credit). The caller holds the unit.
    /// </summary>
    public List<StripeEvent> CreditUnusedTime(JsonObject subscription, long now)
    {
        var start = subscription["current_period_start"]!.GetValue<long>();
        var end = subscription["current_period_end"]!.GetValue<long>();
        if (subscription.Str("status") == "trialing" || now >= end)
        {
            return [];
        }

        var events = new List<StripeEvent>();
        foreach (var credit in ItemProrations(subscription, (JsonArray)subscription["items"]!["data"]!, [], reset: true, now, start, end))
        {
            objects.Put(credit);
            events.Add(new StripeEvent("invoiceitem.created", StripeLists.Public(credit)));
        }

        return events;
    }

    /// <summary>
    /// <c>POST /v1/invoices/create_preview</c>: the invoice the subscription would get next with <paramref name="change"/>
    /// applied (none: as it is), made on a copy and stored nowhere. A change invoiced at once previews that invoice; any
    /// other the next renewal's, with the pending items and prorations it would sweep in and the customer's balance.
    /// </summary>
    public JsonObject Preview(JsonObject subscription, ItemChange? change, long now)
    {
        var copy = (JsonObject)subscription.DeepClone();
        var id = "upcoming_in_" + StripeJson.NewId("in")[3..];
        var (invoice, prorations) = InvoiceOnCopy(copy, change, now, id);
        if (invoice is null)
        {
            var start = copy["current_period_end"]!.GetValue<long>();
            invoice = StripeInvoicing.NewInvoice(objects, copy, start, CycleEnd(copy, start), "subscription_cycle", ItemsAmount(copy), id: id);
            invoice["created"] = start;
            PreviewUsage(copy, invoice);
        }

        StripeInvoicing.Sweep(objects, invoice, copy, prorations);
        StripeInvoicing.ApplyBalance(objects, invoice, now, preview: true);
        invoice["status"] = "draft";
        invoice["status_transitions"]!["finalized_at"] = null;
        return StripeLists.Public(invoice);
    }

    /// <summary>
    /// Plans <paramref name="change"/> on <paramref name="copy"/>: the invoice it makes now (null when there is no change or
    /// it invoices nothing now) and the prorations it makes, for previews that store nothing.
    /// </summary>
    private (JsonObject? Invoice, List<JsonObject> Prorations) InvoiceOnCopy(JsonObject copy, ItemChange? change, long now, string id) =>
        change is not null && PlanChange(copy, change, now, new JsonObject()) is var (reset, prorations)
            ? (InvoiceNow(copy, change, reset, prorations, now, id), prorations)
            : (null, []);

    /// <summary>
    /// Changes the copy or the stored subscription's items and, on a cycle reset, its period; answers the prorations to
    /// make (not stored), or null when nothing changes.
    /// </summary>
    private (bool Reset, List<JsonObject> Prorations)? PlanChange(JsonObject subscription, ItemChange change, long now, JsonObject previous)
    {
        var itemsBefore = subscription["items"]!.DeepClone();
        var oldRecurring = Recurring(subscription)!.DeepClone();
        var edited = EditItems(subscription, change.Items, now);
        var trialing = subscription.Str("status") == "trialing";
        // Stripe resets the cycle when the interval changes; a trial keeps its end, and the new interval starts after it.
        var reset = !trialing && (change.ResetCycle || !SameInterval(oldRecurring, Recurring(subscription)));
        if (edited.All(Unchanged) && !reset)
        {
            return null;
        }

        previous["items"] = itemsBefore;
        var start = subscription["current_period_start"]!.GetValue<long>();
        var end = subscription["current_period_end"]!.GetValue<long>();
        var at = change.ProrationDate ?? now;
        // No prorations in a trial: nothing was paid for it, and the new prices are what the trial's end charges.
        var prorations = !trialing && change.ProrationBehavior != "none" && at < end
            ? ItemProrations(subscription, (JsonArray)itemsBefore["data"]!, edited, reset, at, start, end)
            : [];

        if (reset)
        {
            foreach (var field in new[] { "billing_cycle_anchor", "current_period_end", "current_period_start" })
            {
                previous[field] = subscription[field]?.DeepClone();
            }

            subscription["billing_cycle_anchor"] = now;
            var newEnd = CycleEnd(subscription, now);
            StartPeriod(subscription, now, newEnd);
            if (subscription["cancel_at_period_end"]!.GetValue<bool>())
            {
                previous["cancel_at"] = subscription["cancel_at"]?.DeepClone();
                subscription["cancel_at"] = newEnd;
            }
        }

        return (reset, prorations);
    }

    /// <summary>
    /// The invoice a change makes now: on a cycle reset the new period's, with <c>always_invoice</c> one of the prorations
    /// alone; null when the change waits for the renewal.
    /// </summary>
    private JsonObject? InvoiceNow(JsonObject subscription, ItemChange change, bool reset, List<JsonObject> prorations, long now, string? id = null) =>
        reset ? StripeInvoicing.NewInvoice(objects, subscription, now, subscription["current_period_end"]!.GetValue<long>(), "subscription_update", ItemsAmount(subscription), id: id)
        : change.ProrationBehavior == "always_invoice" && prorations.Count > 0 ? StripeInvoicing.NewInvoice(objects, subscription, now, now, "subscription_update", 0, itemLines: false, id: id)
        : null;

    /// <summary>
    /// <paramref name="amount"/> for the part of the period [<paramref name="start"/>, <paramref name="end"/>) left after
    /// <paramref name="at"/>, to the second, rounded to the nearest minor unit (halves away from zero).
    /// </summary>
    public static long Prorate(long amount, long at, long start, long end) =>
        end <= start ? 0 : (long)Math.Round((decimal)amount * (end - at) / (end - start), MidpointRounding.AwayFromZero);

    private static long Amount(JsonObject price, long quantity) => StripeTiers.Advance(price, quantity);

    /// <summary>A pending proration invoice item of the subscription's item, described as Stripe does ("Unused time on 2 × Pro after 06 Dec 2026").</summary>
    private JsonObject Proration(JsonObject subscription, JsonObject item, JsonObject price, long quantity, long amount, string what, long at, long end)
    {
        var product = objects.Get(price.Str("product")!, "product").Str("name") ?? price.Str("product");
        var units = quantity == 1 ? "" : $"{quantity} × ";
        var date = DateTimeOffset.FromUnixTimeSeconds(at).ToString("dd MMM yyyy", CultureInfo.InvariantCulture);
        var proration = StripeInvoiceItems.New(new StripeInvoiceItems.Draft(subscription.Str("customer")!, subscription.Str("currency")!, amount, quantity, $"{what} {units}{product} after {date}", at, at, end)
        {
            Price = price,
            Subscription = subscription.Str("id"),
            SubscriptionItem = item.Str("id"),
            Proration = true,
            TestClock = subscription.Str("test_clock"),
        });
        // The item's rates as they stand (a credit, those of the item as it was), so the proration is taxed as the item's lines are.
        proration["tax_rates"] = StripeInvoicing.Shown(StripeInvoicing.EffectiveRates(objects, subscription, item));
        return proration;
    }

    /// <summary>
    /// <c>POST /v1/invoices/{id}/pay</c> for an open subscription invoice whose charge the sandbox made (a renewal's,
    /// an update's): one more attempt with <paramref name="card"/> or the saved card, as a retry. Answers whether it
    /// paid and the card's decline otherwise. The caller holds the unit.
    /// </summary>
    public (bool Paid, JsonObject? Decline) PayNow(JsonObject subscription, JsonObject invoice, JsonObject? card, long at)
    {
        var events = new List<StripeEvent>();
        var paid = StripeInvoicing.Attempt(objects, invoice, subscription, at, card);
        JsonObject? decline = null;
        if (paid)
        {
            Settled(subscription, invoice, events);
        }
        else
        {
            decline = objects.Get(invoice.Str("_payment_intent")!, "payment_intent")?["last_payment_error"]?.DeepClone() as JsonObject;
            events.Add(new StripeEvent("invoice.payment_failed", StripeLists.Public(invoice)));
        }

        objects.Put(invoice);
        objects.Put(subscription);
        webhooks.Send(subscription.Str("id")!, events);
        return (paid, decline);
    }
}
