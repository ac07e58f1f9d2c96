using System.Text.Json.Nodes;

using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>Prices and products: seeded ones a merchant can configure (StripePriceId), and inline <c>price_data</c>.</summary>
public sealed class StripeCatalog(ProviderObjects objects, TimeProvider clock)
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
            objects.Put(Price(CreditsPrice, "prod_HarnessCredits", "usd", 100, interval: null));
        }

        if (objects.Get(MonthlyPrice, "price") is null)
        {
            objects.Put(Product("prod_HarnessPro", "Sandbox Pro"));
            objects.Put(Price(MonthlyPrice, "prod_HarnessPro", "usd", 999, interval: "month"));
        }

        // Seeded one by one, so a data directory from before they existed gets them on its next start.
        if (objects.Get(YearlyPrice, "price") is null)
        {
            objects.Put(Price(YearlyPrice, "prod_HarnessPro", "usd", 9990, interval: "year"));
            objects.Put(Price(EuroMonthlyPrice, "prod_HarnessPro", "eur", 999, interval: "month"));
            objects.Put(Product("prod_HarnessTeam", "Sandbox Team"));
            objects.Put(Price(TeamMonthlyPrice, "prod_HarnessTeam", "usd", 2999, interval: "month"));
        }
    }

    public JsonObject? Find(string priceId) => objects.Get(priceId, "price");

    public JsonObject? ProductOf(JsonObject price) => objects.Get(price.Str("product")!, "product");

    /// <summary>Creates the price (and product) that a line item's <c>price_data</c> describes.</summary>
    public JsonObject CreateInline(string currency, long unitAmount, string productName, string? interval)
    {
        var product = Product(StripeJson.NewId("prod"), productName);
        objects.Put(product);
        var price = Price(StripeJson.NewId("price"), product.Str("id")!, currency, unitAmount, interval);
        objects.Put(price);
        return price;
    }

    private JsonObject Product(string id, string name)
    {
        var now = StripeJson.Unix(clock.GetUtcNow());
        return new JsonObject
        {
            ["id"] = id,
            ["object"] = "product",
            ["active"] = true,
            ["created"] = now,
            ["updated"] = now,
            ["description"] = null,
            ["livemode"] = false,
            ["metadata"] = new JsonObject(),
            ["name"] = name,
            ["type"] = "service",
        };
    }

    private JsonObject Price(string id, string productId, string currency, long unitAmount, string? interval) => new()
    {
        ["id"] = id,
        ["object"] = "price",
        ["active"] = true,
        ["billing_scheme"] = "per_unit",
        ["created"] = StripeJson.Unix(clock.GetUtcNow()),
        ["currency"] = currency,
        ["livemode"] = false,
        ["lookup_key"] = null,
        ["metadata"] = new JsonObject(),
        ["nickname"] = null,
        ["product"] = productId,
        ["recurring"] = interval is null ? null : new JsonObject { ["interval"] = interval, ["interval_count"] = 1, ["usage_type"] = "licensed" },
        ["tax_behavior"] = "unspecified",
        ["type"] = interval is null ? "one_time" : "recurring",
        ["unit_amount"] = unitAmount,
        ["unit_amount_decimal"] = unitAmount.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
