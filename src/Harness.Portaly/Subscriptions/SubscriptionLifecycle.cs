using Harness.Portaly.Callbacks;
using Harness.Portaly.Emails;
using Harness.Storage;

namespace Harness.Portaly.Subscriptions;

/// <summary>
/// Whose subscriptions a caller may act on: a key's profile and mode, narrowed for a portal session to one buyer's
/// email (case-insensitive) or to one subscription.
/// </summary>
public sealed record SubscriptionScope(string ProfileId, string Mode, string? CustomerEmail = null, string? SubscriptionId = null)
{
    public bool Covers(Subscription s) =>
        s.ProfileId == ProfileId && s.Mode == Mode
        && (CustomerEmail is null || string.Equals(s.CustomerEmail, CustomerEmail, StringComparison.OrdinalIgnoreCase))
        && (SubscriptionId is null || s.Id == SubscriptionId);
}

public enum LifecycleRefusal
{
    None,
    NotFound,
    NotRecurring,
    Canceled,
    NotPending,
}

public sealed record LifecycleOutcome(Subscription? Subscription, LifecycleRefusal Refusal)
{
    public static implicit operator LifecycleOutcome(LifecycleRefusal refusal) => new(null, refusal);

    public static implicit operator LifecycleOutcome(Subscription subscription) => new(subscription, LifecycleRefusal.None);
}

/// <summary>
/// Cancel at period end and resume, for the API and the portal page alike. A cancellation keeps the paid period: it
/// takes effect at the end of the last charged period, when the renewals end the subscription without charging. A
/// past-due subscription has no paid period left, so its cancellation takes effect at once. Each change is one unit of
/// work with its callback (and email) under the subscription's lock.
/// </summary>
public sealed class SubscriptionLifecycle(
    IDocumentStore store,
    SubscriptionStore subscriptions,
    PortalyCallbacks callbacks,
    EmailOutbox emails,
    IKeyedLock locks,
    TimeProvider clock)
{
    public static string LockOf(string subscriptionId) => "portaly-subscription/" + subscriptionId;

    public async Task<LifecycleOutcome> CancelAsync(SubscriptionScope scope, string id, CancelSubscriptionRequest request, string requestedBy)
    {
        using var held = await locks.AcquireAsync(LockOf(id));
        if (subscriptions.Get(id) is not { } s || !scope.Covers(s))
        {
            return LifecycleRefusal.NotFound;
        }

        if (!s.Recurring)
        {
            return LifecycleRefusal.NotRecurring;
        }

        if (s.Status == SubscriptionStatus.Canceled)
        {
            return LifecycleRefusal.Canceled;
        }

        if (s.CancelAtPeriodEnd)
        {
            return s; // already pending: the same request again changes nothing
        }

        var now = clock.GetUtcNow();
        var pastDue = s.Status == SubscriptionStatus.PastDue;
        var requested = s with
        {
            CancelAtPeriodEnd = true,
            CancelRequestedAt = now,
            CancelEffectiveAt = pastDue ? now : s.PeriodEnd(s.ChargesMade),
            CancelReason = request.Reason,
            CancelReasonNote = request.ReasonNote,
            CancelRequestedBy = requestedBy,
            UpdatedAt = now,
        };
        var ended = pastDue ? Ended(requested, now, now) : null;
        store.InTransaction(() =>
        {
            subscriptions.Put(ended ?? requested);
            callbacks.Enqueue(s.KeyId, s.LifecycleUrl, s.Id, CallbackPayloads.Lifecycle(PortalyEvents.CancelRequested, requested));
            if (ended is not null)
            {
                callbacks.Enqueue(s.KeyId, s.LifecycleUrl, s.Id, CallbackPayloads.Lifecycle(PortalyEvents.Canceled, ended));
            }

            SendCanceledEmail(requested);
        });
        return ended ?? requested;
    }

    /// <summary>
    /// Clears a pending cancellation; renewals go on as before. Sends <c>creator_subscription.active</c> (the contract
    /// names no resume event; a merchant that marked the subscription as ending on <c>cancel_requested</c> needs one).
    /// </summary>
    public async Task<LifecycleOutcome> ResumeAsync(SubscriptionScope scope, string id)
    {
        using var held = await locks.AcquireAsync(LockOf(id));
        if (subscriptions.Get(id) is not { } s || !scope.Covers(s))
        {
            return LifecycleRefusal.NotFound;
        }

        var now = clock.GetUtcNow();
        if (!s.Recurring)
        {
            return LifecycleRefusal.NotRecurring;
        }

        // A pending cancellation whose time has come is over even before the renewals have recorded it.
        if (s.Status == SubscriptionStatus.Canceled || (s.CancelAtPeriodEnd && s.CancelEffectiveAt <= now))
        {
            return LifecycleRefusal.Canceled;
        }

        if (!s.CancelAtPeriodEnd)
        {
            return LifecycleRefusal.NotPending;
        }

        var resumed = s with
        {
            CancelAtPeriodEnd = false,
            CancelRequestedAt = null,
            CancelEffectiveAt = null,
            CancelReason = null,
            CancelReasonNote = null,
            CancelRequestedBy = null,
            UpdatedAt = now,
        };
        store.InTransaction(() =>
        {
            subscriptions.Put(resumed);
            callbacks.Enqueue(s.KeyId, s.LifecycleUrl, s.Id, CallbackPayloads.Lifecycle(PortalyEvents.Active, resumed));
        });
        return resumed;
    }

    /// <summary>The subscription once its cancellation has taken effect at <paramref name="canceledAt"/>.</summary>
    public static Subscription Ended(Subscription s, DateTimeOffset canceledAt, DateTimeOffset now) => s with
    {
        Status = SubscriptionStatus.Canceled,
        CanceledAt = canceledAt,
        NextBillingAt = null,
        NextRetryAt = null,
        ChargeUnderWay = null,
        UpdatedAt = now,
    };

    /// <summary>Tells the subscriber (unless the merchant turned the template off); part of the caller's unit of work.</summary>
    public void SendCanceledEmail(Subscription s)
    {
        var until = s.CancelEffectiveAt is { } end && s.Status != SubscriptionStatus.Canceled && end > clock.GetUtcNow()
            ? $" It stays active until {CallbackPayloads.Time(end)}; nothing more will be charged."
            : " Nothing more will be charged.";
        emails.Send(s.ProfileId, s.Mode, EmailTypes.SubscriptionCanceled, s.CustomerEmail,
            $"Your {s.PlanName} subscription is canceled",
            $"Your subscription {s.Id} to {s.PlanName} is canceled.{until}",
            s.Id);
    }
}
