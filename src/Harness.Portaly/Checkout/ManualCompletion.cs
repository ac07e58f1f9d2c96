using Harness.Portaly.Auth;
using Harness.Security;
using Harness.Security.Signing;
using Harness.Storage;
using Microsoft.AspNetCore.Http;

namespace Harness.Portaly.Checkout;

public sealed record ManualOutcome(CheckoutSession? Session, PortalyFailure? Failure)
{
    public static implicit operator ManualOutcome(PortalyFailure failure) => new(null, failure);

    public static implicit operator ManualOutcome(CheckoutSession session) => new(session, null);
}

/// <summary>
/// <c>POST /checkout-sessions/{id}/complete</c>: the merchant records the outcome of a payment taken elsewhere. The
/// session's token must match; an open session takes the outcome once; sending the outcome it already has answers it
/// again, anything else is 409. A manual completion keeps no card, so a recurring plan completed this way cannot renew
/// (its renewals fail and, after three, cancel it).
/// </summary>
public sealed class ManualCompletion(CheckoutSessions sessions, CheckoutCompletion completion, DiscountApplication discounts, IKeyedLock locks)
{
    public async Task<ManualOutcome> RunAsync(PortalyApiKey key, string sessionId, CompleteCheckoutRequest r)
    {
        using var held = await locks.AcquireAsync(CheckoutCompletion.LockOf(sessionId));
        if (sessions.Find(key, sessionId) is not { } session)
        {
            return PortalyFailure.NotFound(CheckoutApi.NotFound);
        }

        if (!SignatureComparison.Equal(session.CheckoutToken, r.CheckoutToken!))
        {
            return new PortalyFailure(StatusCodes.Status403Forbidden, "INVALID_CHECKOUT_TOKEN", "checkoutToken does not match this checkout session.");
        }

        if (!session.IsOpen)
        {
            return session.Status == r.Status ? session
                : session.Status == SessionStatus.Expired ? new PortalyFailure(StatusCodes.Status409Conflict, "SESSION_EXPIRED", "Checkout session has expired.")
                : new PortalyFailure(StatusCodes.Status409Conflict, "SESSION_NOT_OPEN", $"Checkout session is already {session.Status}.");
        }

        var buyer = new Buyer(CheckoutSessions.Printable(r.CustomerName), r.CustomerEmail?.Trim(), null);
        switch (r.Status)
        {
            case SessionStatus.Failed:
                return completion.Fail(session, buyer, new FailedCharge(
                    string.IsNullOrWhiteSpace(r.FailureReason) ? "Payment failed" : r.FailureReason,
                    r.PaidAmount ?? session.Amount,
                    NonBlank(r.PaymentMethod),
                    NonBlank(r.PaymentReference)));
            case SessionStatus.Canceled:
                return completion.Cancel(session);
        }

        if ((buyer.Email ?? session.CustomerEmail) is not { } email)
        {
            return PortalyFailure.Invalid("customerEmail is required to complete a checkout session that has none");
        }

        if (r.PaidAmount is { } paid && paid != session.Amount)
        {
            return new PortalyFailure(StatusCodes.Status400BadRequest, "PAID_AMOUNT_MISMATCH", $"paidAmount {paid} does not equal the session's amount {session.Amount}.");
        }

        var paying = session with { CustomerEmail = email };
        if (paying.AppliedDiscount is not null && await discounts.ReserveAsync(paying) is { } refusal)
        {
            return new PortalyFailure(StatusCodes.Status400BadRequest, "INVALID_DISCOUNT_CODE", DiscountRefusal.Words(refusal), refusal);
        }

        var reference = string.IsNullOrWhiteSpace(r.PaymentReference) ? "manual_" + Secrets.RandomHex(12) : r.PaymentReference;
        return await completion.CompleteAsync(paying, buyer, new FirstCharge(reference, r.PaymentMethod ?? "manual", paying.Amount, null));
    }

    private static string? NonBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
