using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// How <c>POST /v1/subscriptions</c> takes its first payment (docs.stripe.com/billing/subscriptions/overview#payment-behavior):
/// a trial's 0 invoice paid at once; the saved card charged, which paid makes the subscription <c>active</c>; otherwise,
/// by <c>payment_behavior</c>, an <c>incomplete</c> subscription whose open first invoice waits for its PaymentIntent to
/// be confirmed (<c>allow_incomplete</c>, <c>default_incomplete</c>) or Stripe's 402 and no subscription (<c>error_if_incomplete</c>).
/// With <c>off_session=true</c> the customer is not there to pass a 3-D Secure challenge: a card that needs one fails
/// the first payment with <c>authentication_required</c> instead of asking for the challenge.
/// </summary>
public sealed partial class StripeSubscriptions
{
    private static readonly string[] PaymentBehaviors = ["allow_incomplete", "default_incomplete", "error_if_incomplete", "pending_if_incomplete"];

    private static readonly string[] SaveDefaultPaymentMethod = ["off", "on_subscription"];

    /// <summary>
    /// <c>payment_behavior</c> (<c>allow_incomplete</c> by default), <c>payment_settings[save_default_payment_method]</c>
    /// (<c>on_subscription</c>: the card that pays the first invoice becomes the subscription's default) and
    /// <c>off_session</c> (a boolean, read again by <see cref="Start"/>).
    /// </summary>
    private static StripeResponse? ReadPaymentBehavior(JsonObject p, out string behavior, out bool saveCard)
    {
        behavior = p.Str("payment_behavior") ?? "allow_incomplete";
        saveCard = false;
        if (!StripeLists.TryBool(p, "off_session", out _, out var badOffSession))
        {
            return badOffSession;
        }

        if (!PaymentBehaviors.Contains(behavior))
        {
            return StripeErrors.InvalidParam($"Invalid payment_behavior: must be one of {string.Join(", ", PaymentBehaviors)}", "payment_behavior");
        }

        if (behavior == "pending_if_incomplete")
        {
            // Stripe takes it only on updates that change the price, which the sandbox does not simulate.
            return StripeErrors.InvalidParam(
                "The sandbox does not simulate `payment_behavior=pending_if_incomplete` (pending updates): use allow_incomplete, default_incomplete or error_if_incomplete.", "payment_behavior");
        }

        if (p["payment_settings"] is null)
        {
            return null;
        }

        const string Param = "payment_settings[save_default_payment_method]";
        if (p["payment_settings"] is not JsonObject settings || settings.Any(f => f.Key != "save_default_payment_method"))
        {
            return StripeErrors.InvalidParam("The sandbox takes only `payment_settings[save_default_payment_method]` among payment_settings.", "payment_settings");
        }

        if (settings.Str("save_default_payment_method") is { } save && !SaveDefaultPaymentMethod.Contains(save))
        {
            return StripeErrors.InvalidParam($"Invalid {Param}: must be one of {string.Join(", ", SaveDefaultPaymentMethod)}", Param);
        }

        saveCard = settings.Str("save_default_payment_method") == "on_subscription";
        return null;
    }

    /// <summary>Starts the subscription as its first payment goes; the caller holds the unit.</summary>
    private StripeResponse Start(FirstPayment first, JsonObject p)
    {
        var (customerId, items, amount, metadata, cancelAtEnd, trial, chosen, behavior, saveCard, stack, anchor, now, taxes, _, _) = first;
        if (trial is not null)
        {
            var (trialing, zero) = billing.Start(customerId, items, 0, metadata, cancelAtEnd, trial, chosen, discounts: stack, anchor: anchor, at: now, taxes: taxes, schedule: first.Schedule, added: first.Added);
            var paidZero = StripeLists.Public(zero!);
            webhooks.Send(trialing.Str("id")!, [
                new StripeEvent("customer.subscription.created", StripeLists.Public(trialing)),
                new StripeEvent("invoice.paid", paidZero),
                new StripeEvent("invoice.payment_succeeded", paidZero),
                .. StripeTrials.NoticeAtOnce(trialing) ? [new StripeEvent("customer.subscription.trial_will_end", StripeLists.Public(trialing))] : Array.Empty<StripeEvent>(),
            ]);
            return StripeResponse.Ok(View(trialing, p));
        }

        // The card the first invoice charges: the subscription's own, else the customer's default. Without either the
        // sandbox's customer has a working card, as for renewals.
        var card = StripePaymentMethods.SavedCard(objects, new JsonObject { ["customer"] = customerId, ["default_payment_method"] = chosen });
        var approved = card is null || StripePaymentMethods.DeclineOf(card) is null;
        // Nothing due up to a future anchor (proration_behavior=none): no payment to make or wait for.
        if ((approved && behavior != "default_incomplete") || (anchor is not null && amount == 0 && first.Added is not { Count: > 0 }))
        {
            var (subscription, invoice) = billing.Start(customerId, items, amount, metadata, cancelAtEnd, defaultPaymentMethod: chosen ?? (saveCard ? card?.Str("id") : null), discounts: stack, anchor: anchor, at: now, taxes: taxes, schedule: first.Schedule, added: first.Added);
            var paid = invoice is null ? null : StripeLists.Public(invoice);
            webhooks.Send(subscription.Str("id")!, [
                new StripeEvent("customer.subscription.created", StripeLists.Public(subscription)),
                .. AddedEvents(first.Added),
                .. paid is null ? Array.Empty<StripeEvent>() : [new StripeEvent("invoice.paid", paid), new StripeEvent("invoice.payment_succeeded", paid)],
            ]);
            return StripeResponse.Ok(View(subscription, p));
        }

        if (behavior == "error_if_incomplete")
        {
            // Nothing is kept: Stripe answers the card's error and creates no subscription.
            return new StripeResponse(402, new JsonObject { ["error"] = StripePaymentMethods.DeclineOf(card!) }, Stored: true);
        }

        var (incomplete, open) = billing.Start(customerId, items, amount, metadata, cancelAtEnd, defaultPaymentMethod: chosen, incomplete: true, discounts: stack, anchor: anchor, at: now, taxes: taxes, schedule: first.Schedule, added: first.Added);
        var shown = StripeLists.Public(open!);
        webhooks.Send(incomplete.Str("id")!, [
            new StripeEvent("customer.subscription.created", StripeLists.Public(incomplete)),
            .. AddedEvents(first.Added),
            new StripeEvent("invoice.created", shown),
            new StripeEvent("invoice.finalized", shown),
        ]);
        intents.OpenForInvoice(open!, card?.Str("id"), confirm: behavior == "allow_incomplete", saveCard, offSession: p.Str("off_session") == "true");
        return StripeResponse.Ok(View(objects.Get(incomplete.Str("id")!, Type)!, p));
    }

