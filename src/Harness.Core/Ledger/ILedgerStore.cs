namespace Harness.Core.Ledger;

/// <summary>
/// Durable persistence behind <see cref="GroupCommitLedger"/>. An implementation commits a whole
/// batch atomically: after <see cref="Commit"/> returns, every entry (each carrying its idempotency
/// claim) and balance in it is durable; if it throws, nothing of it may be relied on.
/// </summary>
public interface ILedgerStore
{
    /// <summary>
    /// Everything the ledger keeps in memory: balances, the last entry id, and the idempotency claims of
    /// entries created after <paramref name="claimedAfter"/>, oldest first (so the newest claim of a
    /// reused key wins).
    /// </summary>
    LedgerSnapshot Load(DateTime claimedAfter);

    void Commit(LedgerBatch batch);

    LedgerEntry? FindEntry(long id);

    LedgerPage Query(LedgerQuery query);

    LedgerTotals Summarise(LedgerFilter filter);

    /// <summary>Per account: stored balance, sum and count of entries.</summary>
    IReadOnlyList<AccountAudit> Audit();
}

/// <summary>An idempotency key claimed by an entry at <paramref name="ClaimedAt"/> (the entry's creation time).</summary>
public sealed record IdempotencyRecord(string StoreKey, long EntryId, string Fingerprint, DateTime ClaimedAt);

public sealed record LedgerSnapshot(
    IReadOnlyList<AccountBalance> Balances,
    IReadOnlyList<IdempotencyRecord> IdempotencyRecords,
    long LastEntryId);

/// <param name="Entries">New entries, in order.</param>
/// <param name="Balances">The resulting balance of every touched account.</param>
public sealed record LedgerBatch(IReadOnlyList<LedgerEntry> Entries, IReadOnlyList<AccountBalance> Balances);
