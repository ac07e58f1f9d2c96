namespace Harness.NewApi.Subscriptions;

public enum SubscriptionCompletion
{
    /// <summary>No subscription order has this trade number: the caller tries a top-up order.</summary>
    NotASubscriptionOrder,
    Completed,
    AlreadyDone,
    Refused,
}

/// <summary>
/// What the providers' webhooks need of subscriptions (new-api.md §6.6): Stripe's and Creem's fulfil paths try the
/// subscription order first and fall back to a top-up order, as upstream does.
/// </summary>
public interface ISubscriptionOrders
{
    /// <summary>Upstream's <c>CompleteSubscriptionOrder</c>: idempotent for an order already paid.</summary>
    Task<SubscriptionCompletion> CompleteAsync(string tradeNo, string provider, string? actualMethod, string payload, CancellationToken cancellationToken);

    /// <summary>Upstream's <c>ExpireSubscriptionOrder</c>: only a pending order expires; false when it is not a subscription order.</summary>
    Task<bool> ExpireAsync(string tradeNo, CancellationToken cancellationToken);
}
