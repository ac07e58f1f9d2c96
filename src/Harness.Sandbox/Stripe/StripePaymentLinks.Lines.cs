using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// A payment link's line items: up to 20 prices of one currency, each with a quantity and an optional range the buyer
/// may adjust it in; and the update parameters, which change only quantities, ranges and the link's own settings.
/// </summary>
public sealed partial class StripePaymentLinks
{
    public const int MaxLineItems = 20;

    /// <summary>The largest quantity Stripe takes, and the ceiling of <c>adjustable_quantity[maximum]</c>.</summary>
    private const long MaxQuantity = 999_999;

    /// <summary>Stripe's default <c>adjustable_quantity[maximum]</c>.</summary>
    private const long DefaultMaximum = 99;

    private static readonly HashSet<string> UpdateParams =
    [
        "active", "line_items", "metadata", "after_completion", "allow_promotion_codes", "restrictions", "inactive_message", "expand",
        "automatic_tax", "billing_address_collection", "custom_fields", "custom_text", "customer_creation", "invoice_creation", "name_collection",
        "optional_items", "payment_intent_data", "payment_method_collection", "payment_method_types", "phone_number_collection",
        "shipping_address_collection", "submit_type", "subscription_data", "tax_id_collection",
    ];

    /// <summary>Settings Stripe lets an update change that the sandbox fixes when the link is created.</summary>
    private static readonly HashSet<string> NotSimulatedOnUpdate =
    [
        "automatic_tax", "billing_address_collection", "custom_fields", "custom_text", "customer_creation", "invoice_creation", "name_collection",
        "optional_items", "payment_intent_data", "payment_method_collection", "payment_method_types", "phone_number_collection",
        "shipping_address_collection", "submit_type", "subscription_data", "tax_id_collection",
    ];

    private static readonly HashSet<string> LineParams = ["price", "price_data", "quantity", "adjustable_quantity"];

    private static readonly HashSet<string> AdjustableParams = ["enabled", "minimum", "maximum"];

    /// <summary>Kept on a stored line made of <c>price_data</c> (not a Stripe field).</summary>
    private const string InlineMark = "_price_data";

    /// <summary>A create's <c>line_items</c>: 1 to 20 purchasable prices of one currency, recurring ones on one billing period.</summary>
    private StripeResponse? ReadLines(JsonNode? node, out List<JsonObject> lines)
    {
        lines = [];
        if (node is null)
        {
            return StripeErrors.Missing("line_items");
        }

        if (node is not JsonArray array || array.Count == 0)
        {
            return StripeErrors.InvalidParam("Invalid array", "line_items");
        }

        if (array.Count > MaxLineItems)
        {
            return StripeErrors.InvalidParam($"A payment link can have at most {MaxLineItems} line items; {array.Count} were given.", "line_items");
        }

        for (var i = 0; i < array.Count; i++)
        {
            var param = $"line_items[{i}]";
            if (array[i] is not JsonObject item)
            {
                return StripeErrors.InvalidParam("Invalid object", param);
            }

            if (item.Select(kv => kv.Key).FirstOrDefault(k => !LineParams.Contains(k)) is { } unknown)
            {
                return StripeErrors.InvalidParam($"Received unknown parameter: {param}[{unknown}]", $"{param}[{unknown}]", "parameter_unknown");
            }

            if (catalog.CheckoutLinePrice(item, param, inlinePrices: null, out var found) is { } badPrice)
            {
                return badPrice;
            }

            var price = found!;
            if (lines.Count > 0 && lines[0]["price"].Str("currency") != price.Str("currency"))
            {
                return StripeErrors.InvalidParam("All line items must use the same currency.", $"{param}[price]");
            }

            if (price["recurring"] is JsonObject recurring && lines.Select(l => l["price"]!["recurring"]).OfType<JsonObject>().FirstOrDefault() is { } first
                && !StripeBilling.SameInterval(recurring, first))
            {
                return StripeErrors.InvalidParam("All prices on a subscription must have the same `currency`, `recurring[interval]` and `recurring[interval_count]`.", $"{param}[price]");
            }

            var metered = StripePrices.Metered(price);
            if (ReadQuantity(item, param, metered, out var quantity) is { } badQuantity)
            {
                return badQuantity;
            }

            if (ReadAdjustable(item["adjustable_quantity"], param, quantity, metered, null, out var adjustable) is { } badRange)
            {
                return badRange;
            }

            var line = new CheckoutLineItem(price, quantity, catalog.ProductOf(price)?.Str("name") ?? "Item", []).ToJson();
            line["_adjustable_quantity"] = adjustable;
            if (item["price_data"] is not null)
            {
                line[InlineMark] = true;
            }

            lines.Add(line);
        }

        return null;
    }

