using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>One tax a rate puts on a line: its amount and the amount it was computed on, in minor units.</summary>
public sealed record LineTax(JsonObject Rate, long Amount, long TaxableAmount)
{
    public bool Inclusive => Rate["inclusive"]!.GetValue<bool>();
}

/// <summary>
/// Manual tax rates applied to a line: which rates a <c>tax_rates</c> parameter names (checked as Stripe checks them),
/// and the tax each puts on an amount. Each line's tax is computed per rate on the line's amount after discounts and
/// rounded to the nearest minor unit, half away from zero (Stripe's support note on rounding: 0.0645 → 0.06,
/// 0.7265 → 0.73, 0.025 → 0.03). An exclusive rate adds <c>amount × p</c> on top; inclusive rates are inside the amount:
/// each is <c>amount × p / (100 + Σ inclusive p)</c>, the amount less its inclusive taxes being what every rate taxes.
/// </summary>
public static class StripeTaxes
{
    /// <summary>Stripe takes up to ten tax rates on a line (docs: Invoicing, "Tax rates and IDs").</summary>
    public const int MaxRatesPerLine = 10;

    /// <summary>
    /// The rates a <c>tax_rates</c> parameter names: absent (null list), empty to clear (<c>tax_rates=""</c>), or an array of
    /// ids. An id that is not a tax rate is Stripe's 404; an archived rate cannot be applied anew, unless it is among
    /// <paramref name="kept"/> (already set on the object, where it keeps applying).
    /// </summary>
    public static StripeResponse? Read(ProviderObjects objects, JsonNode? node, string param, out List<JsonObject>? rates, IEnumerable<string>? kept = null)
    {
        rates = null;
        switch (node)
        {
            case null:
                return null;
            case JsonValue value when value.GetValueKind() == System.Text.Json.JsonValueKind.String && value.GetValue<string>() == "":
                rates = [];
                return null;
            case not JsonArray:
                return StripeErrors.InvalidParam("Invalid array", param);
        }

        var ids = (JsonArray)node;
        if (ids.Count > MaxRatesPerLine)
        {
            return StripeErrors.InvalidParam($"You can only apply up to {MaxRatesPerLine} tax rates to a line item.", param);
        }

        var keep = new HashSet<string>(kept ?? [], StringComparer.Ordinal);
        rates = [];
        for (var i = 0; i < ids.Count; i++)
        {
            if (ids[i] is not JsonValue value || value.GetValueKind() != System.Text.Json.JsonValueKind.String || value.GetValue<string>() is not { Length: > 0 } id)
            {
                return StripeErrors.InvalidParam("Invalid tax rate id: give tax rate ids (txr_…).", $"{param}[{i}]");
            }

            if (objects.Get(id, StripeTaxRates.Type) is not { } rate)
            {
                return StripeErrors.NoSuch("tax rate", id, $"{param}[{i}]");
            }

            if (!rate["active"]!.GetValue<bool>() && !keep.Contains(id))
            {
                return StripeErrors.InvalidParam($"Tax rate {id} is archived. Archived tax rates cannot be applied to new objects.", $"{param}[{i}]");
            }

            if (rates.Any(r => r.Str("id") == id))
            {
                return StripeErrors.InvalidParam($"Tax rate {id} is given more than once.", $"{param}[{i}]");
            }

            rates.Add(rate);
        }

        return null;
    }

    /// <summary>
    /// Stripe's refusal when a price's <c>tax_behavior</c> says one thing and the line's rates another: an exclusive price
    /// cannot take an inclusive rate, nor an inclusive price an exclusive one. <c>unspecified</c> takes either.
    /// </summary>
    public static StripeResponse? Conflicts(JsonObject? price, IReadOnlyList<JsonObject> rates, string param) =>
        price.Str("tax_behavior") is { } behavior and not "unspecified" && rates.Any(r => r["inclusive"]!.GetValue<bool>() != (behavior == "inclusive"))
            ? StripeErrors.InvalidParam("One or more prices has a `tax_behavior` that conflicts with the tax rates that apply to the corresponding line item.", param)
            : null;

    /// <summary>The taxes <paramref name="rates"/> put on <paramref name="amount"/> (after discounts), one per rate, in order.</summary>
    public static List<LineTax> Compute(long amount, IReadOnlyList<JsonObject> rates)
    {
        var inclusivePercent = rates.Where(r => r["inclusive"]!.GetValue<bool>()).Sum(Percentage);
        var inclusive = rates.Where(r => r["inclusive"]!.GetValue<bool>())
            .ToDictionary(r => r.Str("id")!, r => Round(amount * Percentage(r) / (100m + inclusivePercent)), StringComparer.Ordinal);
        var net = amount - inclusive.Values.Sum();
        return [.. rates.Select(r => new LineTax(r, inclusive.TryGetValue(r.Str("id")!, out var contained) ? contained : Round(net * Percentage(r) / 100m), net))];
    }

    /// <summary>What the line's taxes add on top of its amount: the exclusive ones.</summary>
    public static long Exclusive(IEnumerable<LineTax> taxes) => taxes.Where(t => !t.Inclusive).Sum(t => t.Amount);

    /// <summary>Half away from zero, to a whole minor unit; a credit's tax is the same amount below zero.</summary>
    public static long Round(decimal value) => (long)Math.Round(value, 0, MidpointRounding.AwayFromZero);

    public static decimal Percentage(JsonObject rate) => rate["percentage"]!.GetValue<decimal>();

    /// <summary>A Checkout line item's <c>taxes</c> entry (<c>LineItemTax</c>): the rate as an object.</summary>
    public static JsonObject CheckoutTax(LineTax tax) => new()
    {
        ["amount"] = tax.Amount,
        ["rate"] = StripeLists.Public(tax.Rate),
        ["taxability_reason"] = null,
        ["taxable_amount"] = tax.TaxableAmount,
    };

    /// <summary>An invoice line's <c>taxes</c> entry, also the shape of the invoice's <c>total_taxes</c>.</summary>
    public static JsonObject InvoiceTax(LineTax tax) => new()
    {
        ["amount"] = tax.Amount,
        ["tax_behavior"] = tax.Inclusive ? "inclusive" : "exclusive",
        ["tax_rate_details"] = new JsonObject { ["tax_rate"] = tax.Rate.Str("id") },
        ["taxability_reason"] = "standard_rated",
        ["taxable_amount"] = tax.TaxableAmount,
        ["type"] = "tax_rate_details",
    };
}
