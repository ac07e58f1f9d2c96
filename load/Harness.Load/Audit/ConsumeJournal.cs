using System.Text;
using Harness.Load.Target;

namespace Harness.Load.Audit;

/// <summary>What the target answered, over every attempt, for one idempotency key of one user (a snapshot).</summary>
/// <param name="UserId">The user the key was sent for.</param>
/// <param name="Key">The idempotency key.</param>
/// <param name="Tokens">The pricing input sent with the key; a retry sends the same.</param>
/// <param name="AckedCoins">Coins the first acknowledgement reported.</param>
/// <param name="AckedRecords">The record the first acknowledgement named, then every other record a later answer named (none for a target that replays faithfully).</param>
/// <param name="Uncertain">Some attempt got no definite answer (timeout, connection lost, 5xx): it may or may not have been charged.</param>
public sealed record KeyHistory(string UserId, string Key, long Tokens, long AckedCoins, IReadOnlyList<string> AckedRecords, bool Uncertain)
{
    public bool Acknowledged => AckedRecords.Count > 0;
}

/// <summary>
/// Every consume the runner sent and what came back, kept for the audit: an acknowledged key must be
/// charged exactly once, a refused key never, and nothing else may be charged. Recently acknowledged
/// keys are also offered for retries (the duplicates scenario).
/// <para>
/// The journal holds no object per key. A long run journals millions of keys, and as objects (a
/// history, its strings, list and dictionary node) every one was copied by the runner's collector
/// through all generations: at 5,500 requests/s that paused the runner 15–70 ms every second, and
/// the open model charges the runner's own stalls to the target. Keys and record ids are kept as
/// UTF-8 in large byte chunks, each key's state in a struct, and the look-up table is an array of
/// slot numbers — arrays the collector never has to trace.
/// </para>
/// </summary>
public sealed class ConsumeJournal
{
    private const int RetryWindow = 4096;
    private const int SlotsPerChunk = 1 << 14;

    private readonly Lock _gate = new();
    private readonly TextChunks _text = new();
    private readonly List<KeySlot[]> _slots = [];
    private readonly List<string> _users = [];
    private readonly Dictionary<string, int> _userIndex = new(StringComparer.Ordinal);
    private readonly Dictionary<int, List<string>> _otherRecords = []; // only for a target that replays a key as another record
    private readonly int[] _recentlyAcked = new int[RetryWindow];
    private int[] _table = new int[1 << 12]; // slot number + 1; 0 is empty
    private int _count;
    private long _acked;
    private long _acknowledgedKeys;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    /// <summary>Keys acknowledged so far (a key answered twice counts once).</summary>
    public long AcknowledgedKeys
    {
        get
        {
            lock (_gate)
            {
                return _acknowledgedKeys;
            }
        }
    }

    /// <summary>
    /// The journal as it stands, for the audit after the run: the tallies, and each user's keys read one at a time.
    /// A long run journals tens of millions of keys, and their histories as objects at once (some 320 bytes each)
    /// would take more memory than the journal itself; the snapshot holds only each user's slot numbers.
    /// </summary>
    public JournalSnapshot Snapshot()
    {
        lock (_gate)
        {
            var perUser = new int[_users.Count];
            long acknowledged = 0, uncertain = 0;
            for (var slot = 0; slot < _count; slot++)
            {
                ref var state = ref Slot(slot);
                perUser[state.User]++;
                acknowledged += state.Acknowledged ? 1 : 0;
                uncertain += !state.Acknowledged && state.Uncertain ? 1 : 0;
            }

            var slots = new Dictionary<string, int[]>(StringComparer.Ordinal);
            for (var user = 0; user < _users.Count; user++)
            {
                slots[_users[user]] = new int[perUser[user]];
                perUser[user] = 0;
            }

            for (var slot = 0; slot < _count; slot++)
            {
                var user = Slot(slot).User;
                slots[_users[user]][perUser[user]++] = slot;
            }

            return new JournalSnapshot(this, slots, _count, acknowledged, uncertain);
        }
    }

    internal KeyHistory HistoryOf(int slot)
    {
        lock (_gate)
        {
            return History(slot);
        }
    }

    /// <summary>Sends one consume and journals the outcome, whatever it is.</summary>
    public async Task<ConsumeReply> SendAsync(string userId, string key, long tokens, Func<Task<ConsumeReply>> send)
    {
        var slot = SlotOf(userId, key, tokens);
        ConsumeReply reply;
        try
        {
            reply = await send();
        }
        catch
        {
            Record(slot, reply: null);
            throw;
        }

        Record(slot, reply);
        return reply;
    }

    /// <summary>A recently acknowledged key to send again, or null before anything was acknowledged.</summary>
    public KeyHistory? PickAcknowledged(Random random)
    {
        lock (_gate)
        {
            return _acked == 0 ? null : History(_recentlyAcked[random.NextInt64(Math.Min(_acked, RetryWindow))]);
        }
    }

    private int SlotOf(string userId, string key, long tokens)
    {
        lock (_gate)
        {
            if (!_userIndex.TryGetValue(userId, out var user))
            {
                user = _users.Count;
                _users.Add(userId);
                _userIndex.Add(userId, user);
            }

            var hash = HashCode.Combine(user, string.GetHashCode(key, StringComparison.Ordinal));
            var mask = _table.Length - 1;
            for (var i = hash & mask; ; i = (i + 1) & mask)
            {
                if (_table[i] == 0)
                {
                    var slot = _count++;
                    if (slot % SlotsPerChunk == 0)
                    {
                        _slots.Add(new KeySlot[SlotsPerChunk]);
                    }

                    Slot(slot) = new KeySlot { Hash = hash, User = user, Key = _text.Add(key), Tokens = tokens };
                    _table[i] = slot + 1;
                    if (_count * 2 > _table.Length)
                    {
                        Grow();
                    }

                    return slot;
                }

                ref var candidate = ref Slot(_table[i] - 1);
                if (candidate.Hash == hash && candidate.User == user && _text.Equals(candidate.Key, key))
                {
                    return _table[i] - 1;
                }
            }
        }
    }

