using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// A subscription update's plan change: <c>items</c> (<see cref="ReadItems"/>), <c>proration_behavior</c>,
/// <c>proration_date</c> and <c>billing_cycle_anchor</c>, read and checked here; <see cref="StripeBilling.ChangeItem"/> applies it.
/// </summary>
public sealed partial class StripeSubscriptions
{
    private static readonly string[] ProrationBehaviors = ["always_invoice", "create_prorations", "none"];

    private static readonly string[] Anchors = ["now", "unchanged"];

    /// <summary>The parameters a plan change may carry; without any of them an update changes no item.</summary>
    private static readonly string[] ChangeParams = ["items", "proration_behavior", "proration_date", "billing_cycle_anchor"];

    /// <summary>
    /// Reads the plan change of an update into <paramref name="change"/> (null when it asks none), or answers Stripe's
    /// 400 naming the parameter.
    /// </summary>
    private StripeResponse? ReadChange(JsonObject p, JsonObject subscription, long now, out ItemChange? change, bool scheduled = false)
    {
        change = null;
        if (!ChangeParams.Any(f => p[f] is not null))
        {
            return null;
        }

        var behavior = p.Str("proration_behavior") ?? "create_prorations";
        if (!ProrationBehaviors.Contains(behavior))
        {
            return StripeErrors.InvalidParam($"Invalid proration_behavior: must be one of {string.Join(", ", ProrationBehaviors)}", "proration_behavior");
        }

        if (ReadAnchor(p, "unchanged", out var anchor, out var anchorParam) is { } badAnchor)
        {
            return badAnchor;
        }

        var status = subscription.Str("status");
        if (status is not ("active" or "trialing" or "past_due") && (p["items"] is not null || anchor == "now"))
        {
            return StripeErrors.InvalidParam($"This subscription is {status}: only an active, trialing or past_due subscription changes its price, quantity or billing cycle.", p["items"] is not null ? "items" : anchorParam);
        }

        if (anchor == "now" && status == "trialing")
        {
            return StripeErrors.InvalidParam("A trialing subscription keeps its billing cycle: end the trial with `trial_end=now` to bill from now.", anchorParam);
        }

        long? prorationDate = null;
        if (p["proration_date"] is not null)
        {
            var start = subscription["current_period_start"]!.GetValue<long>();
            var end = subscription["current_period_end"]!.GetValue<long>();
            if (!StripeJson.TryLong(p.Str("proration_date"), out var date) || date < start || date > end)
            {
                return StripeErrors.InvalidParam(
                    $"`proration_date` must be a Unix time within the subscription's current period ({start} to {end}).", "proration_date");
            }

            prorationDate = date;
        }

        if (ReadItems(p, subscription, out var items, scheduled) is { } badItem)
        {
            return badItem;
        }

        change = new ItemChange(items, behavior, prorationDate, anchor == "now");
        return null;
    }

    /// <summary><c>billing_cycle_anchor</c> (<c>now</c> or <c>unchanged</c>, else <paramref name="fallback"/>) of an update or a resume, and the name it came under.</summary>
    private static StripeResponse? ReadAnchor(JsonObject p, string fallback, out string anchor, out string param)
    {
        // Current API versions send billing_cycle_anchor[type]; older ones the bare value.
        param = p["billing_cycle_anchor"] is JsonObject ? "billing_cycle_anchor[type]" : "billing_cycle_anchor";
        anchor = (p["billing_cycle_anchor"] is JsonObject typed ? typed.Str("type") : p.Str("billing_cycle_anchor")) ?? fallback;
        return Anchors.Contains(anchor) ? null : StripeErrors.InvalidParam($"Invalid {param}: must be one of {string.Join(", ", Anchors)}", param);
    }

    /// <summary>What a pending update may carry, as Stripe lists it, less <c>trial_end</c>/<c>trial_from_plan</c>/<c>add_invoice_items</c> (not simulated).</summary>
    private static readonly HashSet<string> PendingParams = ["expand", "payment_behavior", "proration_behavior", "proration_date", "billing_cycle_anchor", "items", "metadata"];

    /// <summary>
    /// An update's <c>payment_behavior</c>: how a plan change whose invoice does not pay ends (<c>allow_incomplete</c>, the
    /// default: applied, the subscription past_due; <c>error_if_incomplete</c>: refused with the card's 402;
    /// <c>pending_if_incomplete</c>: kept as a pending update; <c>default_incomplete</c>: applied, the invoice's PaymentIntent
    /// left for the merchant to confirm and the subscription past_due until it is paid).
    /// </summary>
    private static StripeResponse? ReadUpdateBehavior(JsonObject p, out string behavior)
    {
        behavior = p.Str("payment_behavior") ?? "allow_incomplete";
        if (!PaymentBehaviors.Contains(behavior))
        {
            return StripeErrors.InvalidParam($"Invalid payment_behavior: must be one of {string.Join(", ", PaymentBehaviors)}", "payment_behavior");
        }

        if (behavior == "pending_if_incomplete" && p.Select(kv => kv.Key).FirstOrDefault(k => !PendingParams.Contains(k)) is { } other)
        {
            return StripeErrors.InvalidParam(
                $"You cannot pass `{other}` with `payment_behavior=pending_if_incomplete`: a pending update takes only {string.Join(", ", PendingParams.Order(StringComparer.Ordinal))}.", other);
        }

        if (behavior == "pending_if_incomplete" && PendingItemRefusal(p) is { } itemRefusal)
        {
            return itemRefusal;
        }

        return null;
    }
}
