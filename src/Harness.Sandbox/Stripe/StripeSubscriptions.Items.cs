using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// The items of a plan change, read and checked (docs.stripe.com/billing/subscriptions/multiple-products): an update's
/// <c>items[n]</c> with <c>id</c> changes that item, with <c>deleted=true</c> removes it, without <c>id</c> adds one; the
/// Subscription Items API makes the same edits one item at a time. The rules hold for the items as they would be after.
/// </summary>
public sealed partial class StripeSubscriptions
{
    private static readonly HashSet<string> ItemParams = ["id", "price", "price_data", "quantity", "metadata", "deleted", "clear_usage", "tax_rates"];

    /// <summary>What an item of a pending update may carry (docs.stripe.com/billing/subscriptions/pending-updates-reference).</summary>
    private static readonly HashSet<string> PendingItemParams = ["id", "price", "quantity"];

    /// <summary><c>items[n]</c> of an update as <see cref="ItemEdit"/>s, checked against the subscription's items; none without <c>items</c>.</summary>
    private StripeResponse? ReadItems(JsonObject p, JsonObject subscription, out List<ItemEdit> edits, bool scheduled = false)
    {
        edits = [];
        if (p["items"] is null)
        {
            return null;
        }

        if (p["items"] is not JsonArray { Count: > 0 } array)
        {
            return StripeErrors.InvalidParam("Invalid array", "items");
        }

        for (var i = 0; i < array.Count; i++)
        {
            var param = $"items[{i}]";
            if (array[i] is not JsonObject item)
            {
                return StripeErrors.InvalidParam("Invalid object", param);
            }

            if (item.Select(kv => kv.Key).FirstOrDefault(k => !ItemParams.Contains(k)) is { } unknown)
            {
                return StripeErrors.InvalidParam($"Received unknown parameter: {param}[{unknown}]", $"{param}[{unknown}]", "parameter_unknown");
            }

            // clear_usage is checked; a metered item deleted mid-period never bills its usage so far, as with clear_usage=true.
            if (!StripeLists.TryBool(item, "deleted", out var deleted, out var badBool) || !StripeLists.TryBool(item, "clear_usage", out _, out badBool))
            {
                return Nested(badBool!, param);
            }

            if (ReadItemFields(item, param, out var price, out var quantity, out var metadata, scheduled) is { } badField)
            {
                return badField;
            }

            var id = item.Str("id");
            if (id is null)
            {
                if (deleted == true || price is null)
                {
                    return deleted == true ? StripeErrors.Missing($"{param}[id]") : NoPrice(param);
                }
            }
            else if (ItemOf(subscription, id, $"{param}[id]") is { } notHere)
            {
                return notHere;
            }
            else if (edits.Any(e => e.Id == id))
            {
                return StripeErrors.InvalidParam($"The subscription item {id} is named more than once in `items`.", $"{param}[id]");
            }

            if (ReadItemTaxRates(item, param, id is null ? null : Items(subscription).First(i => i.Str("id") == id), price, out var taxRates) is { } badRates)
            {
                return badRates;
            }

            edits.Add(new ItemEdit(id, price, quantity, deleted == true, metadata, param) { TaxRates = taxRates });
        }

        return CheckItems(subscription, edits);
    }

    /// <summary>An item's <c>price</c> or <c>price_data</c> (<see cref="ReadItemPrice"/>), <c>quantity</c> and <c>metadata</c>, each optional, under <paramref name="prefix"/> (null: top level).</summary>
    private StripeResponse? ReadItemFields(JsonObject item, string? prefix, out JsonObject? price, out long? quantity, out JsonObject? metadata, bool scheduled = false)
    {
        string Name(string field) => prefix is null ? field : $"{prefix}[{field}]";
        (price, quantity, metadata) = (null, null, null);
        if (item.Str("quantity") is { } quantityText)
        {
            if (!StripeJson.TryLong(quantityText, out var value) || value is < 1 or > MaxQuantity)
            {
                return StripeErrors.InvalidParam($"This value must be greater than or equal to 1 and less than or equal to {MaxQuantity}.", Name("quantity"));
            }

            quantity = value;
        }

        if (item["metadata"] is not null)
        {
            if (!StripeLists.TryMetadata(item, out var given, out var badMetadata))
            {
                return prefix is null ? badMetadata : Nested(badMetadata!, prefix);
            }

            metadata = given;
        }

        return item["price"] is null && item["price_data"] is null ? null : ReadItemPrice(item, prefix, out price, scheduled);
    }

