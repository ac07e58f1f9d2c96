using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// Discounts: a coupon applied, directly or through a promotion code, to a checkout or a subscription. Reads the
/// <c>discounts[0][coupon|promotion_code]</c> parameter, checks that the coupon and code can be redeemed, makes the
/// <c>di_</c> discount object, splits what it takes off across the lines it applies to, and counts redemptions.
/// Percentages round to the nearest minor unit per line (halves away from zero); an amount off is capped at what its
/// lines cost and shared across them in proportion, the last line taking the remainder.
/// </summary>
public sealed class StripeDiscounts(ProviderObjects objects, TimeProvider clock, StripeCoupons coupons, StripePromotionCodes codes)
{
    public const string Type = "discount";

    /// <summary>Stripe's limit on the discounts one subscription stacks.</summary>
    public const int MaxStacked = 20;

    private static readonly string[] EntryParams = ["coupon", "promotion_code"];

    /// <summary>A subscription's update may also keep a discount it has.</summary>
    private static readonly string[] StackParams = ["coupon", "promotion_code", "discount"];

    /// <summary>
    /// The discount a <c>discounts</c> parameter asks for (null when it names none), for a purchase whose lines are
    /// <paramref name="lines"/> in <paramref name="currency"/>; or the 400 saying why it cannot apply. Checkout and
    /// invoices take one discount.
    /// </summary>
    public StripeResponse? Read(JsonNode? node, string? customerId, IReadOnlyList<(string? Product, long Amount)> lines, string currency, out JsonObject? discount)
    {
        discount = null;
        if (Entries(node, out var refused) is not { } entries)
        {
            return refused;
        }

        if (entries.Count > 1)
        {
            return StripeErrors.InvalidParam("You may only specify one discount.", "discounts[1]");
        }

        return entries.Count == 0 ? null : ReadEntry(entries[0], 0, customerId, lines, currency, null, out discount);
    }

    /// <summary>
    /// The discounts a subscription's <c>discounts</c> parameter stacks, in the order given (Stripe applies them in
    /// turn, each to what the ones before left): each entry a <c>coupon</c>, a <c>promotion_code</c>, or a
    /// <c>discount</c> already on the subscription (<paramref name="current"/>), which is kept as it is. At most
    /// <see cref="MaxStacked"/>, and a coupon once. New discounts are not stored: <see cref="Attach"/> and
    /// <see cref="Redeem"/> do that.
    /// </summary>
    public StripeResponse? ReadStack(JsonNode? node, string? customerId, IReadOnlyList<(string? Product, long Amount)> lines, string currency, IReadOnlyList<string> current, out List<JsonObject> stack)
    {
        stack = [];
        if (Entries(node, out var refused) is not { } entries)
        {
            return refused;
        }

        if (entries.Count > MaxStacked)
        {
            return StripeErrors.InvalidParam($"A subscription takes at most {MaxStacked} discounts; {entries.Count} were given.", "discounts");
        }

        var coupons = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < entries.Count; i++)
        {
            if (ReadEntry(entries[i], i, customerId, lines, currency, current, out var discount) is { } bad)
            {
                return bad;
            }

            if (!coupons.Add(discount!["source"].Str("coupon")!))
            {
                return StripeErrors.InvalidParam($"The coupon {discount["source"].Str("coupon")} is in `discounts` more than once: a coupon discounts a subscription once.", $"discounts[{i}]");
            }

            stack.Add(discount);
        }

