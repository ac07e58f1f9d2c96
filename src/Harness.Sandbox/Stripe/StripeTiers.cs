using System.Globalization;
using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// What a price charges for a quantity (docs.stripe.com/products-prices/pricing-models): <c>unit_amount</c> × quantity, a
/// tiered price's tiers (<c>tiers_mode</c> <c>volume</c>: every unit at the tier the whole quantity falls in;
/// <c>graduated</c>: each tier's units at its own amount, plus the flat amount of every tier reached), after
/// <c>transform_quantity</c> (the quantity divided and rounded up or down). Every billed amount is computed here, once.
/// </summary>
public static class StripeTiers
{
    /// <summary>The sandbox's bound on a price's tiers, so that no tier table is unbounded.</summary>
    public const int MaxTiers = 250;

    /// <summary>The sandbox's bound on <c>transform_quantity[divide_by]</c>.</summary>
    private const long MaxDivideBy = 1_000_000_000;

    private static readonly HashSet<string> TierParams = ["up_to", "unit_amount", "unit_amount_decimal", "flat_amount", "flat_amount_decimal"];

    private static readonly HashSet<string> TransformParams = ["divide_by", "round"];

    private static readonly string[] TieredOnly = ["tiers", "tiers_mode"];

    private static readonly string[] PerUnitOnly = ["unit_amount", "unit_amount_decimal"];

    /// <summary>A price's billing scheme as read from its create parameters: tiers (with their mode), or a quantity transform.</summary>
    public sealed record Scheme(JsonArray? Tiers, string? TiersMode, JsonObject? Transform)
    {
        public static readonly Scheme PerUnit = new(null, null, null);

        public bool Tiered => Tiers is not null;
    }

    /// <summary>
    /// The amount <paramref name="price"/> charges for <paramref name="quantity"/> units (a licensed quantity or a
    /// metered usage). A tiered price's zero quantity still reaches its first tier, whose flat amount is charged.
    /// </summary>
    public static long Amount(JsonNode price, long quantity)
    {
        var units = Units(price, quantity);
        if (price["tiers"] is not JsonArray tiers)
        {
            return checked(price["unit_amount"]!.GetValue<long>() * units);
        }

        var volume = price.Str("tiers_mode") == "volume";
        var total = 0L;
        var floor = 0L;
        foreach (var tier in tiers.OfType<JsonObject>())
        {
            var upTo = tier["up_to"]?.GetValue<long>() ?? long.MaxValue;
            var unit = tier["unit_amount"]?.GetValue<long>() ?? 0;
            var flat = tier["flat_amount"]?.GetValue<long>() ?? 0;
            if (volume)
            {
                if (units <= upTo)
                {
                    return checked((unit * units) + flat);
                }

                continue;
            }

            total = checked(total + (unit * (Math.Min(units, upTo) - floor)) + flat);
            if (units <= upTo)
            {
                break;
            }

            floor = upTo;
        }

        return total;
    }

    /// <summary>What a subscription item bills in advance: a licensed item its quantity, a metered one nothing (its usage is billed in arrears).</summary>
    public static long Advance(JsonNode price, long quantity) => StripePrices.Metered(price) ? 0 : Amount(price, quantity);

    /// <summary>The quantity a price bills: <c>transform_quantity</c> divides it and rounds up or down; otherwise as given.</summary>
    public static long Units(JsonNode price, long quantity)
    {
        if (price["transform_quantity"] is not JsonObject transform)
        {
            return quantity;
        }

        var divideBy = transform["divide_by"]!.GetValue<long>();
        var whole = quantity / divideBy;
        return transform.Str("round") == "up" && quantity % divideBy != 0 ? whole + 1 : whole;
    }

