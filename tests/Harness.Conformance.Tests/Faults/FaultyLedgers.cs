using Harness.Ledger;
using Microsoft.Extensions.DependencyInjection;

namespace Harness.Conformance.Tests.Faults;

/// <summary>
/// The real ledger with one deliberate defect, as a broken implementation might have it. Faults live here,
/// in the tests, never behind switches in the backend.
/// </summary>
public abstract class FaultyLedger(ILedger inner) : ILedger
{
    protected ILedger Inner { get; } = inner;

    public virtual Task<LedgerOutcome> PostAsync(LedgerPosting posting, CancellationToken cancellationToken = default) => Inner.PostAsync(posting, cancellationToken);

    public AccountBalance GetBalance(string accountId) => Inner.GetBalance(accountId);

    public LedgerEntry? FindClaim(string scope, string key) => Inner.FindClaim(scope, key);

    public virtual LedgerPage Query(LedgerQuery query) => Inner.Query(query);

    public virtual LedgerTotals Summarise(LedgerFilter filter) => Inner.Summarise(filter);

    public LedgerAuditReport Audit() => Inner.Audit();

    public long EntryCount => Inner.EntryCount;

    /// <summary>Wraps the backend's ledger registration with <paramref name="fault"/>.</summary>
    public static Action<IServiceCollection> Install(Func<ILedger, ILedger> fault) => services => services.Decorate(fault);
}

/// <summary>Never looks at the idempotency key: every request charges.</summary>
public sealed class IdempotencyIgnored(ILedger inner) : FaultyLedger(inner)
{
    public override Task<LedgerOutcome> PostAsync(LedgerPosting posting, CancellationToken cancellationToken = default) =>
        Inner.PostAsync(posting with { Idempotency = null }, cancellationToken);
}

/// <summary>Lets a debit through whatever the balance, by quietly crediting the shortfall first.</summary>
public sealed class BalanceCheckIgnored(ILedger inner) : FaultyLedger(inner)
{
    public override async Task<LedgerOutcome> PostAsync(LedgerPosting posting, CancellationToken cancellationToken = default)
    {
        var shortfall = -posting.Amount - Inner.GetBalance(posting.AccountId).Balance;
        if (posting.Amount < 0 && shortfall > 0)
        {
            await Inner.PostAsync(new LedgerPosting(posting.AccountId, shortfall, "adjust"), cancellationToken);
        }

        return await Inner.PostAsync(posting, cancellationToken);
    }
}

/// <summary>Charges correctly but loses the history: record queries come back empty.</summary>
public sealed class RecordsOmitted(ILedger inner) : FaultyLedger(inner)
{
    public override LedgerPage Query(LedgerQuery query) => new([], 0);
}

/// <summary>Remembers keys but not what they were for: a reused key with another request replays the first.</summary>
public sealed class FingerprintIgnored(ILedger inner) : FaultyLedger(inner)
{
    public override Task<LedgerOutcome> PostAsync(LedgerPosting posting, CancellationToken cancellationToken = default) =>
        Inner.PostAsync(posting.Idempotency is { } claim ? posting with { Idempotency = claim with { Fingerprint = "any" } } : posting, cancellationToken);
}

/// <summary>Totals every consumption of the user, whatever the summary's filter asks.</summary>
public sealed class SummaryFiltersIgnored(ILedger inner) : FaultyLedger(inner)
{
    public override LedgerTotals Summarise(LedgerFilter filter) => Inner.Summarise(new LedgerFilter(filter.AccountId) { Kind = filter.Kind });
}
