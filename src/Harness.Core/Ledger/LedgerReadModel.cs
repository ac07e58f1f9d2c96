using System.Collections.Concurrent;

namespace Harness.Core.Ledger;

/// <summary>
/// Every committed entry, in memory, by account: what records and summaries are answered from. The
/// store keeps entries in one document per commit (cheap to write, no index to maintain on the hot
/// path); this view is rebuilt from it on start and appended to by the ledger's writer after each
/// durable commit. Readers never lock and never see an uncommitted entry. The price is memory:
/// about 700 bytes per entry (see docs/performance.md).
/// </summary>
internal sealed class LedgerReadModel
{
    private readonly ConcurrentDictionary<string, AppendOnlyList<LedgerEntry>> _byAccount = new(StringComparer.Ordinal);

    // One copy of each string that repeats on every entry of an account; used by the writer only.
    private readonly Dictionary<string, string> _shared = new(StringComparer.Ordinal);

    /// <summary>Called by the one writer only, in ascending id order, before the entry is visible anywhere.</summary>
    public void Add(LedgerEntry entry)
    {
        entry.AccountId = Shared(entry.AccountId);
        entry.Kind = Shared(entry.Kind);
        entry.Category = SharedOrNull(entry.Category);
        entry.Subject = SharedOrNull(entry.Subject);
        entry.IdempotencyScope = SharedOrNull(entry.IdempotencyScope);
        _byAccount.GetOrAdd(entry.AccountId, _ => new AppendOnlyList<LedgerEntry>()).Add(entry);
    }

    public LedgerPage Query(LedgerQuery query)
    {
        var entries = Of(query.Filter.AccountId);
        var items = new List<LedgerEntry>(Math.Min(query.Take, 256));
        long total = 0;
        for (var i = entries.Length - 1; i >= 0; i--)
        {
            if (!Matches(entries[i], query.Filter))
            {
                continue;
            }

            if (total >= query.Skip && items.Count < query.Take)
            {
                items.Add(entries[i]);
            }

            total++;
        }

        return new LedgerPage(items, total);
    }

    public LedgerTotals Summarise(LedgerFilter filter)
    {
        long amount = 0, count = 0;
        var byCategory = new Dictionary<string, (long Amount, long Count)>(StringComparer.Ordinal);
        var bySubject = new Dictionary<string, (long Amount, long Count)>(StringComparer.Ordinal);
        foreach (var entry in Of(filter.AccountId))
        {
            if (!Matches(entry, filter))
            {
                continue;
            }

            amount += entry.Amount;
            count++;
            Add(byCategory, entry.Category ?? "", entry.Amount);
            Add(bySubject, entry.Subject ?? "", entry.Amount);
        }

        return new LedgerTotals(amount, count, Totals(byCategory), Totals(bySubject));

        static void Add(Dictionary<string, (long Amount, long Count)> groups, string key, long value)
        {
            var current = groups.GetValueOrDefault(key);
            groups[key] = (current.Amount + value, current.Count + 1);
        }

        static List<LedgerGroupTotal> Totals(Dictionary<string, (long Amount, long Count)> groups) =>
            [.. groups.OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new LedgerGroupTotal(g.Key, g.Value.Amount, g.Value.Count))];
    }

    private string Shared(string value)
    {
        if (_shared.TryGetValue(value, out var shared))
        {
            return shared;
        }

        _shared[value] = value;
        return value;
    }

    private string? SharedOrNull(string? value) => value is null ? null : Shared(value);

    private ReadOnlySpan<LedgerEntry> Of(string accountId) =>
        _byAccount.TryGetValue(accountId, out var entries) ? entries.Snapshot() : [];

    private static bool Matches(LedgerEntry entry, LedgerFilter filter) =>
        (filter.Kind is null || entry.Kind == filter.Kind)
        && (filter.Category is null || entry.Category == filter.Category)
        && (filter.Subject is null || entry.Subject == filter.Subject)
        && (filter.From is not { } from || entry.CreatedAt >= from)
        && (filter.To is not { } to || entry.CreatedAt < to);
}
