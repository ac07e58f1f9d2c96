using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>Stripe's documented test card numbers (docs.stripe.com/testing); Creem's checkout takes the same ones.</summary>
public static class StripeTestCards
{
    public const string Success = "4242424242424242";

    public const string GenericDecline = "4000000000000002";

    /// <summary>Attaches to the customer, then every charge to it declines.</summary>
    public const string ChargesFail = "4000000000000341";

    /// <summary>Charges succeed; a refund reads succeeded, then fails (<c>refund.failed</c>).</summary>
    public const string RefundFails = "4000000000005126";

    /// <summary>Charges succeed; a refund reads pending, then succeeds.</summary>
    public const string RefundPending = "4000000000007726";

    /// <summary>The cards of a one-time checkout.</summary>
    public static readonly IReadOnlyList<TestCard> OneTime =
    [
        new(Success, CardOutcome.Approved, "Visa: succeeds"),
        new("5555555555554444", CardOutcome.Approved, "Mastercard: succeeds"),
        new(GenericDecline, CardOutcome.Declined, "Declined: card_declined (generic_decline)"),
        new("4000000000009995", CardOutcome.InsufficientFunds, "Declined: insufficient_funds"),
        new("4000000000000069", CardOutcome.ExpiredCard, "Declined: expired_card"),
        new("4000000000000127", CardOutcome.IncorrectCvc, "Declined: incorrect_cvc"),
        new("4000000000003220", CardOutcome.ThreeDSecureRequired, "3-D Secure 2 authentication required"),
        new(RefundFails, CardOutcome.Approved, "Succeeds; a refund of it fails 30 seconds later (expired_or_canceled_card)"),
        new(RefundPending, CardOutcome.Approved, "Succeeds; a refund of it is pending for 30 seconds, then succeeds"),
    ];

    public static readonly IReadOnlyList<TestCard> Subscription =
        [.. OneTime, new(ChargesFail, CardOutcome.RenewalsFail, "First payment succeeds; renewals decline and the subscription ends canceled")];

    /// <summary>0341 in one-time mode: the charge is the one that fails.</summary>
    public static readonly IReadOnlyList<TestCard> OneTimeWithChargesFail =
        [.. OneTime, new(ChargesFail, CardOutcome.Declined, "Attaches, but the charge declines: card_declined")];

    /// <summary>The last four digits of the card a charge was paid with (what tells one test card's behaviour from another's); null for a charge without a card.</summary>
    internal static string? Last4(JsonObject charge) => charge["payment_method_details"]?["card"].Str("last4");

    /// <summary>The charge's card as Stripe shows it; null when the control API paid, which enters no card.</summary>
    internal static JsonObject? ChargeDetails(SandboxPayment payment) => payment.CardLast4 is null ? null : new JsonObject
    {
        ["card"] = new JsonObject
        {
            ["brand"] = payment.CardBrand,
            ["country"] = "US",
            ["exp_month"] = payment.CardExpMonth,
            ["exp_year"] = payment.CardExpYear,
            ["funding"] = "credit",
            ["last4"] = payment.CardLast4,
        },
        ["type"] = "card",
    };
}
