using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// One item of a plan change (docs.stripe.com/billing/subscriptions/multiple-products): the subscription's item
/// <paramref name="Id"/> changed (price, quantity, metadata) or deleted, or, without an id, a new item added.
/// <paramref name="Param"/> is the request parameter it came under (<c>items[1]</c>), for refusals.
/// </summary>
public sealed record ItemEdit(string? Id, JsonObject? Price, long? Quantity, bool Deleted, JsonObject? Metadata, string Param)
{
    /// <summary>The item's new <c>tax_rates</c> (empty: cleared); null leaves them.</summary>
    public IReadOnlyList<JsonObject>? TaxRates { get; init; }
}

/// <summary>
/// A new subscription's <c>default_tax_rates</c> and its items' <c>tax_rates</c> (<paramref name="PerItem"/>, in the
/// order of the items it is created with), read and checked.
/// </summary>
public sealed record SubscriptionTaxRates(IReadOnlyList<JsonObject> Defaults, IReadOnlyList<IReadOnlyList<JsonObject>> PerItem);

/// <summary>The items of a subscription: new ones, and the edits of a plan change applied to them.</summary>
public sealed partial class StripeBilling
{
    /// <summary>A subscription item as Stripe shows it (docs.stripe.com/api/subscription_items/object), in the period [<paramref name="start"/>, <paramref name="end"/>).</summary>
    public static JsonObject NewItem(string subscriptionId, JsonObject price, long quantity, JsonObject metadata, long created, long start, long end, IReadOnlyList<JsonObject>? taxRates = null) => new()
    {
        ["id"] = StripeJson.NewId("si"),
        ["object"] = "subscription_item",
        ["created"] = created,
        ["current_period_end"] = end,
        ["current_period_start"] = start,
        ["discounts"] = new JsonArray(),
        ["metadata"] = metadata.DeepClone(),
        ["price"] = price.DeepClone(),
        ["quantity"] = quantity,
        ["subscription"] = subscriptionId,
        ["tax_rates"] = StripeInvoicing.Shown(taxRates ?? []),
    };

    /// <summary>
    /// Applies <paramref name="edits"/> (checked by the caller) to the subscription's items at <paramref name="now"/>;
    /// answers each edited item as it was (null: added) and as it is (null: deleted).
    /// </summary>
    private static List<(JsonObject? Before, JsonObject? After)> EditItems(JsonObject subscription, IReadOnlyList<ItemEdit> edits, long now)
    {
        var data = (JsonArray)subscription["items"]!["data"]!;
        var edited = new List<(JsonObject? Before, JsonObject? After)>();
        foreach (var edit in edits)
        {
            if (edit.Id is null)
            {
                var added = NewItem(subscription.Str("id")!, edit.Price!, StripePrices.Metered(edit.Price) ? 0 : edit.Quantity ?? 1, edit.Metadata ?? [], now,
                    subscription["current_period_start"]!.GetValue<long>(), subscription["current_period_end"]!.GetValue<long>(), edit.TaxRates);
                data.Add(added);
                edited.Add((null, added));
                continue;
            }

            var item = data.OfType<JsonObject>().First(i => i.Str("id") == edit.Id);
            var before = (JsonObject)item.DeepClone();
            if (edit.Deleted)
            {
                data.Remove(item);
                edited.Add((before, null));
                continue;
            }

            item["price"] = (edit.Price ?? before["price"])!.DeepClone();
            item["quantity"] = StripePrices.Metered(item["price"]) ? 0 : edit.Quantity ?? Math.Max(1, before["quantity"]!.GetValue<long>());
            if (edit.Metadata is { } metadata)
            {
                StripeLists.MergeMetadata(item, metadata, new JsonObject());
            }

            if (edit.TaxRates is { } rates)
            {
                item["tax_rates"] = StripeInvoicing.Shown(rates);
            }

            edited.Add((before, item));
        }

        return edited;
    }

    /// <summary>Whether an edit changes what the item costs: added, deleted, or a new price or quantity.</summary>
    private static bool Repriced((JsonObject? Before, JsonObject? After) edit) =>
        edit is not ({ } before, { } after)
        || before["price"].Str("id") != after["price"].Str("id") || before["quantity"]!.GetValue<long>() != after["quantity"]!.GetValue<long>();

    /// <summary>Whether an edit changes nothing at all (the same price, quantity, metadata and tax rates).</summary>
    private static bool Unchanged((JsonObject? Before, JsonObject? After) edit) =>
        !Repriced(edit) && JsonNode.DeepEquals(edit.Before!["metadata"], edit.After!["metadata"])
        && RateIds(edit.Before).SequenceEqual(RateIds(edit.After));

    private static IEnumerable<string?> RateIds(JsonObject item) => (item["tax_rates"] as JsonArray ?? []).Select(r => r.Str("id"));

    /// <summary>
    /// The proration invoice items of <paramref name="edited"/> from <paramref name="at"/> to <paramref name="end"/>: the
    /// unused time of what each item was and the remaining time of what it is; on a cycle reset only the unused time of
    /// every item it had, the new period being invoiced whole.
    /// </summary>
    private List<JsonObject> ItemProrations(JsonObject subscription, JsonArray itemsBefore, List<(JsonObject? Before, JsonObject? After)> edited, bool reset, long at, long start, long end)
    {
        var prorations = new List<JsonObject>();
        var credited = reset ? itemsBefore.OfType<JsonObject>().Select(i => ((JsonObject?)i, (JsonObject?)null)) : edited.Where(Repriced);
        foreach (var (before, after) in credited)
        {
            // A metered item is billed its usage in arrears, so it has nothing paid in advance to prorate.
            if (before is not null && !StripePrices.Metered(before["price"]))
            {
                var (price, quantity) = ((JsonObject)before["price"]!, before["quantity"]!.GetValue<long>());
                prorations.Add(Proration(subscription, before, price, quantity, -Prorate(Amount(price, quantity), at, start, end), "Unused time on", at, end));
            }

            if (after is not null && !StripePrices.Metered(after["price"]))
            {
                var (price, quantity) = ((JsonObject)after["price"]!, after["quantity"]!.GetValue<long>());
                prorations.Add(Proration(subscription, after, price, quantity, Prorate(Amount(price, quantity), at, start, end), "Remaining time on", at, end));
            }
        }

        return prorations;
    }
}
