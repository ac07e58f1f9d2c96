namespace Harness.Chaos.Campaigns;

public static partial class ProviderCatalog
{
    /// <summary>Stripe's Tax Rates routes, and the subscription routes that take tax rates.</summary>
    private static Operation[] StripeTaxOperations() =>
    [
        new("POST", "/v1/subscriptions", [], Form(("customer", "cus_chaos"), ("items[0][price]", "price_HarnessProMonthly"), ("items[0][tax_rates][0]", "txr_chaos"),
            ("default_tax_rates[0]", "txr_chaos")), Answers),
        new("POST", "/v1/subscriptions/{id}", [Id], Form(("default_tax_rates", ""), ("items[0][id]", "si_chaos"), ("items[0][tax_rates][0]", "txr_chaos")), Answers),
        new("POST", "/v1/subscription_items/{id}", [Id], Form(("tax_rates[0]", "txr_chaos"), ("proration_behavior", "none")), Answers),
        new("POST", "/v1/checkout/sessions", [], Form(("mode", "subscription"), ("line_items[0][price]", "price_HarnessProMonthly"), ("line_items[0][quantity]", "1"),
            ("line_items[0][tax_rates][0]", "txr_chaos"), ("subscription_data[default_tax_rates][0]", "txr_chaos"), ("success_url", "https://merchant.example/ok")), Answers),
        new("POST", "/v1/tax_rates", [], Form(("display_name", "Chaos VAT"), ("percentage", "19.5"), ("inclusive", "false"), ("country", "DE"), ("tax_type", "vat"),
            ("metadata[label]", "chaos")), Answers),
        new("GET", "/v1/tax_rates", [new("active", "query", "boolean"), new("inclusive", "query", "boolean"), new("limit", "query", "integer"), new("starting_after", "query", "string")],
            null, Answers),
        new("GET", "/v1/tax_rates/{id}", [Id], null, Answers),
        new("POST", "/v1/tax_rates/{id}", [Id], Form(("display_name", "Chaos VAT v2"), ("active", "false")), Answers),
    ];
}
