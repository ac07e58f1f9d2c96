namespace Harness.Chaos.Campaigns;

public static partial class ProviderCatalog
{
    /// <summary>Stripe's Webhook Endpoints API; the endpoint points at the discard port, so what it is sent is refused at once.</summary>
    private static Operation[] StripeWebhookEndpointOperations() =>
    [
        new("POST", "/v1/webhook_endpoints", [], Form(("url", "http://127.0.0.1:9/chaos"), ("enabled_events[0]", "checkout.session.completed"),
            ("description", "Chaos"), ("api_version", "2024-06-20"), ("metadata[label]", "chaos")), Answers),
        new("GET", "/v1/webhook_endpoints", [new("limit", "query", "integer"), new("starting_after", "query", "string")], null, Answers),
        new("GET", "/v1/webhook_endpoints/{id}", [Id], null, Answers),
        new("POST", "/v1/webhook_endpoints/{id}", [Id], Form(("disabled", "true"), ("enabled_events[0]", "*"), ("url", "http://127.0.0.1:9/chaos2")), Answers),
        new("DELETE", "/v1/webhook_endpoints/{id}", [Id], null, Answers),
    ];
}
