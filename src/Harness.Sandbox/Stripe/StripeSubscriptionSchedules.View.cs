using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>A schedule as stored when it is made, and as the API shows it.</summary>
public sealed partial class StripeSubscriptionSchedules
{
    private static JsonObject NewSchedule(string customerId, string endBehavior, JsonObject metadata, List<JsonObject> phases, long now) => new()
    {
        ["id"] = StripeJson.NewId("sub_sched"),
        ["object"] = Type,
        ["application"] = null,
        ["canceled_at"] = null,
        ["completed_at"] = null,
        ["created"] = now,
        ["current_phase"] = null,
        ["customer"] = customerId,
        ["default_settings"] = DefaultSettings(),
        ["end_behavior"] = endBehavior,
        ["livemode"] = false,
        ["metadata"] = metadata.DeepClone(),
        ["phases"] = new JsonArray([.. phases.Select(ph => (JsonNode)ph)]),
        ["released_at"] = null,
        ["released_subscription"] = null,
        ["status"] = "not_started",
        ["subscription"] = null,
        ["test_clock"] = null,
    };

    private static JsonObject DefaultSettings() => new()
    {
        ["application_fee_percent"] = null,
        ["automatic_tax"] = new JsonObject { ["enabled"] = false, ["liability"] = null },
        ["billing_cycle_anchor"] = "automatic",
        ["billing_thresholds"] = null,
        ["collection_method"] = "charge_automatically",
        ["default_payment_method"] = null,
        ["description"] = null,
        ["invoice_settings"] = new JsonObject { ["account_tax_ids"] = null, ["days_until_due"] = null, ["issuer"] = new JsonObject { ["type"] = "self" } },
        ["on_behalf_of"] = null,
        ["transfer_data"] = null,
    };

    private static List<JsonObject> Phases(JsonObject schedule) => [.. ((JsonArray)schedule["phases"]!).OfType<JsonObject>()];

    private static JsonObject CurrentPhase(JsonObject phase) => new() { ["end_date"] = phase["end_date"]!.DeepClone(), ["start_date"] = phase["start_date"]!.DeepClone() };

    /// <summary>The public schedule: tax rates shown whole, as Stripe shows them; <c>expand[]</c> of <c>customer</c> and <c>subscription</c>.</summary>
    private JsonObject View(JsonObject schedule, JsonObject? query)
    {
        var copy = StripeLists.Public(schedule);
        foreach (var phase in ((JsonArray)copy["phases"]!).OfType<JsonObject>())
        {
            phase["default_tax_rates"] = Rates(phase["default_tax_rates"]);
            foreach (var item in ((JsonArray)phase["items"]!).OfType<JsonObject>())
            {
                item["tax_rates"] = Rates(item["tax_rates"]);
            }
        }

        var fields = (query?["expand"] as JsonArray)?.OfType<JsonValue>().Select(e => e.ToString()).ToList() ?? [];
        foreach (var (field, type) in new[] { ("customer", "customer"), ("subscription", "subscription") })
        {
            if (fields.Contains(field) && copy.Str(field) is { } related && objects.Get(related, type) is { } found)
            {
                copy[field] = StripeLists.Public(found);
            }
        }

        return copy;
    }

    private JsonArray Rates(JsonNode? ids) =>
        StripeInvoicing.Shown((ids as JsonArray ?? []).Select(i => objects.Get(i!.GetValue<string>(), StripeTaxRates.Type)).OfType<JsonObject>());
}
