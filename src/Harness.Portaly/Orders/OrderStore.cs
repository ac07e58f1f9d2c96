using Harness.Portaly.Auth;
using Harness.Storage;

namespace Harness.Portaly.Orders;

/// <summary>Orders and invoice records of both modes; a key sees only its own profile's, of its own mode.</summary>
public sealed class OrderStore(IDocumentStore store)
{
    private readonly IDocumentCollection<Order> _orders =
        store.Collection<Order>("orders", nameof(Order.ProfileId), nameof(Order.CreatorSubscriptionId));
    private readonly IDocumentCollection<InvoiceRecord> _invoices =
        store.Collection<InvoiceRecord>("invoices", nameof(InvoiceRecord.ProfileId));

    public Order? Get(string id) => _orders.Get(id);

    /// <summary>The key's order, or null for an unknown id, another profile's or the other mode's.</summary>
    public Order? Find(PortalyApiKey key, string id) =>
        _orders.Get(id) is { } found && found.ProfileId == key.ProfileId && found.Mode == key.Mode ? found : null;

    /// <summary>The profile's orders of one mode, newest first (id breaks ties).</summary>
    public IReadOnlyList<Order> Of(string profileId, string mode) =>
        [.. _orders.FindBy(nameof(Order.ProfileId), profileId)
            .Where(o => o.Mode == mode)
            .OrderByDescending(o => o.CreatedAt).ThenByDescending(o => o.Id, StringComparer.Ordinal)];

    /// <summary>The subscription's orders, first charge first.</summary>
    public IReadOnlyList<Order> OfSubscription(string subscriptionId) =>
        [.. _orders.FindBy(nameof(Order.CreatorSubscriptionId), subscriptionId).OrderBy(o => o.ChargeNumber)];

    /// <summary>Records a charge once: a second write of the same charge number is refused.</summary>
    public bool TryInsert(Order order) => _orders.TryInsert(order);

    public void Put(Order order) => _orders.Upsert(order);

    public void Record(InvoiceRecord invoice) => _invoices.Upsert(invoice);

    /// <summary>The profile's invoice records of one mode, newest first.</summary>
    public IReadOnlyList<InvoiceRecord> InvoicesOf(string profileId, string mode) =>
        [.. _invoices.FindBy(nameof(InvoiceRecord.ProfileId), profileId)
            .Where(i => i.Mode == mode)
            .OrderByDescending(i => i.CreatedAt).ThenByDescending(i => i.Id, StringComparer.Ordinal)];
}
