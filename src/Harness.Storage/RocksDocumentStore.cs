using System.Collections.Concurrent;
using System.Text;
using LiteDB;
using RocksDbSharp;

namespace Harness.Storage;

/// <summary>
/// Documents in a RocksDB directory, for a store written at load-test rates (the provider sandbox). A LiteDB commit
/// rewrites every 8 KB page it touched and walks its skip lists through a query pipeline for each look-up; here a
/// document is one key, an index entry one more, a look-up one read, and a batch of units one synced write.
/// Units, batching and <see cref="OnCommitted"/> are <see cref="LiteDocumentStore"/>'s (<see cref="BatchedUnits"/>); the
/// documents are LiteDB's BSON through the same mapper, so a document reads back exactly as it does there.
/// One process owns the directory while it is open (RocksDB locks it).
/// </summary>
public sealed partial class RocksDocumentStore : IDocumentStore, IDisposable
{
    private const byte DocumentTag = 1;
    private const byte IndexTag = 2;
    private const byte MetaTag = 3;
    private const int ImportBatch = 5_000;

    // An index entry's key says it all.
    private static readonly byte[] Empty = [];

    private readonly ConcurrentDictionary<string, object> _collections = new(StringComparer.Ordinal);
    private readonly WriteOptions _synced = new WriteOptions().SetSync(true);
    private readonly RocksDb _db;
    private readonly BatchedUnits _units;

    // The running batch (the writer thread's): its writes, and the documents they leave, which the batch's own reads
    // see before the database does (null: deleted).
    private readonly Dictionary<string, Dictionary<string, BsonDocument?>> _pending = new(StringComparer.Ordinal);

    // What the running batch has read from the database (null: not there): a unit often reads a document and then writes
    // it, and the write reads it again for the index entries it leaves. The database does not change under a batch.
    private readonly Dictionary<(string Collection, string Id), BsonDocument?> _readInBatch = [];
    private WriteBatch? _batch;

    /// <param name="directory">The store's directory; created when missing.</param>
    /// <param name="importFrom">
    /// A LiteDB file an earlier version kept the same documents in: copied in whole when the directory does not exist yet
    /// (built aside in <c>*.importing</c> and moved into place, then the file renamed <c>.imported</c>).
    /// </param>
    public RocksDocumentStore(string directory, string? importFrom = null)
    {
        Directory = Path.GetFullPath(directory);
        if (importFrom is not null)
        {
            ImportOnce(importFrom, Directory);
        }

        System.IO.Directory.CreateDirectory(Directory);
        _db = RocksDb.Open(Options(), Directory);
        _units = new BatchedUnits(Begin, Commit, Rollback, sync: () => { });
    }

    public string Directory { get; }

    /// <summary>Commits made so far: units and single writes committed together share one.</summary>
    public long Commits => _units.Commits;

    internal static BsonMapper Mapper { get; } = LiteStore.NewMapper();

    public void Dispose()
    {
        _units.Dispose();
        _db.Dispose();
    }

    /// <inheritdoc cref="LiteDocumentStore.InTransaction"/>
    public void InTransaction(Action work) => _units.Run(work);

    public Task InTransactionAsync(Action work) => _units.RunAsync(work);

    public void OnCommitted(Action action) => _units.OnCommitted(action);

    public IDocumentCollection<T> Collection<T>(string name, params string[] indexedFields)
        where T : class, IDocument =>
        (IDocumentCollection<T>)_collections.GetOrAdd(name, _ =>
        {
            // Units (synced writes) only for an index that lacks its entries: a start opens every collection.
            var missing = indexedFields.Where(field => _db.Get(IndexMarker(name, field)) is null).ToHashSet(StringComparer.Ordinal);
            if (missing.Count > 0)
            {
                AddIndexes(name, indexedFields, missing, document => Mapper.ToDocument(Mapper.ToObject<T>(document)));
            }

            // An index no longer asked for is dropped: its entries would go stale, and be trusted if it came back.
            if (IndexesOnRecord(name).Except(indexedFields, StringComparer.Ordinal).ToList() is { Count: > 0 } dropped)
            {
                InTransaction(() => dropped.ForEach(field => DropIndex(name, field)));
            }

            return new RocksDocumentCollection<T>(this, name, indexedFields);
        });

    private void Begin()
    {
        _batch = new WriteBatch();
        _pending.Clear();
        _readInBatch.Clear();
    }

    private void Commit()
    {
        // A batch that only read (an insert refused, a delete of nothing) has nothing to make durable.
        if (_batch!.Count() > 0)
        {
            _db.Write(_batch, _synced);
        }

        Rollback();
    }

    private void Rollback()
    {
        _batch?.Dispose();
        _batch = null;
        _pending.Clear();
        _readInBatch.Clear();
    }

