using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// A schedule's <c>phases</c>: read, checked and laid end to end (each starts where the one before ends; its end is its
/// <c>end_date</c>, its <c>iterations</c> of its price's interval, or its <c>duration</c>; a last phase with none runs one
/// iteration, as at Stripe), and stored in the shape Stripe shows them.
/// </summary>
public sealed partial class StripeSubscriptionSchedules
{
    private static readonly HashSet<string> PhaseParams =
    [
        "items", "iterations", "end_date", "duration", "trial", "trial_end", "proration_behavior", "billing_cycle_anchor",
        "default_tax_rates", "discounts", "collection_method", "metadata", "description", "start_date", "add_invoice_items",
    ];

    /// <summary>Phase parameters Stripe has and the sandbox does not build: refused by name, never ignored.</summary>
    private static readonly HashSet<string> UnsimulatedPhaseParams =
    [
        "application_fee_percent", "automatic_tax", "billing_thresholds", "currency", "default_payment_method",
        "invoice_settings", "on_behalf_of", "transfer_data", "trial_continuation", "coupon", "pause_collection", "plans",
    ];

    private static readonly HashSet<string> ItemParams = ["price", "price_data", "quantity", "tax_rates", "metadata"];

    private static readonly HashSet<string> UnsimulatedItemParams = ["discounts", "billing_thresholds", "plan", "trial_data"];

    private static readonly string[] PhaseProrations = ["always_invoice", "create_prorations", "none"];

    private static readonly string[] PhaseAnchors = ["automatic", "phase_start"];

    private static readonly string[] Intervals = ["day", "week", "month", "year"];

    private static readonly string[] EndParams = ["iterations", "end_date", "duration"];

    private const long MaxIterations = 1000;

    /// <summary>
    /// Reads <paramref name="given"/> into stored phases starting at <paramref name="start"/>, the first keeping
    /// <paramref name="firstStart"/> when a phase's <c>start_date</c> must equal it (an active schedule's current phase).
    /// </summary>
    private StripeResponse? ReadPhases(JsonNode? given, long start, long? firstStart, out List<JsonObject> phases)
    {
        phases = [];
        if (given is not JsonArray { Count: > 0 } array)
        {
            return given is null ? StripeErrors.Missing("phases") : StripeErrors.InvalidParam("Invalid array", "phases");
        }

        var at = start;
        for (var k = 0; k < array.Count; k++)
        {
            var param = $"phases[{k}]";
            if (array[k] is not JsonObject phase)
            {
                return StripeErrors.InvalidParam("Invalid object", param);
            }

            if (ReadPhase(phase, param, k == 0 ? firstStart : null, k == array.Count - 1, ref at, out var stored) is { } bad)
            {
                return bad;
            }

            if (phases.Count > 0 && stored.Str("currency") is { } currency && currency != phases[0].Str("currency"))
            {
                return StripeErrors.InvalidParam("All phases of a subscription schedule must use prices of the same currency.", $"{param}[items][0][price]");
            }

            phases.Add(stored);
        }

        return null;
    }

    private StripeResponse? ReadPhase(JsonObject phase, string param, long? mustStart, bool last, ref long at, out JsonObject stored)
    {
        stored = new JsonObject();
        foreach (var key in phase.Select(kv => kv.Key))
        {
            if (UnsimulatedPhaseParams.Contains(key))
            {
                return StripeErrors.InvalidParam($"{param}[{key}] is not simulated by the sandbox's subscription schedules.", $"{param}[{key}]");
            }

            if (!PhaseParams.Contains(key))
            {
                return StripeErrors.InvalidParam($"Received unknown parameter: {param}[{key}]", $"{param}[{key}]", "parameter_unknown");
            }
        }

        if (phase["start_date"] is not null)
        {
            var given = phase.Str("start_date") == "now" ? at : StripeJson.TryLong(phase.Str("start_date"), out var s) ? s : -1;
            if (given != (mustStart ?? at))
            {
                return StripeErrors.InvalidParam(mustStart is not null
                    ? "You can not modify the start date of the current phase."
                    : $"Phases must be contiguous and in order: {param}[start_date] must be {at}, the end of the phase before it.", $"{param}[start_date]");
            }
        }

        if (ReadPhaseItems(phase, param, out var items, out var firstPrice) is { } badItems)
        {
            return badItems;
        }

        var ends = EndParams.Where(k => phase[k] is not null).ToList();
        if (ends.Count > 1)
        {
            return StripeErrors.InvalidParam($"You cannot set both `{ends[0]}` and `{ends[1]}` on a phase.", $"{param}[{ends[1]}]");
        }

        var recurring = firstPrice["recurring"];
        long end;
        switch (ends.FirstOrDefault())
        {
            case "end_date":
                if (!StripeJson.TryLong(phase.Str("end_date"), out end) || end > StripeBilling.MaxUnix)
                {
                    return StripeErrors.InvalidParam("Invalid timestamp: must be a Unix time.", $"{param}[end_date]");
                }

                if (end <= at)
                {
                    return StripeErrors.InvalidParam($"Phases must be in order and not overlap: {param}[end_date] ({end}) must be after the phase's start ({at}).", $"{param}[end_date]");
                }

                break;
            case "iterations":
                if (!StripeJson.TryLong(phase.Str("iterations"), out var iterations) || iterations is < 1 or > MaxIterations)
                {
                    return StripeErrors.InvalidParam($"This value must be greater than or equal to 1 and less than or equal to {MaxIterations}.", $"{param}[iterations]");
                }

                end = StripePeriods.End(at, at, recurring.Str("interval"), checked(IntervalCount(recurring) * iterations));
                break;
            case "duration":
                if (phase["duration"] is not JsonObject duration || duration.Str("interval") is not { } interval || !Intervals.Contains(interval))
                {
                    return StripeErrors.InvalidParam($"Invalid {param}[duration][interval]: must be one of {string.Join(", ", Intervals)}", $"{param}[duration][interval]");
                }

                var count = 1L;
                if (duration["interval_count"] is not null && (!StripeJson.TryLong(duration.Str("interval_count"), out count) || count is < 1 or > MaxIterations))
                {
                    return StripeErrors.InvalidParam($"This value must be greater than or equal to 1 and less than or equal to {MaxIterations}.", $"{param}[duration][interval_count]");
                }

                end = StripePeriods.End(at, at, interval, count);
                break;
            default:
                if (!last)
                {
                    return StripeErrors.InvalidParam("Every phase but the last must have an end: set `end_date`, `iterations` or `duration`.", $"{param}[end_date]");
                }

                end = StripePeriods.End(at, at, recurring.Str("interval"), IntervalCount(recurring));
                break;
        }

        if (ReadPhaseSettings(phase, param, at, end, stored) is { } badSettings)
        {
            return badSettings;
        }

        if (ReadPhaseAddedItems(phase, param, firstPrice.Str("currency")!, stored) is { } badAdded)
        {
            return badAdded;
        }

        stored["start_date"] = at;
        stored["end_date"] = end;
        stored["items"] = items;
        stored["currency"] = firstPrice.Str("currency");
        at = end;
        return null;
    }

