using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// A portal configuration's <c>features</c> (docs.stripe.com/api/customer_portal/configurations/object): read from a
/// create or an update and merged feature by feature into what the configuration had (a create starts with every feature
/// disabled). What the hosted portal does not do is refused by name.
/// </summary>
public static class StripePortalFeatures
{
    /// <summary>The customer fields the portal lets a customer change (<c>shipping</c> and <c>tax_id</c> are not simulated).</summary>
    public static readonly IReadOnlyList<string> CustomerUpdates = ["address", "email", "name", "phone"];

    private static readonly string[] UnsimulatedCustomerUpdates = ["shipping", "tax_id"];

    private static readonly string[] SubscriptionUpdates = ["price", "quantity"];

    private static readonly string[] CancelModes = ["at_period_end", "immediately"];

    private static readonly string[] CancelProrations = ["create_prorations", "none"];

    private static readonly string[] UpdateProrations = ["always_invoice", "create_prorations", "none"];

    private static readonly string[] TrialUpdateBehaviors = ["continue_trial", "end_trial"];

    private const int MaxProducts = 10;

    private static readonly Dictionary<string, HashSet<string>> Fields = new(StringComparer.Ordinal)
    {
        ["customer_update"] = ["enabled", "allowed_updates"],
        ["invoice_history"] = ["enabled"],
        ["payment_method_update"] = ["enabled", "payment_method_configuration"],
        ["subscription_cancel"] = ["enabled", "mode", "proration_behavior", "cancellation_reason"],
        ["subscription_pause"] = ["enabled"],
        ["subscription_update"] = ["enabled", "default_allowed_updates", "products", "proration_behavior", "billing_cycle_anchor", "schedule_at_period_end", "trial_update_behavior"],
    };

    /// <summary>What a created configuration has for a feature it was not given: off.</summary>
    public static JsonObject Disabled() => new()
    {
        ["customer_update"] = new JsonObject { ["allowed_updates"] = new JsonArray(), ["enabled"] = false },
        ["invoice_history"] = new JsonObject { ["enabled"] = false },
        ["payment_method_update"] = new JsonObject { ["enabled"] = false, ["payment_method_configuration"] = null },
        ["subscription_cancel"] = new JsonObject
        {
            ["cancellation_reason"] = new JsonObject { ["enabled"] = false, ["options"] = new JsonArray() },
            ["enabled"] = false,
            ["mode"] = "at_period_end",
            ["proration_behavior"] = "none",
        },
        ["subscription_pause"] = new JsonObject { ["enabled"] = false },
        ["subscription_update"] = new JsonObject
        {
            ["billing_cycle_anchor"] = "unchanged",
            ["default_allowed_updates"] = new JsonArray(),
            ["enabled"] = false,
            ["products"] = new JsonArray(),
            ["proration_behavior"] = "none",
            ["schedule_at_period_end"] = new JsonObject { ["conditions"] = new JsonArray() },
            ["trial_update_behavior"] = "end_trial",
        },
    };

    /// <summary>
    /// The default configuration's features, as the Dashboard's portal settings start: customer details, invoice history,
    /// payment methods and cancel at period end with a reason on; plan changes off (they need products chosen).
    /// </summary>
    public static JsonObject Defaults()
    {
        var features = Disabled();
        features["customer_update"] = new JsonObject { ["allowed_updates"] = new JsonArray([.. CustomerUpdates.Select(u => (JsonNode)u)]), ["enabled"] = true };
        features["invoice_history"]!["enabled"] = true;
        features["payment_method_update"]!["enabled"] = true;
        features["subscription_cancel"]!["enabled"] = true;
        features["subscription_cancel"]!["cancellation_reason"] = new JsonObject
        {
            ["enabled"] = true,
            ["options"] = new JsonArray([.. StripeSubscriptions.Feedbacks.Select(f => (JsonNode)f)]),
        };
        return features;
    }

    /// <summary>Merges the <c>features</c> parameter into <paramref name="features"/>; a refusal leaves it half-merged, so the caller merges into a copy.</summary>
    public static StripeResponse? Merge(JsonNode? given, JsonObject features, ProviderObjects objects)
    {
        if (given is not JsonObject parts)
        {
            return StripeErrors.InvalidParam("Invalid object", "features");
        }

        foreach (var (name, part) in parts)
        {
            var param = $"features[{name}]";
            if (!Fields.TryGetValue(name, out var allowed))
            {
                return StripeErrors.InvalidParam($"Received unknown parameter: {param}", param, "parameter_unknown");
            }

            if (part is not JsonObject fields)
            {
                return StripeErrors.InvalidParam("Invalid object", param);
            }

            if (fields.Select(kv => kv.Key).FirstOrDefault(k => !allowed.Contains(k)) is { } unknown)
            {
                return StripeErrors.InvalidParam($"Received unknown parameter: {param}[{unknown}]", $"{param}[{unknown}]", "parameter_unknown");
            }

            var target = (JsonObject)features[name]!;
            if ((ReadEnabled(fields, target, param) ?? ReadFeature(name, fields, target, param, objects)) is { } refused)
            {
                return refused;
            }
        }

        return Consistent(features);
    }

