using Harness.NewApi.Auth;
using Harness.NewApi.TopUp;
using Harness.Storage;

namespace Harness.NewApi.Subscriptions;

/// <summary>
/// Upstream's <c>CompleteSubscriptionOrder</c> and <c>ExpireSubscriptionOrder</c> (new-api.md §6.6), under the order's
/// lock: the subscription is created once however many notifies, returns and webhooks race for it. The order records
/// that delivery started, so after a crash between the subscription and the order's <c>success</c> the subscription
/// carrying the trade number is found again rather than granted twice.
/// </summary>
public sealed class SubscriptionOrders(
    SubscriptionStore store, UserSubscriptions subscriptions, NewApiUsers users, TopUpOrders topUps, IKeyedLock locks, TimeProvider clock) : ISubscriptionOrders
{
    public async Task<SubscriptionCompletion> CompleteAsync(string tradeNo, string provider, string? actualMethod, string payload, CancellationToken cancellationToken)
    {
        using (await locks.AcquireAsync(OrderKey(tradeNo), cancellationToken))
        {
            if (store.Order(tradeNo) is not { } order)
            {
                return SubscriptionCompletion.NotASubscriptionOrder;
            }

            if (order.PaymentProvider != provider)
            {
                return SubscriptionCompletion.Refused;
            }

            if (order.Status == "success")
            {
                return SubscriptionCompletion.AlreadyDone;
            }

            if (order.Status != "pending" || store.Plan(order.PlanId) is not { } plan || users.Find(order.UserId) is not { } user)
            {
                return SubscriptionCompletion.Refused;
            }

            var method = actualMethod is { Length: > 0 } ? actualMethod : order.PaymentMethod;
            var mirror = topUps.Find(tradeNo);
            if (mirror is not null && mirror.PaymentMethod != method)
            {
                return SubscriptionCompletion.Refused;
            }

            // A disabled plan is still delivered, as upstream.
            var repair = order.DeliveryStarted;
            order.DeliveryStarted = true;
            store.SaveOrder(order);
            var granted = await subscriptions.GrantAsync(user, plan, "order", tradeNo, repair, cancellationToken);
            if (granted.Subscription is null)
            {
                return SubscriptionCompletion.Refused;
            }

            var now = clock.GetUtcNow().ToUnixTimeSeconds();
            if (mirror is null)
            {
                topUps.Add(new TopUpOrder
                {
                    UserId = order.UserId,
                    Amount = 0,
                    Money = order.Money,
                    TradeNo = tradeNo,
                    PaymentMethod = method,
                    PaymentProvider = order.PaymentProvider,
                    CreateTime = order.CreateTime,
                    CompleteTime = now,
                    Status = "success",
                });
            }
            else if (mirror.Status != "success")
            {
                mirror.Status = "success";
                mirror.CompleteTime = now;
                topUps.Save(mirror);
            }

            order.Status = "success";
            order.CompleteTime = now;
            order.ProviderPayload = payload;
            order.PaymentMethod = method;
            store.SaveOrder(order);
            return SubscriptionCompletion.Completed;
        }
    }

    public async Task<bool> ExpireAsync(string tradeNo, CancellationToken cancellationToken)
    {
        using (await locks.AcquireAsync(OrderKey(tradeNo), cancellationToken))
        {
            if (store.Order(tradeNo) is not { } order)
            {
                return false;
            }

            if (order.Status == "pending")
            {
                order.Status = "expired";
                store.SaveOrder(order);
            }

            return true;
        }
    }

    /// <summary>Upstream's <c>LockOrder</c>: one completion or expiry of a trade number at a time.</summary>
    private static string OrderKey(string tradeNo) => "newapi:subscription:order:" + tradeNo;
}
