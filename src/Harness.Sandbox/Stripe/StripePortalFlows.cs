using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// A portal session's <c>flow_data</c> (docs.stripe.com/customer-management/portal-deep-links): the one task the portal
/// opens on, and what follows it (<c>after_completion</c>). The subscription a flow names must be the customer's, and
/// the configuration must offer what the flow does.
/// </summary>
public static class StripePortalFlows
{
    private static readonly string[] Types =
        ["customer_update", "payment_method_update", "subscription_cancel", "subscription_pause", "subscription_update", "subscription_update_confirm"];

    private static readonly string[] Unsimulated = ["customer_update", "subscription_pause"];

    private static readonly string[] AfterCompletionTypes = ["hosted_confirmation", "portal_homepage", "redirect"];

    private static readonly HashSet<string> FlowParams = ["type", "after_completion", .. Types];

    private const int MaxCustomMessage = 500;

    public static StripeResponse? Read(JsonNode? given, string customerId, JsonObject configuration, ProviderObjects objects, out JsonObject? flow)
    {
        flow = null;
        if (given is not JsonObject data)
        {
            return StripeErrors.InvalidParam("Invalid object", "flow_data");
        }

        if (data.Select(kv => kv.Key).FirstOrDefault(k => !FlowParams.Contains(k)) is { } unknown)
        {
            return StripeErrors.InvalidParam($"Received unknown parameter: flow_data[{unknown}]", $"flow_data[{unknown}]", "parameter_unknown");
        }

        if (data.Str("type") is not { } type)
        {
            return data["type"] is null ? StripeErrors.Missing("flow_data[type]") : StripeErrors.InvalidParam("Invalid string", "flow_data[type]");
        }

        if (!Types.Contains(type))
        {
            return StripeErrors.InvalidParam($"Invalid flow_data[type]: must be one of {string.Join(", ", Types)}", "flow_data[type]");
        }

        if (Unsimulated.Contains(type))
        {
            return StripeErrors.InvalidParam(
                $"flow_data[type]={type} is not simulated by the sandbox: it builds payment_method_update, subscription_cancel, subscription_update and subscription_update_confirm.", "flow_data[type]");
        }

        if (Types.FirstOrDefault(t => t != type && data[t] is not null) is { } other)
        {
            return StripeErrors.InvalidParam($"You passed flow_data[{other}], but flow_data[type] is {type}.", $"flow_data[{other}]");
        }

        var features = (JsonObject)configuration["features"]!;
        var feature = type switch
        {
            "payment_method_update" => "payment_method_update",
            "subscription_cancel" => "subscription_cancel",
            _ => "subscription_update",
        };
        if (!features[feature]!["enabled"]!.GetValue<bool>())
        {
            return StripeErrors.InvalidParam(
                $"The {type} flow needs the {feature} feature, which configuration {configuration.Str("id")} does not enable.", "flow_data[type]");
        }

        if (ReadAfterCompletion(data["after_completion"], out var afterCompletion) is { } badAfter)
        {
            return badAfter;
        }

        flow = new JsonObject
        {
            ["after_completion"] = afterCompletion,
            ["customer_update"] = null,
            ["subscription_cancel"] = null,
            ["subscription_pause"] = null,
            ["subscription_update"] = null,
            ["subscription_update_confirm"] = null,
            ["type"] = type,
        };
        return type switch
        {
            "subscription_cancel" => ReadCancel(data, customerId, objects, flow),
            "subscription_update" => ReadUpdate(data, customerId, features, objects, flow),
            "subscription_update_confirm" => ReadConfirm(data, customerId, features, objects, flow),
            _ => null,
        };
    }

    /// <summary>The prices a portal plan change may move to: those of the configuration's products.</summary>
    public static IEnumerable<string> AllowedPrices(JsonObject features) =>
        ((JsonArray)features["subscription_update"]!["products"]!).SelectMany(p => ((JsonArray)p!["prices"]!).Select(price => price!.ToString()));

