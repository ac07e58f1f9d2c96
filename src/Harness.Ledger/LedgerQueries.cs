namespace Harness.Ledger;

/// <summary>Which entries of one account to look at. Null fields do not filter. Times are UTC, end exclusive.</summary>
public sealed record LedgerFilter(string AccountId)
{
    public string? Kind { get; init; }

    public string? Category { get; init; }

    public string? Subject { get; init; }

    public DateTime? From { get; init; }

    public DateTime? To { get; init; }
}

/// <param name="Filter">Which entries.</param>
/// <param name="Skip">How many of the newest matching entries to pass over.</param>
/// <param name="Take">Page size.</param>
public sealed record LedgerQuery(LedgerFilter Filter, int Skip, int Take);

public sealed record LedgerPage(IReadOnlyList<LedgerEntry> Items, long Total);

public sealed record LedgerGroupTotal(string Key, long Amount, long Count);

/// <summary>Sums of <see cref="LedgerEntry.Amount"/> (signed) over the filtered entries.</summary>
public sealed record LedgerTotals(
    long Amount,
    long Count,
    IReadOnlyList<LedgerGroupTotal> ByCategory,
    IReadOnlyList<LedgerGroupTotal> BySubject);

/// <param name="AccountId">The account.</param>
/// <param name="Balance">The stored balance.</param>
/// <param name="EntrySum">Sum of the account's entries.</param>
/// <param name="EntryCount">Number of the account's entries.</param>
public sealed record AccountAudit(string AccountId, long Balance, long EntrySum, long EntryCount)
{
    /// <summary>The balance the ledger answers with (its in-memory view); must equal the stored one.</summary>
    public long ServedBalance { get; init; } = Balance;

    public bool Consistent => Balance == EntrySum && Balance >= 0 && ServedBalance == Balance;
}

public sealed record LedgerAuditReport(IReadOnlyList<AccountAudit> Accounts)
{
    public bool Consistent => Accounts.All(a => a.Consistent);
}
