using System.Runtime.InteropServices;
using ZoneTree;
using ZoneTree.Comparers;
using ZoneTree.Options;
using ZoneTree.Serializers;

namespace Harness.Benchmarks.Engines;

/// <summary>
/// ZoneTree: one ordered tree, its write-ahead log in Sync mode (each upsert written through before it
/// returns), a maintainer merging in the background. It has no batch commit outside its transactional tree.
/// Its Sync mode writes the log through to the OS but does not fsync it (seen with strace), so a batch
/// survives a process crash, not a power cut. With <c>fsyncWriteAheadLog</c> the adapter itself fsyncs
/// ZoneTree's log files after each batch, which is what a durable commit would cost; ZoneTree has no API for it.
/// </summary>
internal sealed class ZoneTreeEngine : IEngineStore
{
    private const byte EntryTag = (byte)'e';
    private const byte ClaimTag = (byte)'c';

    private readonly IZoneTree<byte[], byte[]> _tree;
    private readonly IMaintainer _maintainer;
    private readonly string? _fsyncDirectory;
    private readonly Dictionary<string, int> _logFiles = new(StringComparer.Ordinal);

    public ZoneTreeEngine(string directory, bool fsyncWriteAheadLog)
    {
        _fsyncDirectory = fsyncWriteAheadLog ? directory : null;
        _tree = new ZoneTreeFactory<byte[], byte[]>()
            .SetComparer(new BytesLexicographicComparerAscending())
            .SetKeySerializer(new BytesSerializer())
            .SetValueSerializer(new BytesSerializer())
            .SetDataDirectory(directory)
            .ConfigureWriteAheadLogOptions(options => options.WriteAheadLogMode = WriteAheadLogMode.Sync)
            .OpenOrCreate();
        _maintainer = _tree.CreateMaintainer();
    }

    public void Commit(IReadOnlyList<EngineEntry> batch)
    {
        foreach (var entry in batch)
        {
            _tree.Upsert(EngineKeys.Tagged(EntryTag, EngineKeys.Entry(entry.Account, entry.Id)), entry.Body);
            _tree.Upsert(EngineKeys.Tagged(ClaimTag, EngineKeys.Claim(entry.Scope, entry.Key)), EngineKeys.ClaimValue(entry));
        }

        if (_fsyncDirectory is not null)
        {
            FsyncLogFiles(_fsyncDirectory);
        }
    }

    public long? FindClaim(string scope, string key) =>
        _tree.TryGet(EngineKeys.Tagged(ClaimTag, EngineKeys.Claim(scope, key)), out var value) ? EngineKeys.ClaimedId(value) : null;

    public long Page(string account, int skip, int take)
    {
        var prefix = EngineKeys.Tagged(EntryTag, EngineKeys.AccountPrefix(account));
        using var iterator = _tree.CreateIterator();
        iterator.Seek(prefix);
        long bytes = 0;
        for (var position = 0; position < skip + take && iterator.Next() && iterator.CurrentKey.AsSpan().StartsWith(prefix); position++)
        {
            if (position >= skip)
            {
                bytes += iterator.CurrentValue.Length;
            }
        }

        return bytes;
    }

    /// <summary>TTL is a value wrapper (<c>TTLValue</c>) checked on read and dropped at merge, not a range delete.</summary>
    public long? ExpireClaims(DateTime cutoff) => null;

    public void Dispose()
    {
        _maintainer.WaitForBackgroundThreads();
        _maintainer.Dispose();
        _tree.Dispose();
        foreach (var descriptor in _logFiles.Values)
        {
            _ = Close(descriptor);
        }
    }

    /// <summary>
    /// fsync works on the file, not the descriptor, so a descriptor of our own makes ZoneTree's writes
    /// durable. Raw open(2): ZoneTree holds its log files exclusively, which .NET's FileStream honours.
    /// </summary>
    private void FsyncLogFiles(string directory)
    {
        var current = Directory.GetFiles(directory, "*.wal*", SearchOption.AllDirectories);
        foreach (var gone in _logFiles.Keys.Except(current).ToList())
        {
            _logFiles.Remove(gone, out var descriptor);
            _ = Close(descriptor);
        }

        foreach (var path in current)
        {
            if (!_logFiles.TryGetValue(path, out var descriptor))
            {
                descriptor = Open(path, 0); // O_RDONLY
                if (descriptor < 0)
                {
                    continue; // merged away between listing and opening
                }

                _logFiles[path] = descriptor;
            }

            if (Fsync(descriptor) != 0)
            {
                throw new IOException($"fsync of {path} failed with errno {Marshal.GetLastPInvokeError()}.");
            }
        }
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int descriptor);

    [DllImport("libc", EntryPoint = "close")]
    private static extern int Close(int descriptor);
}
