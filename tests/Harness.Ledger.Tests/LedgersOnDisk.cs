using Harness.Ledger.Store;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Harness.Ledger.Tests;

/// <summary>
/// A test's ledgers on a real RocksDB store in a directory of its own, with a test clock: opening the
/// store again after <see cref="CloseAll"/> is a restart.
/// </summary>
internal sealed class LedgersOnDisk(string purpose) : IDisposable
{
    private readonly List<IDisposable> _opened = [];

    public string Directory { get; } = TempDirectory.Create(purpose);

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));

    public (GroupCommitLedger Ledger, RocksLedgerStore Store) Open(LedgerOptions? options = null)
    {
        var store = OpenStore();
        return (OpenLedger(store, options), store);
    }

    /// <summary>A ledger on <paramref name="store"/> (a fake over <see cref="OpenStore"/>'s), closed before it.</summary>
    public GroupCommitLedger OpenLedger(ILedgerStore store, LedgerOptions? options = null) =>
        Track(new GroupCommitLedger(store, Clock, options ?? new LedgerOptions(), NullLogger<GroupCommitLedger>.Instance));

    /// <summary>The store, always in the same place.</summary>
    public RocksLedgerStore OpenStore() => Track(new RocksLedgerStore(Path.Combine(Directory, "ledger"), 64L << 20));

    /// <summary>Closes every ledger and store opened, the latest first (each ledger before its store), as a stopped backend would.</summary>
    public void CloseAll()
    {
        foreach (var item in Enumerable.Reverse(_opened))
        {
            item.Dispose();
        }

        _opened.Clear();
    }

    public void Dispose()
    {
        CloseAll();
        TempDirectory.TryDelete(Directory);
    }

    private T Track<T>(T item)
        where T : IDisposable
    {
        _opened.Add(item);
        return item;
    }
}