    /// <summary>Null when <paramref name="itemId"/> is one of the subscription's items; else the 404 (unknown) or 400 (another subscription's).</summary>
    private StripeResponse? ItemOf(JsonObject subscription, string itemId, string param)
    {
        if (Items(subscription).Any(i => i.Str("id") == itemId))
        {
            return null;
        }

        return SubscriptionOfItem(itemId) is { } other
            ? StripeErrors.InvalidParam($"The subscription item {itemId} belongs to subscription {other.Str("id")}, not to {subscription.Str("id")}.", param)
            : StripeErrors.NoSuch("subscription item", itemId, param);
    }

    /// <summary>
    /// The rules for the items the subscription would have after <paramref name="edits"/>: at least one, each price once,
    /// all in the subscription's currency and on one billing interval. Refusals name the edit's parameter.
    /// </summary>
    private static StripeResponse? CheckItems(JsonObject subscription, IReadOnlyList<ItemEdit> edits)
    {
        static string Name(ItemEdit edit, string field) => $"{edit.Param}[{field}]";

        var after = Items(subscription).Select(i => (Id: i.Str("id"), Price: (JsonObject)i["price"]!)).ToList();
        foreach (var edit in edits)
        {
            var index = after.FindIndex(i => edit.Id is not null && i.Id == edit.Id);
            if (edit.Deleted)
            {
                after.RemoveAt(index);
            }
            else if (index < 0)
            {
                after.Add((null, edit.Price!));
            }
            else if (edit.Price is not null)
            {
                after[index] = (edit.Id, edit.Price);
            }
        }

        if (edits.FirstOrDefault(e => e is { Deleted: false, Quantity: not null } && StripePrices.Metered(e.Price ?? Items(subscription).First(i => i.Str("id") == e.Id)["price"])) is { } metered)
        {
            return StripeBilling.MeteredQuantity(metered.Param);
        }

        if (after.Count == 0)
        {
            return StripeErrors.InvalidParam(
                "A subscription must have at least one active plan. To cancel a subscription, use DELETE /v1/subscriptions/{id}.", Name(edits.Last(e => e.Deleted), "deleted"));
        }

        var priced = edits.Where(e => e.Price is not null && !e.Deleted).ToList();
        if (after.GroupBy(i => i.Price.Str("id")).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            return StripeErrors.InvalidParam($"Cannot add multiple subscription items with the same plan: {twice.Key}", Name(priced.Last(e => e.Price.Str("id") == twice.Key), "price"));
        }

        var currency = subscription.Str("currency");
        if (priced.FirstOrDefault(e => e.Price.Str("currency") != currency) is { } otherCurrency)
        {
            var priceId = otherCurrency.Price.Str("id");
            return StripeErrors.InvalidParam(
                $"The price specified ({priceId}) is in {otherCurrency.Price.Str("currency")}, and this subscription is billed in {currency}: all prices on a subscription must have the same currency.", Name(otherCurrency, "price"));
        }

        return priced.FirstOrDefault(e => after.Any(i => !StripeBilling.SameInterval(i.Price["recurring"], e.Price!["recurring"]))) is { } otherInterval
            ? StripeErrors.InvalidParam("All prices on a subscription must have the same `currency`, `recurring[interval]` and `recurring[interval_count]`.", Name(otherInterval, "price"))
            : null;
    }

    /// <summary>Under <c>payment_behavior=pending_if_incomplete</c>, an item field a pending update does not take (<c>deleted</c>, <c>metadata</c>, <c>clear_usage</c>), refused by name.</summary>
    private static StripeResponse? PendingItemRefusal(JsonObject p)
    {
        var items = p["items"] as JsonArray ?? [];
        for (var i = 0; i < items.Count; i++)
        {
            if ((items[i] as JsonObject)?.Select(kv => kv.Key).FirstOrDefault(k => !PendingItemParams.Contains(k)) is { } field)
            {
                return StripeErrors.InvalidParam(
                    $"You cannot pass `items[{i}][{field}]` with `payment_behavior=pending_if_incomplete`: a pending update's items take only id, price and quantity.", $"items[{i}][{field}]");
            }
        }

        return null;
    }

    private static IEnumerable<JsonObject> Items(JsonObject subscription) => ((JsonArray)subscription["items"]!["data"]!).OfType<JsonObject>();

    /// <summary>The subscription that has this item now; null when none has it.</summary>
    private JsonObject? SubscriptionOfItem(string itemId) => objects.List(Type).FirstOrDefault(s => Items(s).Any(i => i.Str("id") == itemId));

    /// <summary>A refusal of a field of <paramref name="prefix"/>, its <c>param</c> named as sent: <c>items[1][deleted]</c>.</summary>
    private static StripeResponse Nested(StripeResponse refusal, string prefix)
    {
        if (refusal.Body["error"] is JsonObject error && error.Str("param") is { } param)
        {
            error["param"] = $"{prefix}[{param}]";
        }

        return refusal;
    }
}
