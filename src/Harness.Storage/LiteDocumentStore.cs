using System.Collections.Concurrent;
using LiteDB;

namespace Harness.Storage;

/// <summary>The embedded store: LiteDB in one file, opened exclusively by this process until disposed.</summary>
public sealed class LiteDocumentStore : IDocumentStore, IDisposable
{
    private readonly ConcurrentDictionary<string, object> _collections = new(StringComparer.Ordinal);
    private readonly LiteStore _store;

    // Per store and thread: LiteDB's transactions are the calling thread's.
    private readonly ThreadLocal<bool> _inTransaction = new();

    /// <param name="filePath">The database file; its directory is created when missing.</param>
    public LiteDocumentStore(string filePath) => _store = new LiteStore(filePath);

    public string FilePath => _store.FilePath;

    public void Dispose()
    {
        _store.Dispose();
        _inTransaction.Dispose();
    }

    /// <summary>LiteDB transactions belong to a thread; writes inside one are synced once, at its commit.</summary>
    public void InTransaction(Action work)
    {
        if (_inTransaction.Value)
        {
            work();
            return;
        }

        _store.Database.BeginTrans();
        _inTransaction.Value = true;
        try
        {
            work();
            _store.Database.Commit();
        }
        catch
        {
            _store.Database.Rollback();
            throw;
        }
        finally
        {
            _inTransaction.Value = false;
        }

        _store.Sync();
    }

    private void SyncOutsideTransaction()
    {
        if (!_inTransaction.Value)
        {
            _store.Sync();
        }
    }

    public IDocumentCollection<T> Collection<T>(string name, params string[] indexedFields)
        where T : class, IDocument =>
        (IDocumentCollection<T>)_collections.GetOrAdd(name, _ =>
        {
            var collection = _store.Database.GetCollection<T>(name);
            foreach (var field in indexedFields)
            {
                collection.EnsureIndex(field, "$." + field);
            }

            return new LiteDocumentCollection<T>(collection, this);
        });

    /// <summary>Every write is synced before it returns, like a ledger commit.</summary>
    private sealed class LiteDocumentCollection<T>(ILiteCollection<T> collection, LiteDocumentStore owner) : IDocumentCollection<T>
        where T : class, IDocument
    {
        public T? Get(string id) => collection.FindById(id);

        public IReadOnlyList<T> All() => [.. collection.FindAll()];

        public IReadOnlyList<T> FindBy(string field, string value) =>
            [.. collection.Find(Query.EQ(field, value))];

        public bool TryInsert(T document)
        {
            try
            {
                collection.Insert(document);
                owner.SyncOutsideTransaction();
                return true;
            }
            catch (LiteException ex) when (ex.ErrorCode == LiteException.INDEX_DUPLICATE_KEY)
            {
                return false;
            }
        }

        public void Upsert(T document)
        {
            collection.Upsert(document);
            owner.SyncOutsideTransaction();
        }

        public bool Delete(string id)
        {
            var deleted = collection.Delete(id);
            owner.SyncOutsideTransaction();
            return deleted;
        }

        public long Count() => collection.LongCount();
    }
}
