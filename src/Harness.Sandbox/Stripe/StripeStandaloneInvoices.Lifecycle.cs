using System.Globalization;
using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// A standalone invoice's statuses (docs.stripe.com/invoicing/overview#invoice-statuses): <c>draft</c> → <c>open</c>
/// on finalizing (by hand, or an hour after creation with <c>auto_advance</c>), then <c>paid</c>, <c>void</c> or
/// <c>uncollectible</c> (which can still be paid or voided). An open invoice's PaymentIntent is what pays it: through
/// <c>POST /v1/invoices/{id}/pay</c> or on its hosted page (<c>hosted_invoice_url</c>).
/// </summary>
public sealed partial class StripeStandaloneInvoices
{
    private static readonly HashSet<string> FinalizeParams = ["auto_advance", "expand"];
    private static readonly HashSet<string> ActionParams = ["expand"];

    public StripeResponse Finalize(string id, JsonObject p)
    {
        if (StripeLists.Unknown(p, FinalizeParams) is { } unknown)
        {
            return unknown;
        }

        if (!StripeLists.TryBool(p, "auto_advance", out var autoAdvance, out var error))
        {
            return error!;
        }

        return Act(id, p, FinalizeParams, invoice =>
        {
            if (invoice.Str("status") != "draft")
            {
                return StripeErrors.InvalidParam("This invoice is already finalized, you can't re-finalize a non-draft invoice.", null, "invoice_not_editable");
            }

            if (autoAdvance is { } advance)
            {
                invoice["auto_advance"] = advance;
            }

            var events = new List<StripeEvent>();
            FinalizeNow(invoice, customers.NowFor(invoice.Str("customer")), events);
            Store(invoice, events);
            return null;
        });
    }

    /// <summary>
    /// An open or uncollectible invoice becomes <c>void</c>; its PaymentIntent is canceled, a renewal's retries stop and a
    /// pending update waiting for it is dropped.
    /// </summary>
    public StripeResponse Void(string id, JsonObject p) => Act(id, p, ActionParams, invoice =>
    {
        if (invoice.Str("status") is not ("open" or "uncollectible"))
        {
            return StripeErrors.InvalidParam($"You can only void an open or uncollectible invoice; this invoice is {invoice.Str("status")}.", null);
        }

        var at = customers.NowFor(invoice.Str("customer"));
        invoice["status"] = "void";
        invoice["auto_advance"] = false;
        invoice["next_payment_attempt"] = null;
        invoice["status_transitions"]!["voided_at"] = at;
        if (invoice.Str("_payment_intent") is { } intentId)
        {
            intents.CancelForInvoice(intentId, at);
        }

        Store(invoice, [new StripeEvent("invoice.voided", StripeLists.Public(invoice))]);

        // Voiding a pending update's invoice cancels the update (docs.stripe.com/billing/subscriptions/pending-updates).
        var previous = new JsonObject();
        if (invoice["parent"]?["subscription_details"].Str("subscription") is { } subscriptionId
            && objects.Get(subscriptionId, "subscription") is { } subscription && StripeBilling.ForgetPending(subscription, id, previous))
        {
            objects.Put(subscription);
            webhooks.Send(subscriptionId, [new StripeEvent("customer.subscription.updated", StripeLists.Public(subscription), previous)]);
        }

        return null;
    });

    /// <summary>An open invoice becomes <c>uncollectible</c>: a bad debt that can still be paid or voided.</summary>
    public StripeResponse MarkUncollectible(string id, JsonObject p) => Act(id, p, ActionParams, invoice =>
    {
        if (invoice.Str("status") != "open")
        {
            return StripeErrors.InvalidParam($"You can only mark an open invoice as uncollectible; this invoice is {invoice.Str("status")}.", null);
        }

        invoice["status"] = "uncollectible";
        invoice["auto_advance"] = false;

        // A renewal's retries stop with it, as at Stripe.
        invoice["next_payment_attempt"] = null;
        invoice["status_transitions"]!["marked_uncollectible_at"] = customers.NowFor(invoice.Str("customer"));
        Store(invoice, [new StripeEvent("invoice.marked_uncollectible", StripeLists.Public(invoice))]);
        return null;
    });

    /// <summary>
    /// Sends a <c>send_invoice</c> invoice to its customer (a draft is finalized first): <c>invoice.sent</c>; the sandbox
    /// sends no email.
    /// </summary>
    public StripeResponse Send(string id, JsonObject p) => Act(id, p, ActionParams, invoice =>
    {
        if (invoice.Str("collection_method") != "send_invoice")
        {
            return StripeErrors.InvalidParam("You can only manually send an invoice if its collection method is 'send_invoice'.", null);
        }

        if (invoice.Str("status") is not ("draft" or "open"))
        {
            return StripeErrors.InvalidParam($"You can only send a draft or open invoice; this invoice is {invoice.Str("status")}.", null);
        }

        var events = new List<StripeEvent>();
        if (invoice.Str("status") == "draft")
        {
            FinalizeNow(invoice, customers.NowFor(invoice.Str("customer")), events);
        }

        events.Add(new StripeEvent("invoice.sent", StripeLists.Public(invoice)));
        Store(invoice, events);
        return null;
    });

