using System.Globalization;
using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// The Coupons API: create (percent or amount off, once / repeating / forever, redemption limits, products it applies
/// to), retrieve, update (name, metadata), delete and list. A deleted coupon stays stored (flagged) so the discounts
/// made from it keep applying; the API no longer finds it and no new discount can use it.
/// </summary>
public sealed class StripeCoupons(ProviderObjects objects, TimeProvider clock, StripeWebhooks webhooks)
{
    public const string Path = "/v1/coupons";
    public const string Type = "coupon";

    private static readonly HashSet<string> CreateParams =
    [
        "id", "percent_off", "amount_off", "currency", "duration", "duration_in_months", "max_redemptions", "redeem_by", "name",
        "metadata", "applies_to", "currency_options", "expand",
    ];

    private static readonly HashSet<string> UpdateParams = ["name", "metadata", "expand", "currency_options"];

    private static readonly string[] Durations = ["forever", "once", "repeating"];

    public StripeResponse Create(JsonObject p)
    {
        if (StripeLists.Unknown(p, CreateParams) is { } unknown)
        {
            return unknown;
        }

        if (p["currency_options"] is not null)
        {
            return StripeErrors.InvalidParam("The sandbox does not simulate currency_options: a coupon has one amount_off in one currency.", "currency_options");
        }

        if (!StripeLists.TryMetadata(p, out var metadata, out var error))
        {
            return error!;
        }

        decimal? percentOff = null;
        if (p.Str("percent_off") is { } percentText)
        {
            // Stripe takes a percentage above 0 and up to 100 with at most two decimals.
            if (!decimal.TryParse(percentText, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var percent))
            {
                return StripeErrors.InvalidParam($"Invalid decimal: {StripeLists.Clip(percentText)}", "percent_off");
            }

            if (percent is <= 0 or > 100 || decimal.Round(percent, 2) != percent)
            {
                return StripeErrors.InvalidParam("Invalid percent_off: must be greater than 0 and less than or equal to 100, with at most two decimals.", "percent_off");
            }

            percentOff = percent;
        }

        long? amountOff = null;
        if (p.Str("amount_off") is { } amountText)
        {
            if (!StripeJson.TryLong(amountText, out var amount))
            {
                return StripeErrors.InvalidParam($"Invalid integer: {StripeLists.Clip(amountText)}", "amount_off");
            }

            if (amount < 1)
            {
                return StripeErrors.InvalidParam("This value must be greater than or equal to 1.", "amount_off");
            }

            amountOff = amount;
        }

        if ((percentOff is null) == (amountOff is null))
        {
            return percentOff is null
                ? StripeErrors.InvalidParam("You must pass either `percent_off` or `amount_off` when creating a coupon.", "percent_off", "parameter_missing")
                : StripeErrors.InvalidParam("You may only specify one of these parameters: amount_off, percent_off.", "amount_off");
        }

        var currency = p.Str("currency")?.ToLowerInvariant();
        if (amountOff is not null && currency is not { Length: 3 })
        {
            return currency is null ? StripeErrors.Missing("currency") : StripeErrors.InvalidParam($"Invalid currency: {StripeLists.Clip(currency)}", "currency");
        }

        var duration = p.Str("duration") ?? "once";
        if (!Durations.Contains(duration))
        {
            return StripeErrors.InvalidParam($"Invalid duration: must be one of {string.Join(", ", Durations)}", "duration");
        }

        long? months = null;
        if (p.Str("duration_in_months") is { } monthsText)
        {
            if (duration != "repeating")
            {
                return StripeErrors.InvalidParam("duration_in_months can only be set when duration is `repeating`.", "duration_in_months");
            }

            if (!StripeJson.TryLong(monthsText, out var m) || m is < 1 or > 120)
            {
                return StripeErrors.InvalidParam("This value must be greater than or equal to 1 and less than or equal to 120.", "duration_in_months");
            }

            months = m;
        }
        else if (duration == "repeating")
        {
            return StripeErrors.InvalidParam("You must specify duration_in_months when duration is `repeating`.", "duration_in_months", "parameter_missing");
        }

        var now = StripeJson.Unix(clock.GetUtcNow());
        if (ReadPositive(p, "max_redemptions", out var maxRedemptions) is { } badMax)
        {
            return badMax;
        }

        if (ReadPositive(p, "redeem_by", out var redeemBy) is { } badRedeemBy)
        {
            return badRedeemBy;
        }

        if (redeemBy <= now)
        {
            return StripeErrors.InvalidParam("redeem_by must be in the future.", "redeem_by");
        }

        var products = new JsonArray();
        if (p["applies_to"] is { } appliesTo)
        {
            if (appliesTo is not JsonObject { } scope || scope["products"] is not JsonArray listed || listed.Any(x => x is not JsonValue))
            {
                return StripeErrors.InvalidParam("Invalid applies_to: give applies_to[products][] product ids.", "applies_to[products]");
            }

            foreach (var product in listed.Select(x => x!.GetValue<string>()))
            {
                if (objects.Get(product, "product") is null)
                {
                    return StripeErrors.NoSuch("product", product, "applies_to[products]");
                }

                products.Add(product);
            }
        }

        var id = p.Str("id") ?? StripeJson.NewId("coupon")[7..15].ToUpperInvariant();
        if (id.Length is 0 or > 5000)
        {
            return StripeErrors.InvalidParam("Invalid id: give 1 to 5000 characters.", "id");
        }

        return objects.Atomically(() =>
        {
            // Ids share one store with every other object, so a coupon cannot take another object's id either.
            if (objects.Holds(id))
            {
                return StripeErrors.InvalidParam("Coupon already exists.", "id", "resource_already_exists");
            }

            var coupon = new JsonObject
            {
                ["id"] = id,
                ["object"] = Type,
                ["amount_off"] = amountOff,
                ["created"] = now,
                ["currency"] = amountOff is null ? null : currency,
                ["duration"] = duration,
                ["duration_in_months"] = months,
                ["livemode"] = false,
                ["max_redemptions"] = maxRedemptions,
                ["metadata"] = metadata,
                ["name"] = p.Str("name"),
                ["percent_off"] = percentOff is { } pct ? JsonValue.Create(pct) : null,
                ["redeem_by"] = redeemBy,
                ["times_redeemed"] = 0L,
                ["valid"] = true,
            };
            if (products.Count > 0)
            {
                coupon["applies_to"] = new JsonObject { ["products"] = products };
            }

            objects.Put(coupon);
            var shown = View(coupon);
            webhooks.Send(id, [new StripeEvent("coupon.created", shown)]);
            return StripeResponse.Ok(shown);
        });
    }

