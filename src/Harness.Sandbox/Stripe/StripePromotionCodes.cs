using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// The Promotion Codes API: customer-facing codes for a coupon (<c>promotion[coupon]</c>, as Stripe.net sends it, or the
/// older <c>coupon</c>), unique among active codes whatever their case; create, retrieve, update (active, metadata) and
/// list. <see cref="Check"/> says whether a code can be redeemed now, in the API's words and in the pay page's.
/// </summary>
public sealed partial class StripePromotionCodes(ProviderObjects objects, TimeProvider clock, StripeWebhooks webhooks, StripeCoupons coupons)
{
    public const string Path = "/v1/promotion_codes";
    public const string Type = "promotion_code";

    /// <summary>What Stripe's hosted page says of a code it cannot apply, whatever the reason it does not say more about.</summary>
    public const string InvalidOnPage = "This code is invalid.";

    private static readonly HashSet<string> CreateParams =
        ["promotion", "coupon", "code", "active", "customer", "max_redemptions", "expires_at", "restrictions", "metadata", "expand"];

    private static readonly HashSet<string> UpdateParams = ["active", "metadata", "restrictions", "expand"];

    private static readonly HashSet<string> RestrictionParams = ["first_time_transaction", "minimum_amount", "minimum_amount_currency", "currency_options"];

    public StripeResponse Create(JsonObject p)
    {
        if (StripeLists.Unknown(p, CreateParams) is { } unknown)
        {
            return unknown;
        }

        var couponId = p["promotion"] is JsonObject promotion ? promotion.Str("coupon") : p.Str("coupon");
        if (p["promotion"] is JsonObject kind && kind.Str("type") is not (null or "coupon"))
        {
            return StripeErrors.InvalidParam("Invalid promotion[type]: must be coupon", "promotion[type]");
        }

        if (couponId is null)
        {
            return StripeErrors.Missing("promotion[coupon]");
        }

        if (coupons.Find(couponId) is not { } coupon)
        {
            return StripeErrors.NoSuch("coupon", couponId, "promotion[coupon]");
        }

        if (!StripeLists.TryMetadata(p, out var metadata, out var error) || !StripeLists.TryBool(p, "active", out var active, out error))
        {
            return error!;
        }

        if (StripeCoupons.ReadPositive(p, "max_redemptions", out var maxRedemptions) is { } badMax)
        {
            return badMax;
        }

        if (StripeCoupons.ReadPositive(p, "expires_at", out var expiresAt) is { } badExpiry)
        {
            return badExpiry;
        }

        var now = StripeJson.Unix(clock.GetUtcNow());
        if (expiresAt <= now)
        {
            return StripeErrors.InvalidParam("expires_at must be in the future.", "expires_at");
        }

        if (expiresAt > coupon["redeem_by"]?.GetValue<long>())
        {
            return StripeErrors.InvalidParam("The promotion code's expires_at cannot be later than its coupon's redeem_by.", "expires_at");
        }

        if (p.Str("customer") is { } customer && objects.Get(customer, "customer") is null)
        {
            return StripeErrors.NoSuch("customer", customer, "customer");
        }

        if (ReadRestrictions(p, out var restrictions) is { } badRestrictions)
        {
            return badRestrictions;
        }

        var code = p.Str("code") ?? StripeJson.NewId("promo")[6..14].ToUpperInvariant();
        if (!CodePattern().IsMatch(code))
        {
            return StripeErrors.InvalidParam("Invalid code: use 1 to 500 letters (a-z, A-Z) and digits (0-9).", "code");
        }

        return objects.Atomically(() =>
        {
            var isActive = active ?? true;
            if (isActive && ActiveWithCode(code) is not null)
            {
                return StripeErrors.InvalidParam($"An active promotion code with `code: {code}` already exists.", "code", "resource_already_exists");
            }

            var id = StripeJson.NewId("promo");
            var promo = new JsonObject
            {
                ["id"] = id,
                ["object"] = Type,
                ["active"] = isActive,
                ["code"] = code,
                ["created"] = now,
                ["customer"] = p.Str("customer"),
                ["customer_account"] = null,
                ["expires_at"] = expiresAt,
                ["livemode"] = false,
                ["max_redemptions"] = maxRedemptions,
                ["metadata"] = metadata,
                ["promotion"] = new JsonObject { ["coupon"] = couponId, ["type"] = "coupon" },
                ["restrictions"] = restrictions,
                ["times_redeemed"] = 0L,
            };
            objects.Put(promo);
            webhooks.Send(id, [new StripeEvent("promotion_code.created", promo)]);
            return StripeResponse.Ok(promo);
        });
    }

