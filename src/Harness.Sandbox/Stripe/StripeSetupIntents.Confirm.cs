using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;
using Harness.Sandbox.Providers;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// Confirming a SetupIntent: one SetupAttempt per confirmation, the test card's outcome at setup (approved, declined by
/// the check attaching makes, or waiting for 3-D Secure), and the hosted challenge page's part.
/// </summary>
public sealed partial class StripeSetupIntents
{
    private const string MissingMethod =
        "You cannot confirm this SetupIntent because it's missing a payment method. You can either update the SetupIntent with a payment method and then confirm it again, or confirm it again directly with a payment method or ConfirmationToken.";

    private static readonly HashSet<string> ConfirmParams =
        ["payment_method", "payment_method_options", "return_url", "expand", "mandate_data", "confirmation_token", "payment_method_data", "use_stripe_sdk"];

    public StripeResponse Confirm(string id, JsonObject p)
    {
        if (Read(p, ConfirmParams, out _) is { } bad)
        {
            return bad;
        }

        return objects.Atomically(() =>
        {
            if (objects.Get(id, Type) is not { } intent)
            {
                return NoSuch(id);
            }

            var methodId = p["payment_method"] is null ? intent.Str("payment_method") : p.Str("payment_method");
            if (methodId is null)
            {
                return Unexpected(intent, MissingMethod, "payment_method");
            }

            switch (intent.Str("status"))
            {
                case "succeeded":
                    return Unexpected(intent, "You cannot confirm this SetupIntent because it has already succeeded.");
                case "canceled":
                    return Unexpected(intent, "You cannot confirm this SetupIntent because it has been canceled.");
            }

            if (intent["_checkout"] is not null)
            {
                return Unexpected(intent, "You cannot confirm a SetupIntent created by a Checkout Session: the buyer confirms it on the session's page.");
            }

            if (Usable(methodId, intent.Str("customer"), intent, out var method) is { } refused)
            {
                return refused;
            }

            intent["payment_method"] = method;
            ApplyMethodChoice(intent, p);
            return Attempt(intent, p.Str("return_url"), p);
        });
    }

    /// <summary>
    /// One confirmation, the caller holding the unit: the challenge a 3-D Secure card (or a requested challenge) needs,
    /// the decline the card's check meets, or the card set up and attached to the customer.
    /// </summary>
    private StripeResponse Attempt(JsonObject intent, string? returnUrl, JsonObject query)
    {
        var method = objects.Get(intent.Str("payment_method")!, StripePaymentMethods.Type)!;
        if (StripePaymentMethods.BankAccountOf(method) is not null)
        {
            return SetUpDebit(intent, method, query);
        }

        var attempt = NewAttempt(intent, method, StripeJson.Unix(context.Clock.GetUtcNow()));
        intent["latest_attempt"] = attempt.Str("id");
        var outcome = Enum.Parse<CardOutcome>(method.Str("_outcome")!);
        var requested = intent["payment_method_options"]?["card"].Str("request_three_d_secure") is "any" or "challenge";
        if (outcome == CardOutcome.ThreeDSecureRequired || requested)
        {
            return Challenge(intent, attempt, returnUrl, query);
        }

        if (StripePaymentMethods.RefusedOnAttach.Contains(outcome))
        {
            var error = StripeTestPaymentMethods.Decline(outcome)!;
            Fail(intent, attempt, error);
            var answer = (JsonObject)intent["last_setup_error"]!.DeepClone();
            answer["setup_intent"] = Public(intent, null);
            return new StripeResponse(402, new JsonObject { ["error"] = answer }, Stored: true);
        }

        Succeed(intent, attempt, method);
        context.Payments.TryClose(intent.Str("id")!, PaymentStatus.Paid);
        return StripeResponse.Ok(Public(intent, query));
    }

    /// <summary>The customer must pass the bank's challenge, on the hosted page that stands for it (the PaymentIntents' own).</summary>
    private StripeResponse Challenge(JsonObject intent, JsonObject attempt, string? returnUrl, JsonObject query)
    {
        var id = intent.Str("id")!;
        var url = context.PayPageUrl(id);
        attempt["status"] = "requires_action";
        objects.Put(attempt);
        intent["status"] = "requires_action";
        intent["next_action"] = returnUrl is null
            ? new JsonObject { ["type"] = "use_stripe_sdk", ["use_stripe_sdk"] = new JsonObject { ["type"] = "three_d_secure_redirect", ["stripe_js"] = url } }
            : new JsonObject { ["type"] = "redirect_to_url", ["redirect_to_url"] = new JsonObject { ["return_url"] = returnUrl, ["url"] = url } };
        intent["_return_url"] = returnUrl;
        objects.Put(intent);
        // The intent's page is its challenge: an earlier one's page is used again, opened again if it was left closed.
        if (context.Payments.Get(id) is not null)
        {
            context.Payments.Reopen(id);
        }
        else
        {
            context.Payments.Add(new SandboxPayment
            {
                Id = id,
                Provider = "stripe",
                Status = PaymentStatus.Open,
                Amount = 0,
                Currency = "usd",
                Description = "SetupIntent: 3-D Secure authentication",
                MerchantReference = id,
                CreatedAt = context.Clock.GetUtcNow().UtcDateTime,
                ExpiresAt = StripePaymentIntents.NeverExpires,
            });
        }

        webhooks.Send(id, [("setup_intent.requires_action", Public(intent, null))]);
        return StripeResponse.Ok(Public(intent, query));
    }

