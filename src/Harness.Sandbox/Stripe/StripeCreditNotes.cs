using System.Globalization;
using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// Credit notes (<c>POST /v1/credit_notes</c>, docs.stripe.com/api/credit_notes): an adjustment of an <c>open</c> or
/// <c>paid</c> invoice. A note first lowers what the invoice still owes (<c>amount_remaining</c> and <c>amount_due</c>,
/// never below zero: its <c>pre_payment_amount</c>); the rest (<c>post_payment_amount</c>) must be split exactly into a
/// refund of the invoice's charge (<see cref="StripeRefunds"/>), a credit to the customer's balance
/// (<see cref="StripeInvoicing.MoveBalance"/>) and an amount settled outside Stripe. The lines and their taxes are in
/// <c>StripeCreditNotes.Lines.cs</c>, the note's later life in <c>StripeCreditNotes.Lifecycle.cs</c>.
/// </summary>
public sealed partial class StripeCreditNotes(
    SandboxContext context, ProviderObjects objects, StripeCustomers customers, StripeRefunds refunds, StripeInvoices invoices, StripeStandaloneInvoices standalone, StripeWebhooks webhooks)
{
    public const string Type = "credit_note";
    public const string Path = "/v1/credit_notes";

    private static readonly HashSet<string> CreateParams =
        ["invoice", "lines", "amount", "credit_amount", "refund_amount", "refunds", "out_of_band_amount", "reason", "memo", "metadata", "effective_at", "email_type", "expand", "shipping_cost"];

    /// <summary>The integer parameters and their least values.</summary>
    private static readonly (string Name, long Minimum)[] AmountParams = [("amount", 1), ("credit_amount", 0), ("refund_amount", 0), ("out_of_band_amount", 0)];

    /// <summary>Stripe's largest amount (99,999,999 in the smallest unit); also what bounds a line's quantity times its unit amount.</summary>
    private const long MaxAmount = 99_999_999;

    /// <summary>A line's largest quantity: with a unit amount below <see cref="MaxAmount"/> the product stays far inside a long.</summary>
    private const long MaxQuantity = 1_000_000_000;

    private static readonly string[] Reasons = ["duplicate", "fraudulent", "order_change", "product_unsatisfactory"];

    /// <summary>Intent states in which what it will charge can still change.</summary>
    private static readonly string[] Revisable = ["requires_payment_method", "requires_confirmation", "requires_action"];

    /// <summary>What a create or preview asks for, read and checked before the invoice is looked at.</summary>
    private sealed record Ask(string InvoiceId, JsonArray? Lines, long? Amount, long Credit, long Refund, long? OutOfBand, JsonObject Metadata, long? EffectiveAt)
    {
        public string? Reason { get; init; }

        public string? Memo { get; init; }
    }

    public StripeResponse Create(JsonObject p) => Issue(p, preview: false);

    /// <summary><c>GET /v1/credit_notes/preview</c>: the note a create with these parameters would issue now, nothing stored.</summary>
    public StripeResponse Preview(JsonObject p) => Issue(p, preview: true);

    /// <summary><c>GET /v1/credit_notes/preview/lines</c>: the previewed note's lines, a page at a time.</summary>
    public StripeResponse PreviewLines(JsonObject query)
    {
        var p = (JsonObject)query.DeepClone();
        foreach (var paging in new[] { "limit", "starting_after", "ending_before" })
        {
            p.Remove(paging);
        }

        var previewed = Issue(p, preview: true);
        return previewed.Status == 200 ? LinesPage(Path + "/preview/lines", previewed.Body, query) : previewed;
    }

    private StripeResponse Issue(JsonObject p, bool preview)
    {
        if (Read(p, out var ask) is { } refused)
        {
            return refused;
        }

        return objects.Atomically(() =>
        {
            if (standalone.Find(ask!.InvoiceId) is not { } invoice)
            {
                return StripeErrors.NoSuch("invoice", ask.InvoiceId, "invoice");
            }

            if (invoice.Str("status") is not ("open" or "paid") and var status)
            {
                return StripeErrors.InvalidParam(
                    $"You can only create a credit note on an open or paid invoice, and invoice {ask.InvoiceId} is {status}.", "invoice", "invoice_not_editable");
            }

            var prior = objects.Newest(Type).Where(n => n.Str("invoice") == ask.InvoiceId).ToList();
            var now = customers.NowFor(invoice.Str("customer"));
            if (Compose(ask, invoice, prior, now, out var note) is { } refusedNote)
            {
                return refusedNote;
            }

            return preview ? StripeResponse.Ok(StripeLists.Public(note!)) : Apply(note!, invoice, ask, now);
        });
    }

    /// <summary>The parameters: amounts are integers at or above zero (<c>amount</c> at least 1), the rest as Stripe types them.</summary>
    private static StripeResponse? Read(JsonObject p, out Ask? ask)
    {
        ask = null;
        if (StripeLists.Unknown(p, CreateParams) is { } unknown)
        {
            return unknown;
        }

        foreach (var param in new[] { "refunds", "shipping_cost" })
        {
            if (p[param] is not null)
            {
                return StripeErrors.NotSimulated(param, param == "refunds"
                    ? "a credit note makes its own refund of the invoice's charge from refund_amount; linking existing refunds is not offered"
                    : "invoices carry no shipping here");
            }
        }

        if (p["email_type"] is not null && p.Str("email_type") != "none")
        {
            return p.Str("email_type") == "credit_note"
                ? StripeErrors.NotSimulated("email_type", "the sandbox sends no emails; use email_type=none or leave it out")
                : StripeErrors.InvalidParam("Invalid email_type: must be one of credit_note or none", "email_type");
        }

        if (p.Str("invoice") is not { Length: > 0 } invoiceId)
        {
            return StripeErrors.Missing("invoice");
        }

        if (p.Str("reason") is { } reason && !Reasons.Contains(reason) || p["reason"] is not null && p.Str("reason") is null)
        {
            return StripeErrors.InvalidParam($"Invalid reason: must be one of {string.Join(", ", Reasons[..^1])} or {Reasons[^1]}", "reason");
        }

        if (p["memo"] is not null && p.Str("memo") is null)
        {
            return StripeErrors.InvalidParam("Invalid string", "memo");
        }

        if (p["lines"] is not null and not JsonArray)
        {
            return StripeErrors.InvalidParam("Invalid array", "lines");
        }

        if (!StripeLists.TryMetadata(p, out var metadata, out var error))
        {
            return error;
        }

        var amounts = new Dictionary<string, long?>(StringComparer.Ordinal);
        foreach (var (name, minimum) in AmountParams)
        {
            if (Integer(p, name, minimum, out var value) is { } bad)
            {
                return bad;
            }

            amounts[name] = value;
        }

        if (Integer(p, "effective_at", 0, out var effectiveAt, long.MaxValue / 2) is { } badTime)
        {
            return badTime;
        }

        ask = new Ask(invoiceId, p["lines"] as JsonArray, amounts["amount"], amounts["credit_amount"] ?? 0, amounts["refund_amount"] ?? 0, amounts["out_of_band_amount"], metadata, effectiveAt)
        {
            Reason = p.Str("reason"),
            Memo = p.Str("memo"),
        };
        return null;
    }

    /// <summary>An optional integer parameter from <paramref name="minimum"/> to <paramref name="maximum"/>.</summary>
    private static StripeResponse? Integer(JsonObject p, string name, long minimum, out long? value, long maximum = MaxAmount)
    {
        value = null;
        if (p[name] is null)
        {
            return null;
        }

        if (!StripeJson.TryLong(p.Str(name), out var read))
        {
            return StripeErrors.InvalidParam($"Invalid integer: {StripeLists.Clip(p[name]!.ToJsonString())}", name);
        }

        if (read < minimum || read > maximum)
        {
            return StripeErrors.InvalidParam($"This value must be greater than or equal to {minimum} and less than or equal to {maximum}.", name);
        }

        value = read;
        return null;
    }

    /// <summary>
    /// Issues the composed note in the caller's unit: the refund first (its refusal leaves nothing changed), then the
    /// balance credit, the invoice's amounts, and the events. An open invoice left owing nothing is paid, as at Stripe.
    /// </summary>
    private StripeResponse Apply(JsonObject note, JsonObject invoice, Ask ask, long now)
    {
        if (ask.Refund > 0)
        {
            var refund = refunds.Create(new JsonObject { ["charge"] = ChargeOf(invoice)!.Str("id"), ["amount"] = ask.Refund.ToString(CultureInfo.InvariantCulture) });
            if (refund.Status != 200)
            {
                var body = (JsonObject)refund.Body.DeepClone();
                body["error"]!["param"] = "refund_amount";
                return refund with { Body = body };
            }

            note["refunds"] = new JsonArray(new JsonObject
            {
                ["amount_refunded"] = ask.Refund,
                ["payment_record_refund"] = null,
                ["refund"] = refund.Body.Str("id"),
                ["type"] = "refund",
            });
        }

        var customer = objects.Get(invoice.Str("customer")!, "customer")!;
        if (ask.Credit > 0)
        {
            note["customer_balance_transaction"] = StripeInvoicing.MoveBalance(objects, customer, -ask.Credit, "credit_note", invoice.Str("id"), note.Str("id"), note.Str("currency")!, now).Str("id");
        }

        var pre = note["pre_payment_amount"]!.GetValue<long>();
        invoice["pre_payment_credit_notes_amount"] ??= 0L; // an invoice stored before credit notes existed
        invoice["post_payment_credit_notes_amount"] ??= 0L;
        var previous = Credited(invoice);
        StripeInvoicing.Grow(invoice, pre, "pre_payment_credit_notes_amount");
        StripeInvoicing.Grow(invoice, note["post_payment_amount"]!.GetValue<long>(), "post_payment_credit_notes_amount");
        StripeInvoicing.Grow(invoice, -pre, "amount_due", "amount_remaining");
        ReviseIntent(invoice);
        objects.Put(note);
        objects.Put(invoice);
        webhooks.Send(note.Str("id")!, [new StripeEvent("credit_note.created", StripeLists.Public(note)), new StripeEvent("invoice.updated", StripeLists.Public(invoice), previous)]);
        if (pre > 0 && invoice["amount_remaining"]!.GetValue<long>() == 0)
        {
            SettleWithoutCharge(invoice);
        }

        return StripeResponse.Ok(StripeLists.Public(note));
    }

    /// <summary>The invoice's amounts a note changes, as they were: the <c>previous_attributes</c> of <c>invoice.updated</c>.</summary>
    private static JsonObject Credited(JsonObject invoice) => new()
    {
        ["amount_due"] = invoice["amount_due"]!.DeepClone(),
        ["amount_remaining"] = invoice["amount_remaining"]!.DeepClone(),
        ["post_payment_credit_notes_amount"] = invoice["post_payment_credit_notes_amount"]?.DeepClone(),
        ["pre_payment_credit_notes_amount"] = invoice["pre_payment_credit_notes_amount"]?.DeepClone(),
    };

    /// <summary>An open invoice's PaymentIntent asks for what the invoice still owes (its hosted page too).</summary>
    private void ReviseIntent(JsonObject invoice)
    {
        var remaining = invoice["amount_remaining"]!.GetValue<long>();
        if (invoice.Str("_payment_intent") is not { } intentId || objects.Get(intentId, StripePaymentIntents.Type) is not { } intent
            || !Revisable.Contains(intent.Str("status")) || remaining == 0)
        {
            return;
        }

        intent["amount"] = remaining;
        objects.Put(intent);
        context.Payments.Revise(intentId, remaining, intent.Str("currency")!);
    }

    /// <summary>Nothing left to pay: paid without a charge, through the path that pays an invoice out of band.</summary>
    private void SettleWithoutCharge(JsonObject invoice)
    {
        if (invoice["parent"] is null)
        {
            standalone.BeforeCharge(invoice, outOfBand: true);
            return;
        }

        invoices.PaidOutOfBand(invoice, objects.Get(invoice["parent"]!["subscription_details"].Str("subscription")!, "subscription")!, customers.NowFor(invoice.Str("customer")));
    }

    /// <summary>The succeeded charge that paid the invoice, or null when it was paid without one.</summary>
    private JsonObject? ChargeOf(JsonObject invoice) =>
        invoice.Str("_payment_intent") is { } intentId && objects.Get(intentId, StripePaymentIntents.Type)?.Str("latest_charge") is { } chargeId
        && objects.Get(chargeId, "charge") is { } charge && charge.Str("status") == "succeeded" && invoice.Str("status") == "paid" && invoice["amount_paid"]!.GetValue<long>() > 0
            ? charge
            : null;
}
