using System.Globalization;
using Harness.NewApi.Auth;
using Harness.Storage;

namespace Harness.NewApi.Subscriptions;

/// <summary>What a grant, an invalidation or a delete did: the subscription, a refusal, or the group change to announce.</summary>
public sealed record SubscriptionOutcome(UserSubscription? Subscription, string? Error, string? GroupMessage);

/// <summary>
/// Users' subscriptions (new-api.md §6.6–6.7): granting one from a plan (end time, reset schedule, group upgrade),
/// invalidating, deleting, and expiring those past their end on the injected clock with the group reverted. Every
/// change to one user's subscriptions or group runs under that user's lock.
/// </summary>
public sealed class UserSubscriptions(SubscriptionStore store, NewApiUsers users, IKeyedLock locks, TimeProvider clock)
{
    public const string LimitReached = "已达到该套餐购买上限";
    public const string NotFound = "record not found";

    /// <summary>
    /// How long a pending order counts toward <c>max_purchase_per_user</c> when a new order is placed (upstream counts
    /// only subscriptions, so two orders paid together leave one paid and undelivered; docs/new-api.md).
    /// </summary>
    public static readonly TimeSpan PendingHold = TimeSpan.FromHours(1);

    public long Now => clock.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>Whether the user may not place another order for the plan: their subscriptions of it (any status, ever) and their recent pending orders reach the limit.</summary>
    public bool OrderLimitReached(int userId, SubscriptionPlan plan)
    {
        if (plan.MaxPurchasePerUser <= 0)
        {
            return false;
        }

        var since = Now - (long)PendingHold.TotalSeconds;
        var held = store.SubscriptionsOf(userId).Count(s => s.PlanId == plan.Number)
            + store.PendingOrders(userId, plan.Number).Count(o => o.CreateTime > since);
        return held >= plan.MaxPurchasePerUser;
    }

    /// <summary>Runs <paramref name="action"/> under the user's lock (order creation checks the limit and inserts under it).</summary>
    public async Task<T> UnderUserLockAsync<T>(int userId, Func<T> action, CancellationToken cancellationToken)
    {
        using (await locks.AcquireAsync(UserKey(userId), cancellationToken))
        {
            return action();
        }
    }

    /// <summary>
    /// Upstream's <c>CreateUserSubscriptionFromPlanTx</c>: the purchase limit re-checked, start now, end by the plan's
    /// duration, the reset schedule, the group upgrade. With <paramref name="tradeNo"/> and <paramref name="repair"/>,
    /// a subscription already created for that order (before a crash) is returned instead of a second one.
    /// </summary>
    public async Task<SubscriptionOutcome> GrantAsync(NewApiUser user, SubscriptionPlan plan, string source, string tradeNo, bool repair, CancellationToken cancellationToken)
    {
        using (await locks.AcquireAsync(UserKey(user.NumericId), cancellationToken))
        {
            if (repair && store.SubscriptionOfOrder(user.NumericId, tradeNo) is { } earlier)
            {
                return new SubscriptionOutcome(earlier, null, null);
            }

            if (plan.MaxPurchasePerUser > 0 && store.SubscriptionsOf(user.NumericId).Count(s => s.PlanId == plan.Number) >= plan.MaxPurchasePerUser)
            {
                return new SubscriptionOutcome(null, LimitReached, null);
            }

            var start = clock.GetUtcNow();
            if (EndOf(plan, start) is not { } end)
            {
                return new SubscriptionOutcome(null, plan.DurationUnit == "custom" ? "custom_seconds must be > 0" : "invalid duration unit", null);
            }

            var startTime = start.ToUnixTimeSeconds();
            var endTime = end.ToUnixTimeSeconds();
            var nextReset = NextReset(plan, start);
            var subscription = new UserSubscription
            {
                UserId = user.NumericId,
                PlanId = plan.Number,
                AmountTotal = plan.TotalAmount,
                StartTime = startTime,
                EndTime = endTime,
                Source = source,
                NextResetTime = nextReset > endTime ? 0 : nextReset,
                CreatedAt = startTime,
                UpdatedAt = startTime,
                TradeNo = tradeNo,
            };
            subscription.LastResetTime = subscription.NextResetTime > 0 ? startTime : 0;
            string? message = null;
            var upgrade = plan.UpgradeGroup.Trim();
            if (upgrade.Length > 0)
            {
                subscription.UpgradeGroup = upgrade;
                if (user.Group != upgrade)
                {
                    subscription.PrevUserGroup = user.Group;
                    user.Group = upgrade;
                    users.Save(user);
                    message = "用户分组将升级到 " + upgrade;
                }
                else
                {
                    // Already upgraded by another subscription: remember the group that one will revert to.
                    subscription.PrevUserGroup = store.SubscriptionsOf(user.NumericId)
                        .FirstOrDefault(s => IsActive(s, startTime) && s.UpgradeGroup == upgrade && s.PrevUserGroup.Length > 0)?.PrevUserGroup ?? "";
                }
            }

            return new SubscriptionOutcome(store.AddSubscription(subscription), null, message);
        }
    }

    /// <summary>Cancels a subscription now (status <c>cancelled</c>, end = now) and reverts the group.</summary>
    public async Task<SubscriptionOutcome> InvalidateAsync(int id, CancellationToken cancellationToken)
    {
        if (store.Subscription(id) is not { } found)
        {
            return new SubscriptionOutcome(null, NotFound, null);
        }

        using (await locks.AcquireAsync(UserKey(found.UserId), cancellationToken))
        {
            if (store.Subscription(id) is not { } subscription)
            {
                return new SubscriptionOutcome(null, NotFound, null);
            }

            var now = Now;
            if (subscription.Status == "active")
            {
                subscription.Status = "cancelled";
                subscription.EndTime = Math.Min(subscription.EndTime, now);
                subscription.UpdatedAt = now;
                store.SaveSubscription(subscription);
            }

            return new SubscriptionOutcome(subscription, null, RevertGroup(subscription, now));
        }
    }