    /// <summary>
    /// Reads <c>billing_scheme</c>, <c>tiers</c>, <c>tiers_mode</c> and <c>transform_quantity</c> of a new price with Stripe's
    /// refusals: tiers only with <c>billing_scheme=tiered</c>, which needs both and no unit amount nor transform.
    /// </summary>
    public static StripeResponse? Read(JsonObject p, out Scheme scheme)
    {
        scheme = Scheme.PerUnit;
        var billing = p["billing_scheme"] is null ? "per_unit" : p.Str("billing_scheme");
        if (billing is not ("per_unit" or "tiered"))
        {
            return StripeErrors.InvalidParam("Invalid billing_scheme: must be one of per_unit or tiered", "billing_scheme");
        }

        if (billing == "per_unit")
        {
            if (TieredOnly.FirstOrDefault(n => p[n] is not null) is { } misplaced)
            {
                return StripeErrors.InvalidParam($"`{misplaced}` requires `billing_scheme` to be set to `tiered`.", misplaced);
            }

            if (ReadTransform(p["transform_quantity"], out var transform) is { } badTransform)
            {
                return badTransform;
            }

            scheme = new Scheme(null, null, transform);
            return null;
        }

        if (PerUnitOnly.FirstOrDefault(n => p[n] is not null) is { } amount)
        {
            return StripeErrors.InvalidParam($"`{amount}` cannot be set when `billing_scheme=tiered`: the amounts are given in `tiers`.", amount);
        }

        if (p["transform_quantity"] is not null)
        {
            return StripeErrors.InvalidParam("`transform_quantity` cannot be combined with tiers.", "transform_quantity");
        }

        if (p.Str("tiers_mode") is not { } mode)
        {
            return StripeErrors.Missing("tiers_mode");
        }

        if (mode is not ("graduated" or "volume"))
        {
            return StripeErrors.InvalidParam("Invalid tiers_mode: must be one of graduated or volume", "tiers_mode");
        }

        if (p["tiers"] is null)
        {
            return StripeErrors.Missing("tiers");
        }

        if (p["recurring"] is null)
        {
            return StripePrices.Unsimulated("billing_scheme", "tiers on a one-time price are not simulated; the sandbox bills tiers on recurring prices");
        }

        if (ReadTiers(p["tiers"], out var tiers) is { } badTiers)
        {
            return badTiers;
        }

        scheme = new Scheme(tiers, mode, null);
        return null;
    }

    /// <summary>Sets the billing scheme of a new stored price: a tiered one has no unit amount.</summary>
    public static void Apply(JsonObject price, Scheme scheme)
    {
        price["transform_quantity"] = scheme.Transform?.DeepClone();
        if (scheme.Tiered)
        {
            price["billing_scheme"] = "tiered";
            price["tiers"] = scheme.Tiers!.DeepClone();
            price["tiers_mode"] = scheme.TiersMode;
            price["unit_amount"] = null;
            price["unit_amount_decimal"] = null;
        }
    }

    /// <summary>
    /// Removes <c>tiers</c> from every price in <paramref name="node"/>: Stripe includes a price's tiers only when asked
    /// with <c>expand[]=tiers</c> (<c>data.tiers</c> in a list).
    /// </summary>
    public static void Hide(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj.Str("object") == "price")
                {
                    obj.Remove("tiers");
                }

                foreach (var (_, child) in obj)
                {
                    Hide(child);
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    Hide(child);
                }