    public StripeResponse Retrieve(string id) =>
        objects.Get(id, Type) is { } promo ? StripeResponse.Ok(promo) : StripeErrors.NoSuch("promotion code", id, "id");

    public StripeResponse Update(string id, JsonObject p)
    {
        if (StripeLists.Unknown(p, UpdateParams) is { } unknown)
        {
            return unknown;
        }

        if (p["restrictions"] is not null)
        {
            return StripeErrors.InvalidParam("The sandbox does not simulate restrictions[currency_options]; a code's restrictions are set when it is created.", "restrictions");
        }

        if (!StripeLists.TryMetadata(p, out var metadata, out var error) || !StripeLists.TryBool(p, "active", out var active, out error))
        {
            return error!;
        }

        return objects.Atomically(() =>
        {
            if (objects.Get(id, Type) is not { } promo)
            {
                return StripeErrors.NoSuch("promotion code", id, "id");
            }

            var previous = new JsonObject();
            if (active is { } on && on != promo["active"]!.GetValue<bool>())
            {
                if (on && ActiveWithCode(promo.Str("code")!) is not null)
                {
                    return StripeErrors.InvalidParam($"An active promotion code with `code: {promo.Str("code")}` already exists.", "active", "resource_already_exists");
                }

                previous["active"] = !on;
                promo["active"] = on;
            }

            if (p["metadata"] is not null)
            {
                StripeLists.MergeMetadata(promo, metadata, previous);
            }

            objects.Put(promo);
            webhooks.Send(id, [new StripeEvent("promotion_code.updated", promo, previous)]);
            return StripeResponse.Ok(promo);
        });
    }

    public StripeResponse List(JsonObject query)
    {
        if (!StripeLists.TryBool(query, "active", out var active, out var error))
        {
            return error!;
        }

        IEnumerable<JsonObject> codes = objects.Newest(Type, query.Str("starting_after"));
        if (active is { } on)
        {
            codes = codes.Where(c => c["active"]!.GetValue<bool>() == on);
        }

        if (query.Str("code") is { } code)
        {
            codes = codes.Where(c => string.Equals(c.Str("code"), code, StringComparison.OrdinalIgnoreCase));
        }

        if (query.Str("coupon") is { } coupon)
        {
            codes = codes.Where(c => c["promotion"].Str("coupon") == coupon);
        }

        if (query.Str("customer") is { } customer)
        {
            codes = codes.Where(c => c.Str("customer") == customer);
        }

        return StripeLists.Page(Path, codes, query);
    }

