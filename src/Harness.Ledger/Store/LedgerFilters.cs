namespace Harness.Ledger.Store;

/// <summary>What a <see cref="LedgerFilter"/> means for one entry, and the totals a summary adds up.</summary>
internal static class LedgerFilters
{
    /// <summary>Whether the filter lets every entry of its account through (then counts need no scan).</summary>
    public static bool TakesEverything(LedgerFilter filter) =>
        filter is { Kind: null, Category: null, Subject: null, From: null, To: null };

    public static bool Matches(LedgerFilter filter, LedgerEntry entry) =>
        (filter.Kind is null || string.Equals(filter.Kind, entry.Kind, StringComparison.Ordinal))
        && (filter.Category is null || string.Equals(filter.Category, entry.Category, StringComparison.Ordinal))
        && (filter.Subject is null || string.Equals(filter.Subject, entry.Subject, StringComparison.Ordinal))
        && (filter.From is not { } from || entry.CreatedAt >= from)
        && (filter.To is not { } to || entry.CreatedAt < to);
}

/// <summary>Adds entries up into <see cref="LedgerTotals"/>: in all, by category and by subject (no label groups under "").</summary>
internal sealed class LedgerTotalsBuilder
{
    private readonly Dictionary<string, (long Amount, long Count)> _byCategory = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long Amount, long Count)> _bySubject = new(StringComparer.Ordinal);
    private long _amount;
    private long _count;

    public void Add(LedgerEntry entry)
    {
        _amount += entry.Amount;
        _count++;
        Add(_byCategory, entry.Category ?? "", entry.Amount);
        Add(_bySubject, entry.Subject ?? "", entry.Amount);
    }

    public LedgerTotals Build() => new(_amount, _count, Groups(_byCategory), Groups(_bySubject));

    private static void Add(Dictionary<string, (long Amount, long Count)> groups, string label, long amount)
    {
        var current = groups.GetValueOrDefault(label);
        groups[label] = (current.Amount + amount, current.Count + 1);
    }

    private static List<LedgerGroupTotal> Groups(Dictionary<string, (long Amount, long Count)> groups) =>
        [.. groups.OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new LedgerGroupTotal(g.Key, g.Value.Amount, g.Value.Count))];
}