    /// <summary>The document as the caller may see it: a unit sees its batch's writes, any other reader what is committed.</summary>
    private BsonDocument? Read(string collection, string id)
    {
        if (!_units.InUnit)
        {
            return Load(collection, id);
        }

        if (_pending.TryGetValue(collection, out var pending) && pending.TryGetValue(id, out var written))
        {
            return written;
        }

        if (!_readInBatch.TryGetValue((collection, id), out var read))
        {
            _readInBatch[(collection, id)] = read = Load(collection, id);
        }

        return read;
    }

    private BsonDocument? Load(string collection, string id) =>
        _db.Get(DocumentKey(collection, id)) is { } bytes ? BsonSerializer.Deserialize(bytes, utcDate: true) : null;

    /// <summary>Writes (or, with null, deletes) a document and its index entries into the running batch.</summary>
    private void Write(string collection, string id, BsonDocument? document, string[] indexedFields)
    {
        var before = indexedFields.Length == 0 ? null : Read(collection, id); // read only for the index entries it leaves
        var key = DocumentKey(collection, id);
        if (document is null)
        {
            _batch!.Delete(key);
        }
        else
        {
            _batch!.Put(key, BsonSerializer.Serialize(document));
        }

        foreach (var field in indexedFields)
        {
            var (old, now) = (IndexValue(before, field), IndexValue(document, field));
            if (old == now)
            {
                continue;
            }

            if (old is not null)
            {
                _batch.Delete(IndexKey(collection, field, old, id));
            }

            if (now is not null)
            {
                _batch.Put(IndexKey(collection, field, now, id), Empty);
            }
        }

        if (!_pending.TryGetValue(collection, out var pending))
        {
            _pending[collection] = pending = new Dictionary<string, BsonDocument?>(StringComparer.Ordinal);
        }

        pending[id] = document;
    }

    /// <summary>
    /// Index entries for the documents the <paramref name="missing"/> fields were not indexed for yet (a new index, or
    /// documents imported). Each document is written again as its type maps it now (<paramref name="remap"/>), so a field
    /// the type computes (an order key) is stored and indexed for documents written before it existed. In units of
    /// <see cref="ImportBatch"/> documents, read a batch at a time; the markers last, so a start cut off does it again.
    /// </summary>
    private void AddIndexes(string collection, string[] indexedFields, HashSet<string> missing, Func<BsonDocument, BsonDocument> remap)
    {
        for (var chunk = Committed(collection, afterId: null); chunk.Count > 0; chunk = Committed(collection, chunk[^1].Id))
        {
            InTransaction(() =>
            {
                foreach (var (id, stored) in chunk)
                {
                    var document = remap(stored);
                    _batch!.Put(DocumentKey(collection, id), BsonSerializer.Serialize(document));
                    foreach (var field in indexedFields)
                    {
                        var (old, now) = (missing.Contains(field) ? null : IndexValue(stored, field), IndexValue(document, field));
                        if (old is not null && old != now)
                        {
                            _batch.Delete(IndexKey(collection, field, old, id));
                        }

                        if (now is not null)
                        {
                            _batch.Put(IndexKey(collection, field, now, id), Empty);
                        }
                    }
                }
            });
        }

        InTransaction(() =>
        {
            foreach (var field in missing)
            {
                _batch!.Put(IndexMarker(collection, field), Empty);
            }
        });
    }

    private List<string> IndexesOnRecord(string collection)
    {
        var prefix = Key(MetaTag, "index", collection, "");
        var fields = new List<string>();
        using var iterator = _db.NewIterator();
        for (iterator.Seek(prefix); iterator.Valid() && iterator.GetKeySpan().StartsWith(prefix); iterator.Next())
        {
            fields.Add(Encoding.UTF8.GetString(iterator.GetKeySpan()[prefix.Length..]));
        }

        return fields;
    }

    private void DropIndex(string collection, string field)
    {
        var start = Key(IndexTag, collection, field, "");
        byte[] end = [.. start[..^1], 1]; // the field's name followed by 1 rather than 0: just past every entry
        _batch!.DeleteRange(start, (ulong)start.Length, end, (ulong)end.Length);
        _batch.Delete(IndexMarker(collection, field));
    }

    /// <summary>Up to <see cref="ImportBatch"/> committed documents of a collection, in id order, after <paramref name="afterId"/>.</summary>
    private List<(string Id, BsonDocument Document)> Committed(string collection, string? afterId)
    {
        var prefix = Prefix(DocumentTag, collection);
        var found = new List<(string Id, BsonDocument Document)>();
        using var iterator = _db.NewIterator();
        for (iterator.Seek(afterId is null ? prefix : [.. DocumentKey(collection, afterId), 0]); iterator.Valid() && found.Count < ImportBatch && iterator.GetKeySpan().StartsWith(prefix); iterator.Next())
        {
            found.Add((Encoding.UTF8.GetString(iterator.GetKeySpan()[prefix.Length..]), BsonSerializer.Deserialize(iterator.Value(), utcDate: true)));
        }

        return found;
    }