    public StripeResponse Retrieve(string id) => Find(id) is { } coupon ? StripeResponse.Ok(View(coupon)) : StripeErrors.NoSuch(Type, id, "id");

    public StripeResponse Update(string id, JsonObject p)
    {
        if (StripeLists.Unknown(p, UpdateParams) is { } unknown)
        {
            return unknown;
        }

        if (p["currency_options"] is not null)
        {
            return StripeErrors.InvalidParam("The sandbox does not simulate currency_options: a coupon has one amount_off in one currency.", "currency_options");
        }

        if (!StripeLists.TryMetadata(p, out var metadata, out var error))
        {
            return error!;
        }

        return objects.Atomically(() =>
        {
            if (Find(id) is not { } coupon)
            {
                return StripeErrors.NoSuch(Type, id, "id");
            }

            var previous = new JsonObject();
            if (p["name"] is not null)
            {
                previous["name"] = coupon["name"]?.DeepClone();
                coupon["name"] = p.Str("name") is { Length: > 0 } name ? name : null;
            }

            if (p["metadata"] is not null)
            {
                StripeLists.MergeMetadata(coupon, metadata, previous);
            }

            objects.Put(coupon);
            var shown = View(coupon);
            webhooks.Send(id, [new StripeEvent("coupon.updated", shown, previous)]);
            return StripeResponse.Ok(shown);
        });
    }

    /// <summary>Deletes the coupon for new discounts; those already made from it keep applying, as at Stripe.</summary>
    public StripeResponse Delete(string id) => objects.Atomically(() =>
    {
        if (Find(id) is not { } coupon)
        {
            return StripeErrors.NoSuch(Type, id, "id");
        }

        coupon["_deleted"] = true;
        objects.Put(coupon);
        webhooks.Send(id, [new StripeEvent("coupon.deleted", View(coupon))]);
        return StripeResponse.Ok(new JsonObject { ["id"] = id, ["object"] = Type, ["deleted"] = true });
    });

    public StripeResponse List(JsonObject query) =>
        StripeLists.Page(Path, objects.Newest(Type, query.Str("starting_after")).Where(c => c["_deleted"] is null), query, View);

    /// <summary>A coupon the API still finds (not deleted), or null.</summary>
    public JsonObject? Find(string id) => objects.Get(id, Type) is { } coupon && coupon["_deleted"] is null ? coupon : null;

    /// <summary>The public coupon, <c>valid</c> as of now: not deleted, not past <c>redeem_by</c>, not redeemed <c>max_redemptions</c> times.</summary>
    public JsonObject View(JsonObject coupon)
    {
        var shown = StripeLists.Public(coupon);
        shown["valid"] = Valid(coupon, StripeJson.Unix(clock.GetUtcNow()));
        return shown;
    }

    public static bool Valid(JsonObject coupon, long now) =>
        coupon["_deleted"] is null
        && (coupon["redeem_by"] is not JsonValue by || by.GetValue<long>() > now)
        && (coupon["max_redemptions"] is not JsonValue max || coupon["times_redeemed"]!.GetValue<long>() < max.GetValue<long>());

    /// <summary>An optional positive integer parameter (a count or a timestamp).</summary>
    internal static StripeResponse? ReadPositive(JsonObject p, string name, out long? value)
    {
        value = null;
        if (p.Str(name) is not { } text)
        {
            return p[name] is null ? null : StripeErrors.InvalidParam("Invalid integer", name);
        }

        if (!StripeJson.TryLong(text, out var parsed))
        {
            return StripeErrors.InvalidParam($"Invalid integer: {StripeLists.Clip(text)}", name);
        }

        if (parsed < 1)
        {
            return StripeErrors.InvalidParam("This value must be greater than or equal to 1.", name);
        }

        value = parsed;
        return null;
    }
}
