using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// <c>POST /v1/invoices/create_preview</c> (docs.stripe.com/api/invoices/create_preview) for a subscription: its next
/// invoice, with a plan change in <c>subscription_details</c> (<c>items</c>, <c>proration_behavior</c>,
/// <c>proration_date</c>, <c>billing_cycle_anchor</c>) applied as an update would, and nothing stored.
/// </summary>
public sealed partial class StripeSubscriptions
{
    private static readonly HashSet<string> PreviewParams = ["customer", "subscription", "subscription_details", "expand"];

    private static readonly HashSet<string> PreviewDetails = ["items", "proration_behavior", "proration_date", "billing_cycle_anchor"];

    private const string Details = "subscription_details";

    public StripeResponse Preview(JsonObject p)
    {
        if (StripeLists.Unknown(p, PreviewParams) is { } unknown)
        {
            return unknown;
        }

        var details = p[Details] as JsonObject ?? new JsonObject();
        if (p[Details] is not (null or JsonObject))
        {
            return StripeErrors.InvalidParam("Invalid object", Details);
        }

        if (StripeLists.Unknown(details, PreviewDetails) is { } unknownDetail)
        {
            return Prefixed(unknownDetail);
        }

        if (p.Str("subscription") is not { } id)
        {
            return StripeErrors.InvalidParam("The sandbox previews a subscription's next invoice: pass `subscription` (and, to preview a change, `subscription_details`).", "subscription");
        }

        return objects.Atomically(() =>
        {
            if (objects.Get(id, Type) is not { } subscription)
            {
                return StripeErrors.NoSuch(Type, id, "subscription");
            }

            if (p.Str("customer") is { } customer && customer != subscription.Str("customer"))
            {
                return StripeErrors.InvalidParam($"The subscription {id} belongs to another customer than {customer}.", "customer");
            }

            if (!StripeBilling.Bills(subscription))
            {
                return StripeErrors.InvalidParam($"This subscription is {subscription.Str("status")}: it has no upcoming invoice.", "subscription", "invoice_upcoming_none");
            }

            var now = customers.NowFor(subscription.Str("customer"));
            return ReadChange(details, subscription, now, out var change) is { } bad
                ? Prefixed(bad)
                : StripeResponse.Ok(billing.Preview(subscription, change, now));
        });
    }

    /// <summary>A refusal of a <c>subscription_details</c> field, its <c>param</c> named as sent: <c>subscription_details[items][0][price]</c>.</summary>
    private static StripeResponse Prefixed(StripeResponse refusal)
    {
        if (refusal.Body["error"] is JsonObject error && error.Str("param") is { } param)
        {
            var bracket = param.IndexOf('[', StringComparison.Ordinal);
            error["param"] = bracket < 0 ? $"{Details}[{param}]" : $"{Details}[{param[..bracket]}]{param[bracket..]}";
        }

        return refusal;
    }
}
