using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// A credit note after it is issued: retrieve, list (by <c>invoice</c>, <c>customer</c>, <c>created</c>), its lines, an
/// update of <c>memo</c> and <c>metadata</c>, and void, which takes back what it did to the invoice and the customer's
/// balance. A note that refunded cannot be voided (a refund is not taken back), nor one that lowered what an invoice owed
/// once that invoice is no longer open.
/// </summary>
public sealed partial class StripeCreditNotes
{
    private static readonly HashSet<string> ListParams = ["limit", "starting_after", "ending_before", "invoice", "customer", "created", "expand", "customer_account"];
    private static readonly HashSet<string> PagingParams = ["limit", "starting_after", "ending_before", "expand"];
    private static readonly HashSet<string> UpdateParams = ["memo", "metadata", "expand"];
    private static readonly HashSet<string> VoidParams = ["expand"];

    public StripeResponse Retrieve(string id) =>
        objects.Get(id, Type) is { } note ? StripeResponse.Ok(StripeLists.Public(note)) : StripeErrors.NoSuch("credit_note", id, "id");

    public StripeResponse List(JsonObject query)
    {
        if (StripeLists.Unknown(query, ListParams) is { } unknown)
        {
            return unknown;
        }

        if (query["customer_account"] is not null)
        {
            return StripeErrors.NotSimulated("customer_account", "the sandbox has customers, not Accounts v2; filter by customer");
        }

        if (StripeLists.CreatedFilter(query, out var created) is { } badCreated)
        {
            return badCreated;
        }

        var invoice = query.Str("invoice");
        var customer = query.Str("customer");
        return StripeLists.Page(Path, after => objects.Newest(Type, after)
            .Where(n => (invoice is null || n.Str("invoice") == invoice) && (customer is null || n.Str("customer") == customer) && created(n["created"]!.GetValue<long>())), query);
    }

    public StripeResponse Lines(string id, JsonObject query)
    {
        if (StripeLists.Unknown(query, PagingParams) is { } unknown)
        {
            return unknown;
        }

        return objects.Get(id, Type) is { } note ? LinesPage($"{Path}/{id}/lines", note, query) : StripeErrors.NoSuch("credit_note", id, "id");
    }

    /// <summary>A page of a note's lines, in the note's order; <c>starting_after</c> and <c>ending_before</c> name a line.</summary>
    private static StripeResponse LinesPage(string url, JsonObject note, JsonObject query)
    {
        var lines = ((JsonArray)note["lines"]!["data"]!).OfType<JsonObject>().ToList();
        return StripeLists.Page(url, after => after is null ? lines : lines.SkipWhile(l => l.Str("id") != after).Skip(1), query);
    }

    public StripeResponse Update(string id, JsonObject p)
    {
        if (StripeLists.Unknown(p, UpdateParams) is { } unknown)
        {
            return unknown;
        }

        if (p["memo"] is not null && p.Str("memo") is null)
        {
            return StripeErrors.InvalidParam("Invalid string", "memo");
        }

        if (!StripeLists.TryMetadata(p, out var metadata, out var error))
        {
            return error!;
        }

        return objects.Atomically(() =>
        {
            if (objects.Get(id, Type) is not { } note)
            {
                return StripeErrors.NoSuch("credit_note", id, "id");
            }

            var previous = new JsonObject();
            if (p["metadata"] is not null)
            {
                StripeLists.MergeMetadata(note, metadata, previous);
            }

            if (p["memo"] is not null)
            {
                previous["memo"] = note["memo"]?.DeepClone();
                note["memo"] = p.Str("memo") is { Length: > 0 } memo ? memo : null;
            }

            objects.Put(note);
            webhooks.Send(id, [new StripeEvent("credit_note.updated", StripeLists.Public(note), previous)]);
            return StripeResponse.Ok(StripeLists.Public(note));
        });
    }

    /// <summary>
    /// <c>POST /v1/credit_notes/{id}/void</c>: the invoice owes again what the note took off (while it is open), the
    /// customer's balance loses the credit it got (a <c>credit_note</c> balance transaction the other way), and the
    /// invoice's credit-note totals drop; <c>credit_note.voided</c> and <c>invoice.updated</c>.
    /// </summary>
    public StripeResponse Void(string id, JsonObject p)
    {
        if (StripeLists.Unknown(p, VoidParams) is { } unknown)
        {
            return unknown;
        }

        return objects.Atomically(() =>
        {
            if (objects.Get(id, Type) is not { } note)
            {
                return StripeErrors.NoSuch("credit_note", id, "id");
            }

            if (note.Str("status") == "void")
            {
                return StripeErrors.Envelope(400, "invalid_request_error", $"Credit note {id} is already void.", null, null);
            }

            if (note["refunds"] is JsonArray { Count: > 0 } made)
            {
                return StripeErrors.Envelope(400, "invalid_request_error",
                    $"Credit note {id} cannot be voided: it refunded the customer (refund {made[0].Str("refund")}), and a refund cannot be taken back.", null, null);
            }

            var invoice = standalone.Find(note.Str("invoice")!)!;
            var pre = note["pre_payment_amount"]!.GetValue<long>();
            if (pre > 0 && invoice.Str("status") != "open")
            {
                return StripeErrors.Envelope(400, "invalid_request_error",
                    $"Credit note {id} lowered what invoice {invoice.Str("id")} owed, and that invoice is {invoice.Str("status")} now: such a credit note can only be voided while its invoice is open.", null, null);
            }

            var now = customers.NowFor(note.Str("customer"));
            if (note.Str("customer_balance_transaction") is { } transactionId && objects.Get(transactionId, StripeInvoicing.BalanceTransactionType) is { } credit)
            {
                var customer = objects.Get(note.Str("customer")!, "customer")!;
                StripeInvoicing.MoveBalance(objects, customer, -credit["amount"]!.GetValue<long>(), "credit_note", invoice.Str("id"), id, note.Str("currency")!, now);
            }

            var previous = Credited(invoice);
            StripeInvoicing.Grow(invoice, -pre, "pre_payment_credit_notes_amount");
            StripeInvoicing.Grow(invoice, -note["post_payment_amount"]!.GetValue<long>(), "post_payment_credit_notes_amount");
            StripeInvoicing.Grow(invoice, pre, "amount_due", "amount_remaining");
            ReviseIntent(invoice);
            note["status"] = "void";
            note["voided_at"] = now;
            objects.Put(note);
            objects.Put(invoice);
            webhooks.Send(id, [new StripeEvent("credit_note.voided", StripeLists.Public(note)), new StripeEvent("invoice.updated", StripeLists.Public(invoice), previous)]);
            return StripeResponse.Ok(StripeLists.Public(note));
        });
    }
}
