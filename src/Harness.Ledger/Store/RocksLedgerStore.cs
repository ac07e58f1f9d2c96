using System.Buffers;
using RocksDbSharp;

namespace Harness.Ledger.Store;

/// <summary>
/// The ledger in RocksDB (keys: <see cref="LedgerKeys"/>). A commit is one write batch written with a
/// synced write-ahead log: the same one append and one sync per batch as the group commit was built
/// for, and RocksDB then moves entries to sorted files in the background. Entries never leave the
/// disk for good: the block cache keeps what is read often (recent entries, live keys), and the
/// memory budget caps the cache and the write buffers, so the process stays flat however long the
/// history grows. A restart reads the balances and the counters, not the history; RocksDB replays
/// only its own unflushed log (bounded by the write buffers).
/// <para>
/// RocksDB locks its directory: one process owns a store while it is open. The PostgreSQL store the
/// scale-out work brings is what several processes share.
/// </para>
/// </summary>
internal sealed class RocksLedgerStore : ILedgerStore
{
    // Claims forgotten per write while purging: each write holds up commits for a moment only.
    private const int PurgeChunk = 2048;

    private const long MinimumBudget = 16L << 20;

    // A kind read through its numbers (a look-up per entry) when it is under this share of the history; else one scan.
    private const int SparseKind = 4;

    private readonly RocksDb _db;
    private readonly WriteOptions _synced = new WriteOptions().SetSync(true);
    private readonly WriteOptions _unsynced = new();
    private readonly ReadOptions _latest = new();
    private bool _disposed;

    // Commits and purges are written one at a time: a purge must not forget a key a commit has just claimed again.
    private readonly Lock _writing = new();

