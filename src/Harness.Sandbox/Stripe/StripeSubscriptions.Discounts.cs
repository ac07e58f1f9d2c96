using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// A subscription's <c>discounts</c>: given on create, added or removed (<c>discounts=""</c>) on update. The invoices
/// apply them (<see cref="StripeInvoicing.ApplyDiscounts"/>); a discount counts as redeemed when it joins a subscription.
/// </summary>
public sealed partial class StripeSubscriptions
{
    /// <summary>The discounts a create or an update stacks, checked against the subscription's items; <paramref name="current"/> the ones an update may keep.</summary>
    private StripeResponse? ReadDiscounts(JsonObject p, string customerId, IReadOnlyList<(JsonObject Price, long Quantity)> items, IReadOnlyList<string> current, out List<JsonObject> stack) =>
        discounts.ReadStack(
            p["discounts"],
            customerId,
            [.. items.Select(i => (i.Price.Str("product"), StripeTiers.Advance(i.Price, i.Quantity)))],
            items[0].Price.Str("currency")!,
            current,
            out stack);

    /// <summary>
    /// An update's <c>discounts</c>: the subscription's discounts from the next invoice on, in the order given. An empty
    /// value removes them all; <c>discounts[n][discount]</c> keeps one it has, and a coupon or promotion code adds a new
    /// one, redeemed then. The caller holds the unit and stores the subscription.
    /// </summary>
    private StripeResponse? ChangeDiscounts(JsonObject p, JsonObject subscription, JsonObject previous)
    {
        if (p["discounts"] is null)
        {
            return null;
        }

        var items = ((JsonArray)subscription["items"]!["data"]!).OfType<JsonObject>()
            .Select(i => ((JsonObject)i["price"]!, i["quantity"]!.GetValue<long>())).ToList();
        var current = (subscription["discounts"] as JsonArray ?? []).Select(d => d!.GetValue<string>()).ToList();
        if (ReadDiscounts(p, subscription.Str("customer")!, items, current, out var stack) is { } refused)
        {
            return refused;
        }

        var fresh = stack.Where(d => d.Str("subscription") is null).ToList();
        previous["discounts"] = subscription["discounts"]?.DeepClone() ?? new JsonArray();
        subscription["discounts"] = StripeDiscounts.Attach(objects, stack, subscription, customers.NowFor(subscription.Str("customer")));
        fresh.ForEach(discounts.Redeem);
        return null;
    }
}
