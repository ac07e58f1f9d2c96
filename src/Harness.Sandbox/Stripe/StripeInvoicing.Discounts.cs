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
        var applied = new JsonArray();
        var totals = new JsonArray();
        foreach (var line in lines)
        {
            line["discount_amounts"] = new JsonArray();
            line["discounts"] = new JsonArray();
        }

        invoice["discounts"] = applied;
        invoice["total_discount_amounts"] = totals;
        if (subscription["discounts"] is not JsonArray { Count: > 0 } ids)
        {
            return;
        }

        var start = invoice["period_start"]!.GetValue<long>();
        var kept = new JsonArray();
        var off = 0L;
        foreach (var id in ids.Select(i => i!.GetValue<string>()))
        {
            if (objects.Get(id, StripeDiscounts.Type) is not { } discount || discount["end"] is JsonValue end && end.GetValue<long>() <= start)
            {
                continue;
            }

            // Item lines come first, in the subscription's item order (NewInvoice); what is left after earlier discounts is discounted.
            var remaining = lines.Select((l, i) => (i < items.Count ? items[i]["price"].Str("product") : null,
                l["amount"]!.GetValue<long>() - ((JsonArray)l["discount_amounts"]!).Sum(d => d!["amount"]!.GetValue<long>()))).ToList();
            if (remaining.Sum(l => l.Item2) == 0)
            {
                kept.Add(id);
                continue;
            }

            var amounts = StripeDiscounts.Amounts(objects, discount, remaining);
            for (var i = 0; i < lines.Count; i++)
            {
                ((JsonArray)lines[i]["discount_amounts"]!).Add(new JsonObject { ["amount"] = amounts[i], ["discount"] = id });
                ((JsonArray)lines[i]["discounts"]!).Add(id);
            }

            applied.Add(id);
            totals.Add(new JsonObject { ["amount"] = amounts.Sum(), ["discount"] = id });
            off += amounts.Sum();
            if (!StripeDiscounts.Once(objects, discount))
            {
                kept.Add(id);
            }
        }

        subscription["discounts"] = kept;
        foreach (var field in new[] { "total", "amount_due", "amount_remaining" })
        {
            invoice[field] = invoice[field]!.GetValue<long>() - off;
        }
    }
}
