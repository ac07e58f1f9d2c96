using Harness.Storage;

namespace Harness.Sandbox.Payments;

/// <summary>Every provider's payments, with the one state change that matters guarded: leaving <c>open</c>.</summary>
public sealed class PaymentBook(IDocumentStore store)
{
    private readonly IDocumentCollection<SandboxPayment> _payments =
        store.Collection<SandboxPayment>("payments", nameof(SandboxPayment.Provider), nameof(SandboxPayment.Status));

    /// <summary>Raised once a payment's creation has committed, so the scheduler can plan its expiry.</summary>
    public event Action<SandboxPayment>? Created;

    public void Add(SandboxPayment payment)
    {
        _payments.Upsert(payment);
        store.OnCommitted(() => Created?.Invoke(payment));
    }

    public SandboxPayment? Get(string id) => _payments.Get(id);

    public IReadOnlyList<SandboxPayment> List(string? provider) =>
        [.. (provider is null ? _payments.All() : _payments.FindBy(nameof(SandboxPayment.Provider), provider)).OrderBy(p => p.CreatedAt)];

    public IReadOnlyList<SandboxPayment> OpenDueForExpiry(DateTime now) =>
        [.. _payments.FindBy(nameof(SandboxPayment.Status), nameof(PaymentStatus.Open)).Where(p => p.ExpiresAt <= now)];

    public DateTime? NextExpiry() =>
        _payments.FindBy(nameof(SandboxPayment.Status), nameof(PaymentStatus.Open)).Select(p => (DateTime?)p.ExpiresAt).Min();

    /// <summary>
    /// Moves an open payment to <paramref name="to"/>, recording the <paramref name="card"/> it was paid with; false if
    /// it had already left <c>open</c> (a second click, a race with expiry). A unit of the store, or part of the
    /// caller's: units run one at a time, so of two closes only one reads <c>open</c>.
    /// </summary>
    public bool TryClose(string id, PaymentStatus to, CardEntry? card = null) => store.Atomically(() =>
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
        store.Atomically(() => TryClose(id, to, card) ? then(_payments.Get(id)!) : null);

    public void RecordDecline(string id) => store.InTransaction(() =>
    {
        if (_payments.Get(id) is { } payment)
        {
            payment.Declines++;
            _payments.Upsert(payment);
        }
    });
}