                break;
        }
    }

    /// <summary>A copy of <paramref name="node"/> with its prices' tiers hidden (<see cref="Hide"/>).</summary>
    public static JsonNode Hidden(JsonNode? node)
    {
        var copy = node!.DeepClone();
        Hide(copy);
        return copy;
    }

    private static StripeResponse? ReadTiers(JsonNode? node, out JsonArray tiers)
    {
        tiers = [];
        if (node is not JsonArray given || given.Count == 0)
        {
            return StripeErrors.InvalidParam("Invalid array", "tiers");
        }

        if (given.Count > MaxTiers)
        {
            return StripeErrors.InvalidParam($"A price can have at most {MaxTiers} tiers.", "tiers");
        }

        var previous = 0L;
        for (var i = 0; i < given.Count; i++)
        {
            var param = $"tiers[{i}]";
            if (ReadTier(given[i], param, out var tier) is { } bad)
            {
                return bad;
            }

            var upTo = tier!["up_to"]?.GetValue<long>();
            var last = i == given.Count - 1;
            if (upTo is null && !last)
            {
                return StripeErrors.InvalidParam("Only the last tier can have `up_to` set to `inf`.", $"{param}[up_to]");
            }

            if (upTo is not null && last)
            {
                return StripeErrors.InvalidParam("The last tier must have `up_to` set to `inf`.", $"{param}[up_to]");
            }

            if (upTo <= previous)
            {
                return StripeErrors.InvalidParam("Tiers must be given in ascending order of `up_to`, each greater than the one before.", $"{param}[up_to]");
            }

            previous = upTo ?? previous;
            tiers.Add(tier);
        }

        return null;
    }

    private static StripeResponse? ReadTier(JsonNode? node, string param, out JsonObject? tier)
    {
        tier = null;
        if (node is not JsonObject given)
        {
            return StripeErrors.InvalidParam("Invalid object", param);
        }

        if (given.Select(kv => kv.Key).FirstOrDefault(k => !TierParams.Contains(k)) is { } unknown)
        {
            return StripeErrors.InvalidParam($"Received unknown parameter: {param}[{unknown}]", $"{param}[{unknown}]", "parameter_unknown");
        }

        long? upTo = null;
        switch (given.Str("up_to"))
        {
            case null:
                return StripeErrors.Missing($"{param}[up_to]");
            case "inf":
                break;
            case var text when StripeJson.TryLong(text, out var bound) && bound >= 1:
                upTo = bound;
                break;
            default:
                return StripeErrors.InvalidParam($"Invalid up_to: must be a positive integer or `inf`.", $"{param}[up_to]");
        }

        if (given["unit_amount"] is null && given["unit_amount_decimal"] is null && given["flat_amount"] is null && given["flat_amount_decimal"] is null)
        {
            return StripeErrors.InvalidParam("An entry in the tiers array is missing an amount.", param);
        }

        string Name(string field) => $"{param}[{field}]";
        if (AmountOf(given, "unit_amount", Name, out var unit) is { } badUnit)
        {
            return badUnit;
        }

        if (AmountOf(given, "flat_amount", Name, out var flat) is { } badFlat)
        {
            return badFlat;
        }

        tier = new JsonObject
        {
            ["flat_amount"] = flat,
            ["flat_amount_decimal"] = flat?.ToString(CultureInfo.InvariantCulture),
            ["unit_amount"] = unit,
            ["unit_amount_decimal"] = unit?.ToString(CultureInfo.InvariantCulture),
            ["up_to"] = upTo,
        };
        return null;
    }

    /// <summary>A tier's <paramref name="field"/> (or its <c>_decimal</c> twin) read as a price's unit amount is; null when neither is given.</summary>
    private static StripeResponse? AmountOf(JsonObject tier, string field, Func<string, string> name, out long? amount)
    {
        amount = null;
        if (tier[field] is null && tier[field + "_decimal"] is null)
        {
            return null;
        }

        var bad = StripePrices.ReadAmount(tier, name, out var read, field);
        amount = read;
        return bad;
    }

    private static StripeResponse? ReadTransform(JsonNode? node, out JsonObject? transform)
    {
        transform = null;
        if (node is null)
        {
            return null;
        }

        if (node is not JsonObject given)
        {
            return StripeErrors.InvalidParam("Invalid object", "transform_quantity");
        }

        if (given.Select(kv => kv.Key).FirstOrDefault(k => !TransformParams.Contains(k)) is { } unknown)
        {
            return StripeErrors.InvalidParam($"Received unknown parameter: transform_quantity[{unknown}]", $"transform_quantity[{unknown}]", "parameter_unknown");
        }

        if (given.Str("divide_by") is not { } text)
        {
            return StripeErrors.Missing("transform_quantity[divide_by]");
        }

        if (!StripeJson.TryLong(text, out var divideBy) || divideBy is < 1 or > MaxDivideBy)
        {
            return StripeErrors.InvalidParam($"Invalid divide_by: must be a positive integer of at most {MaxDivideBy}.", "transform_quantity[divide_by]");
        }

        switch (given.Str("round"))
        {
            case null:
                return StripeErrors.Missing("transform_quantity[round]");
            case "up" or "down":
                break;
            default:
                return StripeErrors.InvalidParam("Invalid round: must be one of up or down", "transform_quantity[round]");
        }

        transform = new JsonObject { ["divide_by"] = divideBy, ["round"] = given.Str("round") };
        return null;
    }
}