    /// <summary>The <c>invoiceitem.created</c> of each item a create's <c>add_invoice_items</c> made, as stored on its first invoice.</summary>
    private IEnumerable<StripeEvent> AddedEvents(IReadOnlyList<JsonObject>? added) =>
        (added ?? []).Select(item => new StripeEvent("invoiceitem.created", StripeLists.Public(objects.Get(item.Str("id")!, StripeInvoiceItems.Type) ?? item)));

    /// <summary>
    /// An invoice as <c>expand[]</c> shows it: <c>confirmation_secret</c> and <c>payments</c> (what current API versions
    /// offer for paying it), and <c>payment_intent</c> for integrations written before 2025-03-31.basil.
    /// </summary>
    private JsonObject InvoiceView(JsonObject invoice, List<string> nested)
    {
        var view = StripeLists.Public(invoice);
        var intent = invoice.Str("_payment_intent") is { } intentId ? objects.Get(intentId, StripePaymentIntents.Type) : null;
        if (nested.Contains("confirmation_secret"))
        {
            view["confirmation_secret"] = intent is null || invoice.Str("status") != "open"
                ? null
                : new JsonObject { ["client_secret"] = intent.Str("client_secret"), ["type"] = "payment_intent" };
        }

        if (nested.Contains("payments"))
        {
            var id = invoice.Str("id");
            view["payments"] = StripeJson.List($"/v1/invoice_payments?invoice={id}", intent is null ? [] : [new JsonObject
            {
                ["id"] = "inpay_" + intent.Str("id")![3..],
                ["object"] = "invoice_payment",
                ["amount_paid"] = invoice.Str("status") == "paid" ? invoice["amount_paid"]!.DeepClone() : null,
                ["amount_requested"] = invoice["amount_due"]!.DeepClone(),
                ["created"] = intent["created"]!.DeepClone(),
                ["currency"] = invoice.Str("currency"),
                ["invoice"] = id,
                ["is_default"] = true,
                ["livemode"] = false,
                ["payment"] = new JsonObject { ["payment_intent"] = intent.Str("id"), ["type"] = "payment_intent" },
                ["status"] = invoice.Str("status") switch { "paid" => "paid", "void" => "canceled", _ => "open" },
                ["status_transitions"] = new JsonObject { ["canceled_at"] = invoice["status_transitions"]!["voided_at"]?.DeepClone(), ["paid_at"] = invoice["status_transitions"]!["paid_at"]?.DeepClone() },
            }], false);
        }

        if (nested.Contains("payment_intent"))
        {
            view["payment_intent"] = intent is null ? null : StripeLists.Public(intent);
        }

        return view;
    }

    /// <summary>What <c>POST /v1/subscriptions</c> asked for, read and checked at <c>Now</c> (the customer's time).</summary>
    private sealed record FirstPayment(
        string Customer, List<(JsonObject Price, long Quantity)> Items, long Amount, JsonObject Metadata, bool CancelAtPeriodEnd,
        JsonObject? Trial, string? DefaultPaymentMethod, string Behavior, bool SaveCard, List<JsonObject> Discounts, StripeAnchor? Anchor, long Now,
        SubscriptionTaxRates Taxes, string? Schedule = null, IReadOnlyList<JsonObject>? Added = null);
}
