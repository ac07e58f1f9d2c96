namespace Harness.Chaos.Campaigns;

public static partial class ProviderCatalog
{
    /// <summary>Stripe's quote routes; the customer and quote ids are made up, so the fuzzer meets the refusals.</summary>
    private static Operation[] StripeQuoteOperations() =>
    [
        new("POST", "/v1/quotes", [], Form(("customer", "cus_chaos"), ("line_items[0][price]", "price_HarnessCredits"), ("line_items[0][quantity]", "2"),
            ("line_items[1][price_data][currency]", "usd"), ("line_items[1][price_data][product]", "prod_HarnessCredits"), ("line_items[1][price_data][unit_amount]", "250"),
            ("collection_method", "send_invoice"), ("invoice_settings[days_until_due]", "14"), ("expires_at", "1798761600"), ("header", "Chaos"),
            ("subscription_data[trial_period_days]", "7"), ("metadata[label]", "chaos")), Answers),
        new("GET", "/v1/quotes", [new("customer", "query", "string"), new("status", "query", "string"), new("limit", "query", "integer"), new("starting_after", "query", "string"),
            new("ending_before", "query", "string")], null, Answers),
        new("GET", "/v1/quotes/{id}", [Id, new("expand[]", "query", "string")], null, Answers),
        new("POST", "/v1/quotes/{id}", [Id], Form(("description", "Chaos v2"), ("line_items[0][price]", "price_HarnessProMonthly"), ("discounts[0][coupon]", "CHAOS"),
            ("default_tax_rates[0]", "txr_chaos")), Answers),
        new("GET", "/v1/quotes/{id}/line_items", [Id, new("limit", "query", "integer"), new("starting_after", "query", "string")], null, Answers),
        new("GET", "/v1/quotes/{id}/computed_upfront_line_items", [Id, new("limit", "query", "integer"), new("ending_before", "query", "string")], null, Answers),
        new("POST", "/v1/quotes/{id}/finalize", [Id], Form(("expires_at", "1798761600")), Answers),
        new("POST", "/v1/quotes/{id}/accept", [Id], Form(("expand[0]", "invoice")), Answers),
        new("POST", "/v1/quotes/{id}/cancel", [Id], Form(("expand[0]", "customer")), Answers),
        new("GET", "/v1/quotes/{id}/pdf", [Id], null, Answers),
    ];
}
