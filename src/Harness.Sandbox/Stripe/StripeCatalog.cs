using System.Globalization;
using System.Text.Json.Nodes;

using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// Prices and products: the seeded ones a merchant can configure (StripePriceId), those made through the API
/// (<see cref="StripeProducts"/>, <see cref="StripePrices"/>) and inline <c>price_data</c>; what may be bought.
/// </summary>
public sealed partial class StripeCatalog(ProviderObjects objects, TimeProvider clock)
{
    public const string CreditsPrice = "price_HarnessCredits";
    public const string MonthlyPrice = "price_HarnessProMonthly";

    /// <summary>Further recurring prices to change a subscription to: the same product yearly, a dearer plan, and Pro in euros.</summary>
    public const string YearlyPrice = "price_HarnessProYearly";
    public const string TeamMonthlyPrice = "price_HarnessTeamMonthly";
    public const string EuroMonthlyPrice = "price_HarnessProMonthlyEur";

    public void Seed()
    {
        if (objects.Get(CreditsPrice, "price") is null)
        {
            var credits = Product("prod_HarnessCredits", "Sandbox credits");
            objects.Put(credits);
            objects.Put(Price(CreditsPrice, "prod_HarnessCredits", "usd", 100, Recurring(null)));
        }

        if (objects.Get(MonthlyPrice, "price") is null)
        {
            objects.Put(Product("prod_HarnessPro", "Sandbox Pro"));
            objects.Put(Price(MonthlyPrice, "prod_HarnessPro", "usd", 999, Recurring("month")));
        }

        // Seeded one by one, so a data directory from before they existed gets them on its next start.
        if (objects.Get(YearlyPrice, "price") is null)
        {
            objects.Put(Price(YearlyPrice, "prod_HarnessPro", "usd", 9990, Recurring("year")));
            objects.Put(Price(EuroMonthlyPrice, "prod_HarnessPro", "eur", 999, Recurring("month")));
            objects.Put(Product("prod_HarnessTeam", "Sandbox Team"));
            objects.Put(Price(TeamMonthlyPrice, "prod_HarnessTeam", "usd", 2999, Recurring("month")));
        }
    }

    public JsonObject? Find(string priceId) => objects.Get(priceId, "price");

    /// <summary>A live product (a deleted one is kept, marked, for nothing but its id).</summary>
    public JsonObject? FindProduct(string productId) => objects.Get(productId, "product") is { } product && product["_deleted"] is null ? product : null;

    public JsonObject? ProductOf(JsonObject price) => objects.Get(price.Str("product")!, "product");

    /// <summary>
    /// Why <paramref name="priceId"/> cannot be bought (Stripe's 404 for no such price, its 400 for an archived price
    /// or a price of an archived product), or null when it can; <paramref name="inactiveToo"/> takes an inactive price
    /// (a schedule's phase starting on the prices it was given).
    /// </summary>
    public StripeResponse? Unpurchasable(string priceId, string param, bool inactiveToo = false)
    {
        if (Find(priceId) is not { } price)
        {
            return StripeErrors.NoSuch("price", priceId, param);
        }

        if (price["active"]?.GetValue<bool>() is false && !inactiveToo)
        {
            return StripeErrors.InvalidParam("The price specified is inactive. This field only accepts active prices.", param);
        }

        return ProductOf(price)?["active"]?.GetValue<bool>() is false
            ? StripeErrors.InvalidParam($"The price `{priceId}` is not available to be purchased because its product is not active.", param)
            : null;
    }

    /// <summary>Whether <c>expand[]</c> in <paramref name="query"/> names <paramref name="field"/>.</summary>
    public static bool Expands(JsonObject? query, string field) =>
        (query?["expand"] as JsonArray)?.OfType<JsonValue>().Any(e => e.ToString() == field) == true;

    /// <summary>A product as Stripe shows it (current API versions), active, with no default price yet.</summary>
    public JsonObject Product(string id, string name)
    {
        var now = StripeJson.Unix(clock.GetUtcNow());
        return new JsonObject
        {
            ["id"] = id,
            ["object"] = "product",
            ["active"] = true,
            ["created"] = now,
            ["default_price"] = null,
            ["description"] = null,
            ["images"] = new JsonArray(),
            ["livemode"] = false,
            ["marketing_features"] = new JsonArray(),
            ["metadata"] = new JsonObject(),
            ["name"] = name,
            ["package_dimensions"] = null,
            ["shippable"] = null,
            ["statement_descriptor"] = null,
            ["tax_code"] = null,
            ["type"] = "service",
            ["unit_label"] = null,
            ["updated"] = now,
            ["url"] = null,
        };
    }

    /// <summary>A price's <c>recurring</c>: null for a one-time price; licensed usage, every <paramref name="count"/> intervals.</summary>
    public static JsonObject? Recurring(string? interval, long count = 1) => interval is null ? null : new JsonObject
    {
        ["interval"] = interval,
        ["interval_count"] = count,
        ["meter"] = null,
        ["trial_period_days"] = null,
        ["usage_type"] = "licensed",
    };

    /// <summary>A per-unit price as Stripe shows it (current API versions), active, without lookup key or nickname.</summary>
    public JsonObject Price(string id, string productId, string currency, long unitAmount, JsonObject? recurring) => new()
    {
        ["id"] = id,
        ["object"] = "price",
        ["active"] = true,
        ["billing_scheme"] = "per_unit",
        ["created"] = StripeJson.Unix(clock.GetUtcNow()),
        ["currency"] = currency,
        ["custom_unit_amount"] = null,
        ["livemode"] = false,
        ["lookup_key"] = null,
        ["metadata"] = new JsonObject(),
        ["nickname"] = null,
        ["product"] = productId,
        ["recurring"] = recurring,
        ["tax_behavior"] = "unspecified",
        ["tiers_mode"] = null,
        ["transform_quantity"] = null,
        ["type"] = recurring is null ? "one_time" : "recurring",
        ["unit_amount"] = unitAmount,
        ["unit_amount_decimal"] = unitAmount.ToString(CultureInfo.InvariantCulture),
    };
}
