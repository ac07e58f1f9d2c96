namespace Harness.Ledger;

/// <summary>
/// A list with one writer and any number of lock-free readers. The writer fills a slot, then
/// publishes the new count; a reader takes the count first and only looks below it, so it never sees
/// a half-written slot. Growing copies into a new array that is published before the count, and the
/// old array keeps every slot a reader may still be looking at.
/// </summary>
internal sealed class AppendOnlyList<T>
{
    private T[] _items = new T[16];
    private int _count;

    /// <summary>Items added so far; for the writer (readers use <see cref="Snapshot"/>).</summary>
    public int Count => _count;

    /// <summary>The published items as one consistent view (never torn by a concurrent append).</summary>
    public ReadOnlySpan<T> Snapshot()
    {
        var count = Volatile.Read(ref _count);
        return Volatile.Read(ref _items).AsSpan(0, count);
    }

    /// <summary>Only ever called by the one writer.</summary>
    public void Add(T item)
    {
        var items = _items;
        if (_count == items.Length)
        {
            var grown = new T[items.Length * 2];
            Array.Copy(items, grown, items.Length);
            Volatile.Write(ref _items, grown);
            items = grown;
        }

        items[_count] = item;
        Volatile.Write(ref _count, _count + 1);
    }
}
