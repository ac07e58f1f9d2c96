namespace Harness.Chaos.Campaigns;

public static partial class ProviderCatalog
{
    /// <summary>Stripe's SEPA Direct Debit through the API: a sepa_debit PaymentMethod, a debit with a mandate, a setup, and the Mandates route.</summary>
    private static Operation[] StripeBankDebitOperations() =>
    [
        new("POST", "/v1/payment_methods", [], Form(("type", "sepa_debit"), ("sepa_debit[iban]", "DE89370400440532013000"),
            ("billing_details[name]", "Jenny Rosen"), ("billing_details[email]", "jenny@example.com")), Answers),
        new("POST", "/v1/payment_intents", [], Form(("amount", "1500"), ("currency", "eur"), ("payment_method", "pm_chaos"), ("payment_method_types[0]", "sepa_debit"),
            ("confirm", "true"), ("mandate_data[customer_acceptance][type]", "online"), ("mandate_data[customer_acceptance][online][ip_address]", "203.0.113.7"),
            ("mandate_data[customer_acceptance][online][user_agent]", "Mozilla/5.0")), Answers),
        new("POST", "/v1/payment_intents/{id}/confirm", [Id], Form(("payment_method", "pm_chaos"), ("mandate", "mandate_chaos"), ("off_session", "true")), Answers),
        new("POST", "/v1/setup_intents", [], Form(("customer", "cus_chaos"), ("payment_method", "pm_chaos"), ("payment_method_types[0]", "sepa_debit"), ("confirm", "true"),
            ("mandate_data[customer_acceptance][type]", "offline")), Answers),
        new("GET", "/v1/mandates/{id}", [Id, new("expand[]", "query", "string")], null, Answers),
    ];
}
