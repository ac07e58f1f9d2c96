using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// Manual tax rates on a subscription (docs.stripe.com/billing/taxes/tax-rates): its <c>default_tax_rates</c> and each
/// item's <c>tax_rates</c>, on create, update and the Subscription Items API, shown as the full tax rate objects. An
/// item's rates replace the defaults for that item's lines; an empty value (<c>""</c>) clears them. A rate must be active
/// to be newly applied; an archived one already set keeps applying. Every invoice the subscription makes is taxed by
/// them (<see cref="StripeInvoicing.TaxSubscriptionInvoice"/>).
/// </summary>
public sealed partial class StripeSubscriptions
{
    /// <summary>A create's <c>default_tax_rates</c> and <c>items[n][tax_rates]</c>, each checked against its item's price.</summary>
    private StripeResponse? ReadCreateTaxRates(JsonObject p, JsonArray given, List<(JsonObject Price, long Quantity)> items, out SubscriptionTaxRates taxes)
    {
        taxes = new SubscriptionTaxRates([], []);
        if (StripeTaxes.Read(objects, p["default_tax_rates"], "default_tax_rates", out var defaults) is { } badDefaults)
        {
            return badDefaults;
        }

        var perItem = new List<IReadOnlyList<JsonObject>>();
        for (var i = 0; i < items.Count; i++)
        {
            var param = $"items[{i}][tax_rates]";
            if (StripeTaxes.Read(objects, (given[i] as JsonObject)?["tax_rates"], param, out var own) is { } badOwn)
            {
                return badOwn;
            }

            var rates = own is { Count: > 0 } ? own : defaults ?? [];
            if (StripeTaxes.Conflicts(items[i].Price, rates, own is { Count: > 0 } ? param : "default_tax_rates") is { } conflict)
            {
                return conflict;
            }

            perItem.Add(own ?? []);
        }

        taxes = new SubscriptionTaxRates(defaults ?? [], perItem);
        return null;
    }

    /// <summary>
    /// An update item's <c>tax_rates</c> (null: not given), checked against the price it will have; rates the item
    /// (<paramref name="current"/>) already has may be archived.
    /// </summary>
    private StripeResponse? ReadItemTaxRates(JsonObject item, string param, JsonObject? current, JsonObject? price, out List<JsonObject>? rates)
    {
        var kept = (current?["tax_rates"] as JsonArray ?? []).Select(r => r.Str("id")!);
        if (StripeTaxes.Read(objects, item["tax_rates"], $"{param}[tax_rates]", out rates, kept) is { } bad)
        {
            return bad;
        }

        return rates is null ? null : StripeTaxes.Conflicts(price ?? current?["price"] as JsonObject, rates, $"{param}[tax_rates]");
    }

    /// <summary>
    /// An update's <c>default_tax_rates</c>, read and checked before anything changes (null: not given); rates the
    /// subscription already has may be archived. Items without rates of their own must take them.
    /// </summary>
    private StripeResponse? ReadDefaultTaxRates(JsonObject p, JsonObject subscription, out List<JsonObject>? rates)
    {
        var kept = (subscription["default_tax_rates"] as JsonArray ?? []).Select(r => r.Str("id")!);
        if (StripeTaxes.Read(objects, p["default_tax_rates"], "default_tax_rates", out rates, kept) is { } bad)
        {
            return bad;
        }

        var given = rates;
        return given is null ? null : Items(subscription).Where(i => (i["tax_rates"] as JsonArray ?? []).Count == 0)
            .Select(i => StripeTaxes.Conflicts(i["price"] as JsonObject, given, "default_tax_rates")).FirstOrDefault(c => c is not null);
    }

    /// <summary>Sets the subscription's <c>default_tax_rates</c>, noting the old ones in <paramref name="previous"/> when they change.</summary>
    private static void ChangeDefaultTaxRates(JsonObject subscription, List<JsonObject>? rates, JsonObject previous)
    {
        var shown = rates is null ? null : StripeInvoicing.Shown(rates);
        if (shown is null || JsonNode.DeepEquals(shown, subscription["default_tax_rates"]))
        {
            return;
        }

        previous["default_tax_rates"] = subscription["default_tax_rates"]?.DeepClone() ?? new JsonArray();
        subscription["default_tax_rates"] = shown;
    }
}
