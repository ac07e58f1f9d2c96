using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// PaymentIntents that pay a subscription's first invoice when it was not paid at creation (an <c>incomplete</c>
/// subscription): confirmable like any other, and what their attempts do to the invoice and the subscription.
/// </summary>
public sealed partial class StripePaymentIntents
{
    /// <summary>
    /// Opens the intent of an open first invoice, for its customer and amount, naming <paramref name="cardId"/> (the
    /// saved card, when there is one), and with <paramref name="confirm"/> makes the attempt at once as Stripe does for
    /// <c>allow_incomplete</c>. <paramref name="saveCard"/> (<c>save_default_payment_method=on_subscription</c>) saves the
    /// card that pays it. The caller holds the unit and has sent the invoice's own events. A standalone invoice's intent
    /// has its own <paramref name="description"/>. With <paramref name="offSession"/> the attempt is made with the customer
    /// away: a card that needs 3-D Secure fails it with <c>authentication_required</c>.
    /// </summary>
    public void OpenForInvoice(JsonObject invoice, string? cardId, bool confirm, bool saveCard, string description = "Subscription creation", bool offSession = false)
    {
        var method = methods.Find(cardId);
        var intent = New(invoice["amount_due"]!.GetValue<long>(), invoice.Str("currency")!, invoice.Str("customer"), description, new JsonObject(), method?.Id, invoice["created"]!.GetValue<long>());
        intent["setup_future_usage"] = saveCard ? "off_session" : null;
        intent["_invoice"] = invoice.Str("id");
        invoice["_payment_intent"] = intent.Str("id");
        objects.Put(invoice);
        Open(intent, description);
        webhooks.Send(intent.Str("id")!, [("payment_intent.created", Public(intent, null))]);
        if (confirm)
        {
            Attempt(intent, method, null, offSession, new JsonObject());
        }
    }

    /// <summary>The first invoice was voided (its subscription expired incomplete): its intent is canceled. The caller holds the unit.</summary>
    public void CancelForInvoice(string intentId, long at)
    {
        if (objects.Get(intentId, Type) is not { } intent || !Cancelable.Contains(intent.Str("status")))
        {
            return;
        }

        intent["status"] = "canceled";
        intent["canceled_at"] = at;
        intent["cancellation_reason"] = "void_invoice";
        intent["next_action"] = null;
        objects.Put(intent);
        context.Payments.TryClose(intentId, PaymentStatus.Canceled);
        webhooks.Send(intentId, [("payment_intent.canceled", Public(intent, null))]);
    }

    /// <summary>A new intent's fields, as Stripe shows them before any attempt.</summary>
    private static JsonObject New(long amount, string currency, string? customer, string? description, JsonObject metadata, string? methodId, long now)
    {
        var id = StripeJson.NewId("pi");
        return new JsonObject
        {
            ["id"] = id,
            ["object"] = Type,
            ["amount"] = amount,
            ["amount_capturable"] = 0L,
            ["amount_received"] = 0L,
            ["automatic_payment_methods"] = null,
            ["canceled_at"] = null,
            ["cancellation_reason"] = null,
            ["capture_method"] = "automatic",
            ["client_secret"] = id + "_secret_" + StripeJson.NewId("s")[2..],
            ["confirmation_method"] = "automatic",
            ["created"] = now,
            ["currency"] = currency,
            ["customer"] = customer,
            ["description"] = description,
            ["last_payment_error"] = null,
            ["latest_charge"] = null,
            ["livemode"] = false,
            ["mandate"] = null,
            ["metadata"] = metadata,
            ["next_action"] = null,
            ["payment_method"] = methodId,
            ["payment_method_types"] = new JsonArray("card"),
            ["receipt_email"] = null,
            ["setup_future_usage"] = null,
            ["statement_descriptor"] = null,
            ["statement_descriptor_suffix"] = null,
            ["status"] = methodId is null ? "requires_payment_method" : "requires_confirmation",
        };
    }

    /// <summary>Stores the intent and its sandbox payment, whose hosted page plays the Payment Element and the challenge.</summary>
    private void Open(JsonObject intent, string description)
    {
        objects.Put(intent);
        context.Payments.Add(new SandboxPayment
        {
            Id = intent.Str("id")!,
            Provider = "stripe",
            Status = PaymentStatus.Open,
            Amount = intent["amount"]!.GetValue<long>(),
            Currency = intent.Str("currency")!,
            Description = description,
            MerchantReference = intent.Str("id")!,
            CreatedAt = context.Clock.GetUtcNow().UtcDateTime,

            // A PaymentIntent does not expire: it waits for a payment method until it is canceled. The sandbox clock
            // never reaches this.
            ExpiresAt = NeverExpires,
        });
    }

    /// <summary>
    /// After an attempt on an invoice's intent: the invoice counts it, and is paid or waits for another payment method or
    /// for the challenge, with Stripe's events. A subscription's first invoice paid makes the subscription <c>active</c>
    /// (with the card as its default when asked); a standalone invoice (open or uncollectible) has only its own events.
    /// </summary>
    private void InvoiceFollows(JsonObject intent)
    {
        if (intent.Str("_invoice") is not { } invoiceId || objects.Get(invoiceId, "invoice") is not { } invoice
            || !(invoice.Str("status") == "open" || invoice.Str("status") == "uncollectible" && invoice["parent"] is null))
        {
            return;
        }

        var subscription = invoice["parent"]?["subscription_details"].Str("subscription") is { } subscriptionId ? objects.Get(subscriptionId, "subscription") : null;
        var at = StripeJson.Unix(context.Clock.GetUtcNow());
        invoice["attempted"] = true;
        invoice["attempt_count"] = invoice["attempt_count"]!.GetValue<long>() + 1;
        var events = new List<StripeEvent>();
        switch (intent.Str("status"))
        {
            case "succeeded":
                invoice["status"] = "paid";
                invoice["auto_advance"] = false;
                invoice["next_payment_attempt"] = null;
                invoice["amount_paid"] = invoice["amount_due"]!.DeepClone();
                invoice["amount_remaining"] = 0L;
                invoice["status_transitions"]!["paid_at"] = at;
                var paid = StripeLists.Public(invoice);
                events.AddRange([new("invoice.paid", paid), new("invoice.payment_succeeded", paid)]);
                if (subscription is not null)
                {
                    var previous = new JsonObject();
                    if (subscription.Str("status") is { } status and not ("active" or "canceled" or "incomplete_expired"))
                    {
                        previous["status"] = status;
                        subscription["status"] = "active";
                    }

                    if (intent.Str("setup_future_usage") is not null)
                    {
                        previous["default_payment_method"] = subscription["default_payment_method"]?.DeepClone();
                        subscription["default_payment_method"] = intent.Str("payment_method");
                    }

                    subscription.Remove("_incomplete_expires_at");

                    // An active or ended one's invoice (a draft held while collection was paused, finalized later) changes nothing on it.
                    if (previous.Count > 0)
                    {
                        events.Add(new("customer.subscription.updated", StripeLists.Public(subscription), previous));
                    }
                }

                break;
            case "requires_action":
                events.Add(new("invoice.payment_action_required", StripeLists.Public(invoice)));
                break;
            default:
                events.Add(new("invoice.payment_failed", StripeLists.Public(invoice)));
                break;
        }

        objects.Put(invoice);
        if (subscription is not null)
        {
            objects.Put(subscription);
        }

        webhooks.Send(subscription?.Str("id") ?? invoiceId, events);
    }
}
