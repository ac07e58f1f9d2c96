namespace Harness.Chaos.Campaigns;

public static partial class ProviderCatalog
{
    /// <summary>Stripe's Tax Rates routes.</summary>
    private static Operation[] StripeTaxOperations() =>
    [
        new("POST", "/v1/tax_rates", [], Form(("display_name", "Chaos VAT"), ("percentage", "19.5"), ("inclusive", "false"), ("country", "DE"), ("tax_type", "vat"),
            ("metadata[label]", "chaos")), Answers),
        new("GET", "/v1/tax_rates", [new("active", "query", "boolean"), new("inclusive", "query", "boolean"), new("limit", "query", "integer"), new("starting_after", "query", "string")],
            null, Answers),
        new("GET", "/v1/tax_rates/{id}", [Id], null, Answers),
        new("POST", "/v1/tax_rates/{id}", [Id], Form(("display_name", "Chaos VAT v2"), ("active", "false")), Answers),
    ];
}
