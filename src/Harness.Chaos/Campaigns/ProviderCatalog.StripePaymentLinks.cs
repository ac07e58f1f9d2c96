namespace Harness.Chaos.Campaigns;

public static partial class ProviderCatalog
{
    /// <summary>Stripe's Payment Links routes, and the Checkout Sessions list filtered by link.</summary>
    private static Operation[] StripePaymentLinkOperations() =>
    [
        new("POST", "/v1/payment_links", [], Form(("line_items[0][price]", "price_HarnessCredits"), ("line_items[0][quantity]", "2"),
            ("line_items[0][adjustable_quantity][enabled]", "true"), ("line_items[0][adjustable_quantity][maximum]", "5"), ("restrictions[completed_sessions][limit]", "3"),
            ("after_completion[type]", "redirect"), ("after_completion[redirect][url]", "https://merchant.example/done"), ("metadata[k]", "v"), ("inactive_message", "Sold out")), Answers),
        new("GET", "/v1/payment_links", [new("active", "query", "boolean"), new("limit", "query", "integer"), new("starting_after", "query", "string"),
            new("ending_before", "query", "string")], null, Answers),
        new("GET", "/v1/payment_links/{id}", [Id, new("expand[]", "query", "string")], null, Answers),
        new("POST", "/v1/payment_links/{id}", [Id], Form(("active", "false"), ("line_items[0][id]", "li_chaos"), ("line_items[0][quantity]", "3"),
            ("restrictions[completed_sessions][limit]", "4"), ("allow_promotion_codes", "true")), Answers),
        new("GET", "/v1/payment_links/{id}/line_items", [Id, new("limit", "query", "integer"), new("starting_after", "query", "string")], null, Answers),
        new("GET", "/v1/checkout/sessions", [new("payment_link", "query", "string"), new("limit", "query", "integer")], null, Answers),
    ];
}
