using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;
using Microsoft.AspNetCore.Http;
using static Harness.Sandbox.Creem.CreemJson;

namespace Harness.Sandbox.Creem;

/// <summary><c>POST /v1/subscriptions/{id}</c>: the units of a subscription's items, and items added to it.</summary>
public sealed partial class CreemProvider
{
    private static readonly HashSet<string> UpdateFields = ["items", "update_behavior"];
    private static readonly HashSet<string> UpdateItemFields = ["id", "product_id", "price_id", "units"];
    private static readonly string[] UpdateItemIds = ["id", "product_id"];

    /// <summary>
    /// Reads <c>{items: [{id?, product_id?, units}], update_behavior?}</c>: an entry with an item's id (or a product
    /// already on the subscription) sets its units, one with another product adds an item. Creem's default behaviour
    /// is "proration"; the sandbox reads it as <c>proration-charge</c> (docs/sandbox/creem.md).
    /// </summary>
    private IResult UpdateSubscription(string id, JsonObject body)
    {
        var problems = Unknown(body, UpdateFields);
        var behaviour = body.Str("update_behavior") ?? "proration-charge";
        if (!CreemBilling.UpdateBehaviours.Contains(behaviour))
        {
            problems.Add($"update_behavior must be one of the following values: {string.Join(", ", CreemBilling.UpdateBehaviours)}");
        }

        if (body["items"] is not JsonArray { Count: > 0 } items)
        {
            problems.Add("items must be a non-empty array");
            return CreemErrors.BadRequest([.. problems]);
        }

        if (items.Count > CreemBilling.MaxItems)
        {
            problems.Add($"items must contain no more than {CreemBilling.MaxItems} elements");
            return CreemErrors.BadRequest([.. problems]);
        }

        var changes = new List<CreemItemChange>();
        for (var i = 0; i < items.Count; i++)
        {
            if (ItemChange(items[i], $"items.{i}", problems) is { } change)
            {
                changes.Add(change);
            }
        }

        if (problems.Count > 0)
        {
            return CreemErrors.BadRequest([.. problems]);
        }

        // As for an upgrade, a product that does not exist is a 404; one that cannot be an item is refused by the billing.
        return changes.Any(c => c.ProductId is { } product && _objects.Get(product, "product") is null)
            ? CreemErrors.NotFound("Product not found")
            : Answer(_billing.UpdateItems(id, changes, behaviour, MaxAmount));
    }

    /// <summary>One entry of <c>items</c>, or null with its problems added to <paramref name="problems"/>.</summary>
    private static CreemItemChange? ItemChange(JsonNode? node, string field, List<string> problems)
    {
        if (node is not JsonObject item)
        {
            problems.Add($"each value in items must be an object ({field} is not)");
            return null;
        }

        var count = problems.Count;
        problems.AddRange(item.Select(kv => kv.Key).Where(k => !UpdateItemFields.Contains(k)).Select(k => $"{field}.property {k} should not exist"));
        if (item["price_id"] is not null)
        {
            problems.Add($"{field}.price_id is not simulated by the sandbox");
        }

        foreach (var name in UpdateItemIds.Where(f => item[f] is not null && item.Str(f) is not { Length: > 0 }))
        {
            problems.Add($"{field}.{name} must be a string");
        }

        var units = 0L;
        if (item["units"] is not { } unitsNode || !TryInt(unitsNode, out units) || units < 1)
        {
            problems.Add($"{field}.units must be a positive integer");
        }
        else if (units > MaxUnits)
        {
            problems.Add($"{field}.units must not be greater than {MaxUnits}");
        }

        return problems.Count > count ? null : new CreemItemChange(item.Str("id"), item.Str("product_id"), units);
    }
}
