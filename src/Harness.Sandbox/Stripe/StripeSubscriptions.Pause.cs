using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// <c>POST /v1/subscriptions/{id}/resume</c>: a <c>paused</c> subscription (a trial ended without a card under
/// <c>missing_payment_method=pause</c>) billing again; <see cref="StripeBilling.Resume"/> does it.
/// </summary>
public sealed partial class StripeSubscriptions
{
    private static readonly HashSet<string> ResumeParams = ["billing_cycle_anchor", "proration_behavior", "proration_date", "expand"];

    public StripeResponse Resume(string id, JsonObject p)
    {
        if (StripeLists.Unknown(p, ResumeParams) is { } unknown)
        {
            return unknown;
        }

        if (ReadAnchor(p, "now", out var anchor, out _) is { } badAnchor)
        {
            return badAnchor;
        }

        var behavior = p.Str("proration_behavior") ?? "create_prorations";
        if (!ProrationBehaviors.Contains(behavior))
        {
            return StripeErrors.InvalidParam($"Invalid proration_behavior: must be one of {string.Join(", ", ProrationBehaviors)}", "proration_behavior");
        }

        long? prorationDate = null;
        if (p["proration_date"] is not null)
        {
            if (!StripeJson.TryLong(p.Str("proration_date"), out var date))
            {
                return StripeErrors.InvalidParam($"Invalid integer: {StripeLists.Clip(p.Str("proration_date") ?? "")}", "proration_date");
            }

            prorationDate = date;
        }

        return objects.Atomically(() =>
        {
            if (objects.Get(id, Type) is not { } subscription)
            {
                return StripeErrors.NoSuch(Type, id, "id");
            }

            if (subscription.Str("status") is var status && status != "paused")
            {
                return StripeErrors.InvalidParam($"Only a paused subscription can be resumed, and this one is {status}.", null);
            }

            var now = customers.NowFor(subscription.Str("customer"));
            // Prorations come only from the unchanged cycle, so only there does their date have to fall in its period.
            if (anchor == "unchanged" && prorationDate is { } at && StripeBilling.PeriodAround(subscription, now) is var (start, end) && (at < start || at > end))
            {
                return StripeErrors.InvalidParam($"`proration_date` must be a Unix time within the period the subscription resumes into ({start} to {end}).", "proration_date");
            }

            billing.Resume(subscription, anchor == "now", behavior, prorationDate, now);
            return StripeResponse.Ok(View(objects.Get(id, Type)!, p));
        });
    }
}
