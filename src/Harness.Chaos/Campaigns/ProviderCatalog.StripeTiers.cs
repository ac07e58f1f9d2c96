namespace Harness.Chaos.Campaigns;

public static partial class ProviderCatalog
{
    /// <summary>Stripe's tiered and package prices: <c>POST /v1/prices</c> with tiers or <c>transform_quantity</c>, and reading their tiers back expanded.</summary>
    private static Operation[] StripeTierOperations() =>
    [
        new("POST", "/v1/prices", [], Form(("currency", "usd"), ("product_data[name]", "Chaos calls"), ("recurring[interval]", "month"),
            ("billing_scheme", "tiered"), ("tiers_mode", "graduated"), ("tiers[0][up_to]", "1000"), ("tiers[0][unit_amount]", "0"), ("tiers[0][flat_amount]", "500"),
            ("tiers[1][up_to]", "inf"), ("tiers[1][unit_amount_decimal]", "2")), Answers),
        new("POST", "/v1/prices", [], Form(("currency", "usd"), ("product_data[name]", "Chaos seats"), ("recurring[interval]", "month"),
            ("billing_scheme", "tiered"), ("tiers_mode", "volume"), ("tiers[0][up_to]", "5"), ("tiers[0][unit_amount]", "1000"), ("tiers[1][up_to]", "inf"), ("tiers[1][unit_amount]", "800")), Answers),
        new("POST", "/v1/prices", [], Form(("currency", "usd"), ("unit_amount", "1000"), ("product_data[name]", "Chaos packs"),
            ("transform_quantity[divide_by]", "10"), ("transform_quantity[round]", "up")), Answers),
        new("GET", "/v1/prices/{id}", [Id, new("expand[]", "query", "string")], null, Answers),
        new("GET", "/v1/prices", [new("expand[]", "query", "string"), new("product", "query", "string"), new("limit", "query", "integer")], null, Answers),
    ];
}
