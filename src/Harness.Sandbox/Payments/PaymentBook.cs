using Harness.Storage;

namespace Harness.Sandbox.Payments;

/// <summary>Every provider's payments, with the one state change that matters guarded: leaving <c>open</c>.</summary>
public sealed class PaymentBook
{
    private readonly IDocumentStore _store;
    private readonly IDocumentCollection<SandboxPayment> _payments;

    // The open payments by expiry, in memory: the expiry loop asks for the due ones and the next one at every
    // wake-up, and reading every open payment from the store each time grows with a load test's open payments.
    // Each entry's key as it went in: the store keeps times to the millisecond, so a payment read back may not
    // carry the exact time it was indexed under.
    private readonly SortedSet<(DateTime ExpiresAt, string Id)> _openByExpiry;
    private readonly Dictionary<string, DateTime> _indexedExpiry;
    private readonly Lock _expiryIndex = new();

    public PaymentBook(IDocumentStore store)
    {
        _store = store;
        _payments = store.Collection<SandboxPayment>("payments", nameof(SandboxPayment.Provider), nameof(SandboxPayment.Status));
        _indexedExpiry = _payments.FindBy(nameof(SandboxPayment.Status), nameof(PaymentStatus.Open)).ToDictionary(p => p.Id, p => p.ExpiresAt, StringComparer.Ordinal);
        _openByExpiry = [.. _indexedExpiry.Select(e => (e.Value, e.Key))];
    }

    /// <summary>Raised once a payment's creation has committed, so the scheduler can plan its expiry.</summary>
    public event Action<SandboxPayment>? Created;

    public void Add(SandboxPayment payment)
    {
        _payments.Upsert(payment);
        _store.OnCommitted(() =>
        {
            if (payment.Status == PaymentStatus.Open)
            {
                lock (_expiryIndex)
                {
                    _indexedExpiry[payment.Id] = payment.ExpiresAt;
                    _openByExpiry.Add((payment.ExpiresAt, payment.Id));
                }
            }

            Created?.Invoke(payment);
        });
    }

    public SandboxPayment? Get(string id) => _payments.Get(id);

    /// <summary>Every payment (or one provider's), oldest first; payments made in the same instant by id, so the order is the same at every call.</summary>
    public IReadOnlyList<SandboxPayment> List(string? provider) =>
        [.. (provider is null ? _payments.All() : _payments.FindBy(nameof(SandboxPayment.Provider), provider)).OrderBy(p => p.CreatedAt).ThenBy(p => p.Id, StringComparer.Ordinal)];

    /// <summary>The open payments whose expiry has come, earliest first.</summary>
    public IReadOnlyList<SandboxPayment> OpenDueForExpiry(DateTime now)
    {
        List<string> due;
        lock (_expiryIndex)
        {
            due = [.. _openByExpiry.TakeWhile(e => e.ExpiresAt <= now).Select(e => e.Id)];
        }

        var open = due.Select(Get).OfType<SandboxPayment>().Where(p => p.Status == PaymentStatus.Open).ToList();
        foreach (var closed in due.Except(open.Select(p => p.Id)))
        {
            Unindex(closed); // closed by a unit whose after-commit step has not run yet
        }

        return open;
    }

    public DateTime? NextExpiry()
    {
        lock (_expiryIndex)
        {
            return _openByExpiry.Count == 0 ? null : _openByExpiry.Min.ExpiresAt;
        }
    }

    /// <summary>
    /// Moves an open payment to <paramref name="to"/>, recording the <paramref name="card"/> it was paid with; false if
    /// it had already left <c>open</c> (a second click, a race with expiry). A unit of the store, or part of the
    /// caller's: units run one at a time, so of two closes only one reads <c>open</c>.
    /// </summary>
    public bool TryClose(string id, PaymentStatus to, CardEntry? card = null) => _store.Atomically(() =>
    {
        if (_payments.Get(id) is not { Status: PaymentStatus.Open } payment)
        {
            return false;
        }

        payment.Status = to;
        payment.CardBrand = card?.Brand;
        payment.CardLast4 = card?.Last4;
        payment.CardExpMonth = card?.ExpMonth;
        payment.CardExpYear = card?.ExpYear;
        _payments.Upsert(payment);
        _store.OnCommitted(() => Unindex(id));
        return true;
    });

    /// <summary>
    /// <see cref="TryClose"/> and what the provider writes because of it (its objects, its callbacks) in one unit:
    /// a crash never leaves a paid or expired payment without them; false, and nothing run, if it was not open.
    /// </summary>
    public T? TryClose<T>(string id, PaymentStatus to, CardEntry? card, Func<SandboxPayment, T> then)
        where T : class =>
        _store.Atomically(() => TryClose(id, to, card) ? then(_payments.Get(id)!) : null);

    /// <inheritdoc cref="TryClose{T}"/>
    public Task<T?> TryCloseAsync<T>(string id, PaymentStatus to, CardEntry? card, Func<SandboxPayment, T> then)
        where T : class =>
        _store.AtomicallyAsync(() => TryClose(id, to, card) ? then(_payments.Get(id)!) : null);

    public void RecordDecline(string id) => _store.InTransaction(() =>
    {
        if (_payments.Get(id) is { } payment)
        {
            payment.Declines++;
            _payments.Upsert(payment);
        }
    });

    private void Unindex(string id)
    {
        lock (_expiryIndex)
        {
            if (_indexedExpiry.Remove(id, out var expiresAt))
            {
                _openByExpiry.Remove((expiresAt, id));
            }
        }
    }
}
