using System.Globalization;
using Harness.Portaly.Callbacks;
using Harness.Portaly.Config;
using Harness.Portaly.Emails;
using Harness.Portaly.Orders;
using Harness.Portaly.Subscriptions;
using Harness.Security;
using Harness.Storage;

namespace Harness.Portaly.Checkout;

/// <summary>A successful first charge: the provider's reference, the method, what was paid, and the card kept for renewals (when one was).</summary>
public sealed record FirstCharge(string PaymentReference, string PaymentMethod, long PaidAmount, StoredCard? Card);

/// <summary>
/// A declined first charge: why, the amount tried, and what is known of the payment (the method, the provider's
/// reference, TapPay's answer), which <c>checkout.failed</c> adds to the metadata as Portaly does.
/// </summary>
public sealed record FailedCharge(string Reason, long PaidAmount, string? PaymentMethod = null, string? PaymentReference = null, TapPayAnswer? TapPay = null);

/// <summary>TapPay's answer to a declined charge: its trade id (when it gave one) and status.</summary>
public sealed record TapPayAnswer(string? RecTradeId, int Status);

/// <summary>Who paid, as the buyer confirmed it on the page (or the merchant's manual completion said).</summary>
public sealed record Buyer(string? Name, string? Email, string? Phone);

/// <summary>
/// Records a checkout's outcome. A completion is one unit of work: the session, the subscription (same id), the first
/// order, its invoice record, the code's redemption, the checkout callback (and <c>active</c> for a recurring plan)
/// and the welcome email land together or not at all. Callers hold the session's lock (<see cref="LockOf"/>).
/// </summary>
public sealed class CheckoutCompletion(
    IDocumentStore store,
    CheckoutSessions sessions,
    SubscriptionStore subscriptions,
    OrderStore orders,
    DiscountApplication discounts,
    PortalyCallbacks callbacks,
    EmailOutbox emails,
    MerchantConfigs configs,
    IKeyedLock locks,
    TimeProvider clock)
{
    public static string LockOf(string sessionId) => "portaly-session/" + sessionId;

    public async Task<CheckoutSession> CompleteAsync(CheckoutSession session, Buyer buyer, FirstCharge charge)
    {
        // timesRedeemed is read and written back: one writer per code, as the code's own updates are.
        using var codeHeld = session.AppliedDiscount is { } applied ? await locks.AcquireAsync("portaly-code/" + applied.CodeId) : null;
        var now = clock.GetUtcNow();
        var completed = WithBuyer(session, buyer) with
        {
            Status = SessionStatus.Completed,
            PaymentReference = charge.PaymentReference,
            PaymentMethod = charge.PaymentMethod,
            CompletedAt = now,
            UpdatedAt = now,
        };
        var subscription = SubscriptionOf(completed, charge, now);
        var order = OrderOf(completed, charge, now);
        store.InTransaction(() =>
        {
            sessions.Put(completed);
            subscriptions.TryInsert(subscription);
            orders.TryInsert(order);
            orders.Record(InvoiceOf(completed, now));
            if (completed.AppliedDiscount is not null)
            {
                discounts.Redeem(completed);
            }

            callbacks.Enqueue(completed.KeyId, completed.CallbackUrl, completed.Id, CallbackPayloads.CheckoutCompleted(completed));
            if (subscription.Recurring)
            {
                callbacks.Enqueue(subscription.KeyId, subscription.LifecycleUrl, subscription.Id, CallbackPayloads.Lifecycle(PortalyEvents.Active, subscription));
            }

            emails.Send(completed.ProfileId, completed.Mode, EmailTypes.WelcomePaid, completed.CustomerEmail,
                $"Welcome to {completed.PlanName}",
                string.Create(CultureInfo.InvariantCulture, $"Thank you for your payment of {completed.Amount} {completed.Currency} for {completed.PlanName}. Subscription {completed.Id}."),
                completed.Id);
        });
        return completed;
    }

    /// <summary>
    /// A declined first charge: the session fails; <c>checkout.failed</c> is sent only when the profile's config says so
    /// (the seed sends nothing).
    /// </summary>
    public CheckoutSession Fail(CheckoutSession session, Buyer buyer, FailedCharge charge)
    {
        var now = clock.GetUtcNow();
        var sendFailed = configs.SendsCheckoutFailed(session.ProfileId);
        var failed = WithBuyer(session, buyer) with
        {
            Status = SessionStatus.Failed,
            FailureReason = charge.Reason,
            FailedAt = now,
            UpdatedAt = now,
        };
        store.InTransaction(() =>
        {
            sessions.Put(failed);
            discounts.Release(failed.Id);
            orders.Record(InvoiceOf(failed, now));
            if (sendFailed)
            {
                callbacks.Enqueue(failed.KeyId, failed.CallbackUrl, failed.Id, CallbackPayloads.CheckoutFailed(failed, charge));
            }
        });
        return failed;
    }

    /// <summary>The buyer (or the merchant's manual call) gave up: no charge, no callback.</summary>
    public CheckoutSession Cancel(CheckoutSession session)
    {
        var canceled = session with { Status = SessionStatus.Canceled, UpdatedAt = clock.GetUtcNow() };
        store.InTransaction(() =>
        {
            sessions.Put(canceled);
            discounts.Release(canceled.Id);
        });
        return canceled;
    }

    /// <summary>The buyer's details where they gave them; the session's where not.</summary>
    private static CheckoutSession WithBuyer(CheckoutSession s, Buyer buyer) => s with
    {
        CustomerName = buyer.Name ?? s.CustomerName,
        CustomerEmail = buyer.Email ?? s.CustomerEmail,
        CustomerPhone = buyer.Phone ?? s.CustomerPhone,
    };

    private static Subscription SubscriptionOf(CheckoutSession s, FirstCharge charge, DateTimeOffset now)
    {
        var recurring = s.Recurring;
        var draft = new Subscription(
            s.Id,
            s.ProfileId,
            s.Mode,
            s.KeyId,
            s.PlanId,
            s.PlanName,
            s.PricingType == "dynamic" ? s.Amount : s.OriginalAmount, // a dynamic plan's base is the session's (already discounted) amount
            s.Currency,
            s.BillingPeriod,
            SubscriptionStatus.Active,
            false,
            now,
            1,
            null,
            s.CustomerName,
            s.CustomerEmail,
            s.CustomerPhone,
            s.CallbackUrl,
            s.SubscriptionCallbackUrl,
            s.MerchantOrderNumber,
            s.Metadata,
            now,
            charge.PaymentReference,
            0,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            charge.Card,
            now,
            now);
        var discount = s.AppliedDiscount is { } d
            ? new SubscriptionDiscount(d.CodeId, d.Code, d.Rule, now, null, d.Source, d.OriginalAmount, d.FinalAmount, d.Rule.Duration?.Type == "forever" ? null : d.Rule.Duration?.Cycles ?? 1)
            : null;
        if (discount is { Cycles: { } cycles })
        {
            discount = discount with { EndsAt = recurring ? draft.PeriodEnd(cycles) : now };
        }

        return draft with { NextBillingAt = recurring ? draft.PeriodEnd(1) : null, Discount = discount };
    }

    private static Order OrderOf(CheckoutSession s, FirstCharge charge, DateTimeOffset now) => new(
        Order.IdOf(s.Id, 1),
        s.ProfileId,
        s.Mode,
        "pay_" + Secrets.RandomHex(12),
        charge.PaymentReference,
        1,
        charge.PaidAmount,
        charge.PaidAmount,
        0m,
        0,
        0m,
        0,
        s.Currency,
        OrderStatus.Paid,
        s.CustomerName,
        s.CustomerEmail,
        charge.PaymentMethod,
        s.MerchantOrderNumber,
        s.Id,
        s.PlanId,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        now,
        now);

    private static InvoiceRecord InvoiceOf(CheckoutSession s, DateTimeOffset now) => new(
        "inv_" + Secrets.RandomHex(12),
        s.ProfileId,
        s.Mode,
        s.Id,
        s.Id,
        s.PlanId,
        s.PlanName,
        s.Amount,
        s.Currency,
        s.Status == SessionStatus.Completed ? "SUCCESS" : "FAILED",
        s.CustomerName,
        s.CustomerEmail,
        null,
        "not_applicable",
        null,
        null,
        null,
        now.ToUnixTimeMilliseconds(),
        null,
        s.AppliedDiscount is { } d ? new InvoiceDiscount(d.CodeId, d.Code, d.Rule, d.Source) : null,
        now,
        now);
}
