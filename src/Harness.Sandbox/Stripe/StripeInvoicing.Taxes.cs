using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// Manual tax rates on invoice lines: an invoice item's own <c>tax_rates</c>, else a standalone invoice's
/// <c>default_tax_rates</c>. Each line is taxed on its amount after its discounts (<see cref="StripeTaxes.Compute"/>):
/// its <c>taxes</c>; the invoice's <c>total_taxes</c> (one entry per rate), exclusive taxes added to <c>total</c> (and
/// so to what is due), inclusive ones taken out of <c>subtotal_excluding_tax</c> and <c>total_excluding_tax</c>.
/// </summary>
public static partial class StripeInvoicing
{
    /// <summary>The rates stored on an object's <paramref name="field"/> (<c>tax_rates</c>, <c>default_tax_rates</c>), as they are now.</summary>
    public static List<JsonObject> RatesOf(ProviderObjects objects, JsonObject? holder, string field) =>
        [.. (holder?[field] as JsonArray ?? []).OfType<JsonObject>().Select(r => objects.Get(r.Str("id")!, StripeTaxRates.Type)).OfType<JsonObject>()];

    /// <summary>
    /// Reads <paramref name="field"/> (<c>tax_rates</c>, <c>default_tax_rates</c>) of <paramref name="p"/> onto
    /// <paramref name="holder"/> as the rate objects Stripe shows there; an empty value clears them, an absent one
    /// leaves them. Archived rates already on the holder may stay; new ones must be active.
    /// </summary>
    public static StripeResponse? SetRates(ProviderObjects objects, JsonObject holder, JsonObject p, string field)
    {
        var kept = (holder[field] as JsonArray ?? []).OfType<JsonObject>().Select(r => r.Str("id")!);
        if (StripeTaxes.Read(objects, p[field], field, out var rates, kept) is { } refused)
        {
            return refused;
        }

        if (rates is not null)
        {
            holder[field] = Shown(rates);
        }

        return null;
    }

    /// <summary>Rates as Stripe shows them on the object they are set on: the full tax rate objects.</summary>
    public static JsonArray Shown(IEnumerable<JsonObject> rates) => new([.. rates.Select(r => (JsonNode)StripeLists.Public(r))]);

    /// <summary>The rates a subscription item's lines are taxed at: its own <c>tax_rates</c>, else the subscription's <c>default_tax_rates</c>.</summary>
    public static List<JsonObject> EffectiveRates(ProviderObjects objects, JsonObject subscription, JsonObject item) =>
        RatesOf(objects, item, "tax_rates") is { Count: > 0 } own ? own : RatesOf(objects, subscription, "default_tax_rates");

    /// <summary>
    /// Taxes every line of a subscription's invoice, once its discounts are off and before the customer's balance and the
    /// charge: the one place a subscription invoice (first, renewal, proration, usage, trial end, preview) is taxed. A
    /// line of a subscription item takes the item's <c>tax_rates</c>, a line of an invoice item (a proration among them,
    /// which carries its item's rates) that item's; a line with none takes the invoice's <c>default_tax_rates</c>, the
    /// subscription's. <paramref name="invoiceItems"/> are the invoice items swept in, stored or (a preview's) not.
    /// </summary>
    public static void TaxSubscriptionInvoice(ProviderObjects objects, JsonObject invoice, JsonObject subscription, IReadOnlyList<JsonObject> invoiceItems)
    {
        var defaults = RatesOf(objects, invoice, "default_tax_rates");
        var items = ((JsonArray)subscription["items"]!["data"]!).OfType<JsonObject>().ToList();
        List<JsonObject> Own(JsonObject line) =>
            line["parent"]?["invoice_item_details"].Str("invoice_item") is { } invoiceItem
                ? RatesOf(objects, invoiceItems.FirstOrDefault(i => i.Str("id") == invoiceItem), "tax_rates")
                : RatesOf(objects, items.FirstOrDefault(i => i.Str("id") == line["parent"]?["subscription_item_details"].Str("subscription_item")), "tax_rates");

        TaxLines(invoice, ((JsonArray)invoice["lines"]!["data"]!).OfType<JsonObject>()
            .Select(line => (line, (IReadOnlyList<JsonObject>)(Own(line) is { Count: > 0 } own ? own : defaults))).ToList());
    }

    /// <summary>
    /// Taxes <paramref name="lines"/> (each with its rates) on the invoice whose <c>subtotal</c> and <c>total</c> already
    /// count their amounts: sets each line's <c>taxes</c>, adds to <c>total_taxes</c> and <c>total</c>, and lowers the
    /// excluding-tax totals by the inclusive taxes.
    /// </summary>
    public static void TaxLines(JsonObject invoice, IEnumerable<(JsonObject Line, IReadOnlyList<JsonObject> Rates)> lines)
    {
        var totals = invoice["total_taxes"] as JsonArray ?? [];
        invoice["total_taxes"] = totals;
        long exclusive = 0, inclusive = 0;
        foreach (var (line, rates) in lines)
        {
            var discounted = (line["discount_amounts"] as JsonArray ?? []).Sum(d => d!["amount"]!.GetValue<long>());
            var taxes = StripeTaxes.Compute(line["amount"]!.GetValue<long>() - discounted, rates);
            line["taxes"] = new JsonArray([.. taxes.Select(t => (JsonNode)StripeTaxes.InvoiceTax(t))]);
            foreach (var tax in taxes)
            {
                AddToTotal(totals, tax);
            }

            exclusive = checked(exclusive + StripeTaxes.Exclusive(taxes));
            inclusive = checked(inclusive + taxes.Where(t => t.Inclusive).Sum(t => t.Amount));
        }

        Grow(invoice, exclusive, "total", "amount_due", "amount_remaining");
        Grow(invoice, -inclusive, "subtotal_excluding_tax", "total_excluding_tax");
    }

    /// <summary>Adds <paramref name="delta"/> to each of <paramref name="fields"/> the invoice has (an invoice stored before the field existed has not).</summary>
    public static void Grow(JsonObject invoice, long delta, params string[] fields)
    {
        foreach (var field in fields.Where(f => invoice[f] is JsonValue))
        {
            invoice[field] = checked(invoice[field]!.GetValue<long>() + delta);
        }
    }

    /// <summary>One entry per rate in <c>total_taxes</c>: a rate on several lines sums their taxes and taxable amounts.</summary>
    private static void AddToTotal(JsonArray totals, LineTax tax)
    {
        if (totals.OfType<JsonObject>().FirstOrDefault(t => t["tax_rate_details"]!.Str("tax_rate") == tax.Rate.Str("id")) is { } entry)
        {
            entry["amount"] = checked(entry["amount"]!.GetValue<long>() + tax.Amount);
            entry["taxable_amount"] = checked(entry["taxable_amount"]!.GetValue<long>() + tax.TaxableAmount);
            return;
        }

        totals.Add(StripeTaxes.InvoiceTax(tax));
    }
}
