namespace Harness.Ledger;

/// <summary>
/// The one way money moves. Every posting commits balance, ledger entry and idempotency record in
/// one store transaction, and is acknowledged only after that transaction is durable.
/// </summary>
public interface ILedger
{
    Task<LedgerOutcome> PostAsync(LedgerPosting posting, CancellationToken cancellationToken = default);

    /// <summary>
    /// The committed entry that claimed <paramref name="key"/> in <paramref name="scope"/> within the retention window, or
    /// null: what a retry of it would replay, read without posting (a posting still in flight is not seen).
    /// </summary>
    LedgerEntry? FindClaim(string scope, string key);

    /// <summary>The committed balance (what every acknowledged posting has produced).</summary>
    AccountBalance GetBalance(string accountId);

    /// <summary>Entries of one account, newest first, filtered.</summary>
    LedgerPage Query(LedgerQuery query);

    /// <summary>Totals of one account's entries, grouped by category and by subject.</summary>
    LedgerTotals Summarise(LedgerFilter filter);

    /// <summary>Checks every account: balance equals the sum of its entries and is not negative.</summary>
    LedgerAuditReport Audit();

    /// <summary>How many entries the ledger holds (a counter, no scan): what a soak run watches grow.</summary>
    long EntryCount { get; }
}
