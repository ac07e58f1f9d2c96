using Harness.Core.Ledger;
using LiteDB;

namespace Harness.Core.Storage;

/// <summary>Ledger persistence in the LiteDB file: entries, balances and idempotency records.</summary>
public sealed class LiteLedgerStore : ILedgerStore
{
    private readonly LiteStore _store;
    private readonly LiteDatabase _db;
    private readonly ILiteCollection<LedgerEntry> _entries;
    private readonly ILiteCollection<AccountDocument> _accounts;
    private readonly ILiteCollection<IdempotencyDocument> _keys;

    public LiteLedgerStore(LiteStore store)
    {
        _store = store;
        _db = store.Database;
        _entries = _db.GetCollection<LedgerEntry>("ledger_entries");
        _entries.EnsureIndex(e => e.AccountId);
        _accounts = _db.GetCollection<AccountDocument>("accounts");
        _keys = _db.GetCollection<IdempotencyDocument>("idempotency_records");
        _keys.EnsureIndex(k => k.ExpiresAt);
    }

    public LedgerSnapshot Load(DateTime idempotencyLiveAfter)
    {
        var balances = _accounts.FindAll().Select(a => new AccountBalance(a.Id, a.Balance, a.UpdatedAt)).ToList();

        // Oldest first, so that if a key has two live records (a clock set back) the newer one wins.
        var keys = _keys.Find(k => k.ExpiresAt > idempotencyLiveAfter)
            .Select(k => new IdempotencyRecord(k.StoreKey, k.Id, k.Fingerprint, k.ExpiresAt))
            .OrderBy(k => k.ExpiresAt)
            .ToList();
        var last = _entries.Count() == 0 ? 0 : _entries.Max(e => e.Id);
        return new LedgerSnapshot(balances, keys, last);
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

            // The single ledger writer has already decided each key is new or expired, so records are
            // only ever appended: keyed by their entry id they land at the end of every index, and a
            // batch dirties a few pages instead of one per user.
            _keys.InsertBulk(batch.IdempotencyRecords.Select(r => new IdempotencyDocument
            {
                Id = r.EntryId,
                StoreKey = r.StoreKey,
                Fingerprint = r.Fingerprint,
                ExpiresAt = r.ExpiresAt,
            }));

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

    public int PurgeIdempotency(DateTime expiredBefore)
    {
        var purged = _keys.DeleteMany(k => k.ExpiresAt <= expiredBefore);
        _store.Sync();
        return purged;
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

    /// <summary>An idempotency record, keyed by the id of the entry it guards.</summary>
    internal sealed class IdempotencyDocument
    {
        /// <summary>The entry id.</summary>
        public long Id { get; set; }

        public string StoreKey { get; set; } = "";

        public string Fingerprint { get; set; } = "";

        public DateTime ExpiresAt { get; set; }
    }
}