    /// <summary>
    /// <c>/pay</c> on a standalone invoice, before any card is charged: a draft is finalized first; an invoice that is
    /// then paid (nothing was due) or is paid <paramref name="outOfBand"/> is answered here. Null: charge its PaymentIntent.
    /// The caller holds the unit.
    /// </summary>
    public StripeResponse? BeforeCharge(JsonObject invoice, bool outOfBand)
    {
        var at = customers.NowFor(invoice.Str("customer"));
        var events = new List<StripeEvent>();
        if (invoice.Str("status") == "draft")
        {
            FinalizeNow(invoice, at, events);
        }

        if (outOfBand && invoice.Str("status") != "paid")
        {
            invoice["amount_paid"] = invoice["amount_remaining"]!.DeepClone();
            StripeInvoicing.PaidWithoutCharge(invoice, at);
            invoice["auto_advance"] = false;
            if (invoice.Str("_payment_intent") is { } intentId)
            {
                intents.CancelForInvoice(intentId, at);
            }

            events.Add(new StripeEvent("invoice.paid", StripeLists.Public(invoice)));
        }

        Store(invoice, events);
        return invoice.Str("status") == "paid" ? StripeResponse.Ok(StripeLists.Public(invoice)) : null;
    }

    /// <summary>The next <c>auto_advance</c> draft on the sandbox clock to finalize, or the next retry of a failed automatic payment.</summary>
    public DateTimeOffset? NextDueAt() =>
        Scheduled(null).Select(i => (long?)i["automatically_finalizes_at"]!.GetValue<long>()).Min() is { } due
            ? new[] { DateTimeOffset.FromUnixTimeSeconds(due), Retries.NextDueAt() }.Min()
            : Retries.NextDueAt();

    /// <summary>
    /// Finalizes the <c>auto_advance</c> drafts of one clock (null: the sandbox clock) due by <paramref name="now"/>, each
    /// in a unit of its own: a <c>send_invoice</c> one is sent, a <c>charge_automatically</c> one charged off session to
    /// its default card (the invoice's, else the customer's) when there is one; then the retries of failed automatic
    /// payments due by then (<see cref="RunRetries"/>).
    /// </summary>
    public void RunDue(string? clockId, long now)
    {
        foreach (var due in Scheduled(clockId).Where(i => i["automatically_finalizes_at"]!.GetValue<long>() <= now).ToList())
        {
            objects.InTransaction(() =>
            {
                // Read again inside the unit: a clock advance and the scheduler's loop may both have seen it waiting.
                if (Find(due.Str("id")!) is not { } invoice || invoice.Str("status") != "draft" || invoice["automatically_finalizes_at"] is not JsonValue at)
                {
                    return;
                }

                var events = new List<StripeEvent>();
                FinalizeNow(invoice, at.GetValue<long>(), events);
                if (invoice.Str("collection_method") == "send_invoice" && invoice.Str("status") == "open")
                {
                    events.Add(new StripeEvent("invoice.sent", StripeLists.Public(invoice)));
                }

                Store(invoice, events);
                if (invoice.Str("collection_method") == "charge_automatically" && invoice.Str("status") == "open")
                {
                    CollectAutomatically(invoice, at.GetValue<long>());
                }
            });
        }

        RunRetries(clockId, now);
    }

    private IEnumerable<JsonObject> Scheduled(string? clockId) => objects.Newest("invoice").Where(i => i["_deleted"] is null && i.Str("status") == "draft"
        && i["automatically_finalizes_at"] is JsonValue && i.Str("test_clock") == clockId);

    /// <summary>
    /// Draft → open at <paramref name="at"/>: a number (the customer's <c>invoice_prefix</c> and its sequence), the
    /// customer's balance applied, and <c>invoice.finalized</c>. Nothing due: paid at once, without a charge. Otherwise a
    /// PaymentIntent for <c>amount_due</c>, whose hosted page is the <c>hosted_invoice_url</c>. The caller stores it.
    /// </summary>
    private void FinalizeNow(JsonObject invoice, long at, List<StripeEvent> events)
    {
        var customerId = invoice.Str("customer")!;
        var customer = objects.Get(customerId, "customer")!;
        var sequence = objects.Newest("invoice").Count(i => i.Str("customer") == customerId && i["number"] is JsonValue) + 1;
        invoice["number"] = $"{customer.Str("invoice_prefix")}-{sequence.ToString("D4", CultureInfo.InvariantCulture)}";
        invoice["status"] = "open";
        invoice["status_transitions"]!["finalized_at"] = at;
        invoice["automatically_finalizes_at"] = null;
        StripeInvoicing.ApplyBalance(objects, invoice, at);
        if (invoice["amount_due"]!.GetValue<long>() == 0)
        {
            events.Add(new StripeEvent("invoice.finalized", StripeLists.Public(invoice)));
            StripeInvoicing.PaidWithoutCharge(invoice, at);
            invoice["auto_advance"] = false;
            events.Add(new StripeEvent("invoice.paid", StripeLists.Public(invoice)));
            return;
        }

        intents.OpenForInvoice(invoice, invoice.Str("default_payment_method"), confirm: false, saveCard: false, "Invoice " + invoice.Str("number"));
        invoice["hosted_invoice_url"] = context.PayPageUrl(invoice.Str("_payment_intent")!);
        events.Add(new StripeEvent("invoice.finalized", StripeLists.Public(invoice)));
    }

    /// <summary>Runs <paramref name="action"/> on a live invoice in one unit; its refusal, or the invoice as it then is.</summary>
    private StripeResponse Act(string id, JsonObject p, HashSet<string> allowed, Func<JsonObject, StripeResponse?> action)
    {
        if (StripeLists.Unknown(p, allowed) is { } unknown)
        {
            return unknown;
        }

        return objects.Atomically(() => Find(id) is not { } invoice
            ? StripeErrors.NoSuch("invoice", id, "invoice")
            : action(invoice) ?? StripeResponse.Ok(StripeLists.Public(invoice)));
    }

    private void Store(JsonObject invoice, IReadOnlyList<StripeEvent> events)
    {
        objects.Put(invoice);
        webhooks.Send(invoice.Str("id")!, events);
    }
}