    /// <summary>The committed documents of a collection in id order, then (inside a unit) the batch's writes over them.</summary>
    private List<(string Id, BsonDocument Document)> Scan(string collection)
    {
        var prefix = Prefix(DocumentTag, collection);
        var pending = _units.InUnit ? _pending.GetValueOrDefault(collection) : null;
        var found = new List<(string Id, BsonDocument Document)>();
        using (var iterator = _db.NewIterator())
        {
            for (iterator.Seek(prefix); iterator.Valid() && iterator.GetKeySpan().StartsWith(prefix); iterator.Next())
            {
                var id = Encoding.UTF8.GetString(iterator.GetKeySpan()[prefix.Length..]);
                if (pending is null || !pending.ContainsKey(id))
                {
                    found.Add((id, BsonSerializer.Deserialize(iterator.Value(), utcDate: true)));
                }
            }
        }

        foreach (var (id, document) in pending ?? [])
        {
            if (document is not null)
            {
                found.Add((id, document));
            }
        }

        return found;
    }

    private long Count(string collection)
    {
        if (_units.InUnit)
        {
            return Scan(collection).Count;
        }

        var prefix = Prefix(DocumentTag, collection);
        var count = 0L;
        using var iterator = _db.NewIterator();
        for (iterator.Seek(prefix); iterator.Valid() && iterator.GetKeySpan().StartsWith(prefix); iterator.Next())
        {
            count++;
        }

        return count;
    }

    private List<BsonDocument> FindBy(string collection, string field, string value)
    {
        var prefix = IndexKey(collection, field, value, "");
        var ids = new List<string>();
        using (var iterator = _db.NewIterator())
        {
            for (iterator.Seek(prefix); iterator.Valid() && iterator.GetKeySpan().StartsWith(prefix); iterator.Next())
            {
                ids.Add(Encoding.UTF8.GetString(iterator.GetKeySpan()[prefix.Length..]));
            }
        }

        var pending = _units.InUnit ? _pending.GetValueOrDefault(collection) : null;
        ids.AddRange(pending?.Where(p => IndexValue(p.Value, field) == value).Select(p => p.Key) ?? []);

        // Read again and compared: a value holding the separator could match a longer value's prefix, and the batch may
        // have moved a document away from the value since it was committed.
        return [.. ids.Distinct(StringComparer.Ordinal).Select(id => Read(collection, id)).OfType<BsonDocument>().Where(d => IndexValue(d, field) == value)];
    }

    /// <summary>
    /// <see cref="IDocumentCollection{T}.Between"/>: the index's keys walked from the bound on, each document read once. Inside a
    /// unit the batch's writes count too: each can take at most one committed entry out of the range, so that many more
    /// entries are walked, and every candidate is read again (batch first) and its value checked.
    /// </summary>
    private List<BsonDocument> Between(string collection, string field, string? after, string? before, int limit, bool descending)
    {
        var prefix = Key(IndexTag, collection, field, "");
        var low = after is null ? null : Encoding.UTF8.GetBytes(after);
        var high = before is null ? null : Encoding.UTF8.GetBytes(before);
        var pending = _units.InUnit ? _pending.GetValueOrDefault(collection) : null;
        var wanted = (int)Math.Min(int.MaxValue, (long)limit + (pending?.Count ?? 0));
        var ids = new List<string>();
        using (var iterator = _db.NewIterator())
        {
            if (descending)
            {
                // Keys are prefix, value, 0, id: a value equal to the bound sorts after the bound itself; 0xFF is after any UTF-8.
                iterator.SeekForPrev(high is null ? [.. prefix, 0xFF] : [.. prefix, .. high]);
            }
            else
            {
                iterator.Seek(low is null ? prefix : [.. prefix, .. low, 1]);
            }

            for (; iterator.Valid() && ids.Count < wanted; _ = descending ? iterator.Prev() : iterator.Next())
            {
                var key = iterator.GetKeySpan();
                if (!key.StartsWith(prefix))
                {
                    break;
                }

                var rest = key[prefix.Length..];
                var end = rest.LastIndexOf((byte)0); // ids hold no zero byte; a value may
                var value = rest[..end];
                if (descending ? low is not null && value.SequenceCompareTo(low) <= 0 : high is not null && value.SequenceCompareTo(high) >= 0)
                {
                    break;
                }

                ids.Add(Encoding.UTF8.GetString(rest[(end + 1)..]));
            }
        }

        bool Within(string? value) =>
            value is not null && (after is null || string.CompareOrdinal(value, after) > 0) && (before is null || string.CompareOrdinal(value, before) < 0);

        ids.AddRange(pending?.Where(p => Within(IndexValue(p.Value, field))).Select(p => p.Key) ?? []);
        var found = ids.Distinct(StringComparer.Ordinal)
            .Select(id => Read(collection, id))
            .OfType<BsonDocument>()
            .Select(document => (Value: IndexValue(document, field), Document: document))
            .Where(d => Within(d.Value));
        var ordered = descending ? found.OrderByDescending(d => d.Value, StringComparer.Ordinal) : found.OrderBy(d => d.Value, StringComparer.Ordinal);
        return [.. ordered.Take(limit).Select(d => d.Document)];
    }