    /// <summary>The card is set up: attached to the intent's customer when it has one (with <c>payment_method.attached</c>).</summary>
    private void Succeed(JsonObject intent, JsonObject attempt, JsonObject method)
    {
        if (intent.Str("customer") is { } customer)
        {
            // Usable() checked the owner and the outcome already: attaching cannot refuse here.
            methods.Save(method, customer);
        }

        attempt["status"] = "succeeded";
        objects.Put(attempt);
        intent["status"] = "succeeded";
        intent["last_setup_error"] = null;
        intent["next_action"] = null;
        objects.Put(intent);
        webhooks.Send(intent.Str("id")!, [("setup_intent.succeeded", Public(intent, null))]);
    }

    /// <summary>A failed attempt: the error kept on the attempt and the intent, which wants another payment method.</summary>
    private void Fail(JsonObject intent, JsonObject attempt, JsonObject error)
    {
        var lastError = (JsonObject)error.DeepClone();
        lastError["payment_method"] = methods.View(intent.Str("payment_method"));
        attempt["status"] = "failed";
        attempt["setup_error"] = lastError.DeepClone();
        objects.Put(attempt);
        intent["last_setup_error"] = lastError;
        intent["payment_method"] = null;
        intent["next_action"] = null;
        intent["status"] = "requires_payment_method";
        objects.Put(intent);
        webhooks.Send(intent.Str("id")!, [("setup_intent.setup_failed", Public(intent, null))]);
    }

    /// <summary>Whether the hosted page of this payment is a SetupIntent's challenge still waiting.</summary>
    public bool AwaitsChallenge(string id) => objects.Get(id, Type)?.Str("status") == "requires_action";

    /// <summary>The customer passed the challenge on the hosted page: the card is set up. The sandbox payment is already closed.</summary>
    public PayPageOutcome Passed(SandboxPayment payment) => objects.Atomically(() =>
    {
        var intent = objects.Get(payment.Id, Type)!;
        if (intent.Str("status") != "requires_action")
        {
            return new PayPageOutcome(null, $"This SetupIntent is {intent.Str("status")}: there is no challenge to pass.");
        }

        var attempt = objects.Get(intent.Str("latest_attempt")!, AttemptType)!;
        attempt["payment_method_details"]!["card"]!["three_d_secure"] = ThreeDSecure("authenticated");
        Succeed(intent, attempt, objects.Get(intent.Str("payment_method")!, StripePaymentMethods.Type)!);
        return StripePaymentIntents.Returned(intent, "succeeded", "Authenticated.", "Authentication complete: the SetupIntent is succeeded.", Type);
    });

    /// <summary>The customer failed (or the control API failed) the challenge: the intent wants another payment method.</summary>
    public PayPageOutcome Failed(SandboxPayment payment) => objects.Atomically(() =>
    {
        var intent = objects.Get(payment.Id, Type)!;
        if (intent.Str("status") != "requires_action")
        {
            return new PayPageOutcome(null, $"This SetupIntent is {intent.Str("status")}: there is no challenge to fail.");
        }

        var attempt = objects.Get(intent.Str("latest_attempt")!, AttemptType)!;
        attempt["payment_method_details"]!["card"]!["three_d_secure"] = ThreeDSecure("failed");
        Fail(intent, attempt, AuthenticationFailed());
        return StripePaymentIntents.Returned(intent, "failed", "Authentication failed.", "Authentication failed: the SetupIntent needs another payment method.", Type);
    });

    /// <summary>What a failed or abandoned 3-D Secure challenge leaves in <c>last_setup_error</c>.</summary>
    private static JsonObject AuthenticationFailed() => new()
    {
        ["type"] = "invalid_request_error",
        ["code"] = "setup_intent_authentication_failure",
        ["doc_url"] = "https://stripe.com/docs/error-codes/setup-intent-authentication-failure",
        ["message"] = "The latest attempt to set up the payment method has failed because authentication failed.",
    };
}
