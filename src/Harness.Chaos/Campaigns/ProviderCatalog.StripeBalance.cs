namespace Harness.Chaos.Campaigns;

public static partial class ProviderCatalog
{
    /// <summary>Stripe's balance and balance-transaction reads.</summary>
    private static Operation[] StripeBalanceOperations() =>
    [
        new("GET", "/v1/balance", [], null, Answers),
        new("GET", "/v1/balance_transactions", [new("type", "query", "string"), new("source", "query", "string"), new("currency", "query", "string"),
            new("limit", "query", "integer"), new("starting_after", "query", "string")], null, Answers),
        new("GET", "/v1/balance_transactions/{id}", [Id], null, Answers),
    ];
}
