using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// A subscription item's price, named (<c>price</c>) or inline (<c>price_data</c>, read by <see cref="StripeCatalog.ReadInline"/>):
/// one of the two, recurring. Creates, updates, the Subscription Items API and schedule phases all read it here.
/// </summary>
public sealed partial class StripeSubscriptions
{
    /// <summary>
    /// The price of <paramref name="item"/> under <paramref name="prefix"/> (null: top level, as the Subscription Items API
    /// sends it). A <paramref name="scheduled"/> change (a schedule's phase starting) may name an inactive price: the
    /// phase's inline prices are inactive, and were checked when the phase was set.
    /// </summary>
    internal StripeResponse? ReadItemPrice(JsonObject item, string? prefix, out JsonObject? price, bool scheduled = false)
    {
        string Name(string field) => prefix is null ? field : $"{prefix}[{field}]";
        price = null;
        if (item["price"] is not null && item["price_data"] is not null)
        {
            return StripeErrors.InvalidParam("You may only specify one of these parameters: price, price_data.", Name("price"));
        }

        if (item["price_data"] is not null)
        {
            return catalog.ReadInline(item["price_data"], Name("price_data"), StripeCatalog.RecurringInline, out price);
        }

        if (item.Str("price") is not { } priceId)
        {
            return NoPrice(prefix);
        }

        if (catalog.Unpurchasable(priceId, Name("price"), scheduled) is { } unpurchasable)
        {
            return unpurchasable;
        }

        price = catalog.Find(priceId)!;
        return price["recurring"] is JsonObject ? null : StripeErrors.InvalidParam(
            $"The price specified ({priceId}) is not a recurring price. Only recurring prices can be used with subscriptions.", Name("price"));
    }

    /// <summary>Stripe's refusal of an item with neither <c>price</c> nor <c>price_data</c>.</summary>
    private static StripeResponse NoPrice(string? prefix) => prefix is null
        ? StripeErrors.InvalidParam("You must specify either `price` or `price_data`.", "price", "parameter_missing")
        : StripeErrors.InvalidParam($"You must specify either `price` or `price_data` in `{prefix}`.", $"{prefix}[price]", "parameter_missing");
}
