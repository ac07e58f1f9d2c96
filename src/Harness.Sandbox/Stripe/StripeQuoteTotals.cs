using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// A quote's amounts, priced by the code Checkout and invoices price with: each line's amount
/// (<see cref="StripeTiers.Advance"/>), the quote's discount spread over the lines (<see cref="StripeDiscounts.Amounts(ProviderObjects, JsonObject, IReadOnlyList{ValueTuple{string, long}})"/>),
/// then each line taxed on what is left at its own rates, else the quote's <c>default_tax_rates</c> (<see cref="StripeTaxes.Compute"/>).
/// <c>computed.upfront</c> is what the first invoice charges (recurring lines are not charged during a trial);
/// <c>computed.recurring</c> what each renewal charges: the recurring lines, discounted only by a <c>forever</c> coupon,
/// as Stripe's reference says.
/// </summary>
public static class StripeQuoteTotals
{
    /// <summary>Sets the quote's totals, <c>computed</c> and the line items the list endpoints show (<c>_items</c>, <c>_upfront_items</c>).</summary>
    public static void Recompute(ProviderObjects objects, JsonObject quote)
    {
        var lines = ((JsonArray)quote["_lines"]!).OfType<JsonObject>().ToList();
        var discount = quote["_discount"] as JsonObject;
        var defaults = RatesOf(objects, quote["default_tax_rates"]);
        var trial = quote["subscription_data"]?["trial_period_days"] is JsonValue;
        var all = Price(objects, lines, discount, defaults);
        var upfront = Price(objects, [.. lines.Where(l => !trial || !Recurring(l))], discount, defaults);
        quote["amount_subtotal"] = all.Subtotal;
        quote["amount_total"] = all.Total;
        quote["total_details"] = all.Details();
        quote["_items"] = new JsonArray([.. all.Items]);
        quote["_upfront_items"] = new JsonArray([.. upfront.Items]);
        var recurringLines = lines.Where(Recurring).ToList();
        var forever = discount is not null && objects.Get(discount["source"].Str("coupon")!, StripeCoupons.Type).Str("duration") == "forever";
        var recurring = recurringLines.Count == 0 ? null : Price(objects, recurringLines, forever ? discount : null, defaults);
        var interval = recurringLines.FirstOrDefault()?["price"]?["recurring"];
        quote["computed"] = new JsonObject
        {
            ["recurring"] = recurring is null ? null : new JsonObject
            {
                ["amount_subtotal"] = recurring.Subtotal,
                ["amount_total"] = recurring.Total,
                ["interval"] = interval.Str("interval"),
                ["interval_count"] = interval!["interval_count"]!.DeepClone(),
                ["total_details"] = recurring.Details(),
            },
            ["upfront"] = new JsonObject
            {
                ["amount_subtotal"] = upfront.Subtotal,
                ["amount_total"] = upfront.Total,
                ["total_details"] = upfront.Details(),
            },
        };
    }

    /// <summary>The line items shown for the quote: every line, or those the first invoice charges.</summary>
    public static IReadOnlyList<JsonObject> Items(JsonObject quote, bool upfrontOnly) =>
        [.. ((JsonArray?)quote[upfrontOnly ? "_upfront_items" : "_items"] ?? []).OfType<JsonObject>().Select(i => (JsonObject)i.DeepClone())];

    public static bool Recurring(JsonObject line) => line["price"]?["recurring"] is JsonObject;

    private static List<JsonObject> RatesOf(ProviderObjects objects, JsonNode? ids) =>
        [.. (ids as JsonArray ?? []).Select(id => objects.Get(id!.GetValue<string>(), StripeTaxRates.Type)).OfType<JsonObject>()];

    private sealed record Priced(List<JsonObject> Items, long Subtotal, long Discount, long Tax, long Total)
    {
        public JsonObject Details() => new() { ["amount_discount"] = Discount, ["amount_shipping"] = 0, ["amount_tax"] = Tax };
    }

    private static Priced Price(ProviderObjects objects, List<JsonObject> lines, JsonObject? discount, List<JsonObject> defaults)
    {
        var priced = lines.Select(l => new CheckoutLineItem((JsonObject)l["price"]!, l["quantity"]!.GetValue<long>(), l.Str("description") ?? "", RatesOf(objects, l["_tax_rates"]))).ToList();
        var off = discount is null ? new long[priced.Count] : StripeDiscounts.Amounts(objects, discount, [.. priced.Select(p => (p.Price.Str("product"), p.Amount))]);
        var items = new List<JsonObject>();
        long exclusive = 0, tax = 0;
        for (var i = 0; i < priced.Count; i++)
        {
            var item = priced[i].ToJson();
            item["id"] = lines[i].Str("id");
            var taxes = StripeTaxes.Compute(priced[i].Amount - off[i], priced[i].TaxRates.Count > 0 ? priced[i].TaxRates : defaults);
            item["amount_discount"] = off[i];
            item["amount_tax"] = taxes.Sum(t => t.Amount);
            item["amount_total"] = priced[i].Amount - off[i] + StripeTaxes.Exclusive(taxes);
            item["discounts"] = off[i] == 0 ? new JsonArray() : new JsonArray(new JsonObject { ["amount"] = off[i], ["discount"] = StripeLists.Public(discount!) });
            item["taxes"] = new JsonArray([.. taxes.Select(t => (JsonNode)StripeTaxes.CheckoutTax(t))]);
            exclusive += StripeTaxes.Exclusive(taxes);
            tax += taxes.Sum(t => t.Amount);
            items.Add(item);
        }

        var subtotal = priced.Sum(p => p.Amount);
        return new Priced(items, subtotal, off.Sum(), tax, subtotal - off.Sum() + exclusive);
    }
}