    /// <summary>Deletes a subscription for good and reverts the group.</summary>
    public async Task<SubscriptionOutcome> DeleteAsync(int id, CancellationToken cancellationToken)
    {
        if (store.Subscription(id) is not { } found)
        {
            return new SubscriptionOutcome(null, NotFound, null);
        }

        using (await locks.AcquireAsync(UserKey(found.UserId), cancellationToken))
        {
            if (store.Subscription(id) is not { } subscription)
            {
                return new SubscriptionOutcome(null, NotFound, null);
            }

            store.DeleteSubscription(id);
            return new SubscriptionOutcome(subscription, null, RevertGroup(subscription, Now));
        }
    }

    /// <summary>
    /// Upstream's background step, run on reads and admin actions instead: active subscriptions past their end become
    /// <c>expired</c>, and their users go back to the group they had when no other active upgraded subscription remains.
    /// </summary>
    public async Task ExpireDueAsync(CancellationToken cancellationToken)
    {
        var now = Now;
        foreach (var due in store.ActiveSubscriptions().Where(s => s.EndTime <= now).GroupBy(s => s.UserId))
        {
            using (await locks.AcquireAsync(UserKey(due.Key), cancellationToken))
            {
                foreach (var stale in due)
                {
                    if (store.Subscription(stale.Number) is { Status: "active" } subscription && subscription.EndTime <= now)
                    {
                        subscription.Status = "expired";
                        subscription.UpdatedAt = now;
                        store.SaveSubscription(subscription);
                        RevertGroup(subscription, now);
                    }
                }
            }
        }
    }

    public static bool IsActive(UserSubscription subscription, long now) => subscription.Status == "active" && subscription.EndTime > now;

    /// <summary>
    /// The latest end a subscription can have (the last second DateTimeOffset holds). Plans are refused beyond 100
    /// years (<see cref="PlanRules"/>), but a plan stored before that rule must still deliver what was paid for.
    /// </summary>
    public static readonly DateTimeOffset LatestEnd = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.MaxValue.ToUnixTimeSeconds());

    /// <summary>
    /// The end of a subscription starting at <paramref name="start"/>: calendar months and years, fixed days and hours,
    /// custom seconds; a duration reaching past <see cref="LatestEnd"/> ends there rather than failing delivery.
    /// </summary>
    public static DateTimeOffset? EndOf(SubscriptionPlan plan, DateTimeOffset start)
    {
        long value = plan.DurationValue;
        var room = LatestEnd - start;
        return plan.DurationUnit switch
        {
            "year" => start.Year + value > LatestEnd.Year ? LatestEnd : start.AddYears((int)value),
            "month" => (start.Year * 12L) + start.Month + value > (LatestEnd.Year * 12L) + LatestEnd.Month ? LatestEnd : start.AddMonths((int)value),
            "day" => value >= room.TotalDays ? LatestEnd : start.AddHours(24.0 * value),
            "hour" => value >= room.TotalHours ? LatestEnd : start.AddHours(value),
            "custom" when plan.CustomSeconds > 0 => plan.CustomSeconds >= room.TotalSeconds ? LatestEnd : start.AddSeconds(plan.CustomSeconds),
            _ => null,
        };
    }

    /// <summary>The first quota reset after <paramref name="start"/> (UTC midnights, Mondays and month starts); 0 for never or past <see cref="LatestEnd"/>.</summary>
    public static long NextReset(SubscriptionPlan plan, DateTimeOffset start)
    {
        var midnight = new DateTimeOffset(start.UtcDateTime.Date, TimeSpan.Zero);
        var startTime = start.ToUnixTimeSeconds();
        return plan.QuotaResetPeriod switch
        {
            "daily" => midnight.AddDays(1).ToUnixTimeSeconds(),
            "weekly" => midnight.AddDays(DaysToNextMonday(midnight)).ToUnixTimeSeconds(),
            "monthly" => new DateTimeOffset(midnight.Year, midnight.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1).ToUnixTimeSeconds(),
            "custom" when plan.QuotaResetCustomSeconds > 0 && plan.QuotaResetCustomSeconds <= LatestEnd.ToUnixTimeSeconds() - startTime
                => startTime + plan.QuotaResetCustomSeconds,
            _ => 0,
        };
    }

    /// <summary>The user goes back to the group they had when they are still in the ended subscription's upgrade group and no other active upgraded subscription remains.</summary>
    private string? RevertGroup(UserSubscription ended, long now)
    {
        if (ended.UpgradeGroup.Length == 0 || ended.PrevUserGroup.Length == 0 || users.Find(ended.UserId) is not { } user || user.Group != ended.UpgradeGroup)
        {
            return null;
        }

        if (store.SubscriptionsOf(ended.UserId).Any(s => s.Number != ended.Number && IsActive(s, now) && s.UpgradeGroup.Length > 0))
        {
            return null;
        }

        user.Group = ended.PrevUserGroup;
        users.Save(user);
        return "用户分组将回退到 " + ended.PrevUserGroup;
    }

    private static int DaysToNextMonday(DateTimeOffset day)
    {
        var days = ((int)DayOfWeek.Monday - (int)day.DayOfWeek + 7) % 7;
        return days == 0 ? 7 : days;
    }

    internal static string UserKey(int userId) => "newapi:subscription:user:" + userId.ToString(CultureInfo.InvariantCulture);
}
