using Harness.Ledger;

namespace Harness.Load.Tests.Support;

/// <summary>
/// A deliberately broken ledger: a replayed key is answered as a replay, as it should be, but its
/// posting is applied once more under another scope. The ledger stays internally consistent (every
/// balance equals its entries), so only an audit against what clients were told can catch it.
/// </summary>
public sealed class DoubleChargingLedger(ILedger inner) : ILedger
{
    public async Task<LedgerOutcome> PostAsync(LedgerPosting posting, CancellationToken cancellationToken = default)
    {
        var outcome = await inner.PostAsync(posting, cancellationToken);
        if (outcome.Status == LedgerStatus.Replayed && posting.Idempotency is { } claim)
        {
            await inner.PostAsync(posting with { Idempotency = claim with { Scope = claim.Scope + ":again:" + Guid.NewGuid().ToString("N") } }, cancellationToken);
        }

        return outcome;
    }

    public AccountBalance GetBalance(string accountId) => inner.GetBalance(accountId);

    public LedgerEntry? FindClaim(string scope, string key) => inner.FindClaim(scope, key);

    public LedgerPage Query(LedgerQuery query) => inner.Query(query);

    public LedgerTotals Summarise(LedgerFilter filter) => inner.Summarise(filter);

    public LedgerAuditReport Audit() => inner.Audit();

    public long EntryCount => inner.EntryCount;
}