    // Entries per account and in all, as committed (the writer's own copy; readers read the stored one).
    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);

    // The last number of each account's kind, as committed; read from the store the first time a kind is written.
    private readonly Dictionary<(string Account, string Kind), long> _kindNumbers = [];
    private long _entryCount;

    // The last id committed: a batch of balances alone (an old journal may hold one) must not reset it.
    private long _lastEntryId;

    // Where the last purge stopped: claims before it are forgotten (their deletions may still be on disk as tombstones).
    private byte[] _purgedTo = [LedgerKeys.ClaimTime];

    /// <summary>Opens or creates the store in <paramref name="directory"/>; caches and write buffers share <paramref name="memoryBudget"/> bytes.</summary>
    public RocksLedgerStore(string directory, long memoryBudget)
    {
        if (memoryBudget < MinimumBudget)
        {
            throw new ArgumentOutOfRangeException(nameof(memoryBudget), memoryBudget, $"The ledger's memory budget must be at least {MinimumBudget >> 20} MB.");
        }

        Directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(Directory);

        // Half the budget caches blocks (with their indexes and Bloom filters, so those are inside
        // it too), a quarter goes to two write buffers; the rest is headroom for iterators and reads.
        var table = new BlockBasedTableOptions()
            .SetBlockCache(Cache.CreateLru((ulong)(memoryBudget / 2)))
            .SetCacheIndexAndFilterBlocks(true)
            .SetPinL0FilterAndIndexBlocksInCache(true)
            .SetFilterPolicy(BloomFilterPolicy.Create(10)) // a missing key (every new consume) rarely reads a block
            .SetFormatVersion(5);
        var options = new DbOptions()
            .SetCreateIfMissing(true)
            .SetBlockBasedTableFactory(table)
            .SetWriteBufferSize((ulong)(memoryBudget / 8))

            // Files of 8 MB keep each one's index and Bloom filter blocks near 100 KB: at the default
            // 64 MB they were near 1 MB each, and two of them in one shard of the block cache pushed
            // each other out, so every look-up of a new key read and checked them from disk again.
            .SetTargetFileSizeBase(8 << 20)
            .SetMaxWriteBufferNumber(2)
            .SetCompression(Compression.Lz4)
            .SetLevelCompactionDynamicLevelBytes(true)
            .SetMaxBackgroundCompactions(1)
            .SetMaxBackgroundFlushes(1)
            .SetBytesPerSync(1 << 20) // flushes and compactions write back as they go, so no burst of dirty pages holds up a commit's sync
            .SetMaxLogFileSize(4 << 20) // RocksDB's own info log, beside the data: a few small files, not one that grows for good
            .SetKeepLogFileNum(3);

        // New keys (nearly every commit's) are told missing from the write buffers without a search.
        options.SetMemtablePrefixBloomSizeRatio(0.05);
        Native.Instance.rocksdb_options_set_memtable_whole_key_filtering(options.Handle, 1);
        _db = RocksDb.Open(options, Directory);
    }

    private delegate void EntryVisitor(ReadOnlySpan<byte> entry);

    public string Directory { get; }

    /// <summary>
    /// Whether each commit waits for its log to reach the disk (the default, and what acknowledging
    /// a posting needs). An import turns it off and makes the whole store durable with <see cref="Flush"/>.
    /// </summary>
    public bool SyncCommits { get; init; } = true;

    /// <summary>Writes everything committed to the store's tables and waits until it is on disk; throws if it cannot.</summary>
    public void Flush() => _db.Flush(new FlushOptions().SetWaitForFlush(true));

    public LedgerCheckpoint Load()
    {
        var (lastEntryId, entryCount, format) = _db.Get(LedgerKeys.Meta) is { } meta ? LedgerKeys.ReadMeta(meta) : (0, 0, LedgerKeys.Format);
        if (format < LedgerKeys.Format)
        {
            KindNumbering.Build(_db, LedgerKeys.MetaValue(lastEntryId, entryCount));
        }

        var balances = new List<AccountBalance>();
        using var iterator = _db.NewIterator();
        for (iterator.Seek([LedgerKeys.Balance]); iterator.Valid() && iterator.GetKeySpan()[0] == LedgerKeys.Balance; iterator.Next())
        {
            var accountId = LedgerKeys.AccountOf(iterator.GetKeySpan());
            var (balance, updatedAt, count) = LedgerKeys.ReadBalance(iterator.GetValueSpan());
            balances.Add(new AccountBalance(accountId, balance, updatedAt));
            _counts[accountId] = count;
        }

        _entryCount = entryCount;
        _lastEntryId = lastEntryId;
        return new LedgerCheckpoint(balances, lastEntryId, entryCount);
    }

    public void Commit(LedgerBatch batch)
    {
        using var write = new WriteBatch();
        var added = new Dictionary<string, long>(StringComparer.Ordinal);
        var numbered = new Dictionary<(string Account, string Kind), long>();
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            foreach (var entry in batch.Entries)
            {
                var size = LedgerEntryCodec.Measure(entry);
                if (buffer.Length < size)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(size);
                }

                LedgerEntryCodec.Write(entry, buffer);
                var entryKey = LedgerKeys.EntryKey(entry.AccountId, entry.Id);
                write.Put(entryKey, buffer.AsSpan(0, size));
                if (entry is { IdempotencyScope: { } scope, IdempotencyKey: { } key })
                {
                    var claimKey = LedgerKeys.ClaimKey(scope, key);
                    write.Put(claimKey, LedgerKeys.ClaimValue(entry.CreatedAt, entry.Id, entryKey));
                    write.Put(LedgerKeys.ClaimTimeKey(entry.CreatedAt.Ticks, entry.Id), claimKey);
                }

                added[entry.AccountId] = added.GetValueOrDefault(entry.AccountId) + 1;
                var kind = (entry.AccountId, entry.Kind);
                var number = numbered[kind] = (numbered.TryGetValue(kind, out var last) ? last : LastKindNumber(kind)) + 1;
                write.Put(LedgerKeys.KindEntryKey(LedgerKeys.KindPrefix(entry.AccountId, entry.Kind), number), LedgerKeys.IdValue(entry.Id));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        lock (_writing)
        {
            foreach (var balance in batch.Balances)
            {
                var count = _counts.GetValueOrDefault(balance.AccountId) + added.GetValueOrDefault(balance.AccountId);
                write.Put(LedgerKeys.BalanceKey(balance.AccountId), LedgerKeys.BalanceValue(balance.Balance, balance.UpdatedAt, count));
            }

            var lastId = batch.Entries.Count > 0 ? batch.Entries[^1].Id : _lastEntryId;
            write.Put(LedgerKeys.Meta, LedgerKeys.MetaValue(lastId, _entryCount + batch.Entries.Count));
            _db.Write(write, SyncCommits ? _synced : _unsynced);

            // Counted only once the batch is durable: a failed commit leaves them as they were.
            foreach (var (accountId, count) in added)
            {
                _counts[accountId] = _counts.GetValueOrDefault(accountId) + count;
            }

            foreach (var (kind, number) in numbered)
            {
                _kindNumbers[kind] = number;
            }

            _entryCount += batch.Entries.Count;
            _lastEntryId = lastId;
        }
    }

    public LedgerEntry? FindClaim(string scope, string key, DateTime claimedAfter)
    {
        var claim = _db.Get(LedgerKeys.ClaimKey(scope, key));
        if (claim is null || LedgerKeys.ClaimedAtTicks(claim) <= claimedAfter.Ticks)
        {
            return null;
        }

        var entry = _db.Get(LedgerKeys.ClaimingEntryKey(claim));
        return entry is not null ? LedgerEntryCodec.Read(entry, out _) : throw new InvalidDataException($"The ledger's claim of key '{key}' names entry {LedgerKeys.ClaimingEntryId(claim)}, which is not stored.");
    }

    public LedgerPage Query(LedgerQuery query)
    {
        var filter = query.Filter;
        var matcher = new EntryMatcher(filter);
        using var snapshot = _db.CreateSnapshot();
        var reads = new ReadOptions().SetSnapshot(snapshot);
        if (matcher.TakesEverything)
        {
            return UnfilteredPage(query, reads);
        }

        if (matcher.TakesOneKind)
        {
            return KindPage(query, reads);
        }

        var items = new List<LedgerEntry>(Math.Min(query.Take, 256));
        long total = 0;
        NewestFirst(filter, reads, value =>
        {
            if (matcher.Matches(LedgerEntryCodec.ReadFacets(value)))
            {
                if (total >= query.Skip && items.Count < query.Take)
                {
                    items.Add(LedgerEntryCodec.Read(value, out _));
                }

                total++;
            }
        });
        return new LedgerPage(items, total);
    }

    public LedgerTotals Summarise(LedgerFilter filter)
    {
        var totals = new LedgerTotalsBuilder();
        var matcher = new EntryMatcher(filter);
        using var snapshot = _db.CreateSnapshot();
        NewestFirst(filter, new ReadOptions().SetSnapshot(snapshot), value =>
        {
            var entry = LedgerEntryCodec.ReadFacets(value);
            if (matcher.Matches(entry))
            {
                totals.Add(entry);
            }
        });
        return totals.Build();
    }

    public long ForgetClaimsBefore(DateTime cutoff, CancellationToken cancellationToken)
    {
        var end = LedgerKeys.ClaimTimeKey(cutoff.Ticks, long.MaxValue);
        long forgotten = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var expired = new List<(byte[] TimeKey, byte[] ClaimKey)>(PurgeChunk);
            using (var iterator = _db.NewIterator())
            {
                for (iterator.Seek(_purgedTo); iterator.Valid() && expired.Count < PurgeChunk && iterator.GetKeySpan().SequenceCompareTo(end) <= 0; iterator.Next())
                {
                    expired.Add((iterator.Key(), iterator.Value()));
                }
            }

            if (expired.Count == 0)
            {
                return forgotten;
            }

            using var write = new WriteBatch();
            lock (_writing)
            {
                foreach (var (timeKey, claimKey) in expired)
                {
                    // A key claimed again after it expired now belongs to a newer entry: that claim stays.
                    if (_db.Get(claimKey) is { } claim && LedgerKeys.ClaimingEntryId(claim) == LedgerKeys.ClaimTimeEntryId(timeKey))
                    {
                        write.Delete(claimKey);
                        forgotten++;
                    }

                    write.Delete(timeKey);
                }

                // Not synced: a purge lost in a crash is made again by the next one.
                _db.Write(write, _unsynced);
            }

            _purgedTo = [.. expired[^1].TimeKey, 0];
        }
    }

    public ILedgerStoreView OpenView() => new View(_db);

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            // Flushed on a clean stop, so the next start has no log to replay.
            Flush();
        }
        catch (RocksDbException)
        {
            // The synced log still holds every commit (a flush fails when the disk or the directory
            // has gone): the next start replays it, so the store is closed all the same.
        }

        _db.Dispose();
    }

    private static bool Within(Iterator iterator, byte[] from) => iterator.Valid() && iterator.GetKeySpan().SequenceCompareTo(from) >= 0;

    /// <summary>Every entry matches: the total is the stored count, and the page a walk past the skipped ones.</summary>
    private LedgerPage UnfilteredPage(LedgerQuery query, ReadOptions reads)
    {
        var accountId = query.Filter.AccountId;
        var items = new List<LedgerEntry>(Math.Min(query.Take, 256));
        var (from, to) = LedgerKeys.AccountRange(accountId);
        using var iterator = _db.NewIterator(readOptions: reads);
        iterator.SeekForPrev(to);
        for (var passed = 0L; Within(iterator, from) && items.Count < query.Take; iterator.Prev(), passed++)
        {
            if (passed >= query.Skip)
            {
                items.Add(LedgerEntryCodec.Read(iterator.GetValueSpan(), out _));
            }
        }

        return new LedgerPage(items, StoredCount(accountId, reads));
    }

    /// <summary>One kind and nothing else: the total is its last number, and the page starts with one seek at any depth.</summary>
    private LedgerPage KindPage(LedgerQuery query, ReadOptions reads)
    {
        var accountId = query.Filter.AccountId;
        var prefix = LedgerKeys.KindPrefix(accountId, query.Filter.Kind!);
        var total = LastKindNumber(prefix, reads);
        var items = new List<LedgerEntry>((int)Math.Clamp(total - query.Skip, 0, Math.Min(query.Take, 256)));
        if (query.Skip >= total || query.Take == 0)
        {
            return new LedgerPage(items, total);
        }

        using var iterator = _db.NewIterator(readOptions: reads);
        for (iterator.Seek(LedgerKeys.KindEntryKey(prefix, total - query.Skip)); HasPrefix(iterator, prefix) && items.Count < query.Take; iterator.Prev())
        {
            items.Add(LedgerEntryCodec.Read(StoredEntry(accountId, LedgerKeys.ReadId(iterator.GetValueSpan()), reads), out _));
        }

        return new LedgerPage(items, total);
    }

    /// <summary>
    /// Shows <paramref name="visit"/> the account's entries newest first that can match the filter: those of
    /// its kind through the kind's numbers when they are a small part of the history (a look-up each), else
    /// the whole history in one ordered scan.
    /// </summary>
    private void NewestFirst(LedgerFilter filter, ReadOptions reads, EntryVisitor visit)
    {
        using var iterator = _db.NewIterator(readOptions: reads);
        if (filter.Kind is { } kind)
        {
            var prefix = LedgerKeys.KindPrefix(filter.AccountId, kind);
            var ofKind = LastKindNumber(prefix, reads);
            if (ofKind * SparseKind < StoredCount(filter.AccountId, reads))
            {
                for (iterator.Seek(LedgerKeys.KindEntryKey(prefix, ofKind)); HasPrefix(iterator, prefix); iterator.Prev())
                {
                    visit(StoredEntry(filter.AccountId, LedgerKeys.ReadId(iterator.GetValueSpan()), reads));
                }

                return;
            }
        }

        var (from, to) = LedgerKeys.AccountRange(filter.AccountId);
        for (iterator.SeekForPrev(to); Within(iterator, from); iterator.Prev())
        {
            visit(iterator.GetValueSpan());
        }
    }

    private long StoredCount(string accountId, ReadOptions reads) =>
        _db.Get(LedgerKeys.BalanceKey(accountId), readOptions: reads) is { } balance ? LedgerKeys.ReadBalance(balance).EntryCount : 0;

    private byte[] StoredEntry(string accountId, long id, ReadOptions reads) =>
        _db.Get(LedgerKeys.EntryKey(accountId, id), readOptions: reads)
        ?? throw new InvalidDataException($"The ledger numbers entry {id} among account '{accountId}''s, and it is not stored.");

    /// <summary>The writer's last number of a kind: what it committed, or what the store holds the first time.</summary>
    private long LastKindNumber((string Account, string Kind) kind)
    {
        if (!_kindNumbers.TryGetValue(kind, out var number))
        {
            number = _kindNumbers[kind] = LastKindNumber(LedgerKeys.KindPrefix(kind.Account, kind.Kind), _latest);
        }

        return number;
    }

    /// <summary>How many entries of the kind the store holds: the number of its last (0 for none).</summary>
    private long LastKindNumber(byte[] kindPrefix, ReadOptions reads)
    {
        using var iterator = _db.NewIterator(readOptions: reads);
        iterator.SeekForPrev(LedgerKeys.KindEntryKey(kindPrefix, long.MaxValue));
        return HasPrefix(iterator, kindPrefix) ? LedgerKeys.KindNumber(iterator.GetKeySpan()) : 0;
    }

    private static bool HasPrefix(Iterator iterator, byte[] prefix) => iterator.Valid() && iterator.GetKeySpan().StartsWith(prefix);

    /// <summary>A snapshot of the store: the audit reads entries and balances as of one commit.</summary>
    private sealed class View(RocksDb db) : ILedgerStoreView
    {
        private readonly Snapshot _snapshot = db.CreateSnapshot();

        public IEnumerable<AccountAudit> Accounts()
        {
            var sums = new Dictionary<string, (long Sum, long Count)>(StringComparer.Ordinal);
            var reads = new ReadOptions().SetSnapshot(_snapshot);
            using (var iterator = db.NewIterator(readOptions: reads))
            {
                var entryAccounts = new EntryAccounts();
                for (iterator.Seek([LedgerKeys.Entry]); iterator.Valid() && iterator.GetKeySpan()[0] == LedgerKeys.Entry; iterator.Next())
                {
                    var accountId = entryAccounts.Of(iterator.GetKeySpan());
                    var amount = LedgerEntryCodec.ReadAmount(iterator.GetValueSpan());
                    var current = sums.GetValueOrDefault(accountId);
                    sums[accountId] = (current.Sum + amount, current.Count + 1);
                }
            }

            var accounts = new List<AccountAudit>();
            using (var iterator = db.NewIterator(readOptions: reads))
            {
                for (iterator.Seek([LedgerKeys.Balance]); iterator.Valid() && iterator.GetKeySpan()[0] == LedgerKeys.Balance; iterator.Next())
                {
                    var accountId = LedgerKeys.AccountOf(iterator.GetKeySpan());
                    var (sum, count) = sums.GetValueOrDefault(accountId);
                    sums.Remove(accountId);
                    accounts.Add(new AccountAudit(accountId, LedgerKeys.ReadBalance(iterator.GetValueSpan()).Balance, sum, count));
                }
            }

            // Entries of an account without a stored balance: inconsistent, and shown so.
            accounts.AddRange(sums.Select(s => new AccountAudit(s.Key, 0, s.Value.Sum, s.Value.Count)));
            return accounts;
        }

        public void Dispose() => _snapshot.Dispose();
    }
}
