using System.Globalization;
using System.Text.Json.Nodes;
using Harness.Http;
using Harness.Portaly.Auth;
using Harness.Portaly.Callbacks;
using Harness.Portaly.Emails;
using Harness.Portaly.Payments;
using Harness.Portaly.Subscriptions;
using Harness.Security;
using Harness.Storage;
using Microsoft.AspNetCore.Http;

namespace Harness.Portaly.Orders;

public static class RefundReasons
{
    public static readonly string[] All = ["customer_requested", "duplicate", "fraudulent", "manual", "other"];
}

/// <summary><c>POST /orders/{orderId}/refund</c>: a full refund only (<c>amount</c>, when sent, must be the order's).</summary>
public sealed record RefundRequest(string? Reason, string? ReasonNote, long? Amount) : IValidatable
{
    public void Validate(Validator validator) => validator
        .Required(Reason, "reason")
        .OneOf(Reason, "reason", RefundReasons.All)
        .MaxLength(ReasonNote, "reasonNote", 500)
        .Require(Amount is null or > 0, "amount must be a positive whole number");
}

/// <summary>
/// A refund accepted and not finished yet (<c>pending</c>), or finished (<c>done</c>): how many provider attempts were
/// made, when the next one is due, and whether accepting it canceled the subscription (the terminal event says so).
/// </summary>
public sealed record RefundJob(
    string Id,
    string State,
    int Attempts,
    DateTimeOffset NextAttemptAt,
    bool SubscriptionCanceled,
    string? LastError,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt) : IDocument
{
    public const string Pending = "pending";
    public const string Done = "done";
}

/// <summary>The order after a refund request; <c>Started</c> when this request began the refund (202), not when one was under way (200).</summary>
public sealed record RefundOutcome(Order? Order, bool Started, PortalyFailure? Failure)
{
    public static implicit operator RefundOutcome(PortalyFailure failure) => new(null, false, failure);
}