        return null;
    }

    /// <summary>The entries of a <c>discounts</c> parameter: none for an absent or empty one, null (and the 400) for one that is not a list of objects.</summary>
    private static List<JsonObject>? Entries(JsonNode? node, out StripeResponse? refused)
    {
        refused = null;
        if (node is null || node is JsonValue v && v.ToString().Length == 0)
        {
            return [];
        }

        if (node is not JsonArray { Count: > 0 } array || array.Any(e => e is not JsonObject))
        {
            refused = StripeErrors.InvalidParam("Invalid array", "discounts");
            return null;
        }

        return [.. array.Cast<JsonObject>()];
    }

    /// <summary>
    /// One entry of <c>discounts</c> (index <paramref name="i"/>): a new discount of its coupon or promotion code, or the
    /// kept discount it names, which must be one of <paramref name="current"/> (null: nothing can be kept).
    /// </summary>
    private StripeResponse? ReadEntry(JsonObject entry, int i, string? customerId, IReadOnlyList<(string? Product, long Amount)> lines, string currency, IReadOnlyList<string>? current, out JsonObject? discount)
    {
        discount = null;
        var allowed = current is null ? EntryParams : StackParams;
        if (entry.Select(kv => kv.Key).FirstOrDefault(k => !allowed.Contains(k)) is { } unknown)
        {
            return StripeErrors.InvalidParam($"Received unknown parameter: discounts[{i}][{unknown}]", $"discounts[{i}][{unknown}]", "parameter_unknown");
        }

        if (entry.Count != 1)
        {
            return StripeErrors.InvalidParam(
                $"You must specify exactly one of {string.Join(" or ", allowed.Select(k => $"discounts[{i}][{k}]"))}.", $"discounts[{i}]");
        }

        var (key, value) = entry.Single();
        if (value is not JsonValue || entry.Str(key) is not { Length: > 0 })
        {
            return StripeErrors.InvalidParam($"Invalid string: discounts[{i}][{key}] takes an id.", $"discounts[{i}][{key}]");
        }

        if (entry.Str("discount") is { } keptId)
        {
            discount = current!.Contains(keptId) ? objects.Get(keptId, Type) : null;
            return discount is null
                ? StripeErrors.InvalidParam($"The discount {keptId} is not one of this subscription's discounts.", $"discounts[{i}][discount]")
                : null;
        }

        var couponId = entry.Str("coupon");
        var promoId = entry.Str("promotion_code");
        JsonObject? promo = null;
        if (promoId is not null)
        {
            if (objects.Get(promoId, StripePromotionCodes.Type) is not { } found)
            {
                return StripeErrors.NoSuch("promotion code", promoId, $"discounts[{i}][promotion_code]");
            }

            promo = found;
            couponId = found["promotion"].Str("coupon");
        }

        var param = promo is null ? $"discounts[{i}][coupon]" : $"discounts[{i}][promotion_code]";
        if (coupons.Find(couponId!) is not { } coupon)
        {
            return StripeErrors.NoSuch("coupon", couponId!, param);
        }

        if (Problem(coupon, promo, customerId, lines, currency) is { } problem)
        {
            return StripeErrors.InvalidParam(problem.Api, param);
        }

        discount = New(coupon, promo, customerId);
        return null;
    }

    /// <summary>The discount of the active code the buyer typed on the pay page, or the words the page shows instead.</summary>
    public JsonObject? ForCode(string code, string? customerId, IReadOnlyList<(string? Product, long Amount)> lines, string currency, out string? refusal)
    {
        refusal = StripePromotionCodes.InvalidOnPage;
        if (code.Trim() is not { Length: > 0 } typed || codes.ActiveWithCode(typed) is not { } promo
            || coupons.Find(promo["promotion"].Str("coupon")!) is not { } coupon)
        {
            return null;
        }

        if (Problem(coupon, promo, customerId, lines, currency) is { } problem)
        {
            refusal = problem.Page;
            return null;
        }

        refusal = null;
        return New(coupon, promo, customerId);
    }

    /// <summary>The coupon a discount takes off, deleted or not: a discount made before the delete keeps applying.</summary>
    public JsonObject CouponOf(JsonObject discount) => objects.Get(discount["source"].Str("coupon")!, StripeCoupons.Type)!;

    /// <summary>
    /// What the discount takes off each line (<paramref name="lines"/>: product and amount): nothing off a line whose
    /// product the coupon's <c>applies_to</c> leaves out.
    /// </summary>
    public long[] Amounts(JsonObject discount, IReadOnlyList<(string? Product, long Amount)> lines) => Amounts(objects, discount, lines);

    /// <inheritdoc cref="Amounts(JsonObject, IReadOnlyList{ValueTuple{string, long}})"/>
    public static long[] Amounts(ProviderObjects objects, JsonObject discount, IReadOnlyList<(string? Product, long Amount)> lines)
    {
        var coupon = objects.Get(discount["source"].Str("coupon")!, StripeCoupons.Type)!;
        var eligible = lines.Select(l => Applies(coupon, l.Product) && l.Amount > 0).ToArray();
        var off = new long[lines.Count];
        if (coupon["percent_off"] is JsonValue percent)
        {
            var pct = percent.GetValue<decimal>();
            for (var i = 0; i < lines.Count; i++)
            {
                off[i] = eligible[i] ? (long)decimal.Round(lines[i].Amount * pct / 100m, MidpointRounding.AwayFromZero) : 0;
            }

            return off;
        }

        var sum = lines.Where((_, i) => eligible[i]).Sum(l => l.Amount);
        var total = Math.Min(coupon["amount_off"]!.GetValue<long>(), sum);
        var last = Array.LastIndexOf(eligible, true);
        var given = 0L;
        for (var i = 0; i < lines.Count; i++)
        {
            if (!eligible[i])
            {
                continue;
            }

            off[i] = i == last ? total - given : (long)((decimal)total * lines[i].Amount / sum);
            given += off[i];
        }

        return off;
    }

    /// <summary>The discount was redeemed (its checkout paid, its subscription started): it is stored, and its coupon and code count one more redemption.</summary>
    public void Redeem(JsonObject discount)
    {
        var coupon = CouponOf(discount);
        coupon["times_redeemed"] = coupon["times_redeemed"]!.GetValue<long>() + 1;
        objects.Put(coupon);
        if (discount.Str("promotion_code") is { } promoId)
        {
            codes.Redeemed(promoId);
        }

        objects.Put(discount);
    }

    /// <summary>
    /// A subscription's <c>discounts</c>: <paramref name="stack"/> in order, the new ones stored as the subscription's,
    /// starting at <paramref name="now"/> on the subscription's clock (a test clock's, if it has one); a kept one (already
    /// the subscription's) as it was.
    /// </summary>
    public static JsonArray Attach(ProviderObjects objects, IReadOnlyList<JsonObject> stack, JsonObject subscription, long now)
    {
        foreach (var discount in stack.Where(d => d.Str("subscription") is null))
        {
            if (discount["end"] is not null && objects.Get(discount["source"].Str("coupon")!, StripeCoupons.Type) is { } coupon)
            {
                discount["end"] = EndOf(coupon, now);
            }

            discount["start"] = now;
            discount["subscription"] = subscription.Str("id");
            discount["customer"] = subscription.Str("customer");
            objects.Put(discount);
        }

        return [.. stack.Select(d => (JsonNode)d.Str("id")!)];
    }

    /// <summary>Whether the coupon behind a discount is a <c>once</c> one: it discounts one invoice, then leaves the subscription.</summary>
    public static bool Once(ProviderObjects objects, JsonObject discount) =>
        objects.Get(discount["source"].Str("coupon")!, StripeCoupons.Type)?.Str("duration") == "once";

    /// <summary>Why the coupon (through <paramref name="promo"/> if any) cannot discount these lines now, in the API's words and the page's; null when it can.</summary>
    private (string Api, string Page)? Problem(JsonObject coupon, JsonObject? promo, string? customerId, IReadOnlyList<(string? Product, long Amount)> lines, string currency)
    {
        var id = coupon.Str("id");
        if (!StripeCoupons.Valid(coupon, StripeJson.Unix(clock.GetUtcNow())))
        {
            return ($"Coupon expired: {id}", StripePromotionCodes.InvalidOnPage);
        }

        if (coupon.Str("currency") is { } couponCurrency && couponCurrency != currency)
        {
            return ($"The coupon {id} takes an amount off in {couponCurrency} and cannot discount a purchase in {currency}.", StripePromotionCodes.InvalidOnPage);
        }

        if (!lines.Any(l => Applies(coupon, l.Product)))
        {
            return ($"The coupon {id} applies to none of the products being purchased.", "This code is not valid for the items in your order.");
        }

        return promo is null ? null : codes.Check(promo, customerId, lines.Sum(l => l.Amount), currency);
    }

    private static bool Applies(JsonObject coupon, string? product) =>
        coupon["applies_to"]?["products"] is not JsonArray products || products.Any(p => p!.GetValue<string>() == product);

    private JsonObject New(JsonObject coupon, JsonObject? promo, string? customerId)
    {
        var start = StripeJson.Unix(clock.GetUtcNow());
        return new JsonObject
        {
            ["id"] = StripeJson.NewId("di"),
            ["object"] = Type,
            ["checkout_session"] = null,
            ["customer"] = customerId,
            ["customer_account"] = null,
            ["end"] = EndOf(coupon, start),
            ["invoice"] = null,
            ["invoice_item"] = null,
            ["promotion_code"] = promo?.Str("id"),
            ["source"] = new JsonObject { ["coupon"] = coupon.Str("id"), ["type"] = "coupon" },
            ["start"] = start,
            ["subscription"] = null,
            ["subscription_item"] = null,
        };
    }

    /// <summary>
    /// When a discount of <paramref name="coupon"/> starting at <paramref name="start"/> ends: a repeating one
    /// <c>duration_in_months</c> calendar months later (as a monthly subscription's periods, so it covers as many monthly
    /// invoices as it has months); null for once and forever.
    /// </summary>
    private static long? EndOf(JsonObject coupon, long start) =>
        coupon["duration_in_months"] is JsonValue months && coupon.Str("duration") == "repeating"
            ? StripePeriods.End(start, start, "month", months.GetValue<long>())
            : null;
}
