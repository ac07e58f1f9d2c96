using System.Collections.Concurrent;
using LiteDB;

namespace Harness.Storage;

/// <summary>The embedded store: LiteDB in one file, opened exclusively by this process until disposed.</summary>
public sealed class LiteDocumentStore : IDocumentStore, IDisposable
{
    private readonly ConcurrentDictionary<string, object> _collections = new(StringComparer.Ordinal);
    private readonly LiteStore _store;
    private readonly BatchedUnits _units;

    /// <param name="filePath">The database file; its directory is created when missing.</param>
    public LiteDocumentStore(string filePath)
    {
        _store = new LiteStore(filePath);
        _units = new BatchedUnits(
            () => _store.Database.BeginTrans(), () => _store.Database.Commit(), () => _store.Database.Rollback(), _store.Sync);
    }

    public string FilePath => _store.FilePath;

    /// <summary>Commits made so far: units and single writes committed together share one.</summary>
    public long Commits => _units.Commits;

    public void Dispose()
    {
        _units.Dispose();
        _store.Dispose();
    }

    /// <summary>
    /// Every write of the store is a unit on one writer thread (LiteDB's transactions are a thread's), committed
    /// with the units that waited beside it and synced once for all (<see cref="BatchedUnits"/>). Units run one at a
    /// time, from their first read to their commit: a unit that reads a document and writes on what it read (a
    /// payment leaving <c>open</c>) cannot be overtaken by another, and units never deadlock on LiteDB's
    /// per-collection locks. Work inside a unit must not wait for another thread's write: that write waits for it.
    /// </summary>
    public void InTransaction(Action work) => _units.Run(work);

    public Task InTransactionAsync(Action work) => _units.RunAsync(work);

    public void OnCommitted(Action action) => _units.OnCommitted(action);

    public IDocumentCollection<T> Collection<T>(string name, params string[] indexedFields)
        where T : class, IDocument =>
        (IDocumentCollection<T>)_collections.GetOrAdd(name, _ =>
        {
            var collection = _store.Database.GetCollection<T>(name);
            var added = indexedFields.Count(field => collection.EnsureIndex(field, "$." + field));

            // A new index over documents written before it: each written again as its type maps it now, so a field the
            // type computes (an order key) is stored and indexed for them too, as RocksDocumentStore does.
            if (added > 0 && collection.LongCount() > 0)
            {
                InTransaction(() =>
                {
                    foreach (var document in collection.FindAll().ToList())
                    {
                        collection.Update(document);
                    }
                });
            }

            // An index no longer asked for is dropped: LiteDB would go on keeping it at every write.
            var kept = indexedFields.Append("_id").ToHashSet(StringComparer.Ordinal);
            foreach (var index in _store.Database.GetCollection("$indexes").Find(Query.EQ("collection", name)).Select(i => i["name"].AsString).Where(i => !kept.Contains(i)).ToList())
            {
                collection.DropIndex(index);
            }

            return new LiteDocumentCollection<T>(collection, this);
        });

    /// <summary>Every write is a unit (or part of the caller's), durable before it returns.</summary>
    private sealed class LiteDocumentCollection<T>(ILiteCollection<T> collection, LiteDocumentStore owner) : IDocumentCollection<T>
        where T : class, IDocument
    {
        public T? Get(string id) => collection.FindById(id);

        public IReadOnlyList<T> All() => [.. collection.FindAll()];

        public IReadOnlyList<T> FindBy(string field, string value) =>
            [.. collection.Find(Query.EQ(field, value))];

        // Strings only (a document without the field has null there, which sorts below every string); the store's
        // collation is binary, so the order is ordinal, as RocksDocumentStore's.
        public IReadOnlyList<T> Between(string field, string? after, string? before, int limit, bool descending = false)
        {
            var query = collection.Query().Where(after is null ? Query.GTE(field, "") : Query.GT(field, after));
            if (before is not null)
            {
                query = query.Where(Query.LT(field, before));
            }

            return [.. query.OrderBy(field, descending ? Query.Descending : Query.Ascending).Limit(limit).ToEnumerable()];
        }

        // Looked up first: units run one at a time, and an insert refused by the index would leave its data
        // block behind in the batch's transaction.
        public bool TryInsert(T document) => owner.Atomically(() =>
        {
            if (collection.FindById(document.Id) is not null)
            {
                return false;
            }

            collection.Insert(document);
            return true;
        });

        public void Upsert(T document) => owner.InTransaction(() => collection.Upsert(document));

        public bool Delete(string id) => owner.Atomically(() => collection.Delete(id));

        public long Count() => collection.LongCount();
    }
}
