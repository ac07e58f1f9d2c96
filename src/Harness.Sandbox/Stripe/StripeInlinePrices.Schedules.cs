using System.Globalization;
using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// A schedule phase's <c>add_invoice_items</c>: read as a subscription's are (<see cref="StripeSubscriptions.ReadAddedItems"/>),
/// stored in the shape Stripe shows them, and passed to the subscription create or update that starts the phase, so
/// they land on the phase's first invoice (or, when the start makes none, on the next one).
/// </summary>
public sealed partial class StripeSubscriptionSchedules
{
    private StripeResponse? ReadPhaseAddedItems(JsonObject phase, string param, string currency, JsonObject stored)
    {
        if (subscriptions.ReadAddedItems(phase, currency, false, out var entries, phase: true) is { } bad)
        {
            // add_invoice_items[0][price] → phases[1][add_invoice_items][0][price]
            if (bad.Body["error"] is JsonObject error && error.Str("param") is { } inner)
            {
                var head = inner.IndexOf('[', StringComparison.Ordinal) is var at and >= 0 ? at : inner.Length;
                error["param"] = $"{param}[{inner[..head]}]{inner[head..]}";
            }

            return bad;
        }

        stored["add_invoice_items"] = new JsonArray([.. entries.Select(e => (JsonNode)new JsonObject
        {
            ["discounts"] = new JsonArray(),
            ["metadata"] = e.Metadata?.DeepClone() ?? new JsonObject(),
            ["period"] = new JsonObject { ["end"] = new JsonObject { ["type"] = "min_item_period_end" }, ["start"] = new JsonObject { ["type"] = "phase_start" } },
            ["price"] = e.Price.Str("id"),
            ["quantity"] = e.Quantity,
            ["tax_rates"] = new JsonArray([.. e.TaxRates.Select(r => (JsonNode)r.Str("id")!)]),
        })]);
        return null;
    }

    /// <summary>The starting phase's <c>add_invoice_items</c> as the subscription parameter.</summary>
    private static void AddInvoiceItemParamsOf(JsonObject phase, JsonObject p)
    {
        if (phase["add_invoice_items"] is not JsonArray { Count: > 0 } added)
        {
            return;
        }

        p["add_invoice_items"] = new JsonArray([.. added.OfType<JsonObject>().Select(a => (JsonNode)new JsonObject
        {
            ["price"] = a.Str("price"),
            ["quantity"] = a["quantity"]!.GetValue<long>().ToString(CultureInfo.InvariantCulture),
            ["metadata"] = a["metadata"]!.DeepClone(),
            ["tax_rates"] = ((JsonArray)a["tax_rates"]!).Count > 0 ? a["tax_rates"]!.DeepClone() : "",
        })]);
    }
}
