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
    /// <summary>
    /// A line's <c>tax_rates</c> (empty when none); in subscription mode they become the subscription item's. <c>dynamic_tax_rates</c>,
    /// and rates on a one-time line of a subscription-mode session, are refused as not simulated.
    /// </summary>
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

        if (mode == "subscription" && price["recurring"] is not JsonObject)
        {
            return StripeErrors.InvalidParam(
                "`tax_rates` on a one-time line of a subscription-mode Checkout Session is not simulated by the sandbox: give tax rates to its recurring lines.", $"{param}[tax_rates]");
        }

        if (StripeTaxes.Read(objects, item["tax_rates"], $"{param}[tax_rates]", out var read) is { } refused)
        {
            return refused;
        }

        rates = read ?? [];
        return StripeTaxes.Conflicts(price, rates, $"{param}[tax_rates]");
    }

    /// <summary>
    /// <c>subscription_data[default_tax_rates]</c>: the subscription's defaults, taxing its recurring lines that have no
    /// rates of their own. Refused on a session with one-time lines, which the sandbox's first invoice does not show as
    /// lines to tax, and with a price whose <c>tax_behavior</c> they conflict with.
    /// </summary>
    private StripeResponse? ReadDefaultTaxRates(JsonObject p, string mode, IReadOnlyList<CheckoutLineItem> items, out List<JsonObject> rates)
    {
        const string Param = "subscription_data[default_tax_rates]";
        rates = [];
        if ((p["subscription_data"] as JsonObject)?["default_tax_rates"] is not { } given)
        {
            return null;
        }

        if (mode != "subscription")
        {
            return StripeErrors.InvalidParam("`subscription_data` can only be used in `subscription` mode.", "subscription_data");
        }

        if (items.Any(i => i.Price["recurring"] is not JsonObject))
        {
            return StripeErrors.InvalidParam(
                $"`{Param}` with one-time line items is not simulated by the sandbox: give the recurring lines their own `tax_rates`.", Param);
        }

        if (StripeTaxes.Read(objects, given, Param, out var read) is { } refused)
        {
            return refused;
        }

        rates = read ?? [];
        var defaults = rates;
        return items.Where(i => i.TaxRates.Count == 0).Select(i => StripeTaxes.Conflicts(i.Price, defaults, Param)).FirstOrDefault(c => c is not null);
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
        var defaults = RatesOf(session["_default_tax_rates"]);
        var trial = session["_trial"] as JsonObject;
        long exclusive = 0, all = 0;
        for (var i = 0; i < items.Count; i++)
        {
            var rates = RatesOf(perLine[i]) is { Count: > 0 } own ? own : defaults;
            // Under a trial a recurring line is not charged now, so nothing of it is taxed now.
            var taxable = DueNow((JsonObject)items[i]["price"]!, trial) ? items[i]["amount_subtotal"]!.GetValue<long>() - items[i]["amount_discount"]!.GetValue<long>() : 0;
            var taxes = StripeTaxes.Compute(taxable, rates);
            var added = StripeTaxes.Exclusive(taxes);
            items[i]["amount_tax"] = taxes.Sum(t => t.Amount);
            items[i]["amount_total"] = items[i]["amount_total"]!.GetValue<long>() + added;
            items[i]["taxes"] = new JsonArray([.. taxes.Select(t => (JsonNode)StripeTaxes.CheckoutTax(t))]);
            exclusive += added;
            all += taxes.Sum(t => t.Amount);
        }

        session["amount_total"] = session["amount_total"]!.GetValue<long>() + exclusive;
        session["total_details"]!["amount_tax"] = all;
    }

    /// <summary>The stored rates a session keeps by id (<c>_tax_rates</c>' entries, <c>_default_tax_rates</c>), as they are now.</summary>
    private List<JsonObject> RatesOf(JsonNode? ids) =>
        [.. (ids as JsonArray ?? []).Select(id => objects.Get(id!.GetValue<string>(), StripeTaxRates.Type)).OfType<JsonObject>()];

    /// <summary>What a subscription-mode session's subscription is created with: its defaults and each line's own rates.</summary>
    private SubscriptionTaxRates SubscriptionTaxes(JsonObject session) => new(
        RatesOf(session["_default_tax_rates"]),
        [.. ((JsonArray)session["_line_items"]!).Select((_, i) => (IReadOnlyList<JsonObject>)RatesOf((session["_tax_rates"] as JsonArray)?[i]))]);
}
