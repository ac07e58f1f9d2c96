using Harness.Portaly.Checkout;
using Harness.Portaly.Payments;
using Harness.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Harness.Portaly.HostedCheckout;

/// <summary>
/// The pay step. The card form sends the buyer back to <c>GET …/{sessionId}/pay?prime=…</c>; under the session's lock,
/// with the session still open and the buyer's details confirmed, the discount's redemption is held, a
/// <see cref="PaymentUnderWay"/> is written, and only then is TapPay asked to charge. Approved: the checkout completes
/// (the card kept for renewals) and the buyer goes to the merchant's success URL. Declined by the bank: the session
/// fails. Refused before any charge (a used or expired prime): nothing changes and the buyer may try again. No answer:
/// the marker stays and <see cref="PaymentRecovery"/> settles it from TapPay's records.
/// </summary>
public sealed class CardPayment(
    CheckoutSessions sessions,
    BuyerProgressStore progress,
    CheckoutPage page,
    CheckoutCompletion completion,
    DiscountApplication discounts,
    TapPayGateway tappay,
    IKeyedLock locks,
    IOptions<PortalyOptions> options,
    TimeProvider clock)
{
    /// <summary>TapPay requires a phone number; a plan that does not collect one sends this neutral mobile-format placeholder.</summary>
    public const string PlaceholderPhone = "0900000000";

    public const string FreeMethod = "free";
    public const int MaxPrime = 200;

    public async Task<IResult> PayAsync(HttpContext context, string sessionId, string? prime)
    {
        using var held = await locks.AcquireAsync(CheckoutCompletion.LockOf(sessionId));
        if (Refusal(context, sessionId) is { } refused)
        {
            return refused;
        }

        var s = sessions.Get(sessionId)!;
        if (s.Amount == 0)
        {
            return page.Render(context, s, "Nothing to pay now: confirm below.");
        }

        if (!options.Value.TapPay.Configured)
        {
            return page.Render(context, s);
        }

        if (string.IsNullOrWhiteSpace(prime) || prime.Length > MaxPrime)
        {
            return page.Render(context, s, "The card form did not hand back a card: pay by card again.");
        }

        if (s.AppliedDiscount is not null && await discounts.ReserveAsync(s) is { } refusal)
        {
            return page.Render(context, s, DiscountRefusal.Words(refusal) + " Nothing was charged.");
        }

        progress.Begin(new PaymentUnderWay(s.Id, s.Amount, s.Currency, clock.GetUtcNow()));

        // Not the request's token: once the marker is written, a buyer closing the tab must not cut the charge short.
        var charge = await tappay.PayByPrimeAsync(prime.Trim(), s.Amount, s.Currency, s.PlanName, s.Id, CardholderOf(s), CancellationToken.None);
        if (charge.Unanswered)
        {
            return page.Render(context, s);
        }

        if (charge.Succeeded)
        {
            var completed = await completion.CompleteAsync(s, BuyerOf(s), new FirstCharge(charge.RecTradeId!, TapPayGateway.PaymentMethod, s.Amount, charge.Card));
            progress.End(s.Id);
            return Finished(context, completed);
        }

        if (IsDecline(charge))
        {
            var failed = completion.Fail(s, BuyerOf(s), new FailedCharge(
                charge.FailureReason, s.Amount, TapPayGateway.PaymentMethod, charge.RecTradeId, new TapPayAnswer(charge.RecTradeId, charge.Status)));
            progress.End(s.Id);
            return page.Render(context, failed);
        }

        discounts.Release(s.Id);
        progress.End(s.Id);
        return page.Render(context, s, $"Your card was not charged ({charge.Message}): pay by card again.");
    }

    /// <summary>
    /// A checkout priced at zero (a free discount): completed without TapPay, reference <c>free_&lt;sessionId&gt;</c>.
    /// No card is kept, so a recurring plan's later renewals have nothing to charge (docs/portaly.md).
    /// </summary>
    public async Task<IResult> ConfirmFreeAsync(HttpContext context, string sessionId)
    {
        using var held = await locks.AcquireAsync(CheckoutCompletion.LockOf(sessionId));
        if (Refusal(context, sessionId) is { } refused)
        {
            return refused;
        }

        var s = sessions.Get(sessionId)!;
        if (s.Amount != 0)
        {
            return page.Render(context, s, "This checkout is paid by card.");
        }

        if (s.AppliedDiscount is not null && await discounts.ReserveAsync(s) is { } refusal)
        {
            return page.Render(context, s, DiscountRefusal.Words(refusal));
        }

        var completed = await completion.CompleteAsync(s, BuyerOf(s), new FirstCharge("free_" + s.Id, FreeMethod, 0, null));
        return Finished(context, completed);
    }

    /// <summary>
    /// Settles a payment left under way (the caller holds nothing; this takes the session's lock). A captured TapPay
    /// record completes the checkout (without the card: its token came only in the lost answer); a pending one waits;
    /// none captured means nothing was charged, so the marker goes and the session stays as it was. No answer from
    /// TapPay: asked again on the next run.
    /// </summary>
    public async Task RecoverAsync(string sessionId, CancellationToken cancellationToken)
    {
        using var held = await locks.AcquireAsync(CheckoutCompletion.LockOf(sessionId), cancellationToken);
        if (progress.PaymentOf(sessionId) is null || !options.Value.TapPay.Configured)
        {
            // Without a TapPay to ask (its settings removed since), the marker waits rather than guessing.
            return;
        }

        // An expired view is still an open session in the store: money that moved before expiry completes it.
        if (sessions.Get(sessionId) is not { Status: SessionStatus.Ready or SessionStatus.Expired } s)
        {
            progress.End(sessionId);
            return;
        }

        if (await tappay.RecordsOfOrderAsync(s.Id, cancellationToken) is not { } records)
        {
            return;
        }

        if (records.FirstOrDefault(r => r.RecordStatus is 0 or 1) is { } captured)
        {
            await completion.CompleteAsync(s, BuyerOf(s), new FirstCharge(captured.RecTradeId, TapPayGateway.PaymentMethod, captured.Amount, null));
        }
        else if (records.Any(r => r.RecordStatus == 4))
        {
            return;
        }
        else
        {
            discounts.Release(s.Id);
        }

        progress.End(s.Id);
    }

    /// <summary>The buyer as TapPay's cardholder: the confirmed name and email, the phone (or the placeholder).</summary>
    public static Cardholder CardholderOf(CheckoutSession s) =>
        new(s.CustomerName ?? "", s.CustomerEmail ?? "", s.CollectPhone && !string.IsNullOrEmpty(s.CustomerPhone) ? s.CustomerPhone : PlaceholderPhone);

    private static Buyer BuyerOf(CheckoutSession s) => new(s.CustomerName, s.CustomerEmail, s.CustomerPhone);

    /// <summary>A bank's refusal (TapPay's 10000 range): the card was tried and declined, so the checkout fails.</summary>
    private static bool IsDecline(CardCharge charge) => charge.Status >= 10000 || !string.IsNullOrEmpty(charge.BankResultMessage);

    private IResult Finished(HttpContext context, CheckoutSession completed) =>
        completed.SuccessRedirectUrl is not null ? Results.Redirect(CheckoutPage.SuccessUrl(completed)) : page.Render(context, completed);

    /// <summary>
    /// Null when the session can take a payment now; else what to answer: a completed session sends the buyer where
    /// the first payment did (a double submit, a reload), any other state shows the page.
    /// </summary>
    private IResult? Refusal(HttpContext context, string sessionId)
    {
        if (sessions.Get(sessionId) is not { } s)
        {
            return CheckoutPage.NotFound();
        }

        if (s.Status == SessionStatus.Completed)
        {
            return Finished(context, s);
        }

        if (!s.IsOpen || progress.PaymentOf(s.Id) is not null)
        {
            return page.Render(context, s);
        }

        var buyer = progress.Of(s.Id);
        var missing = !s.EmailVerified || s.CustomerEmail is null ? "Confirm your email first."
            : !buyer.Confirmed || s.CustomerName is null || (s.CollectPhone && s.CustomerPhone is null) ? "Enter your details first."
            : null;
        return missing is null ? null : page.Render(context, s, missing, edit: !buyer.CodePending);
    }
}
