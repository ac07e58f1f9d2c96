using Harness.Storage;

namespace Harness.NewApi.Subscriptions;

/// <summary>
/// Where the reference goes beyond upstream (docs/new-api.md): a subscription bought through a Stripe
/// <c>mode=subscription</c> checkout follows the Stripe subscription. Each paid renewal invoice extends it by the
/// plan's duration, once per invoice; the Stripe subscription's end (a cancel at period end, or now) ends it.
/// Upstream ignores both, so later periods are charged without being delivered.
/// </summary>
public sealed class ProviderRenewals(SubscriptionStore store, UserSubscriptions subscriptions, IKeyedLock locks)
{
    /// <summary>Ties the subscription delivered for <paramref name="tradeNo"/> to the provider's subscription.</summary>
    public async Task LinkAsync(string tradeNo, string providerSubscriptionId, CancellationToken cancellationToken)
    {
        if (store.Order(tradeNo) is not { } order)
        {
            return;
        }

        using (await locks.AcquireAsync(UserSubscriptions.UserKey(order.UserId), cancellationToken))
        {
            if (store.SubscriptionOfOrder(order.UserId, tradeNo) is { ProviderSubscriptionId.Length: 0 } subscription)
            {
                subscription.ProviderSubscriptionId = providerSubscriptionId;
                store.SaveSubscription(subscription);
            }
        }
    }

    /// <summary>A paid renewal invoice: the subscription's end moves on by one plan duration, once per invoice.</summary>
    public async Task<bool> RenewAsync(string providerSubscriptionId, string invoiceId, CancellationToken cancellationToken)
    {
        if (Find(providerSubscriptionId) is not { } found)
        {
            return false;
        }

        using (await locks.AcquireAsync(UserSubscriptions.UserKey(found.UserId), cancellationToken))
        {
            if (store.Subscription(found.Number) is not { } subscription || subscription.RenewedBy.Contains(invoiceId)
                || subscription.Status == "cancelled" || store.Plan(subscription.PlanId) is not { } plan
                || UserSubscriptions.EndOf(plan, DateTimeOffset.FromUnixTimeSeconds(subscription.EndTime)) is not { } end)
            {
                return false;
            }

            subscription.EndTime = end.ToUnixTimeSeconds();
            subscription.Status = "active";
            subscription.UpdatedAt = subscriptions.Now;
            subscription.RenewedBy.Add(invoiceId);
            store.SaveSubscription(subscription);
            return true;
        }
    }

    /// <summary>The provider's subscription ended: access ends now (or at the end already set, if earlier).</summary>
    public async Task EndAsync(string providerSubscriptionId, CancellationToken cancellationToken)
    {
        if (Find(providerSubscriptionId) is not { } found)
        {
            return;
        }

        using (await locks.AcquireAsync(UserSubscriptions.UserKey(found.UserId), cancellationToken))
        {
            if (store.Subscription(found.Number) is { Status: "active" } subscription)
            {
                subscription.EndTime = Math.Min(subscription.EndTime, subscriptions.Now);
                store.SaveSubscription(subscription);
            }
        }

        await subscriptions.ExpireDueAsync(cancellationToken);
    }

    private UserSubscription? Find(string providerSubscriptionId) =>
        providerSubscriptionId.Length == 0 ? null : store.AllSubscriptions().FirstOrDefault(s => s.ProviderSubscriptionId == providerSubscriptionId);
}
