using System.Text.Json;
using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// What a subscription invoice takes in when it is finalized: the customer's pending invoice items (prorations among
/// them) as lines, and the customer's credit balance (<c>starting_balance</c>/<c>ending_balance</c>).
/// </summary>
public static partial class StripeInvoicing
{
    public const string BalanceTransactionType = "customer_balance_transaction";

    /// <summary>
    /// Sweeps the customer's pending invoice items into <paramref name="invoice"/>, oldest first: those naming no
    /// subscription and those naming this one, in the invoice's currency. Each becomes a line and the totals grow by
    /// them; then every line of the invoice is taxed (<see cref="TaxSubscriptionInvoice"/>).
    /// A preview's <paramref name="unsaved"/> prorations come last, and nothing is stored.
    /// </summary>
    public static void Sweep(ProviderObjects objects, JsonObject invoice, JsonObject subscription, IReadOnlyList<JsonObject>? unsaved = null)
    {
        var customerId = invoice.Str("customer");
        var subscriptionId = subscription.Str("id");
        var pending = objects.Newest(StripeInvoiceItems.Type)
            .Where(i => i["_deleted"] is null && i.Str("invoice") is null && i.Str("customer") == customerId && i.Str("currency") == invoice.Str("currency")
                && StripeInvoiceItems.SubscriptionOf(i) is var owner && (owner is null || owner == subscriptionId))
            .Reverse()
            .ToList();
        pending.AddRange(unsaved ?? []);
        AddItemLines(objects, invoice, subscription, pending, store: unsaved is null);
    }

    /// <summary>
    /// A subscription's first invoice takes the invoice items its create added (<c>add_invoice_items</c>), stored as on
    /// it; what is due grows by them, as the create counts only its items.
    /// </summary>
    public static void SweepAdded(ProviderObjects objects, JsonObject invoice, JsonObject subscription, IReadOnlyList<JsonObject> added)
    {
        var discounted = AddItemLines(objects, invoice, subscription, added, store: true);
        Grow(invoice, added.Sum(i => i["amount"]!.GetValue<long>()) - discounted, "amount_due", "amount_remaining");
    }

    /// <summary>
    /// Each of <paramref name="pending"/> a line of <paramref name="invoice"/> (and, when <paramref name="store"/>, on it),
    /// discounted by the item's own discounts, the totals grown by them, every line taxed; returns what the discounts took off.
    /// </summary>
    private static long AddItemLines(ProviderObjects objects, JsonObject invoice, JsonObject subscription, IReadOnlyList<JsonObject> pending, bool store)
    {
        var lines = (JsonArray)invoice["lines"]!["data"]!;
        var id = invoice.Str("id");
        var added = 0L;
        var discounted = 0L;
        foreach (var item in pending)
        {
            if (store)
            {
                item["invoice"] = id;
                objects.Put(item);
            }

            added = checked(added + item["amount"]!.GetValue<long>());
            var line = ItemLine(item, id!);
            lines.Add(line);
            discounted += DiscountItemLine(objects, invoice, line, item);
        }

        Grow(invoice, added, "subtotal", "total", "subtotal_excluding_tax", "total_excluding_tax");
        Grow(invoice, -discounted, "total", "total_excluding_tax");
        TaxSubscriptionInvoice(objects, invoice, subscription, pending);
        return discounted;
    }

    /// <summary>
    /// Applies the customer's balance to a finalized invoice, as Stripe does: a credit (negative balance) lowers what is
    /// due, a debt raises it; an invoice whose total is below zero is due nothing and leaves the rest as credit. The
    /// invoice gets <c>starting_balance</c>, <c>ending_balance</c> and <c>amount_due</c>; the customer its new
    /// <c>balance</c> and, when it moved, a <c>customer_balance_transaction</c> (<c>applied_to_invoice</c>); a
    /// <paramref name="preview"/> changes neither.
    /// </summary>
    public static void ApplyBalance(ProviderObjects objects, JsonObject invoice, long at, bool preview = false)
    {
        var customer = objects.Get(invoice.Str("customer")!, "customer")!;
        var starting = customer["balance"]?.Deserialize<long>() ?? 0;
        var owed = checked(invoice["total"]!.GetValue<long>() + starting);
        var ending = Math.Min(0, owed);
        invoice["starting_balance"] = starting;
        invoice["ending_balance"] = ending;
        invoice["amount_due"] = Math.Max(0, owed);
        invoice["amount_remaining"] = Math.Max(0, owed);
        if (ending == starting || preview)
        {
            return;
        }

        MoveBalance(objects, customer, ending - starting, "applied_to_invoice", invoice.Str("id"), null, invoice.Str("currency")!, at);
    }

    /// <summary>
    /// Moves the customer's credit balance by <paramref name="amount"/> (below zero: a credit to the customer) and records
    /// the <c>customer_balance_transaction</c> of <paramref name="type"/> that says why; the caller holds the unit.
    /// </summary>
    public static JsonObject MoveBalance(ProviderObjects objects, JsonObject customer, long amount, string type, string? invoiceId, string? creditNoteId, string currency, long at)
    {
        var ending = checked((customer["balance"]?.Deserialize<long>() ?? 0) + amount);
        customer["balance"] = ending;
        objects.Put(customer);
        var transaction = new JsonObject
        {
            ["id"] = StripeJson.NewId("cbtxn"),
            ["object"] = BalanceTransactionType,
            ["amount"] = amount,
            ["checkout_session"] = null,
            ["created"] = at,
            ["credit_note"] = creditNoteId,
            ["currency"] = currency,
            ["customer"] = customer.Str("id"),
            ["description"] = null,
            ["ending_balance"] = ending,
            ["invoice"] = invoiceId,
            ["livemode"] = false,
            ["metadata"] = new JsonObject(),
            ["type"] = type,
        };
        objects.Put(transaction);
        return transaction;
    }
}