    /// <summary><c>items</c>: recurring prices of one currency and interval, with a quantity, tax rates and metadata each.</summary>
    private StripeResponse? ReadPhaseItems(JsonObject phase, string param, out JsonArray items, out JsonObject firstPrice)
    {
        items = [];
        firstPrice = new JsonObject();
        if (phase["items"] is not JsonArray { Count: > 0 } given)
        {
            return phase["items"] is null ? StripeErrors.Missing($"{param}[items]") : StripeErrors.InvalidParam("Invalid array", $"{param}[items]");
        }

        for (var i = 0; i < given.Count; i++)
        {
            var itemParam = $"{param}[items][{i}]";
            if (given[i] is not JsonObject item)
            {
                return StripeErrors.InvalidParam("Invalid object", itemParam);
            }

            if (item.Select(kv => kv.Key).FirstOrDefault(k => !ItemParams.Contains(k)) is { } key)
            {
                return UnsimulatedItemParams.Contains(key)
                    ? StripeErrors.InvalidParam($"{itemParam}[{key}] is not simulated by the sandbox's subscription schedules.", $"{itemParam}[{key}]")
                    : StripeErrors.InvalidParam($"Received unknown parameter: {itemParam}[{key}]", $"{itemParam}[{key}]", "parameter_unknown");
            }

            // A price_data becomes its (inactive) price now, as at Stripe: the phase shows and later bills that price.
            if (subscriptions.ReadItemPrice(item, itemParam, out var read) is { } badPrice)
            {
                return badPrice;
            }

            var price = read!;
            var priceId = price.Str("id")!;

            if (i > 0 && (firstPrice.Str("currency") != price.Str("currency") || !StripeBilling.SameInterval(firstPrice["recurring"], price["recurring"])))
            {
                return StripeErrors.InvalidParam("All prices on a subscription must have the same `currency`, `recurring[interval]` and `recurring[interval_count]`.", $"{itemParam}[price]");
            }

            firstPrice = i == 0 ? price : firstPrice;
            var metered = StripePrices.Metered(price);
            long? quantity = metered ? null : 1;
            if (item["quantity"] is not null)
            {
                if (metered)
                {
                    return StripeBilling.MeteredQuantity(itemParam);
                }

                if (!StripeJson.TryLong(item.Str("quantity"), out var q) || q is < 1 or > 999_999)
                {
                    return StripeErrors.InvalidParam("This value must be greater than or equal to 1 and less than or equal to 999999.", $"{itemParam}[quantity]");
                }

                quantity = q;
            }

            if (StripeTaxes.Read(objects, item["tax_rates"], $"{itemParam}[tax_rates]", out var rates) is { } badRates
                || !StripeLists.TryMetadata(item, out var metadata, out badRates))
            {
                return badRates!;
            }

            items.Add(new JsonObject
            {
                ["billing_thresholds"] = null,
                ["discounts"] = new JsonArray(),
                ["metadata"] = metadata,
                ["plan"] = priceId,
                ["price"] = priceId,
                ["quantity"] = quantity,
                ["tax_rates"] = new JsonArray([.. (rates ?? []).Select(r => (JsonNode)r.Str("id")!)]),
            });
        }

        return null;
    }

