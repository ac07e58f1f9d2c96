using System.Numerics;

namespace Harness.Core.Ledger;

/// <summary>
/// Live idempotency keys: (scope, key) to the position of the entry that claimed it. An
/// open-addressing table of plain structs (hash, position, claim time), so a million keys are three
/// arrays the garbage collector never traces, not a million dictionary nodes and strings. The key
/// itself is compared against the claiming entry's stored bytes. One writer, lock-free readers: a slot
/// is filled before its hash is published, and a grown or purged table is built aside and published
/// whole.
/// </summary>
internal sealed class IdempotencyIndex(EntryArena arena)
{
    private Table _table = new(1024);

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

    /// <summary>Only ever called by the one writer, after the entry is in the arena.</summary>
    public void Add(string scope, string key, long position, DateTime claimedAt)
    {
        var table = _table;
        if ((table.Count + 1) * 2 > table.Slots.Length)
        {
            table = Rebuilt(table.Slots.Length * 2, keepClaimedAfter: long.MinValue);
            Volatile.Write(ref _table, table);
        }

        Insert(table, Hash(scope, key), position, claimedAt.Ticks);
    }

    /// <summary>Drops keys claimed at or before the cut-off. Must not run alongside <see cref="Add"/>.</summary>
    public void ForgetClaimedBefore(DateTime cutoff)
    {
        var live = 0;
        foreach (var slot in _table.Slots)
        {
            live += slot.Hash != 0 && slot.ClaimedAtTicks > cutoff.Ticks ? 1 : 0;
        }

        Volatile.Write(ref _table, Rebuilt(Math.Max(1024, (int)BitOperations.RoundUpToPowerOf2((uint)(live * 2) + 1)), cutoff.Ticks));
    }

    private Table Rebuilt(int capacity, long keepClaimedAfter)
    {
        var rebuilt = new Table(capacity);
        foreach (var slot in _table.Slots)
        {
            if (slot.Hash != 0 && slot.ClaimedAtTicks > keepClaimedAfter)
            {
                Insert(rebuilt, slot.Hash, slot.Position, slot.ClaimedAtTicks);
            }
        }

        return rebuilt;
    }

    private static void Insert(Table table, int hash, long position, long claimedAtTicks)
    {
        var mask = table.Slots.Length - 1;
        var i = hash & mask;
        while (table.Slots[i].Hash != 0)
        {
            i = (i + 1) & mask;
        }

        table.Slots[i].Position = position;
        table.Slots[i].ClaimedAtTicks = claimedAtTicks;
        Volatile.Write(ref table.Slots[i].Hash, hash);
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
