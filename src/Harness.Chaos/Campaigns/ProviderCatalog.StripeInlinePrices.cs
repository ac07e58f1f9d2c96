namespace Harness.Chaos.Campaigns;

public static partial class ProviderCatalog
{
    /// <summary>
    /// Stripe's inline prices (<c>price_data</c>) and <c>add_invoice_items</c> (with its <c>period</c>) on the subscription,
    /// item and schedule routes, and the line <c>price_data</c> of Checkout Sessions and payment links.
    /// </summary>
    private static Operation[] StripeInlinePriceOperations() =>
    [
        new("POST", "/v1/subscriptions", [], Form(("customer", "cus_chaos"), ("items[0][price_data][currency]", "usd"), ("items[0][price_data][product]", "prod_HarnessPro"),
            ("items[0][price_data][unit_amount]", "1500"), ("items[0][price_data][recurring][interval]", "month"), ("add_invoice_items[0][price_data][currency]", "usd"),
            ("add_invoice_items[0][price_data][product]", "prod_HarnessPro"), ("add_invoice_items[0][price_data][unit_amount]", "500"), ("add_invoice_items[0][quantity]", "2")), Answers),
        new("POST", "/v1/subscriptions/{id}", [Id], Form(("add_invoice_items[0][price]", "price_HarnessCredits"), ("add_invoice_items[0][tax_rates][0]", "txr_chaos"),
            ("items[0][id]", "si_chaos"), ("items[0][price_data][currency]", "usd"), ("items[0][price_data][product]", "prod_HarnessPro"),
            ("items[0][price_data][unit_amount_decimal]", "2000"), ("items[0][price_data][recurring][interval]", "month")), Answers),
        new("POST", "/v1/subscription_items", [], Form(("subscription", "sub_chaos"), ("price_data[currency]", "usd"), ("price_data[product]", "prod_HarnessTeam"),
            ("price_data[unit_amount]", "700"), ("price_data[recurring][interval]", "month"), ("price_data[tax_behavior]", "exclusive")), Answers),
        new("POST", "/v1/subscription_items/{id}", [Id], Form(("price_data[currency]", "usd"), ("price_data[product]", "prod_HarnessTeam"),
            ("price_data[unit_amount]", "900"), ("price_data[recurring][interval]", "month"), ("proration_behavior", "none")), Answers),
        new("POST", "/v1/subscription_schedules", [], Form(("customer", "cus_chaos"), ("start_date", "now"),
            ("phases[0][items][0][price_data][currency]", "usd"), ("phases[0][items][0][price_data][product]", "prod_HarnessPro"),
            ("phases[0][items][0][price_data][unit_amount]", "1000"), ("phases[0][items][0][price_data][recurring][interval]", "month"),
            ("phases[0][add_invoice_items][0][price]", "price_HarnessCredits"), ("phases[0][duration][interval]", "month")), Answers),
        new("POST", "/v1/subscriptions", [], Form(("customer", "cus_chaos"), ("items[0][price]", "price_HarnessProMonthly"),
            ("add_invoice_items[0][price]", "price_HarnessCredits"), ("add_invoice_items[0][period][start][type]", "timestamp"),
            ("add_invoice_items[0][period][start][timestamp]", "1700000000"), ("add_invoice_items[0][period][end][type]", "min_item_period_end")), Answers),
        new("POST", "/v1/checkout/sessions", [], Form(("mode", "subscription"), ("line_items[0][quantity]", "1"), ("line_items[0][price_data][currency]", "usd"),
            ("line_items[0][price_data][product_data][name]", "Chaos plan"), ("line_items[0][price_data][unit_amount]", "2700"),
            ("line_items[0][price_data][recurring][interval]", "month"), ("line_items[0][price_data][recurring][interval_count]", "3")), Answers),
        new("POST", "/v1/payment_links", [], Form(("line_items[0][quantity]", "2"), ("line_items[0][price_data][currency]", "usd"),
            ("line_items[0][price_data][product]", "prod_HarnessPro"), ("line_items[0][price_data][unit_amount]", "1500")), Answers),
    ];
}