    /// <summary>Why the portal cannot change a subscription's plan (more than one item, a product not offered, ended); null when it can.</summary>
    public static string? NotUpdatable(JsonObject subscription, JsonObject features)
    {
        if (subscription.Str("status") is "canceled" or "incomplete_expired" or "incomplete")
        {
            return $"The subscription {subscription.Str("id")} is {subscription.Str("status")}: the portal cannot update it.";
        }

        var items = (JsonArray)subscription["items"]!["data"]!;
        if (items.Count != 1)
        {
            return $"The subscription {subscription.Str("id")} has {items.Count} items: the portal updates subscriptions of one item only.";
        }

        var product = items[0]!["price"].Str("product");
        return ((JsonArray)features["subscription_update"]!["products"]!).Any(p => p.Str("product") == product)
            ? null
            : $"The product {product} of subscription {subscription.Str("id")} is not among the configuration's features[subscription_update][products].";
    }

    private static StripeResponse? ReadAfterCompletion(JsonNode? given, out JsonObject afterCompletion)
    {
        afterCompletion = new JsonObject { ["hosted_confirmation"] = null, ["redirect"] = null, ["type"] = "portal_homepage" };
        if (given is null)
        {
            return null;
        }

        const string param = "flow_data[after_completion]";
        if (given is not JsonObject after || StripeLists.Unknown(after, new HashSet<string> { "type", "redirect", "hosted_confirmation" }) is not null)
        {
            return StripeErrors.InvalidParam("Invalid object", param);
        }

        if (after.Str("type") is not { } type || !AfterCompletionTypes.Contains(type))
        {
            return after["type"] is null
                ? StripeErrors.Missing($"{param}[type]")
                : StripeErrors.InvalidParam($"Invalid {param}[type]: must be one of {string.Join(", ", AfterCompletionTypes)}", $"{param}[type]");
        }

        afterCompletion["type"] = type;
        if (type == "redirect")
        {
            var url = (after["redirect"] as JsonObject).Str("return_url");
            if (url is null)
            {
                return StripeErrors.Missing($"{param}[redirect][return_url]");
            }

            if (!HttpUrl.IsValid(url))
            {
                return StripeErrors.InvalidParam("Not a valid URL", $"{param}[redirect][return_url]", "url_invalid");
            }

            afterCompletion["redirect"] = new JsonObject { ["return_url"] = url };
        }
        else if (after["redirect"] is not null)
        {
            return StripeErrors.InvalidParam($"{param}[redirect] is only allowed with {param}[type]=redirect.", $"{param}[redirect]");
        }

        if (type == "hosted_confirmation")
        {
            var message = (after["hosted_confirmation"] as JsonObject).Str("custom_message");
            if (message is { Length: > MaxCustomMessage })
            {
                return StripeErrors.InvalidParam($"Invalid {param}[hosted_confirmation][custom_message]: must be at most {MaxCustomMessage} characters", $"{param}[hosted_confirmation][custom_message]");
            }

            afterCompletion["hosted_confirmation"] = new JsonObject { ["custom_message"] = message };
        }
        else if (after["hosted_confirmation"] is not null)
        {
            return StripeErrors.InvalidParam($"{param}[hosted_confirmation] is only allowed with {param}[type]=hosted_confirmation.", $"{param}[hosted_confirmation]");
        }

        return null;
    }

    private static StripeResponse? ReadCancel(JsonObject data, string customerId, ProviderObjects objects, JsonObject flow)
    {
        const string param = "flow_data[subscription_cancel]";
        if (data[Key(param)] is JsonObject given && given["retention"] is not null)
        {
            return StripeErrors.InvalidParam($"{param}[retention] is not simulated by the sandbox: the portal offers no coupon to stay.", $"{param}[retention]");
        }

        if (Subscription(data, param, customerId, objects, out var subscription) is { } bad)
        {
            return bad;
        }

        flow["subscription_cancel"] = new JsonObject { ["retention"] = null, ["subscription"] = subscription!.Str("id") };
        return null;
    }

    private static StripeResponse? ReadUpdate(JsonObject data, string customerId, JsonObject features, ProviderObjects objects, JsonObject flow)
    {
        const string param = "flow_data[subscription_update]";
        if (Subscription(data, param, customerId, objects, out var subscription) is { } bad)
        {
            return bad;
        }

        if (NotUpdatable(subscription!, features) is { } why)
        {
            return StripeErrors.InvalidParam(why, $"{param}[subscription]");
        }

        flow["subscription_update"] = new JsonObject { ["subscription"] = subscription!.Str("id") };
        return null;
    }

