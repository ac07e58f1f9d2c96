namespace Harness.Core.Ledger;

/// <summary>
/// Durable persistence behind <see cref="GroupCommitLedger"/>. An implementation commits a whole
/// batch atomically: after <see cref="Commit"/> returns, every entry, idempotency record and balance in
/// it is durable; if it throws, none of them is.
/// </summary>
public interface ILedgerStore
{
    /// <summary>Everything the ledger keeps in memory: balances, live idempotency records, next entry id.</summary>
    LedgerSnapshot Load(DateTime idempotencyLiveAfter);

    void Commit(LedgerBatch batch);

    LedgerEntry? FindEntry(long id);

    LedgerPage Query(LedgerQuery query);

    LedgerTotals Summarise(LedgerFilter filter);

    /// <summary>Per account: stored balance, sum and count of entries.</summary>
    IReadOnlyList<AccountAudit> Audit();

    /// <summary>Removes idempotency records that expired before <paramref name="expiredBefore"/>.</summary>
    int PurgeIdempotency(DateTime expiredBefore);
}

public sealed record IdempotencyRecord(string StoreKey, long EntryId, string Fingerprint, DateTime ExpiresAt);

public sealed record LedgerSnapshot(
    IReadOnlyList<AccountBalance> Balances,
    IReadOnlyList<IdempotencyRecord> IdempotencyRecords,
    long LastEntryId);

/// <param name="Entries">New entries, in order.</param>
/// <param name="IdempotencyRecords">New idempotency records. A key may be reused once its earlier record expired; that record may stay stored until purged, and <see cref="ILedgerStore.Load"/> returns only live ones, the newest last.</param>
/// <param name="Balances">The resulting balance of every touched account.</param>
public sealed record LedgerBatch(
    IReadOnlyList<LedgerEntry> Entries,
    IReadOnlyList<IdempotencyRecord> IdempotencyRecords,
    IReadOnlyList<AccountBalance> Balances);