    /// <summary>The active promotion code the buyer typed, whatever its case, or null.</summary>
    public JsonObject? ActiveWithCode(string code) =>
        objects.Newest(Type).FirstOrDefault(c => c["active"]!.GetValue<bool>() && string.Equals(c.Str("code"), code, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Why <paramref name="promo"/> cannot be redeemed now for a purchase of <paramref name="subtotal"/> in
    /// <paramref name="currency"/> by <paramref name="customerId"/> (null: a guest), as the API words it and as the pay
    /// page does; null when it can. The coupon's own validity is <see cref="StripeDiscounts"/>'s to check.
    /// </summary>
    public (string Api, string Page)? Check(JsonObject promo, string? customerId, long subtotal, string currency)
    {
        var code = promo.Str("code");
        var now = StripeJson.Unix(clock.GetUtcNow());
        if (!promo["active"]!.GetValue<bool>())
        {
            return ($"This promotion code is inactive: {code}", InvalidOnPage);
        }

        if (promo["expires_at"] is JsonValue expires && expires.GetValue<long>() <= now)
        {
            return ($"This promotion code has expired: {code}", InvalidOnPage);
        }

        if (promo["max_redemptions"] is JsonValue max && promo["times_redeemed"]!.GetValue<long>() >= max.GetValue<long>())
        {
            return ($"This promotion code has been redeemed the maximum number of times: {code}", InvalidOnPage);
        }

        if (promo.Str("customer") is { } only && only != customerId)
        {
            return ($"This promotion code cannot be redeemed by this customer: {code}", InvalidOnPage);
        }

        var restrictions = (JsonObject)promo["restrictions"]!;
        if (restrictions["first_time_transaction"]!.GetValue<bool>() && customerId is not null
            && objects.Newest("charge").Any(c => c.Str("customer") == customerId && c.Str("status") == "succeeded"))
        {
            return ($"This promotion code is only for first-time customers: {code}", "This code is only valid for first-time customers.");
        }

        if (restrictions["minimum_amount"] is JsonValue minimum && restrictions.Str("minimum_amount_currency") is { } minimumCurrency)
        {
            var floor = minimum.GetValue<long>();
            if (minimumCurrency != currency || subtotal < floor)
            {
                var words = $"{floor / 100}.{floor % 100:00} {minimumCurrency.ToUpperInvariant()}";
                return ($"This promotion code requires a minimum purchase of {words}: {code}", $"This code requires a minimum purchase of {words}.");
            }
        }

        return null;
    }

    /// <summary>Counts one redemption of the code (the session or subscription it discounts was paid or started).</summary>
    public void Redeemed(string promoId)
    {
        if (objects.Get(promoId, Type) is { } promo)
        {
            promo["times_redeemed"] = promo["times_redeemed"]!.GetValue<long>() + 1;
            objects.Put(promo);
        }
    }

    private static StripeResponse? ReadRestrictions(JsonObject p, out JsonObject restrictions)
    {
        restrictions = new JsonObject { ["first_time_transaction"] = false, ["minimum_amount"] = null, ["minimum_amount_currency"] = null };
        if (p["restrictions"] is null)
        {
            return null;
        }

        if (p["restrictions"] is not JsonObject given)
        {
            return StripeErrors.InvalidParam("Invalid object", "restrictions");
        }

        if (given.Select(kv => kv.Key).FirstOrDefault(k => !RestrictionParams.Contains(k)) is { } unknown)
        {
            return StripeErrors.InvalidParam($"Received unknown parameter: restrictions[{unknown}]", $"restrictions[{unknown}]", "parameter_unknown");
        }

        if (given["currency_options"] is not null)
        {
            return StripeErrors.InvalidParam("The sandbox does not simulate restrictions[currency_options].", "restrictions[currency_options]");
        }

        if (!StripeLists.TryBool(given, "first_time_transaction", out var firstTime, out var error))
        {
            return StripeErrors.InvalidParam(error!.Body["error"]!["message"]!.GetValue<string>(), "restrictions[first_time_transaction]");
        }

        restrictions["first_time_transaction"] = firstTime ?? false;
        if (StripeCoupons.ReadPositive(given, "minimum_amount", out var minimum) is not null)
        {
            return StripeErrors.InvalidParam("This value must be greater than or equal to 1.", "restrictions[minimum_amount]");
        }

        var minimumCurrency = given.Str("minimum_amount_currency")?.ToLowerInvariant();
        if ((minimum is null) != (minimumCurrency is null))
        {
            return StripeErrors.InvalidParam("restrictions[minimum_amount] and restrictions[minimum_amount_currency] must be given together.",
                minimum is null ? "restrictions[minimum_amount]" : "restrictions[minimum_amount_currency]");
        }

        restrictions["minimum_amount"] = minimum;
        restrictions["minimum_amount_currency"] = minimumCurrency;
        return null;
    }

    [GeneratedRegex("^[A-Za-z0-9]{1,500}$")]
    private static partial Regex CodePattern();
}
