using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using System.Text;
using FASTER.core;
using Harness.Ledger;

namespace Harness.Benchmarks.Engines;

/// <summary>
/// FASTER: entries go to a <see cref="FasterLog"/> committed once per ledger batch (the durable part);
/// a <see cref="FasterKV{Key, Value}"/> of 64-bit hashes maps each claim, and each (account, ordinal),
/// to the entry's log address. FasterKV is a hash index without ordered scans, so a page is 20 point
/// reads by the account's ordinals. The index is made durable only by a checkpoint (here at close);
/// after a crash it would be rebuilt from the log's tail past the last checkpoint.
/// </summary>
internal sealed class FasterEngine : IEngineStore
{
    private readonly IDevice _logDevice;
    private readonly FasterLog _log;
    private readonly FasterKVSettings<long, long> _indexSettings;
    private readonly FasterKV<long, long> _index;
    private readonly ClientSession<long, long, long, long, Empty, IFunctions<long, long, long, long, Empty>> _session;
    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);

    public FasterEngine(string directory)
    {
        _logDevice = Devices.CreateLogDevice(Path.Combine(directory, "journal", "entries.log"));
        _log = new FasterLog(new FasterLogSettings
        {
            LogDevice = _logDevice,
            LogCommitDir = Path.Combine(directory, "journal"),
            MemorySizeBits = 25,
            PageSizeBits = 22,
        });
        _indexSettings = new FasterKVSettings<long, long>(Path.Combine(directory, "index"), deleteDirOnDispose: false)
        {
            IndexSize = 1L << 25,
            MemorySize = 1L << 26,
            PageSize = 1L << 22,
            TryRecoverLatest = true,
        };
        _index = new FasterKV<long, long>(_indexSettings);
        _session = _index.NewSession<long, long, Empty>(new SimpleFunctions<long, long>());
    }

    public void Commit(IReadOnlyList<EngineEntry> batch)
    {
        foreach (var entry in batch)
        {
            var address = _log.Enqueue(entry.Body);
            var ordinal = Count(entry.Account);
            _counts[entry.Account] = ordinal + 1;
            _session.Upsert(Hash("c", entry.Scope, entry.Key), address);
            _session.Upsert(Hash("e", entry.Account, ordinal.ToString(CultureInfo.InvariantCulture)), address);
        }

        foreach (var account in batch.Select(entry => entry.Account).Distinct())
        {
            _session.Upsert(Hash("n", account, ""), _counts[account]);
        }

        _log.Commit(spinWait: true);
    }

    public long? FindClaim(string scope, string key)
    {
        // A hash can collide: the entry itself confirms the claim, as the in-memory index does.
        var address = Get(Hash("c", scope, key));
        if (address is null)
        {
            return null;
        }

        var body = Read(address.Value);
        return LedgerEntryCodec.Claims(body, scope, key) ? BinaryPrimitives.ReadInt64LittleEndian(body) : null;
    }

    public long Page(string account, int skip, int take)
    {
        long bytes = 0;
        var newest = Count(account) - 1 - skip;
        for (var ordinal = newest; ordinal > newest - take && ordinal >= 0; ordinal--)
        {
            var address = Get(Hash("e", account, ordinal.ToString(CultureInfo.InvariantCulture)))
                ?? throw new InvalidDataException($"Entry {ordinal} of {account} is missing.");
            bytes += Read(address).Length;
        }

        return bytes;
    }

    /// <summary>No TTL: FasterLog truncates only a prefix of the whole log, and FasterKV drops records by compaction.</summary>
    public long? ExpireClaims(DateTime cutoff) => null;

    public void Dispose()
    {
        _index.TakeFullCheckpointAsync(CheckpointType.FoldOver).AsTask().GetAwaiter().GetResult();
        _session.Dispose();
        _index.Dispose();
        _indexSettings.Dispose();
        _log.Dispose();
        _logDevice.Dispose();
    }

    private long Count(string account)
    {
        if (!_counts.TryGetValue(account, out var count))
        {
            count = Get(Hash("n", account, "")) ?? 0;
            _counts[account] = count;
        }

        return count;
    }

    private long? Get(long key)
    {
        var (status, output) = _session.Read(key);
        if (status.IsPending)
        {
            _session.CompletePendingWithOutputs(out var completed, wait: true);
            using (completed)
            {
                if (!completed.Next())
                {
                    return null;
                }

                status = completed.Current.Status;
                output = completed.Current.Output;
            }
        }

        return status.Found ? output : null;
    }

    private byte[] Read(long address)
    {
        var (bytes, length) = _log.ReadAsync(address).AsTask().GetAwaiter().GetResult();
        return length == bytes.Length ? bytes : bytes[..length];
    }

    private static long Hash(string tag, string first, string second) =>
        (long)XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(tag + "\0" + first + "\0" + second));
}