    private void Record(int slot, ConsumeReply? reply)
    {
        lock (_gate)
        {
            ref var state = ref Slot(slot);
            if (reply is not { Ok: true })
            {
                // A 4xx is a refusal (nothing charged); anything else, or no answer at all, leaves it open.
                state.Uncertain |= reply is null || (int)reply.Status is < 400 or >= 500;
                return;
            }

            if (!state.Acknowledged)
            {
                (state.Acknowledged, state.AckedCoins, state.Record) = (true, reply.Coins, _text.Add(reply.RecordId!));
                _acknowledgedKeys++;
            }
            else if (!_text.Equals(state.Record, reply.RecordId!))
            {
                if (!_otherRecords.TryGetValue(slot, out var others))
                {
                    _otherRecords[slot] = others = [];
                }

                if (!others.Contains(reply.RecordId!))
                {
                    others.Add(reply.RecordId!);
                }
            }

            if (!reply.Replayed)
            {
                _recentlyAcked[_acked++ % RetryWindow] = slot;
            }
        }
    }

    private KeyHistory History(int slot)
    {
        var state = Slot(slot);
        List<string> records = [];
        if (state.Acknowledged)
        {
            records.Add(_text.Read(state.Record));
            records.AddRange(_otherRecords.GetValueOrDefault(slot) ?? []);
        }

        return new KeyHistory(_users[state.User], _text.Read(state.Key), state.Tokens, state.AckedCoins, records, state.Uncertain);
    }

    private ref KeySlot Slot(int slot) => ref _slots[slot / SlotsPerChunk][slot % SlotsPerChunk];

    private void Grow()
    {
        var table = new int[_table.Length * 2];
        var mask = table.Length - 1;
        for (var slot = 0; slot < _count; slot++)
        {
            var i = Slot(slot).Hash & mask;
            while (table[i] != 0)
            {
                i = (i + 1) & mask;
            }

            table[i] = slot + 1;
        }

        _table = table;
    }

    /// <summary>One key's state: plain values only, so a chunk of them is nothing for the collector to trace.</summary>
    private struct KeySlot
    {
        public int Hash;
        public int User;
        public TextRef Key;
        public long Tokens;
        public bool Acknowledged;
        public bool Uncertain;
        public long AckedCoins;
        public TextRef Record;
    }

    private readonly record struct TextRef(int Chunk, int Offset, int Length);

    /// <summary>Strings kept as UTF-8 in 1 MB chunks; callers hold the journal's lock.</summary>
    private sealed class TextChunks
    {
        private const int ChunkSize = 1 << 20;

        private readonly List<byte[]> _chunks = [];
        private int _used = ChunkSize;

        public TextRef Add(string text)
        {
            var length = Encoding.UTF8.GetByteCount(text);
            if (ChunkSize - _used < length)
            {
                _chunks.Add(new byte[Math.Max(ChunkSize, length)]);
                _used = 0;
            }

            var at = new TextRef(_chunks.Count - 1, _used, length);
            _used += Encoding.UTF8.GetBytes(text, Bytes(at));
            return at;
        }

        public string Read(TextRef at) => Encoding.UTF8.GetString(Bytes(at));

        public bool Equals(TextRef at, string text)
        {
            var stored = Bytes(at);
            if (Encoding.UTF8.GetMaxByteCount(text.Length) <= 256)
            {
                Span<byte> encoded = stackalloc byte[256];
                return stored.SequenceEqual(encoded[..Encoding.UTF8.GetBytes(text, encoded)]);
            }

            return stored.SequenceEqual(Encoding.UTF8.GetBytes(text));
        }

        private Span<byte> Bytes(TextRef at) => _chunks[at.Chunk].AsSpan(at.Offset, at.Length);
    }
}

/// <summary>The journal at the end of a run (<see cref="ConsumeJournal.Snapshot"/>).</summary>
public sealed class JournalSnapshot
{
    private readonly ConsumeJournal _journal;
    private readonly Dictionary<string, int[]> _slotsByUser;

    internal JournalSnapshot(ConsumeJournal journal, Dictionary<string, int[]> slotsByUser, long keys, long acknowledged, long uncertain)
    {
        (_journal, _slotsByUser) = (journal, slotsByUser);
        (Keys, AcknowledgedKeys, UncertainKeys) = (keys, acknowledged, uncertain);
    }

    public long Keys { get; }

    public long AcknowledgedKeys { get; }

    /// <summary>Keys never acknowledged that some attempt got no definite answer for.</summary>
    public long UncertainKeys { get; }

    /// <summary>Keys refused (a 4xx) and never acknowledged.</summary>
    public long RefusedKeys => Keys - AcknowledgedKeys - UncertainKeys;

    /// <summary>The user's keys in the order first sent, each history made as it is read.</summary>
    public IEnumerable<KeyHistory> KeysOf(string userId)
    {
        foreach (var slot in _slotsByUser.GetValueOrDefault(userId) ?? [])
        {
            yield return _journal.HistoryOf(slot);
        }
    }

    /// <summary>How many keys the user was sent.</summary>
    public int CountOf(string userId) => _slotsByUser.GetValueOrDefault(userId)?.Length ?? 0;
}
