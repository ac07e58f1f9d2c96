using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;
using static Harness.Sandbox.Creem.CreemJson;

namespace Harness.Sandbox.Creem;

/// <summary>A discount redeemed on a subscription's checkout, kept with its terms and taken off the periods it covers.</summary>
internal sealed partial class CreemBilling
{
    /// <summary>
    /// Keeps the redeemed discount's terms: <c>once</c> takes its share off the first period, <c>repeating</c> off every
    /// period that starts within <c>duration_in_months</c> of now, <c>forever</c> off all.
    /// </summary>
    private static void Keep(JsonObject subscription, JsonObject discount, DateTimeOffset now)
    {
        subscription["discount"] = CreemProvider.DiscountSummary(discount);
        var terms = new JsonObject
        {
            ["type"] = discount.Str("type"),
            ["percentage"] = discount["percentage"]?.DeepClone(),
            ["amount"] = discount["amount"]?.DeepClone(),
        };
        var until = discount.Str("duration") switch
        {
            "once" => now.AddMilliseconds(1),
            "repeating" => now.AddMonths(discount["duration_in_months"]!.GetValue<int>()),
            _ => (DateTimeOffset?)null,
        };
        if (until is { } end)
        {
            terms["until"] = Iso(end);
        }

        subscription["_discount"] = terms;
    }

    /// <summary>What the kept discount takes off <paramref name="price"/> for the current period; 0 once its duration is over.</summary>
    private static long DiscountOn(JsonObject subscription, long price) =>
        subscription["_discount"] is JsonObject terms
        && (terms.Str("until") is not { } until || ParseIso(subscription.Str("current_period_start_date")!) < ParseIso(until))
            ? CreemProvider.DiscountOff(terms, price)
            : 0;
}
