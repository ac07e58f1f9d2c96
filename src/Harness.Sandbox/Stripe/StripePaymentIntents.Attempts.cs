using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;
using Harness.Sandbox.Providers;
using Microsoft.AspNetCore.WebUtilities;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// A PaymentIntent's attempts: the charge a confirmation makes (approved, declined, or waiting for 3-D Secure), and
/// the hosted page's part (the Payment Element's card, the challenge passed or failed).
/// </summary>
public sealed partial class StripePaymentIntents
{
    /// <summary>True for the sandbox payments that are PaymentIntents (their ids are the intents').</summary>
    public bool Holds(string paymentId) => objects.Get(paymentId, Type) is not null;

    /// <summary>The intent as its API answers it, for the dashboard.</summary>
    public JsonObject? Shown(string id) => objects.Get(id, Type) is { } intent ? Public(intent, null) : null;

    /// <summary>The hosted page asks for a card unless the intent awaits its 3-D Secure challenge.</summary>
    public bool AwaitsChallenge(string id) => objects.Get(id, Type)?.Str("status") == "requires_action";

    /// <summary>
    /// The buyer paid on the hosted page: the challenge passed, or the Payment Element confirmed with the card typed
    /// (the control API's <c>pay</c> types Stripe's 4242). The sandbox payment is already closed as paid.
    /// </summary>
    public PayPageOutcome Paid(SandboxPayment payment) => objects.Atomically(() =>
    {
        var intent = objects.Get(payment.Id, Type)!;
        var method = intent.Str("status") == "requires_action"
            ? Authenticated(methods.Find(intent.Str("payment_method"))) ?? PageMethod(payment)
            : PageMethod(payment);
        intent["next_action"] = null;
        Succeed(intent, method);
        return Returned(intent, "succeeded", "Paid.", "Payment complete: the PaymentIntent is " + intent.Str("status") + ".");
    });

    /// <summary>
    /// A card declined on the hosted page (<paramref name="card"/>, or the control API's <c>fail</c> without one), or a
    /// failed challenge: the intent wants another payment method. The page has counted the decline.
    /// </summary>
    public PayPageOutcome Declined(SandboxPayment payment, CardEntry? card, CardOutcome? outcome) => objects.Atomically(() =>
    {
        var intent = objects.Get(payment.Id, Type)!;
        if (intent.Str("status") == "requires_action")
        {
            intent["next_action"] = null;
            Fail(intent, null, StripeTestPaymentMethods.AuthenticationFailed());
            return Returned(intent, "failed", "Authentication failed.", "Authentication failed: the PaymentIntent needs another payment method.");
        }

        var declined = outcome is null or CardOutcome.Approved or CardOutcome.ThreeDSecureRequired ? CardOutcome.Declined : outcome.Value;
        var method = card is null
            ? methods.FromTest("pm_card_chargeDeclined")
            : methods.FromCard(card.Brand, card.Last4, card.ExpMonth, card.ExpYear, declined);
        var error = StripeTestPaymentMethods.Decline(declined)!;
        Fail(intent, method, error);
        return new PayPageOutcome(null, (string)error["message"]! + " The PaymentIntent needs another payment method.");
    });

    /// <summary>One confirmation: the charge the payment method decides, or the challenge it needs.</summary>
    private StripeResponse Attempt(JsonObject intent, StripeTestPaymentMethods.TestPaymentMethod? method, string? returnUrl, bool offSession, JsonObject query)
    {
        if (method is null)
        {
            return Unexpected("You cannot confirm this PaymentIntent because it's missing a payment method. Update the PaymentIntent with a payment_method, or confirm it with one.", "payment_method");
        }

        if (returnUrl is not null && !HttpUrl.IsValid(returnUrl))
        {
            return StripeErrors.InvalidParam("Not a valid URL", "return_url", "url_invalid");
        }

        if (methods.BankAccount(method.Id) is { } account)
        {
            return Debit(intent, method, account, query);
        }

        intent["payment_method"] = method.Id;
        if (method.Outcome == CardOutcome.ThreeDSecureRequired)
        {
            if (offSession)
            {
                return Declined(intent, method, StripeTestPaymentMethods.AuthenticationRequired());
            }

            // The customer must pass the bank's challenge, on the hosted page that stands for it.
            var url = context.PayPageUrl(intent.Str("id")!);
            intent["status"] = "requires_action";
            intent["next_action"] = returnUrl is null
                ? new JsonObject { ["type"] = "use_stripe_sdk", ["use_stripe_sdk"] = new JsonObject { ["type"] = "three_d_secure_redirect", ["stripe_js"] = url } }
                : new JsonObject { ["type"] = "redirect_to_url", ["redirect_to_url"] = new JsonObject { ["return_url"] = returnUrl, ["url"] = url } };
            intent["_return_url"] = returnUrl;
            objects.Put(intent);
            webhooks.Send(intent.Str("id")!, [("payment_intent.requires_action", Public(intent, null))]);
            InvoiceFollows(intent);
            return StripeResponse.Ok(Public(intent, query));
        }

        if (StripeTestPaymentMethods.Decline(method.Outcome) is { } decline)
        {
            return Declined(intent, method, decline);
        }

        Succeed(intent, method);
        context.Payments.TryClose(intent.Str("id")!, PaymentStatus.Paid);
        return StripeResponse.Ok(Public(intent, query));
    }