/// <summary>
/// Refunds of paid orders. Accepting one is a unit of work: the order turns <c>refund</c>, the job is stored, and when the
/// order is the subscription's latest charge the subscription is canceled at once (<c>canceled</c> callback, email). The
/// money moves later, in the background (<see cref="RunDueAsync"/>): TapPay's refund of the trade for a TapPay order, or
/// a record only for an order paid elsewhere (manual completion). A refusal is tried again a day later, three attempts in
/// all; then the refund has failed for good. Either end sends its terminal callback.
/// </summary>
public sealed class Refunds(
    IDocumentStore store,
    OrderStore orders,
    SubscriptionStore subscriptions,
    PortalyCallbacks callbacks,
    EmailOutbox emails,
    TapPayGateway tappay,
    IKeyedLock locks,
    TimeProvider clock) : IDueWork
{
    public const int MaxAttempts = 3;
    public const string RequestedBy = "api";
    public const string ManualProvider = "manual";
    public static readonly TimeSpan RetryDelay = TimeSpan.FromDays(1);

    private readonly IDocumentCollection<RefundJob> _jobs = store.Collection<RefundJob>("refund_jobs", nameof(RefundJob.State));

    public static string LockOf(string orderId) => "portaly-order/" + orderId;

    /// <summary>The same lock the subscription's own lifecycle takes, so a cancel and a refund do not overwrite each other.</summary>
    public static string SubscriptionLockOf(string subscriptionId) => "portaly-subscription/" + subscriptionId;

    public async Task<RefundOutcome> RequestAsync(PortalyApiKey key, string orderId, RefundRequest r)
    {
        using var held = await locks.AcquireAsync(LockOf(orderId));
        if (orders.Find(key, orderId) is not { } order)
        {
            return PortalyFailure.NotFound(OrderApi.NotFound);
        }

        if (order.Amount == 0)
        {
            return new PortalyFailure(StatusCodes.Status409Conflict, "ZERO_AMOUNT_NOT_REFUNDABLE", "A zero-amount order has nothing to refund.");
        }

        if (r.Amount is { } amount && amount != order.Amount)
        {
            return new PortalyFailure(StatusCodes.Status400BadRequest, "PARTIAL_REFUND_NOT_SUPPORTED", $"Partial refunds are not supported: amount must be the order's amount {order.Amount}.");
        }

        if (order.RefundFailedAt is not null)
        {
            return new PortalyFailure(StatusCodes.Status409Conflict, "REFUND_ATTEMPT_FAILED", "A refund of this order already failed; contact Portaly support to complete it.");
        }

        if (order.Status == OrderStatus.Refund)
        {
            return new RefundOutcome(order, false, null);
        }

        if (order.Status is not (OrderStatus.Paid or OrderStatus.Liquid))
        {
            return new PortalyFailure(StatusCodes.Status409Conflict, "ORDER_NOT_REFUNDABLE", $"An order that is {order.Status} cannot be refunded.");
        }

        using var subscriptionHeld = await locks.AcquireAsync(SubscriptionLockOf(order.CreatorSubscriptionId));
        var now = clock.GetUtcNow();
        var refunding = order with { Status = OrderStatus.Refund, RefundRequestedAt = now, RefundReason = r.Reason, RefundReasonNote = r.ReasonNote };
        var subscription = subscriptions.Get(order.CreatorSubscriptionId);
        var canceled = subscription is not null && subscription.Status != SubscriptionStatus.Canceled && order.ChargeNumber == subscription.ChargesMade
            ? CanceledByRefund(subscription, refunding, now)
            : null;
        store.InTransaction(() =>
        {
            orders.Put(refunding);
            _jobs.Upsert(new RefundJob(order.Id, RefundJob.Pending, 0, now, canceled is not null, null, now, now));
            if (canceled is not null)
            {
                subscriptions.Put(canceled);
                callbacks.Enqueue(canceled.KeyId, canceled.LifecycleUrl, canceled.Id, CallbackPayloads.Lifecycle(PortalyEvents.Canceled, canceled));
                emails.Send(canceled.ProfileId, canceled.Mode, EmailTypes.SubscriptionCanceled, canceled.CustomerEmail,
                    $"Your {canceled.PlanName} subscription is canceled",
                    $"Your subscription {canceled.Id} to {canceled.PlanName} is canceled: its payment was refunded. Nothing more will be charged.",
                    canceled.Id);
            }
        });
        return new RefundOutcome(refunding, true, null);
    }

    /// <summary>Makes every refund attempt that is due, one order at a time.</summary>
    public async Task RunDueAsync(CancellationToken cancellationToken)
    {
        foreach (var job in _jobs.FindBy(nameof(RefundJob.State), RefundJob.Pending).Where(j => j.NextAttemptAt <= clock.GetUtcNow()))
        {
            await AttemptAsync(job.Id, cancellationToken);
        }
    }

    private async Task AttemptAsync(string orderId, CancellationToken cancellationToken)
    {
        using var held = await locks.AcquireAsync(LockOf(orderId), cancellationToken);
        if (_jobs.Get(orderId) is not { State: RefundJob.Pending } job || job.NextAttemptAt > clock.GetUtcNow() || orders.Get(orderId) is not { } order)
        {
            return;
        }

        var (refunded, reference, error, retryable) = await MoveMoneyAsync(order, cancellationToken);
        var now = clock.GetUtcNow();
        var subscription = subscriptions.Get(order.CreatorSubscriptionId)!;
        var attempts = job.Attempts + 1;
        if (refunded)
        {
            var done = order with { RefundedAt = now, RefundReference = reference };
            store.InTransaction(() =>
            {
                orders.Put(done);
                _jobs.Upsert(job with { State = RefundJob.Done, Attempts = attempts, UpdatedAt = now });
                callbacks.Enqueue(subscription.KeyId, subscription.LifecycleUrl, subscription.Id, Payload(PortalyEvents.PaymentRefunded, subscription, done, job));
            });
            return;
        }

        if (attempts < MaxAttempts)
        {
            _jobs.Upsert(job with { Attempts = attempts, NextAttemptAt = now + RetryDelay, LastError = error, UpdatedAt = now });
            return;
        }

        var failed = order with { RefundFailedAt = now, RefundFailureReason = error };
        store.InTransaction(() =>
        {
            orders.Put(failed);
            _jobs.Upsert(job with { State = RefundJob.Done, Attempts = attempts, LastError = error, UpdatedAt = now });
            var payload = Payload(PortalyEvents.RefundFailed, subscription, failed, job);
            payload["refundFailureRetryable"] = retryable;
            callbacks.Enqueue(subscription.KeyId, subscription.LifecycleUrl, subscription.Id, payload);
        });
    }

    /// <summary>The provider's refund: TapPay's for a TapPay trade; a record only for a payment taken elsewhere.</summary>
    private async Task<(bool Refunded, string? Reference, string? Error, bool? Retryable)> MoveMoneyAsync(Order order, CancellationToken cancellationToken)
    {
        if (!ThroughTapPay(order))
        {
            return (true, "refund_" + Secrets.RandomHex(12), null, null);
        }

        if (!tappay.Settings.Configured)
        {
            return (false, null, "TapPay is not configured", true);
        }

        var (status, message, refundId) = await tappay.RefundAsync(order.PaymentReference!, cancellationToken);
        return status == 0
            ? (true, refundId, null, null)
            : (false, null, string.Create(CultureInfo.InvariantCulture, $"TapPay refund failed: {message} ({status})"), status == -1);
    }

    private static bool ThroughTapPay(Order order) => order.PaymentMethod == TapPayGateway.PaymentMethod && !string.IsNullOrEmpty(order.PaymentReference);

    /// <summary>The subscription ended now because its latest charge is being refunded.</summary>
    private static Subscription CanceledByRefund(Subscription s, Order order, DateTimeOffset now) => SubscriptionLifecycle.Ended(
        s with
        {
            CancelAtPeriodEnd = false,
            CancelRequestedAt = now,
            CancelEffectiveAt = now,
            CancelReason = order.RefundReason is "customer_requested" or "manual" ? order.RefundReason : "other",
            CancelReasonNote = $"Order {order.Id} refunded",
            CancelRequestedBy = RequestedBy,
        },
        now,
        now);

    /// <summary>The fields both terminal refund events carry, on the lifecycle base of the subscription as it is now.</summary>
    private static JsonObject Payload(string eventName, Subscription s, Order order, RefundJob job)
    {
        var payload = CallbackPayloads.Lifecycle(eventName, s);
        var refunded = order.RefundedAt is not null;
        payload["orderId"] = order.Id;
        payload["paymentId"] = order.PaymentId;
        payload["paymentReference"] = order.PaymentReference;
        payload["orderMerchantOrderNumber"] = order.MerchantOrderNumber;
        payload["amount"] = order.Amount;
        payload["currency"] = order.Currency;
        payload["refundedAmount"] = refunded ? order.Amount : 0; // a failed refund moved no money
        payload["refundRequestedAt"] = CallbackPayloads.Time(order.RefundRequestedAt);
        payload["refundRequestedBy"] = RequestedBy;
        payload["refundReason"] = order.RefundReason;
        payload["refundReasonNote"] = order.RefundReasonNote;
        payload["refundProvider"] = ThroughTapPay(order) ? TapPayGateway.PaymentMethod : ManualProvider;
        payload["subscriptionCanceledByRefund"] = job.SubscriptionCanceled;
        if (refunded)
        {
            payload["refundedAt"] = CallbackPayloads.Time(order.RefundedAt);
            payload["refundReference"] = order.RefundReference;
        }
        else
        {
            payload["refundFailedAt"] = CallbackPayloads.Time(order.RefundFailedAt);
            payload["refundFailureReason"] = order.RefundFailureReason;
        }

        return payload;
    }
}
