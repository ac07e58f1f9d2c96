using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>One line of a Checkout Session: its price, how many, and what the pay page and line items call it.</summary>
internal sealed record CheckoutLineItem(JsonObject Price, long Quantity, string Description, IReadOnlyList<JsonObject> TaxRates)
{
    // What the line bills in advance, priced where every amount is (tiers, transform_quantity); a metered line bills nothing.
    public long Amount => StripeTiers.Advance(Price, Quantity);

    public JsonObject ToJson() => new()
    {
        ["id"] = StripeJson.NewId("li"),
        ["object"] = "item",
        ["amount_discount"] = 0,
        ["amount_subtotal"] = Amount,
        ["amount_tax"] = 0,
        ["amount_total"] = Amount,
        ["currency"] = Price.Str("currency"),
        ["description"] = Description,
        ["price"] = Price.DeepClone(),
        ["quantity"] = Quantity,
        ["taxes"] = new JsonArray(),
    };
}
