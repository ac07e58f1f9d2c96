using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// A subscription's <c>discounts</c>: given on create, added or removed (<c>discounts=""</c>) on update. The invoices
/// apply them (<see cref="StripeInvoicing.ApplyDiscounts"/>); a discount counts as redeemed when it joins a subscription.
/// </summary>
public sealed partial class StripeSubscriptions
{
    /// <summary>The discount a create or an update asks for, checked against the subscription's items.</summary>
    private StripeResponse? ReadDiscount(JsonObject p, string customerId, IReadOnlyList<(JsonObject Price, long Quantity)> items, out JsonObject? discount) =>
        discounts.Read(
            p["discounts"],
            customerId,
            [.. items.Select(i => (i.Price.Str("product"), checked(i.Price["unit_amount"]!.GetValue<long>() * i.Quantity)))],
            items[0].Price.Str("currency")!,
            out discount);

    /// <summary>
    /// An update's <c>discounts</c>: an empty value removes the subscription's discounts; a coupon or promotion code
    /// replaces them from the next invoice on. The caller holds the unit and stores the subscription.
    /// </summary>
    private StripeResponse? ChangeDiscounts(JsonObject p, JsonObject subscription, JsonObject previous)
    {
        if (p["discounts"] is null)
        {
            return null;
        }

        var items = ((JsonArray)subscription["items"]!["data"]!).OfType<JsonObject>()
            .Select(i => ((JsonObject)i["price"]!, i["quantity"]!.GetValue<long>())).ToList();
        if (ReadDiscount(p, subscription.Str("customer")!, items, out var discount) is { } refused)
        {
            return refused;
        }

        previous["discounts"] = subscription["discounts"]?.DeepClone() ?? new JsonArray();
        subscription["discounts"] = StripeDiscounts.Attach(objects, discount, subscription, customers.NowFor(subscription.Str("customer")));
        if (discount is not null)
        {
            discounts.Redeem(discount);
        }

        return null;
    }
}
