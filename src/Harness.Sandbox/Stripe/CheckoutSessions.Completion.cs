using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>What paying a Checkout Session creates: the customer, the payment intent and charge, the subscription, or the saved card.</summary>
public sealed partial class CheckoutSessions
{
    /// <summary>
    /// The buyer paid: creates the customer if the session makes one, and, by mode, the payment intent or the
    /// subscription with its first invoice, completes the session, and returns the events Stripe sends for it, in
    /// Stripe's order. A payment by <paramref name="debit"/> completes unpaid, its intent processing until the debit
    /// settles (<see cref="StripeBankDebits"/>).
    /// </summary>
    public (JsonObject Session, List<(string Type, JsonObject Object)> Events) Complete(SandboxPayment payment, TestBankAccount? debit = null)
    {
        var session = objects.Get(payment.Id, Type)!;
        var now = StripeJson.Unix(context.Clock.GetUtcNow());
        var customerId = session.Str("customer");
        var email = session.Str("customer_email") ?? "buyer@example.com";
        // Without customer_creation=always a payment or setup checkout is a guest's: no Customer, only customer_details.
        if (customerId is null && (session.Str("mode") == "subscription" || session.Str("customer_creation") == "always"))
        {
            customerId = StripeJson.NewId("cus");
            objects.Put(new JsonObject
            {
                ["id"] = customerId,
                ["object"] = "customer",
                ["created"] = now,
                ["email"] = email,
                ["livemode"] = false,
                ["metadata"] = new JsonObject(),
                ["name"] = "Sandbox Buyer",
            });
        }
        else if (customerId is not null)
        {
            email = objects.Get(customerId, "customer")?.Str("email") ?? email;
        }

        // The time up to a billing cycle anchor is prorated from when the session is paid.
        if (session["_anchor"] is JsonObject)
        {
            ProrateToAnchor(session, now);
            Discount(session, session["_discount"] as JsonObject);
        }

        var amount = session["amount_total"]!.GetValue<long>();
        var currency = session.Str("currency")!;
        var events = new List<(string, JsonObject)>();
        session["status"] = "complete";
        session["url"] = null;
        CountForLink(session);
        session["customer"] = customerId;
        session["customer_details"] = new JsonObject
        {
            ["address"] = null,
            ["email"] = email,
            ["name"] = "Sandbox Buyer",
            ["phone"] = null,
            ["tax_exempt"] = "none",
            ["tax_ids"] = new JsonArray(),
        };
        RedeemDiscount(session, customerId);

        switch (session.Str("mode"))
        {
            case "payment" when amount == 0 && debit is null && session["_discount"] is JsonObject:
                // A discount took everything off: Stripe completes the session without a payment.
                session["payment_status"] = "no_payment_required";
                objects.Put(session);
                events.Add(("checkout.session.completed", Public(session, null)));
                break;
            case "payment":
                var intentId = StripeJson.NewId("pi");
                // A checkout that saves the card makes a PaymentMethod of it; the others record only the charge's card.
                var saved = debit is null && session["_save_card"]?.GetValue<bool>() == true ? methods.ForPayment(payment) : null;
                var charge = StripeCharges.New(new ChargeAttempt(amount, currency, now)
                {
                    Customer = customerId,
                    PaymentIntent = intentId,
                    Pending = debit is not null,
                    PaymentMethod = saved?.Id,
                    PaymentMethodDetails = saved is not null ? StripeTestPaymentMethods.Details(saved)
                        : debit is null ? StripeTestCards.ChargeDetails(payment) : StripeBankDebits.Details(debit),
                });
                StripeBalance.RecordCharge(objects, charge, now);
                objects.Put(charge);
                var intent = new JsonObject
                {
                    ["id"] = intentId,
                    ["latest_charge"] = charge.Str("id"),
                    ["object"] = "payment_intent",
                    ["amount"] = amount,
                    ["amount_received"] = debit is null ? amount : 0L,
                    ["created"] = now,
                    ["currency"] = currency,
                    ["customer"] = customerId,
                    ["description"] = session.Str("_intent_description"),
                    ["last_payment_error"] = null,
                    ["livemode"] = false,
                    ["metadata"] = session["_intent_metadata"]?.DeepClone() ?? new JsonObject(),
                    ["payment_method_types"] = new JsonArray(debit is null ? "card" : StripeBankDebits.PaymentMethod),
                    ["status"] = debit is null ? "succeeded" : "processing",
                };
                if (saved is not null)
                {
                    intent["payment_method"] = saved.Id;
                    intent["setup_future_usage"] = session.Str("_setup_future_usage");
                }

                objects.Put(intent);
                session["payment_intent"] = intent.Str("id");
                session["payment_status"] = debit is null ? "paid" : "unpaid";
                objects.Put(session);
                events.Add(("checkout.session.completed", Public(session, null)));
                events.Add((debit is null ? "payment_intent.succeeded" : "payment_intent.processing", intent));
                if (saved is not null)
                {
                    // As at Stripe, the card is saved when the checkout has a customer (given, or made by customer_creation=always).
                    events.AddRange(methods.Charged(saved.Id, customerId, save: true).Select(e => (e.Type, e.Resource)));
                }

                break;
            case "subscription":
                // Subscription mode always made or was given a customer (above). As at Stripe, the buyer's card is saved
                // to it and becomes the subscription's default_payment_method, which its renewals charge.
                var subscriptionCard = methods.ForPayment(payment);
                var attached = methods.Charged(subscriptionCard.Id, customerId, save: true);
                var (subscription, invoice) = Subscribe(session, customerId!, subscriptionCard.Id, now);
                session["subscription"] = subscription.Str("id");
                session["invoice"] = invoice?.Str("id");
                // A trial, or the free time up to an anchor, with nothing else to pay takes no payment now: Stripe's no_payment_required.
                session["payment_status"] = (session["_trial"] is null && session["_anchor"] is null) || amount > 0 ? "paid" : "no_payment_required";
                objects.Put(session);
                events.Add(("checkout.session.completed", Public(session, null)));
                events.Add(("customer.subscription.created", subscription));
                if (invoice is not null)
                {
                    events.Add(("invoice.paid", invoice));
                }

                if (StripeTrials.NoticeAtOnce(subscription))
                {
                    events.Add(("customer.subscription.trial_will_end", subscription));
                }

                events.AddRange(attached.Select(e => (e.Type, e.Resource)));

                break;
            default:
                objects.Put(session);
                events.Add(("checkout.session.completed", Public(session, null)));
                // The card set up is a PaymentMethod, saved to the customer when the checkout has one.
                var card = methods.ForPayment(payment);
                if (StripeSetupIntents.Succeed(objects, session.Str("setup_intent"), customerId, card.Id) is { } setupIntent)
                {
                    events.Add(("setup_intent.succeeded", setupIntent));
                }

                if (customerId is not null)
                {
                    events.AddRange(methods.Charged(card.Id, customerId, save: true).Select(e => (e.Type, e.Resource)));
                }

                break;
        }

        return (session, events);
    }

