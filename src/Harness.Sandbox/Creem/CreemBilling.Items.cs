using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;
using static Harness.Sandbox.Creem.CreemJson;

namespace Harness.Sandbox.Creem;

/// <summary>One entry of <c>items</c> in <c>POST /v1/subscriptions/{id}</c>: the item it names (by id or product) or adds, and its units.</summary>
internal readonly record struct CreemItemChange(string? Id, string? ProductId, long Units);

/// <summary>
/// A subscription's items: the first is its product (bought at checkout, moved by an upgrade), the others were added
/// by <c>POST /v1/subscriptions/{id}</c>, each a recurring product of the same billing period and currency with its
/// own units. A renewal charges the sum of price × units over all of them in one transaction; a change prorates
/// the difference of that sum, an increase charged as <c>update_behavior</c> says and a decrease credited to the
/// next renewal.
/// </summary>
internal sealed partial class CreemBilling
{
    /// <summary>The sandbox's bound on items per subscription: Creem documents none.</summary>
    public const int MaxItems = 20;

    /// <summary>
    /// Applies <paramref name="changes"/> in order, all or nothing: an entry naming an item by <c>id</c> (or, without
    /// one, by a <c>product_id</c> already on the subscription, or by neither when it has one item) sets its units;
    /// an entry with a <c>product_id</c> not on it adds an item. The net change of price × units is prorated and
    /// settled as <paramref name="behaviour"/> says; during a trial nothing is charged now.
    /// </summary>
    public (JsonObject? Subscription, string? Refusal) UpdateItems(string id, IReadOnlyList<CreemItemChange> changes, string behaviour, long maxAmount) => Change(id, (subscription, now, events) =>
    {
        var status = subscription.Str("status");
        if (status is not ("active" or "trialing"))
        {
            return $"Only an active or trialing subscription can be updated; this one is {status}";
        }

        var before = Price(subscription);
        var named = new HashSet<string>();
        for (var i = 0; i < changes.Count; i++)
        {
            if (Apply(subscription, changes[i], $"items.{i}", named) is { } refusal)
            {
                return refusal;
            }
        }

        if (Price(subscription) > maxAmount)
        {
            return $"the subscription amount (price × units) must not be greater than {maxAmount}";
        }

        var proration = status == "trialing" ? 0 : Prorate(subscription, Price(subscription) - before, now);
        return Settle(subscription, proration, behaviour, now, events, "Seat update proration");
    });

    /// <summary>Sets the units of the item <paramref name="change"/> names, or adds one; a refusal naming <paramref name="field"/> when it cannot.</summary>
    private string? Apply(JsonObject subscription, CreemItemChange change, string field, HashSet<string> named)
    {
        var items = (JsonArray)subscription["items"]!;
        var item = change.Id is { } itemId
            ? items.OfType<JsonObject>().FirstOrDefault(i => i.Str("id") == itemId)
            : change.ProductId is { } productId
                ? items.OfType<JsonObject>().FirstOrDefault(i => i.Str("product_id") == productId)
                : items.Count == 1 ? (JsonObject)items[0]! : null;
        if (change.Id is not null && item is null)
        {
            // Another subscription's item is not found here either: items belong to one subscription.
            return $"Subscription item not found: {field}.id {change.Id} is not an item of this subscription";
        }

        if (change.Id is null && change.ProductId is null && item is null)
        {
            return $"{field} must name an item by id or product_id: the subscription has {items.Count} items";
        }

        if (item is not null && change.ProductId is { } other && other != item.Str("product_id"))
        {
            return $"{field}.product_id {other} is not the product of item {item.Str("id")}";
        }

        if (item is null)
        {
            if (AddRefusal(subscription, change.ProductId!, field) is { } refusal)
            {
                return refusal;
            }

            item = AddItem(subscription, objects.Get(change.ProductId!, "product")!);
        }

        if (!named.Add(item.Str("id")!))
        {
            return $"{field} names the same item or product ({item.Str("product_id")}) as an earlier entry";
        }

        item["units"] = change.Units;
        return null;
    }

