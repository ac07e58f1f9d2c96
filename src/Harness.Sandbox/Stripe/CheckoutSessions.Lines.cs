using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// A session's <c>line_items</c>: each a price by id or inline (<c>price_data</c>, read by the one reader of inline prices,
/// <see cref="StripeCatalog.ReadInline"/>, with Checkout's rules and words), a quantity and tax rates.
/// </summary>
public sealed partial class CheckoutSessions
{
    private static readonly HashSet<string> NoInlinePrices = [];

    private List<CheckoutLineItem> ReadLineItems(JsonNode? node, string mode, IReadOnlySet<string> inlinePrices, out StripeResponse? error)
    {
        error = null;
        var items = new List<CheckoutLineItem>();
        if (mode == "setup")
        {
            return items;
        }

        if (node is not JsonArray array || array.Count == 0)
        {
            error = StripeErrors.InvalidParam($"`line_items` is required in `{mode}` mode.", "line_items", "parameter_missing");
            return items;
        }

        for (var i = 0; i < array.Count; i++)
        {
            var param = $"line_items[{i}]";
            if (array[i] is not JsonObject item)
            {
                error = StripeErrors.InvalidParam("Invalid object", param);
                return items;
            }

            if (LineQuantity(item, param, out var quantity) is { } badQuantity)
            {
                error = badQuantity;
                return items;
            }

            if (catalog.CheckoutLinePrice(item, param, inlinePrices, out var found) is { } badPrice)
            {
                error = badPrice;
                return items;
            }

            var price = found!;
            if (mode == "payment" && price["recurring"] is JsonObject)
            {
                error = StripeErrors.InvalidParam(
                    "You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only one-time prices.", $"{param}[price]");
                return items;
            }

            if (items.Count > 0 && items[0].Price.Str("currency") != price.Str("currency"))
            {
                error = StripeErrors.InvalidParam("All line items must use the same currency.", $"{param}[price]");
                return items;
            }

            if (ReadLineTaxRates(item, param, mode, price, out var taxRates) is { } badTaxRates)
            {
                error = badTaxRates;
                return items;
            }

            items.Add(new CheckoutLineItem(price, quantity, catalog.ProductOf(price)?.Str("name") ?? "Item", taxRates));
        }

        if (mode == "subscription" && !items.Any(i => i.Price["recurring"] is JsonObject))
        {
            error = StripeErrors.InvalidParam("You must provide at least one recurring price in `subscription` mode when using prices.", "line_items");
        }

        return items;
    }
}