    /// <summary>The inactive prices a link made of its lines' <c>price_data</c>: its sessions may sell them by id.</summary>
    internal static IReadOnlySet<string> InlinePricesOf(JsonObject link) =>
        ((JsonArray)link["_line_items"]!).OfType<JsonObject>().Where(l => l[InlineMark] is not null).Select(l => l["price"].Str("id")!).ToHashSet();

    /// <summary>A line's <c>quantity</c>, 1 to 999,999; a metered price (billed on usage) takes none and is kept at 0.</summary>
    private static StripeResponse? ReadQuantity(JsonObject item, string param, bool metered, out long quantity)
    {
        quantity = 0;
        if (metered)
        {
            return item["quantity"] is null ? null : StripeBilling.MeteredQuantity(param);
        }

        if (item["quantity"] is null)
        {
            return StripeErrors.Missing($"{param}[quantity]");
        }

        return !StripeJson.TryLong(item.Str("quantity"), out quantity) || quantity is < 1 or > MaxQuantity
            ? StripeErrors.InvalidParam($"This value must be greater than or equal to 1 and less than or equal to {MaxQuantity}.", $"{param}[quantity]")
            : null;
    }

    /// <summary>
    /// <c>adjustable_quantity</c>: <c>enabled</c> required, <c>minimum</c> 0 by default, <c>maximum</c> 99 by default and at
    /// most 999,999, and the line's quantity inside the range; <paramref name="before"/> is the range an update starts from.
    /// </summary>
    private static StripeResponse? ReadAdjustable(JsonNode? node, string param, long quantity, bool metered, JsonObject? before, out JsonObject? adjustable)
    {
        adjustable = before;
        var prefix = $"{param}[adjustable_quantity]";
        if (node is not null)
        {
            if (node is not JsonObject given || StripeLists.Unknown(given, AdjustableParams) is not null)
            {
                return StripeErrors.InvalidParam("Invalid adjustable_quantity: give enabled, minimum and maximum", prefix);
            }

            if (!StripeLists.TryBool(given, "enabled", out var enabled, out _) || enabled is null)
            {
                return enabled is null && given["enabled"] is null ? StripeErrors.Missing($"{prefix}[enabled]") : StripeErrors.InvalidParam("Invalid boolean", $"{prefix}[enabled]");
            }

            if (metered && enabled == true)
            {
                return StripeErrors.InvalidParam("A metered price's quantity is its usage: it cannot be adjustable.", $"{prefix}[enabled]");
            }

            if (ReadBound(given, "minimum", prefix, 0, out var minimum) is { } badMinimum)
            {
                return badMinimum;
            }

            if (ReadBound(given, "maximum", prefix, DefaultMaximum, out var maximum) is { } badMaximum)
            {
                return badMaximum;
            }

            if (minimum > maximum)
            {
                return StripeErrors.InvalidParam("adjustable_quantity[minimum] must be less than or equal to adjustable_quantity[maximum].", $"{prefix}[minimum]");
            }

            adjustable = enabled == true ? new JsonObject { ["enabled"] = true, ["maximum"] = maximum, ["minimum"] = minimum } : null;
        }

        if (adjustable is not null && (quantity < adjustable["minimum"]!.GetValue<long>() || quantity > adjustable["maximum"]!.GetValue<long>()))
        {
            return StripeErrors.InvalidParam(
                $"The quantity {quantity} is outside the adjustable range: it must be between adjustable_quantity[minimum] ({adjustable["minimum"]}) and adjustable_quantity[maximum] ({adjustable["maximum"]}).",
                $"{param}[quantity]");
        }

        return null;
    }