    private static StripeResponse? ReadFeature(string name, JsonObject fields, JsonObject target, string param, ProviderObjects objects) => name switch
    {
        "customer_update" => ReadList(fields, "allowed_updates", [.. CustomerUpdates, .. UnsimulatedCustomerUpdates], UnsimulatedCustomerUpdates, target, param),
        "payment_method_update" when fields["payment_method_configuration"] is not null =>
            NotSimulated($"{param}[payment_method_configuration]", "payment method configurations are not simulated: the portal takes test cards"),
        "subscription_cancel" => ReadCancel(fields, target, param),
        "subscription_pause" when target["enabled"]!.GetValue<bool>() =>
            NotSimulated($"{param}[enabled]", "pausing from the portal is not simulated: pause a subscription with pause_collection instead"),
        "subscription_update" => ReadUpdate(fields, target, param, objects),
        _ => null,
    };

    private static StripeResponse? ReadEnabled(JsonObject fields, JsonObject target, string param)
    {
        if (!StripeLists.TryBool(fields, "enabled", out var enabled, out _))
        {
            return StripeErrors.InvalidParam($"Invalid boolean: {StripeLists.Clip(fields.Str("enabled") ?? "")}", $"{param}[enabled]");
        }

        if (enabled is { } on)
        {
            target["enabled"] = on;
        }

        return null;
    }

    private static StripeResponse? ReadCancel(JsonObject fields, JsonObject target, string param)
    {
        if ((ReadChoice(fields, "mode", CancelModes, target, param) ?? ReadChoice(fields, "proration_behavior", ["always_invoice", .. CancelProrations], target, param)) is { } bad)
        {
            return bad;
        }

        if (target.Str("proration_behavior") == "always_invoice")
        {
            return NotSimulated($"{param}[proration_behavior]", "a cancel invoices its credit only at the next invoice: use create_prorations or none");
        }

        if (fields["cancellation_reason"] is null)
        {
            return null;
        }

        var reasonParam = $"{param}[cancellation_reason]";
        if (fields["cancellation_reason"] is not JsonObject reason || StripeLists.Unknown(reason, new HashSet<string> { "enabled", "options" }) is not null)
        {
            return StripeErrors.InvalidParam("Invalid object", reasonParam);
        }

        var reasonTarget = (JsonObject)target["cancellation_reason"]!;
        return ReadEnabled(reason, reasonTarget, reasonParam) ?? ReadList(reason, "options", StripeSubscriptions.Feedbacks, [], reasonTarget, reasonParam);
    }

    private static StripeResponse? ReadUpdate(JsonObject fields, JsonObject target, string param, ProviderObjects objects)
    {
        if ((ReadList(fields, "default_allowed_updates", [.. SubscriptionUpdates, "promotion_code"], ["promotion_code"], target, param)
            ?? ReadChoice(fields, "proration_behavior", UpdateProrations, target, param)
            ?? ReadChoice(fields, "billing_cycle_anchor", ["now", "unchanged"], target, param)
            ?? ReadChoice(fields, "trial_update_behavior", TrialUpdateBehaviors, target, param)) is { } bad)
        {
            return bad;
        }

        if (target.Str("billing_cycle_anchor") == "now")
        {
            return NotSimulated($"{param}[billing_cycle_anchor]", "a portal plan change keeps the billing cycle: use unchanged");
        }

        if (fields["schedule_at_period_end"] is not null)
        {
            return NotSimulated($"{param}[schedule_at_period_end]", "portal plan changes apply at once");
        }

        return fields["products"] is null ? null : ReadProducts(fields["products"], target, $"{param}[products]", objects);
    }

