namespace Harness.Chaos.Campaigns;

public static partial class ProviderCatalog
{
    /// <summary>Stripe's customer portal routes: configurations and sessions (the hosted portal page is on the control listener).</summary>
    private static Operation[] StripePortalOperations() =>
    [
        new("POST", "/v1/billing_portal/configurations", [], Form(("features[invoice_history][enabled]", "true"), ("features[subscription_cancel][enabled]", "true"),
            ("features[subscription_cancel][mode]", "immediately"), ("business_profile[headline]", "Chaos plans"), ("default_return_url", "https://example.com/account")), Answers),
        new("GET", "/v1/billing_portal/configurations",
            [new("active", "query", "boolean"), new("is_default", "query", "boolean"), new("limit", "query", "integer"), new("starting_after", "query", "string")], null, Answers),
        new("GET", "/v1/billing_portal/configurations/{id}", [Id], null, Answers),
        new("POST", "/v1/billing_portal/configurations/{id}", [Id], Form(("active", "false"), ("features[payment_method_update][enabled]", "true")), Answers),
        new("POST", "/v1/billing_portal/sessions", [], Form(("customer", "cus_chaos"), ("return_url", "https://example.com/account"), ("flow_data[type]", "payment_method_update"),
            ("flow_data[after_completion][type]", "redirect"), ("flow_data[after_completion][redirect][return_url]", "https://example.com/done")), Answers),
    ];
}
