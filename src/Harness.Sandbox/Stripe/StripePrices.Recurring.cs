using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// A price's <c>recurring</c>: the interval and its count, and the usage type: <c>licensed</c> (a quantity billed in
/// advance) or <c>metered</c>, whose usage a billing meter (<c>recurring[meter]</c>, required since the 2025 API versions)
/// counts and the period's end bills in arrears (<see cref="StripeBilling"/>, <c>StripeBilling.Usage.cs</c>).
/// </summary>
public sealed partial class StripePrices
{
    private static readonly HashSet<string> RecurringParams = ["interval", "interval_count", "usage_type", "meter"];

    /// <summary>Stripe's longest billing period, three years, in each interval.</summary>
    private static readonly Dictionary<string, long> MaxIntervalCount = new(StringComparer.Ordinal) { ["day"] = 1095, ["week"] = 156, ["month"] = 36, ["year"] = 3 };

    /// <summary>Whether a price bills metered usage rather than a quantity.</summary>
    public static bool Metered(JsonNode? price) => price?["recurring"].Str("usage_type") == "metered";

    /// <summary>
    /// Why the meter of a metered price in <paramref name="terms"/> cannot be attached (none such, or deactivated), or
    /// null; <paramref name="param"/> names <c>recurring[meter]</c> as sent. The caller holds the unit.
    /// </summary>
    public StripeResponse? MeterRefusal(Terms terms, string param) =>
        terms.Recurring.Str("meter") is { } meterId ? StripeMeters.Unattachable(objects, meterId, param) : null;

    private static StripeResponse? ReadRecurring(JsonNode? node, string param, out JsonObject? recurring)
    {
        recurring = null;
        if (node is null)
        {
            return null;
        }

        if (node is not JsonObject given)
        {
            return StripeErrors.InvalidParam("Invalid object", param);
        }

        if (given.Select(kv => kv.Key).FirstOrDefault(k => !RecurringParams.Contains(k)) is { } unknown)
        {
            return StripeErrors.InvalidParam($"Received unknown parameter: {param}[{unknown}]", $"{param}[{unknown}]", "parameter_unknown");
        }

        if (given.Str("interval") is not { } interval)
        {
            return StripeErrors.Missing($"{param}[interval]");
        }

        if (!MaxIntervalCount.TryGetValue(interval, out var maxCount))
        {
            return StripeErrors.InvalidParam("Invalid recurring interval: must be one of day, week, month, or year", $"{param}[interval]");
        }

        var count = 1L;
        if (given["interval_count"] is not null && (!StripeJson.TryLong(given.Str("interval_count"), out count) || count < 1))
        {
            return StripeErrors.InvalidParam("Invalid interval_count: must be a positive integer.", $"{param}[interval_count]");
        }

        if (count > maxCount)
        {
            return StripeErrors.InvalidParam(
                "Invalid interval_count: the longest billing period is three years (3 years, 36 months, 156 weeks or 1095 days).", $"{param}[interval_count]");
        }

        var meter = given.Str("meter") is { Length: > 0 } id ? id : null;
        switch (given.Str("usage_type"))
        {
            case null or "licensed" when meter is not null:
                return StripeErrors.InvalidParam("A meter can only be set on a metered price: pass `usage_type=metered` with `meter`.", $"{param}[meter]");
            case null or "licensed":
                break;
            case "metered" when meter is null:
                return StripeErrors.InvalidParam($"Metered prices must be backed by a meter: pass `{param}[meter]`, the id of an active billing meter.", $"{param}[meter]", "parameter_missing");
            case "metered":
                break;
            default:
                return StripeErrors.InvalidParam("Invalid usage_type: must be one of licensed or metered", $"{param}[usage_type]");
        }

        recurring = StripeCatalog.Recurring(interval, count)!;
        if (meter is not null)
        {
            recurring["meter"] = meter;
            recurring["usage_type"] = "metered";
        }

        return null;
    }
}
