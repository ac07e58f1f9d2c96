using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// Stripe's test PaymentMethods (docs.stripe.com/testing, "PaymentMethods"): the <c>pm_card_…</c> ids a server confirms
/// a PaymentIntent with, and the card behind each. The hosted page's test cards map onto the same outcomes.
/// </summary>
public static class StripeTestPaymentMethods
{
    public const string Visa = "pm_card_visa";

    /// <summary>A test PaymentMethod: its card and what a charge to it does.</summary>
    public sealed record TestPaymentMethod(string Id, string Brand, string Last4, string Funding, CardOutcome Outcome, int ExpMonth = 12, int ExpYear = 2034);

    private const string IdPrefix = "pm_card_";

    private static readonly TestPaymentMethod[] All =
    [
        new(Visa, "visa", "4242", "credit", CardOutcome.Approved),
        new("pm_card_visa_debit", "visa", "5556", "debit", CardOutcome.Approved),
        new("pm_card_mastercard", "mastercard", "4444", "credit", CardOutcome.Approved),
        new("pm_card_amex", "amex", "8431", "credit", CardOutcome.Approved),
        new("pm_card_chargeDeclined", "visa", "0002", "credit", CardOutcome.Declined),
        new("pm_card_chargeDeclinedInsufficientFunds", "visa", "9995", "credit", CardOutcome.InsufficientFunds),
        new("pm_card_chargeDeclinedExpiredCard", "visa", "0069", "credit", CardOutcome.ExpiredCard),
        new("pm_card_chargeDeclinedIncorrectCvc", "visa", "0127", "credit", CardOutcome.IncorrectCvc),

        // 4000 0000 0000 0341: attaching it to a customer succeeds, every charge to it declines.
        new("pm_card_chargeCustomerFail", "visa", "0341", "credit", CardOutcome.RenewalsFail),
        new("pm_card_authenticationRequired", "visa", "3184", "credit", CardOutcome.ThreeDSecureRequired),
        new("pm_card_threeDSecure2Required", "visa", "3220", "credit", CardOutcome.ThreeDSecureRequired),
        new("pm_card_refundFail", "visa", StripeTestCards.RefundFails[^4..], "credit", CardOutcome.Approved),
        new("pm_card_pendingRefund", "visa", StripeTestCards.RefundPending[^4..], "credit", CardOutcome.Approved),
        .. StripeDisputes.PaymentMethods,
    ];

    public static IReadOnlyList<TestPaymentMethod> Listed => All;

    public static TestPaymentMethod? Find(string id) => All.FirstOrDefault(m => m.Id == id);

    /// <summary>The test card behind a Stripe test token: <c>tok_visa</c> is <c>pm_card_visa</c>'s card, and so on.</summary>
    public static TestPaymentMethod? FindToken(string token) =>
        All.FirstOrDefault(m => token.StartsWith("tok_", StringComparison.Ordinal) && m.Id[IdPrefix.Length..] == token[4..]);

    /// <summary>A charge's <c>payment_method_details</c>.</summary>
    public static JsonObject Details(TestPaymentMethod method) => new() { ["card"] = Card(method), ["type"] = "card" };

    /// <summary>
    /// The error a declined charge answers with (<c>card_error</c>, HTTP 402), as Stripe words each decline; null when the
    /// card is approved.
    /// </summary>
    public static JsonObject? Decline(CardOutcome outcome) => outcome switch
    {
        CardOutcome.Declined or CardOutcome.RenewalsFail => CardError("card_declined", "generic_decline", "Your card was declined."),
        CardOutcome.InsufficientFunds => CardError("card_declined", "insufficient_funds", "Your card has insufficient funds."),
        CardOutcome.ExpiredCard => CardError("expired_card", "expired_card", "Your card has expired."),
        CardOutcome.IncorrectCvc => CardError("incorrect_cvc", "incorrect_cvc", "Your card's security code is incorrect."),
        CardOutcome.GatewayTimeout => CardError("processing_error", null, "An error occurred while processing your card. Try again in a little bit."),
        _ => null,
    };

    /// <summary>What an off-session payment on a card that needs the customer's authentication answers.</summary>
    public static JsonObject AuthenticationRequired() =>
        CardError("authentication_required", "authentication_required", "Your card was declined. This transaction requires authentication.");

    /// <summary>What a failed or abandoned 3-D Secure challenge leaves in <c>last_payment_error</c>.</summary>
    public static JsonObject AuthenticationFailed() => new()
    {
        ["type"] = "invalid_request_error",
        ["code"] = "payment_intent_authentication_failure",
        ["doc_url"] = "https://stripe.com/docs/error-codes/payment-intent-authentication-failure",
        ["message"] = "The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.",
    };

    private static JsonObject CardError(string code, string? declineCode, string message)
    {
        var error = new JsonObject
        {
            ["type"] = "card_error",
            ["code"] = code,
            ["doc_url"] = $"https://stripe.com/docs/error-codes/{code.Replace('_', '-')}",
            ["message"] = message,
        };
        if (declineCode is not null)
        {
            error["decline_code"] = declineCode;
        }

        return error;
    }

    private static JsonObject Card(TestPaymentMethod method) => new()
    {
        ["brand"] = method.Brand,
        ["country"] = "US",
        ["exp_month"] = method.ExpMonth,
        ["exp_year"] = method.ExpYear,
        ["funding"] = method.Funding,
        ["last4"] = method.Last4,
    };
}
