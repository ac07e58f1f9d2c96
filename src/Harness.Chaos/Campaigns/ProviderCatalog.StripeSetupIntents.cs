namespace Harness.Chaos.Campaigns;

public static partial class ProviderCatalog
{
    /// <summary>Stripe's SetupIntents and SetupAttempts routes.</summary>
    private static Operation[] StripeSetupIntentOperations() =>
    [
        new("POST", "/v1/setup_intents", [], Form(("customer", "cus_chaos"), ("payment_method", "pm_card_visa"), ("confirm", "true"), ("usage", "on_session"),
            ("return_url", "https://merchant.example/saved"), ("payment_method_options[card][request_three_d_secure]", "any"), ("metadata[k]", "v")), Answers),
        new("GET", "/v1/setup_intents", [new("customer", "query", "string"), new("payment_method", "query", "string"), new("created[gt]", "query", "integer"),
            new("limit", "query", "integer"), new("starting_after", "query", "string"), new("ending_before", "query", "string")], null, Answers),
        new("GET", "/v1/setup_intents/{id}", [Id, new("client_secret", "query", "string"), new("expand[]", "query", "string")], null, Answers),
        new("POST", "/v1/setup_intents/{id}", [Id], Form(("payment_method", "pm_card_mastercard"), ("description", "Chaos"), ("metadata[k]", "")), Answers),
        new("POST", "/v1/setup_intents/{id}/confirm", [Id], Form(("payment_method", "pm_card_threeDSecure2Required"), ("return_url", "https://merchant.example/saved")), Answers),
        new("POST", "/v1/setup_intents/{id}/cancel", [Id], Form(("cancellation_reason", "requested_by_customer")), Answers),
        new("GET", "/v1/setup_attempts", [new("setup_intent", "query", "string"), new("created[gte]", "query", "integer"), new("limit", "query", "integer")], null, Answers),
    ];
}