    private static StripeResponse? ReadBound(JsonObject given, string name, string prefix, long fallback, out long bound)
    {
        bound = fallback;
        return given[name] is null || (StripeJson.TryLong(given.Str(name), out bound) && bound is >= 0 and <= MaxQuantity)
            ? null
            : StripeErrors.InvalidParam($"This value must be greater than or equal to 0 and less than or equal to {MaxQuantity}.", $"{prefix}[{name}]");
    }

    /// <summary>
    /// An update's <c>line_items</c> (by id: quantity and adjustable_quantity), <c>after_completion</c>, <c>restrictions</c>
    /// and <c>inactive_message</c> applied to <paramref name="link"/>, the values before going to <paramref name="previous"/>.
    /// </summary>
    private static StripeResponse? ReadUpdate(JsonObject p, JsonObject link, JsonObject previous)
    {
        if (p["line_items"] is { } node)
        {
            if (node is not JsonArray array || array.Count == 0 || array.Count > MaxLineItems)
            {
                return StripeErrors.InvalidParam($"Invalid array: give 1 to {MaxLineItems} line items by id", "line_items");
            }

            var lines = (JsonArray)link["_line_items"]!.DeepClone();
            for (var i = 0; i < array.Count; i++)
            {
                var param = $"line_items[{i}]";
                if (array[i] is not JsonObject item || StripeLists.Unknown(item, new HashSet<string> { "id", "quantity", "adjustable_quantity" }) is not null)
                {
                    return StripeErrors.InvalidParam("Invalid line item: give id, with quantity or adjustable_quantity (its price cannot change)", param);
                }

                if (item.Str("id") is not { } lineId)
                {
                    return StripeErrors.Missing($"{param}[id]");
                }

                if (lines.OfType<JsonObject>().FirstOrDefault(l => l.Str("id") == lineId) is not { } line)
                {
                    return StripeErrors.InvalidParam($"The line item `{lineId}` is not on this payment link.", $"{param}[id]");
                }

                var metered = StripePrices.Metered(line["price"]);
                var quantity = line["quantity"]!.GetValue<long>();
                if (item["quantity"] is not null && ReadQuantity(item, param, metered, out quantity) is { } badQuantity)
                {
                    return badQuantity;
                }

                if (ReadAdjustable(item["adjustable_quantity"], param, quantity, metered, line["_adjustable_quantity"]?.DeepClone() as JsonObject, out var adjustable) is { } badRange)
                {
                    return badRange;
                }

                line["quantity"] = quantity;
                var amount = checked(line["price"]!["unit_amount"]!.GetValue<long>() * quantity);
                line["amount_subtotal"] = amount;
                line["amount_total"] = amount;
                line["_adjustable_quantity"] = adjustable;
            }

            link["_line_items"] = lines;
        }

        if (p["after_completion"] is not null)
        {
            if (ReadAfterCompletion(p["after_completion"], out var afterCompletion) is { } badAfter)
            {
                return badAfter;
            }

            previous["after_completion"] = link["after_completion"]!.DeepClone();
            link["after_completion"] = afterCompletion;
        }

        if (p["restrictions"] is not null)
        {
            // The count goes on: a new limit is measured against the sessions already completed.
            var count = link["restrictions"]?["completed_sessions"]?["count"]?.GetValue<long>() ?? 0;
            if (ReadRestrictions(p["restrictions"], count, out var restrictions) is { } badRestrictions)
            {
                return badRestrictions;
            }

            previous["restrictions"] = link["restrictions"]?.DeepClone();
            link["restrictions"] = restrictions;
        }

        if (p["inactive_message"] is not null)
        {
            if (ReadInactiveMessage(p) is { } badMessage)
            {
                return badMessage;
            }

            previous["inactive_message"] = link["inactive_message"]?.DeepClone();
            link["inactive_message"] = p.Str("inactive_message") is { Length: > 0 } message ? message : null;
        }

        return null;
    }
}
