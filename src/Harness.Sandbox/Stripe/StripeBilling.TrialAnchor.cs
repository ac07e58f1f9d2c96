using System.Text.Json.Nodes;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// A trial followed by a later billing cycle anchor (docs.stripe.com/billing/subscriptions/trials, combining trials with
/// <c>billing_cycle_anchor</c>): the invoice at the trial's end charges the time from that end to the anchor prorated,
/// as a new subscription's first invoice up to an anchor does (<see cref="StripeAnchors.ProrateLines"/>); full periods
/// start at the anchor.
/// </summary>
public sealed partial class StripeBilling
{
    /// <summary>
    /// The invoice of the period from <paramref name="at"/> to <paramref name="end"/>: the items' full amounts, or, when a
    /// trial ends (<paramref name="trialEnds"/>) before the subscription's anchor, their prorated share up to the anchor.
    /// </summary>
    private JsonObject PeriodInvoice(JsonObject subscription, long at, long end, string billingReason, bool trialEnds)
    {
        if (!trialEnds || StripeAnchors.AfterTrial(subscription, at) is not { } anchor)
        {
            return StripeInvoicing.NewInvoice(objects, subscription, at, end, billingReason, ItemsAmount(subscription));
        }

        var due = ((JsonArray)subscription["items"]!["data"]!).OfType<JsonObject>()
            .Sum(i => StripeAnchors.Due(StripeTiers.Advance(i["price"]!, i["quantity"]!.GetValue<long>()), anchor, i["price"]!["recurring"], at));
        var invoice = StripeInvoicing.NewInvoice(objects, subscription, at, end, billingReason, due);
        StripeAnchors.ProrateLines(objects, invoice, subscription, anchor, at);
        return invoice;
    }
}
