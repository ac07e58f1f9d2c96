using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// <c>POST /v1/invoices/{id}/pay</c> (docs.stripe.com/api/invoices/pay): pays an open subscription invoice now with the
/// subscription's or customer's default card or a <c>payment_method</c>, or marks it paid without a charge
/// (<c>paid_out_of_band</c>). The first invoice of an <c>incomplete</c> subscription is paid by confirming its
/// PaymentIntent, the path that already makes such a subscription <c>active</c>; any other is charged as a retry is. A
/// standalone invoice (<see cref="StripeStandaloneInvoices"/>) is paid through its PaymentIntent too, with the card given,
/// else its or its customer's default one; a draft is finalized first.
/// </summary>
public sealed class StripeInvoices(
    ProviderObjects objects, StripeCustomers customers, StripeBilling billing, StripePaymentIntents intents, StripePaymentMethods methods, StripeWebhooks webhooks,
    StripeStandaloneInvoices standalone)
{
    private static readonly HashSet<string> PayParams = ["expand", "payment_method", "paid_out_of_band", "off_session", "forgive"];

    public StripeResponse Pay(string id, JsonObject p)
    {
        if (StripeLists.Unknown(p, PayParams) is { } unknown)
        {
            return unknown;
        }

        if (!StripeLists.TryBool(p, "paid_out_of_band", out var outOfBand, out var error)
            || !StripeLists.TryBool(p, "off_session", out _, out error)
            || !StripeLists.TryBool(p, "forgive", out _, out error))
        {
            return error!;
        }

        return objects.Atomically(() =>
        {
            if (standalone.Find(id) is not { } invoice)
            {
                return StripeErrors.NoSuch("invoice", id, "invoice");
            }

            switch (invoice.Str("status"))
            {
                case "paid":
                    return StripeErrors.Envelope(400, "invalid_request_error", "Invoice is already paid", null, null);
                case "void":
                    return StripeErrors.Envelope(400, "invalid_request_error", "You cannot pay a void invoice.", null, null);
            }

            var customerId = invoice.Str("customer")!;
            if (invoice["parent"] is null && standalone.BeforeCharge(invoice, outOfBand == true) is { } settled)
            {
                return settled;
            }

            var subscription = invoice["parent"] is null ? null : objects.Get(invoice["parent"]!["subscription_details"].Str("subscription")!, "subscription")!;
            var at = customers.NowFor(customerId);
            if (outOfBand == true && subscription is not null)
            {
                PaidOutOfBand(invoice, subscription, at);
                return StripeResponse.Ok(StripeLists.Public(invoice));
            }

            // The card to charge as a stored PaymentMethod: a test id becomes a fresh one, as when a PaymentIntent names it.
            JsonObject? card = null;
            if (p.Str("payment_method") is { Length: > 0 } chosen)
            {
                var (method, refused) = methods.Use(chosen, customerId);
                if (refused is not null)
                {
                    return refused;
                }

                card = objects.Get(method!.Id, StripePaymentMethods.Type);
            }

            var intent = invoice.Str("_payment_intent") is { } intentId ? objects.Get(intentId, StripePaymentIntents.Type) : null;
            if (subscription is null)
            {
                return (card ?? StripePaymentMethods.SavedCard(objects, invoice))?.Str("id") is { } cardId
                    ? PayThroughIntent(invoice, intent!, cardId)
                    : StripeErrors.InvalidParam("This customer has no attached payment source or default payment method. Please consider adding a default payment method.", null);
            }

            // Without a card of its own the intent takes the saved one, else the sandbox's working card (as renewals do).
            return intent?.Str("_invoice") == id
                ? PayThroughIntent(invoice, intent!, card?.Str("id") ?? StripePaymentMethods.SavedCard(objects, subscription)?.Str("id") ?? intent.Str("payment_method") ?? StripeTestPaymentMethods.Visa)
                : Charge(invoice, subscription, card, at);
        });
    }

    /// <summary>An incomplete subscription's first invoice, or a standalone one: its PaymentIntent confirmed with the card, whose success pays the invoice.</summary>
    private StripeResponse PayThroughIntent(JsonObject invoice, JsonObject intent, string card)
    {
        var confirmed = intents.Confirm(intent.Str("id")!, new JsonObject { ["payment_method"] = card });
        if (confirmed.Status != 200)
        {
            return confirmed;
        }

        if (confirmed.Body.Str("status") == "requires_action")
        {
            return StripeErrors.Envelope(402, "card_error",
                "Payment for this invoice requires a payment method with additional authentication: confirm its PaymentIntent with the customer present.", "invoice_payment_intent_requires_action", null);
        }

        return StripeResponse.Ok(StripeLists.Public(objects.Get(invoice.Str("id")!, "invoice")!));
    }

    /// <summary>Any other open invoice: one more charge, as a retry; a decline is the card's 402 and the invoice stays open.</summary>
    private StripeResponse Charge(JsonObject invoice, JsonObject subscription, JsonObject? card, long at)
    {
        var (paid, decline) = billing.PayNow(subscription, invoice, card, at);
        return paid
            ? StripeResponse.Ok(StripeLists.Public(invoice))
            : new StripeResponse(402, new JsonObject { ["error"] = decline ?? StripeTestPaymentMethods.Decline(CardOutcome.Declined) }, Stored: true);
    }

    /// <summary>
    /// Marked paid outside Stripe: nothing charged, <c>amount_paid</c> what was due (current API versions count an out-of-band
    /// payment there), <c>invoice.paid</c>; an incomplete or past_due subscription is <c>active</c> again.
    /// </summary>
    internal void PaidOutOfBand(JsonObject invoice, JsonObject subscription, long at)
    {
        invoice["amount_paid"] = invoice["amount_remaining"]!.DeepClone();
        StripeInvoicing.PaidWithoutCharge(invoice, at);
        invoice["next_payment_attempt"] = null;
        var events = new List<StripeEvent> { new("invoice.paid", StripeLists.Public(invoice)) };
        if (subscription.Str("_retry_invoice") == invoice.Str("id"))
        {
            subscription.Remove("_retry_invoice");
        }

        if (subscription.Str("status") is "incomplete" or "past_due" && subscription.Str("status") is { } before)
        {
            subscription.Remove("_incomplete_expires_at");
            subscription["status"] = "active";
            events.Add(new StripeEvent("customer.subscription.updated", StripeLists.Public(subscription), new JsonObject { ["status"] = before }));
        }

        StripeBilling.ApplyPending(subscription, invoice.Str("id")!, events);
        objects.Put(invoice);
        objects.Put(subscription);
        webhooks.Send(subscription.Str("id")!, events);
    }
}