    /// <summary><c>items</c>: exactly the subscription's one item, with a price the configuration offers and/or a quantity.</summary>
    private static StripeResponse? ReadConfirm(JsonObject data, string customerId, JsonObject features, ProviderObjects objects, JsonObject flow)
    {
        const string param = "flow_data[subscription_update_confirm]";
        if (data[Key(param)] is JsonObject given && given["discounts"] is not null)
        {
            return StripeErrors.InvalidParam($"{param}[discounts] is not simulated by the sandbox: a portal plan change takes no coupon or promotion code.", $"{param}[discounts]");
        }

        if (Subscription(data, param, customerId, objects, out var subscription) is { } bad)
        {
            return bad;
        }

        if (NotUpdatable(subscription!, features) is { } why)
        {
            return StripeErrors.InvalidParam(why, $"{param}[subscription]");
        }

        if (data[Key(param)]!["items"] is not JsonArray { Count: 1 } items || items[0] is not JsonObject item
            || StripeLists.Unknown(item, new HashSet<string> { "id", "price", "quantity" }) is not null)
        {
            return data[Key(param)]!["items"] is null ? StripeErrors.Missing($"{param}[items]") : StripeErrors.InvalidParam("Invalid array: exactly one item", $"{param}[items]");
        }

        var own = (JsonObject)subscription!["items"]!["data"]![0]!;
        if (item.Str("id") != own.Str("id"))
        {
            return item["id"] is null
                ? StripeErrors.Missing($"{param}[items][0][id]")
                : StripeErrors.InvalidParam($"The subscription item {StripeLists.Clip(item.Str("id") ?? "")} is not an item of subscription {subscription.Str("id")}.", $"{param}[items][0][id]");
        }

        var allowed = (JsonArray)features["subscription_update"]!["default_allowed_updates"]!;
        var price = item.Str("price") ?? own["price"].Str("id")!;
        if (item["price"] is not null && (!allowed.Any(a => a!.ToString() == "price") || !AllowedPrices(features).Contains(price)))
        {
            return StripeErrors.InvalidParam($"The price {StripeLists.Clip(price)} is not one the configuration lets customers switch to.", $"{param}[items][0][price]");
        }

        var quantity = own["quantity"]!.GetValue<long>();
        if (item["quantity"] is not null && (!StripeJson.TryLong(item.Str("quantity"), out quantity) || quantity < 1 || !allowed.Any(a => a!.ToString() == "quantity")))
        {
            return StripeErrors.InvalidParam("The quantity must be a positive integer, and the configuration must allow quantity updates.", $"{param}[items][0][quantity]");
        }

        if (item["price"] is null && item["quantity"] is null)
        {
            return StripeErrors.Missing($"{param}[items][0][price]");
        }

        flow["subscription_update_confirm"] = new JsonObject
        {
            ["discounts"] = new JsonArray(),
            ["items"] = new JsonArray(new JsonObject { ["id"] = own.Str("id"), ["price"] = price, ["quantity"] = quantity }),
            ["subscription"] = subscription.Str("id"),
        };
        return null;
    }

    /// <summary>The flow's <c>subscription</c>: it exists, is the customer's, and has not ended.</summary>
    private static StripeResponse? Subscription(JsonObject data, string param, string customerId, ProviderObjects objects, out JsonObject? subscription)
    {
        subscription = null;
        if (data[Key(param)] is not JsonObject given || given.Str("subscription") is not { } id)
        {
            return data[Key(param)] is null or JsonObject ? StripeErrors.Missing($"{param}[subscription]") : StripeErrors.InvalidParam("Invalid object", param);
        }

        if (objects.Get(id, "subscription") is not { } found)
        {
            return StripeErrors.NoSuch("subscription", StripeLists.Clip(id), $"{param}[subscription]");
        }

        if (found.Str("customer") != customerId)
        {
            return StripeErrors.InvalidParam($"The subscription {id} does not belong to the customer {customerId}.", $"{param}[subscription]");
        }

        if (found.Str("status") is "canceled" or "incomplete_expired")
        {
            return StripeErrors.InvalidParam($"The subscription {id} is canceled: there is nothing left to change.", $"{param}[subscription]");
        }

        subscription = found;
        return null;
    }

    private static string Key(string param) => param["flow_data[".Length..^1];
}
