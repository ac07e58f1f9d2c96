using System.Numerics;

namespace Harness.Ledger;

/// <summary>
/// Live idempotency keys: (scope, key) to the position of the entry that claimed it. An
/// open-addressing table of plain structs (hash, position, claim time), so a million keys are three
/// arrays the garbage collector never traces, not a million dictionary nodes and strings. The key
/// itself is compared against the claiming entry's stored bytes. One writer, lock-free readers: a slot
/// is filled before its hash is published, and a grown or purged table is built aside and published
/// whole.
/// <para>
/// A table half full is grown on a thread-pool thread, not by the writer: re-inserting half a million
/// keys into a new table took the writer 17.5 ms, and every posting waits for the writer. The
/// writer keeps inserting into the current table meanwhile and notes what it added; when the grown table is ready, the writer adds those and publishes it.
/// Only a table three-quarters full makes the writer wait for the grown one.
/// </para>
/// </summary>
internal sealed class IdempotencyIndex(EntryArena arena)
{
    private Table _table = new(1024);

    // While a grown table is being built from _table: the build, and the slots added since it began.
    private Task<Table>? _growing;
    private List<Slot>? _addedWhileGrowing;

    /// <summary>Finds the entry that claimed the key after <paramref name="claimedAfter"/>, if any.</summary>
    public bool TryFind(string scope, string key, DateTime claimedAfter, out long position)
    {
        var table = Volatile.Read(ref _table);
        var hash = Hash(scope, key);
        var mask = table.Slots.Length - 1;
        for (var i = hash & mask; ; i = (i + 1) & mask)
        {
            ref var slot = ref table.Slots[i];
            var slotHash = Volatile.Read(ref slot.Hash);
            if (slotHash == 0)
            {
                position = 0;
                return false;
            }

            // An expired claim of the same key may sit before a newer one: keep probing past it.
            if (slotHash == hash && slot.ClaimedAtTicks > claimedAfter.Ticks && LedgerEntryCodec.Claims(arena.At(slot.Position), scope, key))
            {
                position = slot.Position;
                return true;
            }
        }
    }

    /// <summary>Slots in the published table (for tests: how far it has grown).</summary>
    public int Capacity => Volatile.Read(ref _table).Slots.Length;

    /// <summary>Only ever called by the one writer, after the entry is in the arena.</summary>
    public void Add(string scope, string key, long position, DateTime claimedAt)
    {
        if (_growing is { IsCompleted: true } || (_growing is not null && (_table.Count + 1) * 4 > _table.Slots.Length * 3))
        {
            PublishGrown();
        }

        var table = _table;
        if (_growing is null && (table.Count + 1) * 2 > table.Slots.Length)
        {
            var capacity = table.Slots.Length * 2;
            _addedWhileGrowing = [];
            _growing = Task.Run(() => Rebuilt(table, capacity, keepClaimedAfter: long.MinValue));
        }

        var slot = new Slot { Hash = Hash(scope, key), Position = position, ClaimedAtTicks = claimedAt.Ticks };
        Insert(table, slot);
        _addedWhileGrowing?.Add(slot);
    }

    /// <summary>Drops keys claimed at or before the cut-off. Must not run alongside <see cref="Add"/>.</summary>
    public void ForgetClaimedBefore(DateTime cutoff)
    {
        if (_growing is not null)
        {
            PublishGrown(); // the purge then starts from every key
        }

        var live = 0;
        foreach (var slot in _table.Slots)
        {
            live += slot.Hash != 0 && slot.ClaimedAtTicks > cutoff.Ticks ? 1 : 0;
        }

        Volatile.Write(ref _table, Rebuilt(_table, Math.Max(1024, (int)BitOperations.RoundUpToPowerOf2((uint)(live * 2) + 1)), cutoff.Ticks));
    }

    /// <summary>Waits for the grown table if need be, adds what the writer added since it began, and publishes it.</summary>
    private void PublishGrown()
    {
        var grown = _growing!.GetAwaiter().GetResult();
        foreach (var slot in _addedWhileGrowing!)
        {
            if (!Contains(grown, slot))
            {
                Insert(grown, slot);
            }
        }

        Volatile.Write(ref _table, grown);
        _growing = null;
        _addedWhileGrowing = null;
    }

    /// <summary>
    /// A copy of <paramref name="source"/> at <paramref name="capacity"/>. Safe while the writer keeps
    /// inserting into the source: a slot whose hash is seen is whole, and a slot filled after it was
    /// passed is in <see cref="_addedWhileGrowing"/>.
    /// </summary>
    private static Table Rebuilt(Table source, int capacity, long keepClaimedAfter)
    {
        var rebuilt = new Table(capacity);
        for (var i = 0; i < source.Slots.Length; i++)
        {
            if (Volatile.Read(ref source.Slots[i].Hash) != 0 && source.Slots[i].ClaimedAtTicks > keepClaimedAfter)
            {
                Insert(rebuilt, source.Slots[i]);
            }
        }

        return rebuilt;
    }

    /// <summary>Whether the slot of this very entry is in the table (a key added while the table was being copied may be in it already).</summary>
    private static bool Contains(Table table, Slot wanted)
    {
        var mask = table.Slots.Length - 1;
        for (var i = wanted.Hash & mask; table.Slots[i].Hash != 0; i = (i + 1) & mask)
        {
            if (table.Slots[i].Hash == wanted.Hash && table.Slots[i].Position == wanted.Position)
            {
                return true;
            }
        }

        return false;
    }

    private static void Insert(Table table, Slot slot)
    {
        var mask = table.Slots.Length - 1;
        var i = slot.Hash & mask;
        while (table.Slots[i].Hash != 0)
        {
            i = (i + 1) & mask;
        }

        table.Slots[i].Position = slot.Position;
        table.Slots[i].ClaimedAtTicks = slot.ClaimedAtTicks;
        Volatile.Write(ref table.Slots[i].Hash, slot.Hash);
        table.Count++;
    }

    // Never negative (it is masked into an index) and never zero (zero marks an empty slot).
    private static int Hash(string scope, string key)
    {
        var hash = HashCode.Combine(string.GetHashCode(scope, StringComparison.Ordinal), string.GetHashCode(key, StringComparison.Ordinal)) & int.MaxValue;
        return hash == 0 ? 1 : hash;
    }

    private struct Slot
    {
        public int Hash;
        public long Position;
        public long ClaimedAtTicks;
    }

    private sealed class Table(int capacity)
    {
        public Slot[] Slots { get; } = new Slot[capacity];

        public int Count { get; set; }
    }
}