    /// <summary>The phase's trial, proration, anchor, taxes, discounts, collection, metadata and description.</summary>
    private StripeResponse? ReadPhaseSettings(JsonObject phase, string param, long start, long end, JsonObject stored)
    {
        if (!StripeLists.TryBool(phase, "trial", out var trial, out var bad) || !StripeLists.TryMetadata(phase, out var metadata, out bad))
        {
            return Nested(bad!, param);
        }

        long? trialEnd = trial == true ? end : null;
        if (phase["trial_end"] is not null)
        {
            if (trial == true)
            {
                return StripeErrors.InvalidParam("You cannot set both `trial` and `trial_end` on a phase.", $"{param}[trial_end]");
            }

            if (!StripeJson.TryLong(phase.Str("trial_end"), out var until) || until <= start || until > end)
            {
                return StripeErrors.InvalidParam($"{param}[trial_end] must be a Unix time after the phase's start ({start}) and no later than its end ({end}).", $"{param}[trial_end]");
            }

            trialEnd = until;
        }

        var proration = phase.Str("proration_behavior") ?? "create_prorations";
        if (!PhaseProrations.Contains(proration))
        {
            return StripeErrors.InvalidParam($"Invalid {param}[proration_behavior]: must be one of {string.Join(", ", PhaseProrations)}", $"{param}[proration_behavior]");
        }

        var anchor = phase.Str("billing_cycle_anchor");
        if (anchor is not null && !PhaseAnchors.Contains(anchor))
        {
            return StripeErrors.InvalidParam($"Invalid {param}[billing_cycle_anchor]: must be one of {string.Join(", ", PhaseAnchors)}", $"{param}[billing_cycle_anchor]");
        }

        if (phase.Str("collection_method") is { } collection && collection != "charge_automatically")
        {
            return StripeErrors.InvalidParam($"{param}[collection_method]={StripeLists.Clip(collection)} is not simulated by the sandbox: its subscriptions charge automatically.", $"{param}[collection_method]");
        }

        if (StripeTaxes.Read(objects, phase["default_tax_rates"], $"{param}[default_tax_rates]", out var defaults) is { } badDefaults)
        {
            return badDefaults;
        }

        if (ReadPhaseDiscounts(phase, param, out var discounts) is { } badDiscounts)
        {
            return badDiscounts;
        }

        stored["application_fee_percent"] = null;
        stored["billing_cycle_anchor"] = anchor;
        stored["billing_thresholds"] = null;
        stored["collection_method"] = phase.Str("collection_method");
        stored["default_payment_method"] = null;
        stored["default_tax_rates"] = new JsonArray([.. (defaults ?? []).Select(r => (JsonNode)r.Str("id")!)]);
        stored["description"] = phase.Str("description") is { Length: > 0 } description ? description : null;
        stored["discounts"] = discounts;
        stored["invoice_settings"] = null;
        stored["metadata"] = metadata;
        stored["on_behalf_of"] = null;
        stored["proration_behavior"] = proration;
        stored["transfer_data"] = null;
        stored["trial_end"] = trialEnd;
        return null;
    }

    /// <summary><c>discounts[n][coupon|promotion_code]</c>: checked to exist now, redeemed when the phase starts.</summary>
    private StripeResponse? ReadPhaseDiscounts(JsonObject phase, string param, out JsonArray stored)
    {
        stored = [];
        if (phase["discounts"] is null || phase.Str("discounts") == "")
        {
            return null;
        }

        if (phase["discounts"] is not JsonArray given)
        {
            return StripeErrors.InvalidParam("Invalid array", $"{param}[discounts]");
        }

        for (var n = 0; n < given.Count; n++)
        {
            var discountParam = $"{param}[discounts][{n}]";
            var coupon = given[n]?.Str("coupon");
            var code = given[n]?.Str("promotion_code");
            if (given[n] is not JsonObject entry || entry.Count != 1 || (coupon is null && code is null))
            {
                return StripeErrors.InvalidParam("Give each discount a `coupon` or a `promotion_code` (an existing `discount` is not simulated on a phase).", discountParam);
            }

            if (coupon is not null && objects.Get(coupon, "coupon") is null)
            {
                return StripeErrors.NoSuch("coupon", coupon, $"{discountParam}[coupon]");
            }

            if (code is not null && objects.Get(code, "promotion_code") is null)
            {
                return StripeErrors.NoSuch("promotion_code", code, $"{discountParam}[promotion_code]");
            }

            stored.Add(new JsonObject { ["coupon"] = coupon, ["discount"] = null, ["promotion_code"] = code });
        }

        return null;
    }

    private static StripeResponse Nested(StripeResponse error, string param)
    {
        if (error.Body["error"] is JsonObject body && body.Str("param") is { } inner)
        {
            body["param"] = $"{param}[{inner}]";
        }

        return error;
    }

    private static long IntervalCount(JsonNode? recurring) => recurring?["interval_count"]?.GetValue<long>() ?? 1;
}
