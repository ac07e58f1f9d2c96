using System.Globalization;
using Harness.Storage;

namespace Harness.NewApi.Subscriptions;

/// <summary>
/// Plans, orders and user subscriptions as documents (<c>newapi_subscription_plans</c>, <c>newapi_subscription_orders</c>,
/// <c>newapi_user_subscriptions</c>), each numbered from 1 as upstream's auto-increment ids.
/// </summary>
public sealed class SubscriptionStore
{
    private readonly IDocumentCollection<SubscriptionPlan> _plans;
    private readonly IDocumentCollection<SubscriptionOrder> _orders;
    private readonly IDocumentCollection<UserSubscription> _subscriptions;
    private readonly object _numbering = new();
    private int _lastPlan;
    private int _lastOrder;
    private int _lastSubscription;

    public SubscriptionStore(IDocumentStore store)
    {
        _plans = store.Collection<SubscriptionPlan>("newapi_subscription_plans");
        _orders = store.Collection<SubscriptionOrder>("newapi_subscription_orders");
        _subscriptions = store.Collection<UserSubscription>("newapi_user_subscriptions");
        _lastPlan = _plans.All().Select(p => p.Number).DefaultIfEmpty(0).Max();
        _lastOrder = _orders.All().Select(o => o.Number).DefaultIfEmpty(0).Max();
        _lastSubscription = _subscriptions.All().Select(s => s.Number).DefaultIfEmpty(0).Max();
    }

    public SubscriptionPlan? Plan(int id) => _plans.Get(Key(id));

    /// <summary>Plans <c>sort_order desc, id desc</c>, all or only the enabled ones.</summary>
    public IReadOnlyList<SubscriptionPlan> Plans(bool enabledOnly) =>
        [.. _plans.All().Where(p => !enabledOnly || p.Enabled).OrderByDescending(p => p.SortOrder).ThenByDescending(p => p.Number)];

    public SubscriptionPlan AddPlan(SubscriptionPlan plan)
    {
        lock (_numbering)
        {
            plan.Number = ++_lastPlan;
        }

        plan.Id = Key(plan.Number);
        _plans.Upsert(plan);
        return plan;
    }

    public void SavePlan(SubscriptionPlan plan) => _plans.Upsert(plan);

    public SubscriptionOrder? Order(string tradeNo) => _orders.Get(tradeNo);

    public SubscriptionOrder AddOrder(SubscriptionOrder order)
    {
        lock (_numbering)
        {
            order.Number = ++_lastOrder;
        }

        order.Id = order.TradeNo;
        _orders.Upsert(order);
        return order;
    }

    public void SaveOrder(SubscriptionOrder order) => _orders.Upsert(order);

    /// <summary>The user's orders for the plan that are still pending.</summary>
    public IReadOnlyList<SubscriptionOrder> PendingOrders(int userId, int planId) =>
        [.. _orders.All().Where(o => o.UserId == userId && o.PlanId == planId && o.Status == "pending")];

    public UserSubscription? Subscription(int id) => _subscriptions.Get(Key(id));

    /// <summary>The user's subscriptions, <c>end_time desc, id desc</c>.</summary>
    public IReadOnlyList<UserSubscription> SubscriptionsOf(int userId) =>
        [.. _subscriptions.All().Where(s => s.UserId == userId).OrderByDescending(s => s.EndTime).ThenByDescending(s => s.Number)];

    public IReadOnlyList<UserSubscription> AllSubscriptions() => _subscriptions.All();

    public IReadOnlyList<UserSubscription> ActiveSubscriptions() => [.. _subscriptions.All().Where(s => s.Status == "active")];

    public UserSubscription? SubscriptionOfOrder(int userId, string tradeNo) =>
        _subscriptions.All().FirstOrDefault(s => s.UserId == userId && s.TradeNo == tradeNo);

    public UserSubscription AddSubscription(UserSubscription subscription)
    {
        lock (_numbering)
        {
            subscription.Number = ++_lastSubscription;
        }

        subscription.Id = Key(subscription.Number);
        _subscriptions.Upsert(subscription);
        return subscription;
    }

    public void SaveSubscription(UserSubscription subscription) => _subscriptions.Upsert(subscription);

    public bool DeleteSubscription(int id) => _subscriptions.Delete(Key(id));

    private static string Key(int id) => id.ToString(CultureInfo.InvariantCulture);
}
