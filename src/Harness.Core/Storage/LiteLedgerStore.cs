using Harness.Core.Ledger;
using LiteDB;

namespace Harness.Core.Storage;

/// <summary>Ledger persistence in the LiteDB file: entries (each with its idempotency claim) and balances.</summary>
public sealed class LiteLedgerStore : ILedgerStore
{
    private readonly LiteStore _store;
    private readonly LiteDatabase _db;
    private readonly ILiteCollection<LedgerEntry> _entries;
    private readonly ILiteCollection<AccountDocument> _accounts;

    public LiteLedgerStore(LiteStore store)
    {
        _store = store;
        LedgerEntryBson.Register(store.Mapper);
        _db = store.Database;
        _entries = _db.GetCollection<LedgerEntry>("ledger_entries");
        _entries.EnsureIndex(e => e.AccountId);
        _accounts = _db.GetCollection<AccountDocument>("accounts");
    }

    public LedgerSnapshot Load(DateTime claimedAfter)
    {
        var balances = _accounts.FindAll().Select(a => new AccountBalance(a.Id, a.Balance, a.UpdatedAt)).ToList();

        // Newest entries first, walking the id index back only as far as the retention window.
        var claims = new List<IdempotencyRecord>();
        foreach (var entry in _entries.Query().OrderByDescending(e => e.Id).ToEnumerable())
        {
            if (entry.CreatedAt <= claimedAfter)
            {
                break;
            }

            if (entry is { IdempotencyScope: { } scope, IdempotencyKey: { } key })
            {
                claims.Add(new IdempotencyRecord($"{scope}:{key}", entry.Id, entry.IdempotencyFingerprint ?? "", entry.CreatedAt));
            }
        }

        claims.Reverse();
        var last = _entries.Count() == 0 ? 0 : _entries.Max(e => e.Id);
        return new LedgerSnapshot(balances, claims, last);
    }

    public void Commit(LedgerBatch batch)
    {
        if (!_db.BeginTrans())
        {
            throw new InvalidOperationException("A ledger transaction is already open on the writer thread.");
        }

        try
        {
            _entries.InsertBulk(batch.Entries);
            foreach (var balance in batch.Balances)
            {
                _accounts.Upsert(new AccountDocument { Id = balance.AccountId, Balance = balance.Balance, UpdatedAt = balance.UpdatedAt });
            }

            _db.Commit();
        }
        catch
        {
            _db.Rollback();
            throw;
        }

        // Committed but not yet durable: the caller acknowledges nothing unless this sync succeeds.
        // Should it fail, the batch may still be in the store unacknowledged, which is safe: its
        // clients retry with the same keys and get it replayed.
        _store.Sync();
    }

    public LedgerEntry? FindEntry(long id) => _entries.FindById(id);

    public LedgerPage Query(LedgerQuery query)
    {
        var matching = Filter(query.Filter);
        var total = matching.LongCount();
        var items = Filter(query.Filter).OrderByDescending(e => e.Id).Skip(query.Skip).Limit(query.Take).ToList();
        return new LedgerPage(items, total);
    }

    public LedgerTotals Summarise(LedgerFilter filter)
    {
        long amount = 0, count = 0;
        var byCategory = new Dictionary<string, (long Amount, long Count)>(StringComparer.Ordinal);
        var bySubject = new Dictionary<string, (long Amount, long Count)>(StringComparer.Ordinal);
        foreach (var entry in Filter(filter).ToEnumerable())
        {
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

    public IReadOnlyList<AccountAudit> Audit()
    {
        var sums = new Dictionary<string, (long Sum, long Count)>(StringComparer.Ordinal);
        foreach (var entry in _entries.FindAll())
        {
            var current = sums.GetValueOrDefault(entry.AccountId);
            sums[entry.AccountId] = (current.Sum + entry.Amount, current.Count + 1);
        }

        var result = new List<AccountAudit>();
        foreach (var account in _accounts.FindAll())
        {
            var (sum, count) = sums.GetValueOrDefault(account.Id);
            sums.Remove(account.Id);
            result.Add(new AccountAudit(account.Id, account.Balance, sum, count));
        }

        // Entries whose account has no balance document are an inconsistency too.
        result.AddRange(sums.Select(s => new AccountAudit(s.Key, 0, s.Value.Sum, s.Value.Count)));
        return result;
    }

    private ILiteQueryable<LedgerEntry> Filter(LedgerFilter filter)
    {
        var query = _entries.Query().Where(e => e.AccountId == filter.AccountId);
        if (filter.Kind is { } kind)
        {
            query = query.Where(e => e.Kind == kind);
        }

        if (filter.Category is { } category)
        {
            query = query.Where(e => e.Category == category);
        }

        if (filter.Subject is { } subject)
        {
            query = query.Where(e => e.Subject == subject);
        }

        if (filter.From is { } from)
        {
            query = query.Where(e => e.CreatedAt >= from);
        }

        if (filter.To is { } to)
        {
            query = query.Where(e => e.CreatedAt < to);
        }

        return query;
    }

    internal sealed class AccountDocument
    {
        public string Id { get; set; } = "";

        public long Balance { get; set; }

        public DateTime? UpdatedAt { get; set; }
    }
}
