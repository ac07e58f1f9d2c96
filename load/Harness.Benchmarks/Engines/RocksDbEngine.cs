using RocksDbSharp;

namespace Harness.Benchmarks.Engines;

/// <summary>RocksDB: one <see cref="WriteBatch"/> per ledger batch, written with a synced WAL; otherwise default options.</summary>
internal sealed class RocksDbEngine : IEngineStore
{
    private const byte EntryTag = (byte)'e';
    private const byte ClaimTag = (byte)'c';

    private readonly RocksDb _db;
    private readonly WriteOptions _durable = new WriteOptions().SetSync(true);

    // A Bloom filter (10 bits a key), the usual setting for point lookups: a miss rarely reads a block.
    public RocksDbEngine(string directory) => _db = RocksDb.Open(
        new DbOptions().SetCreateIfMissing(true).SetBlockBasedTableFactory(new BlockBasedTableOptions().SetFilterPolicy(BloomFilterPolicy.Create(10))),
        directory);

    public void Commit(IReadOnlyList<EngineEntry> batch)
    {
        using var write = new WriteBatch();
        foreach (var entry in batch)
        {
            write.Put(EngineKeys.Tagged(EntryTag, EngineKeys.Entry(entry.Account, entry.Id)), entry.Body);
            write.Put(EngineKeys.Tagged(ClaimTag, EngineKeys.Claim(entry.Scope, entry.Key)), EngineKeys.ClaimValue(entry));
        }

        _db.Write(write, _durable);
    }

    public long? FindClaim(string scope, string key)
    {
        var value = _db.Get(EngineKeys.Tagged(ClaimTag, EngineKeys.Claim(scope, key)));
        return value is null ? null : EngineKeys.ClaimedId(value);
    }

    public long Page(string account, int skip, int take)
    {
        var prefix = EngineKeys.Tagged(EntryTag, EngineKeys.AccountPrefix(account));
        using var iterator = _db.NewIterator();
        long bytes = 0;
        var position = 0;
        for (iterator.Seek(prefix); iterator.Valid() && position < skip + take; iterator.Next(), position++)
        {
            if (!iterator.Key().AsSpan().StartsWith(prefix))
            {
                break;
            }

            if (position >= skip)
            {
                bytes += iterator.Value().Length;
            }
        }

        return bytes;
    }

    /// <summary>Claims are keyed by scope, not time; expiry would need a time-ordered key and DeleteRange, or a compaction filter.</summary>
    public long? ExpireClaims(DateTime cutoff) => null;

    public void Dispose() => _db.Dispose();
}
