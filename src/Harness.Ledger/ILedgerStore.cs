namespace Harness.Ledger;

/// <summary>
/// Durable persistence behind <see cref="GroupCommitLedger"/>: a journal of committed batches. An
/// implementation commits a whole batch atomically: after <see cref="Commit"/> returns, every entry
/// (each carrying its idempotency claim) and balance in it is durable; if it throws, nothing of it may
/// be relied on. Everything the ledger answers from memory is rebuilt from <see cref="ReadAll"/>.
/// </summary>
internal interface ILedgerStore
{
    /// <summary>Every committed batch, in commit order, read from the durable store.</summary>
    IEnumerable<LedgerBatch> ReadAll();

    void Commit(LedgerBatch batch);
}

/// <param name="Entries">New entries, in ascending id order.</param>
/// <param name="Balances">The resulting balance of every touched account.</param>
internal sealed record LedgerBatch(IReadOnlyList<LedgerEntry> Entries, IReadOnlyList<AccountBalance> Balances);
