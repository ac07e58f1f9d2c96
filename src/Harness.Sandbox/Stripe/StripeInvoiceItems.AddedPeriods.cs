using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// The <c>period</c> of an <c>add_invoice_items</c> entry: where it starts (<c>max_item_period_start</c>, <c>now</c> or a
/// <c>timestamp</c>) and ends (<c>min_item_period_end</c> or a <c>timestamp</c>), resolved against the subscription's
/// current period when the item is attached to it (<see cref="Attach"/>).
/// </summary>
public sealed partial class StripeInvoiceItems
{
    /// <summary>The period an added item asked for, kept on it until it is attached (not a Stripe field).</summary>
    public const string PeriodAsked = "_period_asked";

    /// <summary>The discounts an added item's <c>discounts</c> made, kept on it until they are stored (not a Stripe field).</summary>
    public const string NewDiscounts = "_new_discounts";

    private static readonly Dictionary<string, string[]> PeriodTypes = new()
    {
        ["start"] = ["max_item_period_start", "now", "timestamp"],
        ["end"] = ["min_item_period_end", "timestamp"],
    };

    private static readonly HashSet<string> BoundParams = ["type", "timestamp"];

    /// <summary>An entry's <c>period</c> at <paramref name="param"/>, checked (a timestamp end not before a timestamp start); null when absent.</summary>
    public static StripeResponse? ReadAddedPeriod(JsonNode? node, string param, out JsonObject? period)
    {
        period = null;
        if (node is null)
        {
            return null;
        }

        if (node is not JsonObject given)
        {
            return StripeErrors.InvalidParam("Invalid object", param);
        }

        if (given.Select(kv => kv.Key).FirstOrDefault(k => !PeriodTypes.ContainsKey(k)) is { } unknown)
        {
            return StripeErrors.InvalidParam($"Received unknown parameter: {param}[{unknown}]", $"{param}[{unknown}]", "parameter_unknown");
        }

        var read = new JsonObject();
        foreach (var (side, types) in PeriodTypes)
        {
            var name = $"{param}[{side}]";
            if (given[side] is null)
            {
                return StripeErrors.Missing(name);
            }

            if (given[side] is not JsonObject bound || bound.Select(kv => kv.Key).FirstOrDefault(k => !BoundParams.Contains(k)) is { } extra)
            {
                return StripeErrors.InvalidParam("Invalid object: give type (and timestamp for type=timestamp)", name);
            }

            if (bound.Str("type") is not { } type)
            {
                return StripeErrors.Missing($"{name}[type]");
            }

            if (!types.Contains(type))
            {
                return StripeErrors.InvalidParam($"Invalid {side} type: must be one of {string.Join(", ", types)}", $"{name}[type]");
            }

            var at = 0L;
            if (type == "timestamp" && !StripeJson.TryLong(bound.Str("timestamp"), out at))
            {
                return bound["timestamp"] is null ? StripeErrors.Missing($"{name}[timestamp]") : StripeErrors.InvalidParam($"Invalid integer: {StripeLists.Clip(bound.Str("timestamp") ?? "")}", $"{name}[timestamp]");
            }

            if (type != "timestamp" && bound["timestamp"] is not null)
            {
                return StripeErrors.InvalidParam($"{name}[timestamp] can only be given with {name}[type]=timestamp.", $"{name}[timestamp]");
            }

            read[side] = type == "timestamp" ? new JsonObject { ["type"] = type, ["timestamp"] = at } : new JsonObject { ["type"] = type };
        }

        if (read["start"]!["timestamp"] is JsonValue start && read["end"]!["timestamp"] is JsonValue end && end.GetValue<long>() < start.GetValue<long>())
        {
            return StripeErrors.InvalidParam($"{param}[end][timestamp] must be greater than or equal to {param}[start][timestamp].", $"{param}[end][timestamp]");
        }

        period = read;
        return null;
    }
}