    /// <summary>A declined confirmation: Stripe's 402 <c>card_error</c> carrying the intent, now wanting another method.</summary>
    private StripeResponse Declined(JsonObject intent, StripeTestPaymentMethods.TestPaymentMethod method, JsonObject error)
    {
        var charge = Fail(intent, method, error);
        context.Payments.RecordDecline(intent.Str("id")!);
        var answer = (JsonObject)error.DeepClone();
        answer["charge"] = charge.Str("id");
        answer["payment_intent"] = Public(intent, null);
        answer["payment_method"] = methods.View(method.Id);
        return new StripeResponse(402, new JsonObject { ["error"] = answer }, Stored: true);
    }

    /// <summary>The approved charge: captured now, or held for a manual capture.</summary>
    private void Succeed(JsonObject intent, StripeTestPaymentMethods.TestPaymentMethod method)
    {
        var amount = intent["amount"]!.GetValue<long>();
        var manual = intent.Str("capture_method") == "manual";
        var charge = NewCharge(intent, method, null);
        StripeBalance.RecordCharge(objects, charge, charge["created"]!.GetValue<long>());
        objects.Put(charge);
        intent["payment_method"] = method.Id;
        intent["latest_charge"] = charge.Str("id");
        intent["last_payment_error"] = null;
        intent["status"] = manual ? "requires_capture" : "succeeded";
        intent["amount_capturable"] = manual ? amount : 0L;
        intent["amount_received"] = manual ? 0L : amount;
        objects.Put(intent);
        if (manual)
        {
            authorizations.Hold(intent);
        }

        // setup_future_usage saves the card to the intent's customer once it has paid, as Stripe does.
        var saved = methods.Charged(method.Id, intent.Str("customer"), intent.Str("setup_future_usage") is not null);
        webhooks.Send(intent.Str("id")!, [
            new StripeEvent("charge.succeeded", StripeLists.Public(charge)),
            .. saved,
            new StripeEvent(manual ? "payment_intent.amount_capturable_updated" : "payment_intent.succeeded", Public(intent, null)),
        ]);
        InvoiceFollows(intent);
        disputes.Follow(charge.Str("id")!);
    }

    /// <summary>A failed attempt: the failed charge (none for a failed challenge), the error kept on the intent, and the events.</summary>
    private JsonObject Fail(JsonObject intent, StripeTestPaymentMethods.TestPaymentMethod? method, JsonObject error)
    {
        var events = new List<(string, JsonObject)>();
        var charge = method is null ? null : NewCharge(intent, method, error);
        if (charge is not null)
        {
            objects.Put(charge);
            intent["latest_charge"] = charge.Str("id");
            events.Add(("charge.failed", StripeLists.Public(charge)));
            methods.Charged(method!.Id, intent.Str("customer"), save: false);
        }

        var lastError = (JsonObject)error.DeepClone();
        if (method is not null)
        {
            lastError["payment_method"] = methods.View(method.Id);
        }

        intent["last_payment_error"] = lastError;
        intent["payment_method"] = null;
        intent["status"] = "requires_payment_method";
        objects.Put(intent);
        events.Add(("payment_intent.payment_failed", Public(intent, null)));
        webhooks.Send(intent.Str("id")!, events);
        InvoiceFollows(intent);
        return charge ?? intent;
    }

    private JsonObject NewCharge(JsonObject intent, StripeTestPaymentMethods.TestPaymentMethod method, JsonObject? error) =>
        StripeCharges.New(new ChargeAttempt(intent["amount"]!.GetValue<long>(), intent.Str("currency"), StripeJson.Unix(context.Clock.GetUtcNow()))
        {
            Customer = intent.Str("customer"),
            PaymentIntent = intent.Str("id"),
            Description = intent.Str("description"),
            Metadata = (JsonObject)intent["metadata"]!,
            Decline = error,
            Held = intent.Str("capture_method") == "manual",
            PaymentMethod = method.Id,
            PaymentMethodDetails = StripeTestPaymentMethods.Details(method),
            ReceiptEmail = intent.Str("receipt_email"),
        });

    /// <summary>The payment method that passed its challenge, approved from now on.</summary>
    private static StripeTestPaymentMethods.TestPaymentMethod? Authenticated(StripeTestPaymentMethods.TestPaymentMethod? method) =>
        method is null ? null : method with { Outcome = CardOutcome.Approved };

    private StripeTestPaymentMethods.TestPaymentMethod PageMethod(SandboxPayment payment) => methods.ForPayment(payment);

    /// <summary>
    /// Back to the merchant's <c>return_url</c> as Stripe sends the customer, with the intent (a PaymentIntent's, or a
    /// SetupIntent's when <paramref name="intentParam"/> is <c>setup_intent</c>) and how it went.
    /// </summary>
    internal static PayPageOutcome Returned(JsonObject intent, string redirectStatus, string redirectMessage, string pageMessage, string intentParam = "payment_intent") =>
        intent.Str("_return_url") is { } returnUrl
            ? new PayPageOutcome(QueryHelpers.AddQueryString(returnUrl, new Dictionary<string, string?>
            {
                [intentParam] = intent.Str("id"),
                [intentParam + "_client_secret"] = intent.Str("client_secret"),
                ["redirect_status"] = redirectStatus,
            }), redirectMessage)
            : new PayPageOutcome(null, pageMessage);
}
