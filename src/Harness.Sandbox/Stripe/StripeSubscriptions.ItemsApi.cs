using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// The Subscription Items API (docs.stripe.com/api/subscription_items): create, retrieve, update, delete and list a
/// subscription's items. Each write is the subscription update it stands for, one <c>items[0]</c> edit made through
/// <see cref="Update(string, JsonObject)"/>: the same rules, prorations, payment behaviors and <c>customer.subscription.updated</c>.
/// </summary>
public sealed partial class StripeSubscriptions
{
    public const string ItemsPath = "/v1/subscription_items";

    private static readonly HashSet<string> ItemCreateParams =
        ["subscription", "price", "price_data", "quantity", "metadata", "tax_rates", "proration_behavior", "proration_date", "payment_behavior", "expand"];

    private static readonly HashSet<string> ItemUpdateParams = ["price", "price_data", "quantity", "metadata", "tax_rates", "proration_behavior", "proration_date", "payment_behavior", "expand"];

    private static readonly HashSet<string> ItemDeleteParams = ["clear_usage", "proration_behavior", "proration_date", "payment_behavior"];

    /// <summary>The item's own fields, passed on as <c>items[0]</c>.</summary>
    private static readonly string[] ItemFields = ["price", "price_data", "quantity", "metadata", "tax_rates"];

    /// <summary>The subscription-level fields an item write passes on to the update.</summary>
    private static readonly string[] ItemWriteFields = ["proration_behavior", "proration_date", "payment_behavior"];

    public StripeResponse CreateItem(JsonObject p)
    {
        if (StripeLists.Unknown(p, ItemCreateParams) is { } unknown)
        {
            return unknown;
        }

        if (p.Str("subscription") is not { } subscriptionId)
        {
            return StripeErrors.Missing("subscription");
        }

        if (p["price"] is null && p["price_data"] is null)
        {
            return NoPrice(null);
        }

        if (ItemWriteRefusal(p) is { } refused)
        {
            return refused;
        }

        return objects.Atomically(() =>
        {
            if (objects.Get(subscriptionId, Type) is not { } subscription)
            {
                return StripeErrors.NoSuch(Type, subscriptionId, "subscription");
            }

            var existing = Items(subscription).Select(i => i.Str("id")).ToHashSet();
            var item = new JsonObject();
            foreach (var field in ItemFields.Where(f => p[f] is not null))
            {
                item[field] = p[field]!.DeepClone();
            }

            return ItemAnswer(UpdateOneItem(subscriptionId, item, p, "subscription"), subscriptionId, id => !existing.Contains(id));
        });
    }

    public StripeResponse RetrieveItem(string id) =>
        SubscriptionOfItem(id) is { } subscription
            ? StripeResponse.Ok(StripeLists.Public(Items(subscription).First(i => i.Str("id") == id)))
            : StripeErrors.NoSuch("subscription item", id, "id");

    public StripeResponse UpdateItem(string id, JsonObject p)
    {
        if (StripeLists.Unknown(p, ItemUpdateParams) is { } unknown)
        {
            return unknown;
        }

        if (ItemWriteRefusal(p) is { } refused)
        {
            return refused;
        }

        return objects.Atomically(() =>
        {
            if (SubscriptionOfItem(id) is not { } subscription)
            {
                return StripeErrors.NoSuch("subscription item", id, "id");
            }

            var item = new JsonObject { ["id"] = id };
            foreach (var field in ItemFields.Where(f => p[f] is not null))
            {
                item[field] = p[field]!.DeepClone();
            }

            var subscriptionId = subscription.Str("id")!;
            return ItemAnswer(UpdateOneItem(subscriptionId, item, p, "id"), subscriptionId, i => i == id);
        });
    }

