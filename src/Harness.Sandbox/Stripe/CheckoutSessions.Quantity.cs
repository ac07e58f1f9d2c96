using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>A line item's <c>quantity</c>: required for a licensed or one-time price, refused for a metered one, as at Stripe.</summary>
public sealed partial class CheckoutSessions
{
    /// <summary>
    /// The <c>quantity</c> of line item <paramref name="param"/>: 1 to 999,999; for a metered price (which bills its usage
    /// at the period's end) none may be given, and the item is kept at 0 so that it adds nothing to the first invoice.
    /// </summary>
    private StripeResponse? LineQuantity(JsonObject item, string param, out long quantity)
    {
        quantity = 0;
        if (item.Str("price") is { } priceId && StripePrices.Metered(catalog.Find(priceId)))
        {
            return item["quantity"] is null ? null : StripeBilling.MeteredQuantity(param);
        }

        if (!StripeJson.TryLong(item.Str("quantity"), out quantity))
        {
            return item.Str("quantity") is null
                ? StripeErrors.Missing($"{param}[quantity]")
                : StripeErrors.InvalidParam($"Invalid integer: {item.Str("quantity")}", $"{param}[quantity]");
        }

        return quantity is < 1 or > MaxQuantity
            ? StripeErrors.InvalidParam($"This value must be greater than or equal to 1 and less than or equal to {MaxQuantity}.", $"{param}[quantity]")
            : null;
    }
}
