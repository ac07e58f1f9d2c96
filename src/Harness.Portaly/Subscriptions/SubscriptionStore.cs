using Harness.Portaly.Auth;
using Harness.Storage;

namespace Harness.Portaly.Subscriptions;

/// <summary>Subscriptions of both modes; a key sees only its own profile's, of its own mode.</summary>
public sealed class SubscriptionStore(IDocumentStore store)
{
    private readonly IDocumentCollection<Subscription> _subscriptions =
        store.Collection<Subscription>("subscriptions", nameof(Subscription.ProfileId), nameof(Subscription.Status));

    public Subscription? Get(string id) => _subscriptions.Get(id);

    /// <summary>The key's subscription, or null for an unknown id, another profile's or the other mode's.</summary>
    public Subscription? Find(PortalyApiKey key, string id) =>
        _subscriptions.Get(id) is { } found && found.ProfileId == key.ProfileId && found.Mode == key.Mode ? found : null;

    /// <summary>The profile's subscriptions of one mode, newest first (id breaks ties), the order cursors walk.</summary>
    public IReadOnlyList<Subscription> Of(string profileId, string mode) =>
        [.. _subscriptions.FindBy(nameof(Subscription.ProfileId), profileId)
            .Where(s => s.Mode == mode)
            .OrderByDescending(s => s.CreatedAt).ThenByDescending(s => s.Id, StringComparer.Ordinal)];

    /// <summary>Subscriptions that may still charge or end: active and past due.</summary>
    public IReadOnlyList<Subscription> Live() =>
        [.. _subscriptions.FindBy(nameof(Subscription.Status), SubscriptionStatus.Active), .. _subscriptions.FindBy(nameof(Subscription.Status), SubscriptionStatus.PastDue)];

    /// <summary>Creates the subscription unless its session already did.</summary>
    public bool TryInsert(Subscription subscription) => _subscriptions.TryInsert(subscription);

    public void Put(Subscription subscription) => _subscriptions.Upsert(subscription);
}