    private static string? IndexValue(BsonDocument? document, string field) =>
        document is not null && document.TryGetValue(field, out var value) && value.IsString ? value.AsString : null;

    private static byte[] DocumentKey(string collection, string id) => Key(DocumentTag, collection, id);

    private static byte[] IndexKey(string collection, string field, string value, string id) => Key(IndexTag, collection, field, value, id);

    private static byte[] IndexMarker(string collection, string field) => Key(MetaTag, "index", collection, field);

    private static byte[] Prefix(byte tag, string collection) => Key(tag, collection, "");

    /// <summary>The tag, then the parts in UTF-8 each followed by a zero byte but the last.</summary>
    private static byte[] Key(byte tag, params string[] parts)
    {
        var key = new List<byte>(64) { tag };
        for (var i = 0; i < parts.Length; i++)
        {
            key.AddRange(Encoding.UTF8.GetBytes(parts[i]));
            if (i < parts.Length - 1)
            {
                key.Add(0);
            }
        }

        return [.. key];
    }

    private static DbOptions Options()
    {
        var table = new BlockBasedTableOptions()
            .SetBlockCache(Cache.CreateLru(64 << 20))
            .SetCacheIndexAndFilterBlocks(true)
            .SetPinL0FilterAndIndexBlocksInCache(true)
            .SetFilterPolicy(BloomFilterPolicy.Create(10))
            .SetFormatVersion(5);
        var options = new DbOptions()
            .SetCreateIfMissing(true)
            .SetBlockBasedTableFactory(table)
            .SetWriteBufferSize(16 << 20)
            .SetMaxWriteBufferNumber(2)
            .SetTargetFileSizeBase(8 << 20)
            .SetCompression(Compression.Lz4)
            .SetLevelCompactionDynamicLevelBytes(true)
            .SetMaxBackgroundCompactions(1)
            .SetMaxBackgroundFlushes(1)
            .SetBytesPerSync(1 << 20)
            .SetMaxLogFileSize(4 << 20)
            .SetKeepLogFileNum(3);

        // A look-up of a key not written yet (every new document's, before its write) skips the write buffers' search.
        options.SetMemtablePrefixBloomSizeRatio(0.05);
        Native.Instance.rocksdb_options_set_memtable_whole_key_filtering(options.Handle, 1);
        return options;
    }

    /// <summary>Every write is a unit (or part of the caller's), durable before it returns.</summary>
    private sealed class RocksDocumentCollection<T>(RocksDocumentStore owner, string name, string[] indexedFields) : IDocumentCollection<T>
        where T : class, IDocument
    {
        public T? Get(string id) => owner.Read(name, id) is { } document ? Mapper.ToObject<T>(document) : null;

        public IReadOnlyList<T> All() => [.. owner.Scan(name).Select(d => Mapper.ToObject<T>(d.Document))];

        public IReadOnlyList<T> FindBy(string field, string value) => [.. owner.FindBy(name, field, value).Select(Mapper.ToObject<T>)];

        public IReadOnlyList<T> Between(string field, string? after, string? before, int limit, bool descending = false) =>
            [.. owner.Between(name, field, after, before, limit, descending).Select(Mapper.ToObject<T>)];

        public bool TryInsert(T document)
        {
            var bson = Mapper.ToDocument(document); // mapped before the unit, as in Upsert
            return owner.Atomically(() =>
            {
                if (owner.Read(name, document.Id) is not null)
                {
                    return false;
                }

                owner.Write(name, document.Id, bson, indexedFields);
                return true;
            });
        }

        public void Upsert(T document)
        {
            var bson = Mapper.ToDocument(document); // mapped before the unit: the writer thread's time is every unit's wait
            owner.InTransaction(() => owner.Write(name, document.Id, bson, indexedFields));
        }

        public bool Delete(string id) => owner.Atomically(() =>
        {
            if (owner.Read(name, id) is null)
            {
                return false;
            }

            owner.Write(name, id, null, indexedFields);
            return true;
        });

        public long Count() => owner.Count(name);
    }
}
