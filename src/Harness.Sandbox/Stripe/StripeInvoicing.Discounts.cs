using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>A subscription's discounts on the invoices of its items (its first and its renewals; prorations are not discounted).</summary>
public static partial class StripeInvoicing
{
    /// <summary>
    /// Applies the subscription's discounts to a new invoice's item lines, before pending items and the balance: each
    /// line's <c>discount_amounts</c> and <c>discounts</c>, the invoice's <c>total_discount_amounts</c> and
    /// <c>discounts</c>, and a <c>total</c> (and amount due) below its <c>subtotal</c>. A repeating discount whose
    /// <c>end</c> is at or before the invoice's period start has ended and leaves the subscription; a <c>once</c> one leaves it
    /// after the first invoice it discounts (a trial's 0 invoice does not use it up).
    /// </summary>
    public static void ApplyDiscounts(ProviderObjects objects, JsonObject invoice, JsonObject subscription)
    {
        var lines = ((JsonArray)invoice["lines"]!["data"]!).OfType<JsonObject>().ToList();
        var items = ((JsonArray)subscription["items"]!["data"]!).OfType<JsonObject>().ToList();
        var start = invoice["period_start"]!.GetValue<long>();
        var live = (subscription["discounts"] as JsonArray ?? []).Select(i => i!.GetValue<string>())
            .Where(id => objects.Get(id, StripeDiscounts.Type) is { } discount && !(discount["end"] is JsonValue end && end.GetValue<long>() <= start))
            .ToList();

        // Item lines come first, in the subscription's item order (NewInvoice).
        var applied = DiscountLines(objects, invoice, lines, [.. lines.Select((_, i) => i < items.Count ? items[i]["price"].Str("product") : null)], live);
        var kept = new JsonArray([.. live.Where(id => !applied.Contains(id) || !StripeDiscounts.Once(objects, objects.Get(id, StripeDiscounts.Type)!)).Select(id => (JsonNode)id)]);
        subscription["discounts"] = kept;
    }

    /// <summary>
    /// Applies <paramref name="discountIds"/> in turn to <paramref name="lines"/> (of <paramref name="products"/>; a null
    /// product is discounted unless the coupon names products): each line's <c>discount_amounts</c> and <c>discounts</c>,
    /// the invoice's <c>discounts</c> and <c>total_discount_amounts</c>, and its <c>total</c>, <c>amount_due</c> and
    /// <c>amount_remaining</c> lowered by what came off. What is left after earlier discounts is discounted. Returns the
    /// discounts that took something off.
    /// </summary>
    public static HashSet<string> DiscountLines(ProviderObjects objects, JsonObject invoice, IReadOnlyList<JsonObject> lines, IReadOnlyList<string?> products, IEnumerable<string> discountIds)
    {
        var applied = new JsonArray();
        var totals = new JsonArray();
        foreach (var line in lines)
        {
            line["discount_amounts"] = new JsonArray();
            line["discounts"] = new JsonArray();
        }

        invoice["discounts"] = applied;
        invoice["total_discount_amounts"] = totals;
        var off = 0L;
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in discountIds)
        {
            var remaining = lines.Select((l, i) => (products[i],
                l["amount"]!.GetValue<long>() - ((JsonArray)l["discount_amounts"]!).Sum(d => d!["amount"]!.GetValue<long>()))).ToList();
            if (remaining.Sum(l => l.Item2) == 0)
            {
                continue;
            }

            var amounts = StripeDiscounts.Amounts(objects, objects.Get(id, StripeDiscounts.Type)!, remaining);
            for (var i = 0; i < lines.Count; i++)
            {
                ((JsonArray)lines[i]["discount_amounts"]!).Add(new JsonObject { ["amount"] = amounts[i], ["discount"] = id });
                ((JsonArray)lines[i]["discounts"]!).Add(id);
            }

            applied.Add(id);
            used.Add(id);
            totals.Add(new JsonObject { ["amount"] = amounts.Sum(), ["discount"] = id });
            off += amounts.Sum();
        }

        Grow(invoice, -off, "total", "amount_due", "amount_remaining", "total_excluding_tax");

        return used;
    }

    /// <summary>
    /// An added invoice item's own discounts (<c>add_invoice_items[n][discounts]</c>) on its <paramref name="line"/>, in
    /// turn, each on what the ones before left: the line's <c>discount_amounts</c> and <c>discounts</c>, and the invoice's
    /// <c>total_discount_amounts</c> (the invoice's <c>discounts</c> are its own, not its lines'). Returns what came off.
    /// </summary>
    private static long DiscountItemLine(ProviderObjects objects, JsonObject invoice, JsonObject line, JsonObject item)
    {
        if (item["discounts"] is not JsonArray { Count: > 0 } ids)
        {
            return 0;
        }

        // Discounts a create's items made are stored once the subscription is kept, after its first invoice is made.
        var made = (item[StripeInvoiceItems.NewDiscounts] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var product = item["pricing"]?["price_details"].Str("product");
        var amounts = new JsonArray();
        var totals = invoice["total_discount_amounts"] as JsonArray ?? [];
        var off = 0L;
        foreach (var id in ids.Select(i => i!.GetValue<string>()))
        {
            if ((objects.Get(id, StripeDiscounts.Type) ?? made.FirstOrDefault(d => d.Str("id") == id)) is not { } discount)
            {
                continue;
            }

            var taken = StripeDiscounts.Amounts(objects, discount, [(product, line["amount"]!.GetValue<long>() - off)])[0];
            amounts.Add(new JsonObject { ["amount"] = taken, ["discount"] = id });
            totals.Add(new JsonObject { ["amount"] = taken, ["discount"] = id });
            off += taken;
        }

        line["discount_amounts"] = amounts;
        line["discounts"] = ids.DeepClone();
        invoice["total_discount_amounts"] = totals;
        return off;
    }
}