    /// <summary>
    /// The subscription a paid subscription-mode session starts (on the customer's test clock if it has one), charging
    /// <paramref name="card"/>; anchored, at <paramref name="now"/>, the time its first amount was prorated at.
    /// </summary>
    private (JsonObject Subscription, JsonObject? Invoice) Subscribe(JsonObject session, string customerId, string card, long now)
    {
        var items = ((JsonArray)session["_line_items"]!).OfType<JsonObject>()
            .Select(i => ((JsonObject)i["price"]!, i["quantity"]!.GetValue<long>()))
            .ToList();
        var metadata = session["_subscription_metadata"] as JsonObject ?? new JsonObject();
        // The first invoice takes the discount off the subscription's items itself: it starts from the undiscounted amount.
        var (subscription, invoice) = billing.Start(
            customerId, items, session["amount_subtotal"]!.GetValue<long>(), metadata, cancelAtPeriodEnd: false, session["_trial"] as JsonObject, card,
            discounts: session["_discount"] is JsonObject discount ? [discount] : null, anchor: session["_anchor"] is JsonObject anchor ? StripeAnchors.FromJson(anchor) : null,
            at: session["_anchor"] is JsonObject ? now : null, taxes: SubscriptionTaxes(session));
        return (StripeLists.Public(subscription), invoice is null ? null : StripeLists.Public(invoice));
    }
}
