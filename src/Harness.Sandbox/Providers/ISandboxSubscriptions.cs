namespace Harness.Sandbox.Providers;

/// <summary>
/// A provider's own recurring billing as the operator drives it (Stripe's and Creem's subscriptions): the control API
/// under <c>/control/{provider}/subscriptions</c> and the dashboard both go through this.
/// </summary>
public interface ISandboxSubscriptions
{
    /// <summary>The states a subscription may end in once every retry of a declined charge failed; the first is the default.</summary>
    IReadOnlyList<string> EndStates { get; }

    /// <summary>What <see cref="RenewAsync"/> does for this provider, in a sentence for the dashboard.</summary>
    string RenewMeaning { get; }

    /// <summary>Up to <paramref name="limit"/> subscriptions, newest first.</summary>
    IReadOnlyList<SubscriptionRow> Newest(int limit);

    /// <summary>Makes the subscription's charges decline from its next renewal or retry on (or succeed again); null when there is none.</summary>
    SubscriptionRow? SetFailing(string id, bool failing, string endState);

    /// <summary>Makes the subscription's next renewal happen now; no row when there is none, a refusal when it cannot renew.</summary>
    Task<(SubscriptionRow? Row, string? Refusal)> RenewAsync(string id, SandboxScheduler scheduler, CancellationToken cancellationToken);
}

/// <summary>One subscription as the dashboard lists it.</summary>
public sealed record SubscriptionRow(string Id, string Customer, string Status, DateTime PeriodEnd, bool Failing, string EndState);
