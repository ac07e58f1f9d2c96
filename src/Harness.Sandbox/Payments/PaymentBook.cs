using Harness.Storage;

namespace Harness.Sandbox.Payments;

/// <summary>
/// Every provider's payments, with the one state change that matters guarded: leaving <c>open</c>. The expiry loop and
/// the control API's lists read them through ordered indexes (<see cref="SandboxPayment.ExpiryOrder"/>,
/// <see cref="SandboxPayment.ProviderCreatedOrder"/>), a page at a time: nothing here grows with the payments a load
/// test leaves behind, in memory or at a start.
/// </summary>
public sealed class PaymentBook
{
    /// <summary>How many due payments the expiry loop reads at a time: after a day stopped, a day's open payments are due at once.</summary>
    public const int ExpiryBatch = 500;

    private readonly IDocumentStore _store;
    private readonly IDocumentCollection<SandboxPayment> _payments;

    public PaymentBook(IDocumentStore store)
    {
        _store = store;
        _payments = store.Collection<SandboxPayment>(
            "payments", nameof(SandboxPayment.ExpiryOrder), nameof(SandboxPayment.ProviderCreatedOrder));
    }

    /// <summary>Raised once a payment's creation has committed, so the scheduler can plan its expiry.</summary>
    public event Action<SandboxPayment>? Created;

    public void Add(SandboxPayment payment)
    {
        _payments.Upsert(payment);
        _store.OnCommitted(() => Created?.Invoke(payment));
    }

    public SandboxPayment? Get(string id) => _payments.Get(id);

    /// <summary>
    /// Up to <paramref name="limit"/> payments of the <paramref name="providers"/>, oldest first, payments made in the
    /// same millisecond by id, after the payment <paramref name="after"/> (null: from the first): each provider's page
    /// from its index, merged.
    /// </summary>
    public IReadOnlyList<SandboxPayment> Page(IEnumerable<string> providers, SandboxPayment? after, int limit) =>
        [.. providers
            .SelectMany(provider => _payments.Between(
                nameof(SandboxPayment.ProviderCreatedOrder), provider + "|" + after?.CreatedOrder, provider + "}", limit))
            .OrderBy(p => p.CreatedOrder, StringComparer.Ordinal)
            .Take(limit)];

    /// <summary>
    /// The same newest first: up to <paramref name="limit"/> payments made before the payment <paramref name="before"/>
    /// (null: from the newest).
    /// </summary>
    public IReadOnlyList<SandboxPayment> Newest(IEnumerable<string> providers, SandboxPayment? before, int limit) =>
        [.. providers
            .SelectMany(provider => _payments.Between(
                nameof(SandboxPayment.ProviderCreatedOrder), provider + "|", before is null ? provider + "}" : provider + "|" + before.CreatedOrder, limit, descending: true))
            .OrderByDescending(p => p.CreatedOrder, StringComparer.Ordinal)
            .Take(limit)];

    /// <summary>Open payments whose expiry has come, earliest first, at most <see cref="ExpiryBatch"/>.</summary>
    public IReadOnlyList<SandboxPayment> OpenDueForExpiry(DateTime now) =>
        _payments.Between(nameof(SandboxPayment.ExpiryOrder), null, OrderKeys.AfterTime(now), ExpiryBatch);

    /// <summary>When the earliest open payment expires (to the millisecond, as the store keeps times); null when none is open.</summary>
    public DateTime? NextExpiry() =>
        _payments.Between(nameof(SandboxPayment.ExpiryOrder), null, null, 1) is [{ ExpiryOrder: { } order }] ? OrderKeys.TimeOf(order) : null;

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

    /// <summary>
    /// Opens a closed payment's page again for a new attempt at the same provider object (a SetupIntent's next 3-D
    /// Secure challenge after its page was left closed), keeping the id so the page's address stays the object's.
    /// </summary>
    public void Reopen(string id) => _store.InTransaction(() =>
    {
        if (_payments.Get(id) is { Status: not PaymentStatus.Open } payment)
        {
            payment.Status = PaymentStatus.Open;
            payment.CardBrand = null;
            payment.CardLast4 = null;
            payment.CardExpMonth = null;
            payment.CardExpYear = null;
            _payments.Upsert(payment);
        }
    });

    /// <summary>An open payment's new amount and currency, as the provider's object changed them (a PaymentIntent's update).</summary>
    public void Revise(string id, long amount, string currency) => _store.InTransaction(() =>
    {
        if (_payments.Get(id) is { Status: PaymentStatus.Open } payment)
        {
            payment.Amount = amount;
            payment.Currency = currency;
            _payments.Upsert(payment);
        }
    });

    public void RecordDecline(string id) => _store.InTransaction(() =>
    {
        if (_payments.Get(id) is { } payment)
        {
            payment.Declines++;
            _payments.Upsert(payment);
        }
    });
}