    /// <summary><c>DELETE /v1/subscription_items/{id}</c>: removes the item (not the last one), with its unused time credited as the update prorates it.</summary>
    public StripeResponse DeleteItem(string id, JsonObject p)
    {
        if (StripeLists.Unknown(p, ItemDeleteParams) is { } unknown)
        {
            return unknown;
        }

        if (!StripeLists.TryBool(p, "clear_usage", out _, out var badBool))
        {
            return badBool!;
        }

        if (p.Str("payment_behavior") == "pending_if_incomplete")
        {
            return StripeErrors.InvalidParam("The sandbox does not keep a deletion as a pending update: `payment_behavior=pending_if_incomplete` is not simulated here.", "payment_behavior");
        }

        return objects.Atomically(() =>
        {
            if (SubscriptionOfItem(id) is not { } subscription)
            {
                return StripeErrors.NoSuch("subscription item", id, "id");
            }

            var updated = UpdateOneItem(subscription.Str("id")!, new JsonObject { ["id"] = id, ["deleted"] = "true" }, p, "id");
            return updated.Status == 200 ? StripeResponse.Ok(new JsonObject { ["id"] = id, ["object"] = "subscription_item", ["deleted"] = true }) : updated;
        });
    }

    /// <summary><c>GET /v1/subscription_items?subscription=</c>: the subscription's items, newest first, paged.</summary>
    public StripeResponse ListItems(JsonObject query)
    {
        if (query.Str("subscription") is not { } subscriptionId)
        {
            return StripeErrors.Missing("subscription");
        }

        if (objects.Get(subscriptionId, Type) is not { } subscription)
        {
            return StripeErrors.NoSuch(Type, subscriptionId, "subscription");
        }

        var newest = Items(subscription).Reverse().ToList();
        return StripeLists.Page($"{ItemsPath}?subscription={subscriptionId}",
            after => after is null ? newest : newest.SkipWhile(i => i.Str("id") != after).Skip(1), query);
    }

    /// <summary>An item field a pending update does not take: <c>metadata</c> (docs.stripe.com/billing/subscriptions/pending-updates-reference).</summary>
    private static StripeResponse? ItemWriteRefusal(JsonObject p) =>
        p.Str("payment_behavior") == "pending_if_incomplete" && p["metadata"] is not null
            ? StripeErrors.InvalidParam("You cannot pass `metadata` with `payment_behavior=pending_if_incomplete`: a pending update of an item takes only price, quantity, proration_behavior and proration_date.", "metadata")
            : null;

    /// <summary>
    /// The subscription update with <paramref name="item"/> as <c>items[0]</c> and the item write's proration and payment
    /// fields; a refusal names the item API's own parameter (<c>price</c>, not <c>items[0][price]</c>; the subscription's
    /// state and the last item's deletion under <paramref name="stateParam"/>).
    /// </summary>
    private StripeResponse UpdateOneItem(string subscriptionId, JsonObject item, JsonObject p, string stateParam)
    {
        var update = new JsonObject { ["items"] = new JsonArray(item) };
        foreach (var field in ItemWriteFields.Where(f => p[f] is not null))
        {
            update[field] = p[field]!.DeepClone();
        }

        var answer = Update(subscriptionId, update);
        if (answer.Body["error"] is JsonObject error && error.Str("param") is { } param)
        {
            const string Prefix = "items[0]";
            error["param"] = param is "items" or Prefix + "[deleted]" ? stateParam
                : param.StartsWith(Prefix + "[", StringComparison.Ordinal) ? Unnested(param[(Prefix.Length + 1)..])
                : param;
        }

        return answer;
    }

    /// <summary>An item field's name without its <c>items[0]</c>: <c>price]</c> → <c>price</c>, <c>tax_rates][1]</c> → <c>tax_rates[1]</c>.</summary>
    private static string Unnested(string rest)
    {
        var close = rest.IndexOf(']', StringComparison.Ordinal);
        return rest[..close] + rest[(close + 1)..];
    }

    /// <summary>The item the update made or changed (the first of the subscription's that <paramref name="matches"/>), or the update's refusal.</summary>
    private StripeResponse ItemAnswer(StripeResponse updated, string subscriptionId, Func<string, bool> matches)
    {
        if (updated.Status != 200)
        {
            return updated;
        }

        var subscription = objects.Get(subscriptionId, Type)!;
        // A pending update leaves the items as they were: the answer is the item as it would be once the update applies.
        var items = subscription["pending_update"]?["subscription_items"] is JsonArray pending ? pending.OfType<JsonObject>() : Items(subscription);
        return StripeResponse.Ok(StripeLists.Public(items.First(i => matches(i.Str("id")!))));
    }
}
