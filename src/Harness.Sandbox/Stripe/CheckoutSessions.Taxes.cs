using System.Text.Json.Nodes;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// Manual tax rates on a payment-mode Checkout Session's lines (<c>line_items[][tax_rates]</c>): each line taxed on
/// what is left after its discount (<see cref="StripeTaxes.Compute"/>). Exclusive taxes raise the line's and the
/// session's <c>amount_total</c>, and so what the buyer is charged; inclusive ones are inside the price. Both show in
/// <c>amount_tax</c>, the line's <c>taxes</c> and the session's <c>total_details.amount_tax</c>.
/// </summary>
public sealed partial class CheckoutSessions
{
    /// <summary>A line's <c>tax_rates</c> (empty when none); <c>dynamic_tax_rates</c> and subscription-mode rates are refused as not simulated.</summary>
    private StripeResponse? ReadLineTaxRates(JsonObject item, string param, string mode, JsonObject price, out List<JsonObject> rates)
    {
        rates = [];
        if (item["dynamic_tax_rates"] is not null)
        {
            return StripeErrors.InvalidParam(
                "`dynamic_tax_rates` is not simulated by the sandbox: it collects no address to choose a rate by. Give the line's `tax_rates`.", $"{param}[dynamic_tax_rates]");
        }

        if (item["tax_rates"] is null)
        {
            return null;
        }

        if (mode == "subscription")
        {
            return StripeErrors.InvalidParam(
                "`tax_rates` on a subscription-mode Checkout Session is not simulated by the sandbox: tax rates apply to payment-mode sessions.", $"{param}[tax_rates]");
        }

        if (StripeTaxes.Read(objects, item["tax_rates"], $"{param}[tax_rates]", out var read) is { } refused)
        {
            return refused;
        }

        rates = read ?? [];
        return StripeTaxes.Conflicts(price, rates, $"{param}[tax_rates]");
    }

    /// <summary>
    /// Taxes each line of the session on its <c>amount_subtotal</c> less <c>amount_discount</c>, after <see cref="Discount"/>
    /// set those: the line's <c>amount_tax</c>, <c>taxes</c> and <c>amount_total</c>, the session's <c>amount_total</c> and
    /// <c>total_details.amount_tax</c>.
    /// </summary>
    private void Tax(JsonObject session)
    {
        if (session["_tax_rates"] is not JsonArray perLine)
        {
            return;
        }

        var items = ((JsonArray)session["_line_items"]!).OfType<JsonObject>().ToList();
        long exclusive = 0, all = 0;
        for (var i = 0; i < items.Count; i++)
        {
            var rates = ((JsonArray)perLine[i]!).Select(id => objects.Get(id!.GetValue<string>(), StripeTaxRates.Type)!).ToList();
            var taxable = items[i]["amount_subtotal"]!.GetValue<long>() - items[i]["amount_discount"]!.GetValue<long>();
            var taxes = StripeTaxes.Compute(taxable, rates);
            var added = StripeTaxes.Exclusive(taxes);
            items[i]["amount_tax"] = taxes.Sum(t => t.Amount);
            items[i]["amount_total"] = taxable + added;
            items[i]["taxes"] = new JsonArray([.. taxes.Select(t => (JsonNode)StripeTaxes.CheckoutTax(t))]);
            exclusive += added;
            all += taxes.Sum(t => t.Amount);
        }

        session["amount_total"] = session["amount_total"]!.GetValue<long>() + exclusive;
        session["total_details"]!["amount_tax"] = all;
    }
}
