namespace Harness.Chaos.Campaigns;

public static partial class ProviderCatalog
{
    /// <summary>Stripe's usage-based billing routes: billing meters, meter events, their cancel adjustments and summaries.</summary>
    private static Operation[] StripeMeterOperations() =>
    [
        new("POST", "/v1/billing/meters", [], Form(("display_name", "Chaos calls"), ("event_name", "chaos_calls"), ("default_aggregation[formula]", "sum"),
            ("customer_mapping[event_payload_key]", "stripe_customer_id"), ("customer_mapping[type]", "by_id"), ("value_settings[event_payload_key]", "value")), Answers),
        new("GET", "/v1/billing/meters", [new("status", "query", "string"), new("limit", "query", "integer"), new("starting_after", "query", "string")], null, Answers),
        new("GET", "/v1/billing/meters/{id}", [Id], null, Answers),
        new("POST", "/v1/billing/meters/{id}", [Id], Form(("display_name", "Chaos calls v2")), Answers),
        new("POST", "/v1/billing/meters/{id}/deactivate", [Id], null, Answers),
        new("POST", "/v1/billing/meters/{id}/reactivate", [Id], null, Answers),
        new("GET", "/v1/billing/meters/{id}/event_summaries",
            [Id, new("customer", "query", "string"), new("start_time", "query", "integer"), new("end_time", "query", "integer"), new("value_grouping_window", "query", "string")], null, Answers),
        new("POST", "/v1/billing/meter_events", [], Form(("event_name", "chaos_calls"), ("payload[stripe_customer_id]", "cus_chaos"), ("payload[value]", "25"),
            ("identifier", "chaos-1"), ("timestamp", "1767225600")), Answers),
        new("POST", "/v1/billing/meter_event_adjustments", [], Form(("event_name", "chaos_calls"), ("type", "cancel"), ("cancel[identifier]", "chaos-1")), Answers),
    ];
}
