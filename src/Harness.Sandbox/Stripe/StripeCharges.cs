using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// What a charge attempt is made of, whichever flow makes it (a Checkout Session, an invoice, a PaymentIntent):
/// <see cref="Decline"/> is the card error of a declined one, null when the bank approved it.
/// </summary>
internal sealed record ChargeAttempt(long Amount, string? Currency, long Created)
{
    public string? Customer { get; init; }

    public string? PaymentIntent { get; init; }

    public string? Description { get; init; }

    public JsonObject? Metadata { get; init; }

    public JsonObject? Decline { get; init; }

    /// <summary>Authorised but held for a manual capture.</summary>
    public bool Held { get; init; }

    /// <summary>A bank debit not settled yet: Stripe's <c>pending</c> charge.</summary>
    public bool Pending { get; init; }

    public string? PaymentMethod { get; init; }

    public JsonObject? PaymentMethodDetails { get; init; }

    public string? ReceiptEmail { get; init; }
}

/// <summary>The one place a Stripe charge object is built (docs.stripe.com/api/charges/object).</summary>
internal static class StripeCharges
{
    public static JsonObject New(ChargeAttempt attempt)
    {
        var id = StripeJson.NewId("ch");
        var declined = attempt.Decline is not null;
        var captured = !declined && !attempt.Held;
        return new JsonObject
        {
            ["id"] = id,
            ["object"] = "charge",
            ["amount"] = attempt.Amount,
            ["amount_captured"] = captured ? attempt.Amount : 0L,
            ["amount_refunded"] = 0L,
            ["balance_transaction"] = null,
            ["captured"] = captured,
            ["created"] = attempt.Created,
            ["currency"] = attempt.Currency,
            ["customer"] = attempt.Customer,
            ["description"] = attempt.Description,
            ["disputed"] = false,
            ["failure_code"] = attempt.Decline?.Str("code"),
            ["failure_message"] = attempt.Decline?.Str("message"),
            ["livemode"] = false,
            ["metadata"] = attempt.Metadata?.DeepClone() ?? new JsonObject(),
            ["outcome"] = new JsonObject
            {
                ["network_status"] = declined ? "declined_by_network" : "approved_by_network",
                ["reason"] = attempt.Decline?.Str("decline_code"),
                ["risk_level"] = "normal",
                ["seller_message"] = declined ? "The bank did not return any further details with this decline." : "Payment complete.",
                ["type"] = declined ? "issuer_declined" : "authorized",
            },
            ["paid"] = !declined && !attempt.Pending,
            ["payment_intent"] = attempt.PaymentIntent,
            ["payment_method"] = attempt.PaymentMethod,
            ["payment_method_details"] = attempt.PaymentMethodDetails?.DeepClone(),
            ["receipt_email"] = attempt.ReceiptEmail,
            ["refunded"] = false,
            ["refunds"] = StripeJson.List($"/v1/charges/{id}/refunds", [], false),
            ["status"] = declined ? "failed" : attempt.Pending ? "pending" : "succeeded",
        };
    }
}
