namespace Harness.Ledger.Tests;

/// <summary>
/// A store that hands every call to another (a real one): a test's fake overrides only what it fakes,
/// e.g. a commit that fails or waits, and everything else behaves as the real store does.
/// </summary>
internal class DelegatingLedgerStore(ILedgerStore inner) : ILedgerStore
{
    public virtual LedgerCheckpoint Load() => inner.Load();

    public virtual void Commit(LedgerBatch batch) => inner.Commit(batch);

    public virtual LedgerEntry? FindClaim(string scope, string key, DateTime claimedAfter) => inner.FindClaim(scope, key, claimedAfter);

    public virtual LedgerPage Query(LedgerQuery query) => inner.Query(query);

    public virtual LedgerTotals Summarise(LedgerFilter filter) => inner.Summarise(filter);

    public virtual long ForgetClaimsBefore(DateTime cutoff, CancellationToken cancellationToken) => inner.ForgetClaimsBefore(cutoff, cancellationToken);

    public virtual ILedgerStoreView OpenView() => inner.OpenView();

    public void Dispose() => inner.Dispose();
}
