namespace Harness.Ledger;

/// <summary>
/// Durable persistence behind <see cref="GroupCommitLedger"/>, and what it answers reads from. The
/// ledger keeps only balances in memory; entries, idempotency claims and history live here, so the
/// process's memory follows what is live, not how much was ever written.
/// <para>
/// A commit is atomic: after <see cref="Commit"/> returns, every entry (each carrying its idempotency
/// claim), balance and count in it is durable and visible to the reads; if it throws, nothing of it
/// may be relied on. Commits come from one writer at a time. Reads may run alongside a commit. Nothing
/// here needs one process to own the data for good: a PostgreSQL implementation is a table of entries
/// (indexed by account and id), one of balances and one of claims (by scope and key, and by time).
/// </para>
/// </summary>
internal interface ILedgerStore : IDisposable
{
    /// <summary>What a start begins from, read without replaying history: every account's balance, the last id and the entry count.</summary>
    LedgerCheckpoint Load();

    void Commit(LedgerBatch batch);

    /// <summary>The entry that claimed the key after <paramref name="claimedAfter"/>, if one did.</summary>
    LedgerEntry? FindClaim(string scope, string key, DateTime claimedAfter);

    /// <summary>Entries of one account, newest first, filtered; the total counts every match.</summary>
    LedgerPage Query(LedgerQuery query);

    LedgerTotals Summarise(LedgerFilter filter);

    /// <summary>
    /// Forgets keys claimed at or before the cut-off (their entries stay); returns how many. A cancelled
    /// token stops it between two chunks (<see cref="OperationCanceledException"/>); the next call goes on.
    /// </summary>
    long ForgetClaimsBefore(DateTime cutoff, CancellationToken cancellationToken);

    /// <summary>A view fixed at this moment, for an audit read while commits go on.</summary>
    ILedgerStoreView OpenView();
}

/// <summary>The store as it was when the view was opened.</summary>
internal interface ILedgerStoreView : IDisposable
{
    /// <summary>Every account with its stored balance and the sum and number of its entries, read from the entries themselves.</summary>
    IEnumerable<AccountAudit> Accounts();
}

/// <param name="Entries">New entries, in ascending id order.</param>
/// <param name="Balances">The resulting balance of every touched account.</param>
internal sealed record LedgerBatch(IReadOnlyList<LedgerEntry> Entries, IReadOnlyList<AccountBalance> Balances);

/// <param name="Balances">Every account's committed balance.</param>
/// <param name="LastEntryId">The highest id committed (0 for none).</param>
/// <param name="EntryCount">How many entries are stored.</param>
internal sealed record LedgerCheckpoint(IReadOnlyList<AccountBalance> Balances, long LastEntryId, long EntryCount);
