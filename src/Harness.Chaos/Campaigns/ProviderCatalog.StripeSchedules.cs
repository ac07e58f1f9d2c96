namespace Harness.Chaos.Campaigns;

public static partial class ProviderCatalog
{
    /// <summary>Stripe's Subscription Schedules routes.</summary>
    private static Operation[] StripeScheduleOperations() =>
    [
        new("POST", "/v1/subscription_schedules", [], Form(("customer", "cus_chaos"), ("start_date", "now"), ("end_behavior", "release"),
            ("phases[0][items][0][price]", "price_HarnessProMonthly"), ("phases[0][items][0][quantity]", "2"), ("phases[0][iterations]", "3"),
            ("phases[0][proration_behavior]", "none"), ("phases[1][items][0][price]", "price_HarnessTeamMonthly"), ("phases[1][duration][interval]", "month"),
            ("metadata[k]", "v")), Answers),
        new("POST", "/v1/subscription_schedules", [], Form(("from_subscription", "sub_chaos")), Answers),
        new("GET", "/v1/subscription_schedules", [new("customer", "query", "string"), new("scheduled", "query", "boolean"), new("created[gte]", "query", "integer"),
            new("released_at[lte]", "query", "integer"), new("limit", "query", "integer"), new("starting_after", "query", "string"), new("ending_before", "query", "string")],
            null, Answers),
        new("GET", "/v1/subscription_schedules/{id}", [Id, new("expand[]", "query", "string")], null, Answers),
        new("POST", "/v1/subscription_schedules/{id}", [Id], Form(("phases[0][items][0][price]", "price_HarnessProMonthly"), ("phases[0][start_date]", "1767225600"),
            ("phases[0][end_date]", "1769904000"), ("phases[1][items][0][price]", "price_HarnessTeamMonthly"), ("end_behavior", "cancel"), ("proration_behavior", "always_invoice")), Answers),
        new("POST", "/v1/subscription_schedules/{id}/cancel", [Id], Form(("invoice_now", "false"), ("prorate", "true")), Answers),
        new("POST", "/v1/subscription_schedules/{id}/release", [Id], Form(("preserve_cancel_date", "true")), Answers),
    ];
}