    /// <summary><c>products[n][product]</c> with <c>products[n][prices]</c>: recurring prices of that product, at most 10 products.</summary>
    private static StripeResponse? ReadProducts(JsonNode? given, JsonObject target, string param, ProviderObjects objects)
    {
        var products = new JsonArray();
        var entries = given switch
        {
            JsonValue v when v.ToString().Length == 0 => [],
            JsonArray array => array.ToList(),
            _ => null,
        };
        if (entries is null || entries.Count > MaxProducts)
        {
            return StripeErrors.InvalidParam(entries is null ? "Invalid array" : $"Invalid array: {param} can hold at most {MaxProducts} products", param);
        }

        for (var i = 0; i < entries.Count; i++)
        {
            var entryParam = $"{param}[{i}]";
            if (entries[i] is not JsonObject entry || StripeLists.Unknown(entry, new HashSet<string> { "product", "prices", "adjustable_quantity" }) is not null)
            {
                return StripeErrors.InvalidParam("Invalid object", entryParam);
            }

            if (entry["adjustable_quantity"] is not null)
            {
                return NotSimulated($"{entryParam}[adjustable_quantity]", "the quantity is adjustable to any positive number when default_allowed_updates has quantity");
            }

            if (entry.Str("product") is not { } productId)
            {
                return StripeErrors.Missing($"{entryParam}[product]");
            }

            if (objects.Get(productId, "product") is null)
            {
                return StripeErrors.NoSuch("product", StripeLists.Clip(productId), $"{entryParam}[product]");
            }

            if (entry["prices"] is not JsonArray { Count: > 0 } prices || prices.Any(p => p is not JsonValue))
            {
                return entry["prices"] is null ? StripeErrors.Missing($"{entryParam}[prices]") : StripeErrors.InvalidParam("Invalid array", $"{entryParam}[prices]");
            }

            foreach (var priceId in prices.Select(p => p!.ToString()))
            {
                if (objects.Get(priceId, "price") is not { } price)
                {
                    return StripeErrors.NoSuch("price", StripeLists.Clip(priceId), $"{entryParam}[prices]");
                }

                if (price.Str("product") != productId || price["recurring"] is not JsonObject)
                {
                    return StripeErrors.InvalidParam($"The price {priceId} is not a recurring price of product {productId}.", $"{entryParam}[prices]");
                }
            }

            products.Add(new JsonObject
            {
                ["adjustable_quantity"] = new JsonObject { ["enabled"] = false, ["maximum"] = null, ["minimum"] = 1 },
                ["prices"] = prices.DeepClone(),
                ["product"] = productId,
            });
        }

        target["products"] = products;
        return null;
    }

    /// <summary>What Stripe asks of a whole configuration: an enabled plan change names its products and what may change, an enabled reason its options.</summary>
    private static StripeResponse? Consistent(JsonObject features)
    {
        var update = (JsonObject)features["subscription_update"]!;
        if (update["enabled"]!.GetValue<bool>() && ((JsonArray)update["products"]!).Count == 0)
        {
            return StripeErrors.InvalidParam("You must specify products when subscription updates are enabled.", "features[subscription_update][products]");
        }

        if (update["enabled"]!.GetValue<bool>() && ((JsonArray)update["default_allowed_updates"]!).Count == 0)
        {
            return StripeErrors.InvalidParam("You must specify default_allowed_updates when subscription updates are enabled.", "features[subscription_update][default_allowed_updates]");
        }

        var reason = (JsonObject)features["subscription_cancel"]!["cancellation_reason"]!;
        return reason["enabled"]!.GetValue<bool>() && ((JsonArray)reason["options"]!).Count == 0
            ? StripeErrors.InvalidParam("You must specify options when the cancellation reason is enabled.", "features[subscription_cancel][cancellation_reason][options]")
            : null;
    }

    /// <summary>A list of enum values (<c>""</c> empties it); <paramref name="unsimulated"/> ones are refused as such.</summary>
    private static StripeResponse? ReadList(JsonObject fields, string name, IReadOnlyList<string> values, IReadOnlyList<string> unsimulated, JsonObject target, string param)
    {
        if (fields[name] is null)
        {
            return null;
        }

        List<string>? given = fields[name] switch
        {
            JsonValue v when v.ToString().Length == 0 => [],
            JsonArray array when array.All(e => e is JsonValue) => [.. array.Select(e => e!.ToString())],
            _ => null,
        };
        if (given is null || given.FirstOrDefault(v => !values.Contains(v)) is not null)
        {
            return StripeErrors.InvalidParam($"Invalid {param}[{name}][]: must be one of {string.Join(", ", values)}", $"{param}[{name}]");
        }

        if (given.FirstOrDefault(unsimulated.Contains) is { } missing)
        {
            return NotSimulated($"{param}[{name}]", $"{missing} is not among what the hosted portal does ({string.Join(", ", values.Except(unsimulated))})");
        }

        target[name] = new JsonArray([.. given.Distinct().Select(v => (JsonNode)v)]);
        return null;
    }

    private static StripeResponse? ReadChoice(JsonObject fields, string name, IReadOnlyList<string> values, JsonObject target, string param)
    {
        if (fields[name] is null)
        {
            return null;
        }

        if (fields.Str(name) is not { } value || !values.Contains(value))
        {
            return StripeErrors.InvalidParam($"Invalid {param}[{name}]: must be one of {string.Join(", ", values)}", $"{param}[{name}]");
        }

        target[name] = value;
        return null;
    }

    private static StripeResponse NotSimulated(string param, string why) =>
        StripeErrors.InvalidParam($"{param} is not simulated by the sandbox: {why}.", param);
}
