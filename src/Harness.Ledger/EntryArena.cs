namespace Harness.Ledger;

/// <summary>
/// Encoded ledger entries, appended into large byte chunks. A chunk holds thousands of entries and
/// is never moved or copied by the garbage collector (chunks live on the large-object heap), so an
/// entry kept for the life of the process costs the collector nothing, where an entry kept as
/// objects (the entry, its strings and maps) was copied through every generation. One writer; any
/// number of lock-free readers, who learn a position only after the writer has published it.
/// </summary>
internal sealed class EntryArena
{
    private const int ChunkSize = 1 << 20;

    private readonly AppendOnlyList<byte[]> _chunks = new();
    private byte[] _current = [];
    private int _used;

    /// <summary>Encodes the entry; returns where it starts. Only ever called by the one writer.</summary>
    public long Append(LedgerEntry entry)
    {
        var size = LedgerEntryCodec.Measure(entry);
        if (_current.Length - _used < size)
        {
            _current = new byte[Math.Max(ChunkSize, size)];
            _used = 0;
            _chunks.Add(_current);
        }

        var position = ((long)(_chunks.Count - 1) << 32) | (uint)_used;
        _used += LedgerEntryCodec.Write(entry, _current.AsSpan(_used, size));
        return position;
    }

    /// <summary>The bytes from the entry at <paramref name="position"/> to the end of its chunk.</summary>
    public ReadOnlySpan<byte> At(long position) =>
        _chunks.Snapshot()[(int)(position >> 32)].AsSpan((int)(uint)position);
}