    /// <summary>A new item of one unit for <paramref name="product"/>, which <see cref="AddRefusal"/> accepted.</summary>
    private static JsonObject AddItem(JsonObject subscription, JsonObject product)
    {
        var item = new JsonObject
        {
            ["id"] = NewId("sitem"),
            ["mode"] = "test",
            ["object"] = "subscription_item",
            ["product_id"] = product.Str("id"),
            ["units"] = 1L,
        };
        ((JsonArray)subscription["items"]!).Add(item);

        // The item keeps the price it was added at, as the subscription keeps its product's: later price changes are for new sales.
        if (subscription["_item_prices"] is not JsonObject prices)
        {
            subscription["_item_prices"] = prices = [];
        }

        prices[item.Str("id")!] = product["price"]!.GetValue<long>();
        return item;
    }

    /// <summary>Why <paramref name="productId"/> cannot be added as an item; null when it can.</summary>
    private string? AddRefusal(JsonObject subscription, string productId, string field)
    {
        if (((JsonArray)subscription["items"]!).Count >= MaxItems)
        {
            return $"{field}: a subscription has at most {MaxItems} items";
        }

        if (objects.Get(productId, "product") is not { } product)
        {
            return $"{field}.product_id: Product not found";
        }

        return product.Str("billing_type") != "recurring" || product.Str("status") != "active"
            ? $"{field}.product_id {productId} is not an active recurring product"
            : Mismatch((JsonObject)subscription["product"]!, product, $"{field}.product_id");
    }

    /// <summary>Why the subscription cannot be upgraded to <paramref name="product"/> beside its added items; null when it can.</summary>
    private static string? UpgradeConflict(JsonObject subscription, JsonObject product)
    {
        var added = ((JsonArray)subscription["items"]!).Skip(1).OfType<JsonObject>().ToList();
        if (added.Count == 0)
        {
            return null;
        }

        return added.Any(i => i.Str("product_id") == product.Str("id"))
            ? $"product_id {product.Str("id")} is already an item of this subscription"
            : Mismatch((JsonObject)subscription["product"]!, product, "product_id");
    }

    /// <summary>Why <paramref name="product"/> cannot bill with <paramref name="main"/> in one transaction: another billing period or currency.</summary>
    private static string? Mismatch(JsonObject main, JsonObject product, string field)
    {
        if (Cadence(product) != Cadence(main))
        {
            return $"{field} {product.Str("id")} bills {Cadence(product)}; the subscription bills {Cadence(main)}";
        }

        return product.Str("currency") != main.Str("currency")
            ? $"{field} {product.Str("id")} is priced in {product.Str("currency")}; the subscription is in {main.Str("currency")}"
            : null;
    }

    private static string Cadence(JsonObject product) => product.Str("billing_period") == "custom"
        ? $"custom (every {product["recurring_interval_count"]} {product.Str("recurring_interval")})"
        : product.Str("billing_period")!;

    /// <summary>
    /// Charges the next period (price less discount, plus a pending proration or less a pending credit) and moves the
    /// period on; false when the card declines. A credit larger than the charge leaves 0 to pay and carries the rest.
    /// </summary>
    private bool Renew(JsonObject subscription, DateTimeOffset at)
    {
        // The transaction is for the period it opens.
        var period = PeriodFields.ToDictionary(f => f, f => subscription[f]?.DeepClone());
        SetPeriod(subscription, subscription["_cycle"]!.GetValue<int>() + 1);
        var off = DiscountOn(subscription, Price(subscription));
        var due = Price(subscription) - off + subscription["_pending_proration"]!.GetValue<long>();
        if (!Charge(subscription, Math.Max(0, due), off, at, "Subscription renewal"))
        {
            // The period stays as it was (a trial's too, which no whole billing period describes).
            foreach (var (field, value) in period)
            {
                subscription[field] = value;
            }

            return false;
        }

        subscription["_pending_proration"] = Math.Min(0, due);
        return true;
    }

    /// <summary>What a period of the subscription costs: price × units summed over its items.</summary>
    private static long Price(JsonObject subscription)
    {
        var productPrice = subscription["product"]!["price"]!.GetValue<long>();
        var prices = subscription["_item_prices"] as JsonObject;
        return ((JsonArray)subscription["items"]!).OfType<JsonObject>().Sum(item =>
            checked((prices?[item.Str("id")!]?.GetValue<long>() ?? productPrice) * item["units"]!.GetValue<long>()));
    }
}
