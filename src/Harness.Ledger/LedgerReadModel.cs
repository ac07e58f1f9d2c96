using System.Collections.Concurrent;

namespace Harness.Ledger;

/// <summary>
/// Every committed entry, in memory: what records, summaries and idempotent replays are answered
/// from. The store keeps entries in one document per commit (cheap to write, no index to maintain on
/// the hot path); this view is rebuilt from it on start and appended to by the ledger's writer after
/// each durable commit. Readers never lock and never see an uncommitted entry.
/// <para>
/// Entries are kept encoded in an <see cref="EntryArena"/>; per account, a list of small structs
/// holds what filters and sums need (time, amount, labels) and where the entry is. Nothing here is an
/// object per entry, so the garbage collector has nothing to trace or copy as the view grows: with
/// entries kept as objects, every consume's entry was copied from generation to generation, and those
/// collections were the longest stalls of the consume path.
/// </para>
/// </summary>
internal sealed class LedgerReadModel
{
    private const int NoLabel = -1;

    private readonly EntryArena _arena = new();
    private readonly IdempotencyIndex _keys;
    private readonly ConcurrentDictionary<string, AppendOnlyList<EntrySlot>> _byAccount = new(StringComparer.Ordinal);

    // Kinds, categories and subjects repeat on every entry: each is kept once and numbered.
    private readonly ConcurrentDictionary<string, int> _labelIds = new(StringComparer.Ordinal);
    private readonly AppendOnlyList<string> _labels = new();

    public LedgerReadModel() => _keys = new IdempotencyIndex(_arena);

    /// <summary>
    /// Called by the one writer only, in ascending id order, before the entry is visible anywhere.
    /// The entry's key is remembered when it was claimed after <paramref name="keysClaimedAfter"/>.
    /// </summary>
    public void Add(LedgerEntry entry, DateTime keysClaimedAfter)
    {
        var position = _arena.Append(entry);
        var slot = new EntrySlot(position, entry.CreatedAt.Ticks, entry.Amount, LabelOf(entry.Kind), LabelOf(entry.Category), LabelOf(entry.Subject));
        _byAccount.GetOrAdd(entry.AccountId, _ => new AppendOnlyList<EntrySlot>()).Add(slot);
        if (entry is { IdempotencyScope: { } scope, IdempotencyKey: { } key } && entry.CreatedAt > keysClaimedAfter)
        {
            _keys.Add(scope, key, position, entry.CreatedAt);
        }
    }

    /// <summary>The entry that claimed the key after <paramref name="claimedAfter"/>, if one did.</summary>
    public LedgerEntry? FindClaim(string scope, string key, DateTime claimedAfter) =>
        _keys.TryFind(scope, key, claimedAfter, out var position) ? Read(position) : null;

    /// <summary>Forgets keys claimed at or before the cut-off; their entries stay. Must not run alongside <see cref="Add"/>.</summary>
    public void ForgetClaimsBefore(DateTime cutoff) => _keys.ForgetClaimedBefore(cutoff);

    public LedgerPage Query(LedgerQuery query)
    {
        var items = new List<LedgerEntry>(Math.Min(query.Take, 256));
        long total = 0;
        if (Matcher.For(query.Filter, _labelIds) is { } matcher)
        {
            var slots = Of(query.Filter.AccountId);
            for (var i = slots.Length - 1; i >= 0; i--)
            {
                if (!matcher.Matches(slots[i]))
                {
                    continue;
                }

                if (total >= query.Skip && items.Count < query.Take)
                {
                    items.Add(Read(slots[i].Position));
                }

                total++;
            }
        }

        return new LedgerPage(items, total);
    }

    public LedgerTotals Summarise(LedgerFilter filter)
    {
        long amount = 0, count = 0;
        var byCategory = new Dictionary<int, (long Amount, long Count)>();
        var bySubject = new Dictionary<int, (long Amount, long Count)>();
        if (Matcher.For(filter, _labelIds) is { } matcher)
        {
            foreach (var slot in Of(filter.AccountId))
            {
                if (!matcher.Matches(slot))
                {
                    continue;
                }

                amount += slot.Amount;
                count++;
                Add(byCategory, slot.Category, slot.Amount);
                Add(bySubject, slot.Subject, slot.Amount);
            }
        }

        return new LedgerTotals(amount, count, Totals(byCategory), Totals(bySubject));

        static void Add(Dictionary<int, (long Amount, long Count)> groups, int label, long value)
        {
            var current = groups.GetValueOrDefault(label);
            groups[label] = (current.Amount + value, current.Count + 1);
        }

        List<LedgerGroupTotal> Totals(Dictionary<int, (long Amount, long Count)> groups)
        {
            // Entries without the label are grouped under "" (as an empty label would be).
            var named = new Dictionary<string, (long Amount, long Count)>(StringComparer.Ordinal);
            foreach (var (label, totals) in groups)
            {
                var key = label == NoLabel ? "" : LabelText(label);
                var current = named.GetValueOrDefault(key);
                named[key] = (current.Amount + totals.Amount, current.Count + totals.Count);
            }

            return [.. named.OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new LedgerGroupTotal(g.Key, g.Value.Amount, g.Value.Count))];
        }
    }

    private LedgerEntry Read(long position) => LedgerEntryCodec.Read(_arena.At(position), out _);

    private int LabelOf(string? label)
    {
        if (label is null)
        {
            return NoLabel;
        }

        if (_labelIds.TryGetValue(label, out var id))
        {
            return id;
        }

        // Text first, id second: a reader that finds the id can always read its text.
        id = _labels.Count;
        _labels.Add(label);
        _labelIds[label] = id;
        return id;
    }

    private string LabelText(int id) => _labels.Snapshot()[id];

    private ReadOnlySpan<EntrySlot> Of(string accountId) =>
        _byAccount.TryGetValue(accountId, out var slots) ? slots.Snapshot() : [];

    /// <summary>What a filter and a sum need of an entry, and where the entry is.</summary>
    private readonly record struct EntrySlot(long Position, long CreatedAtTicks, long Amount, int Kind, int Category, int Subject);

    /// <summary>A filter with its labels resolved to numbers; none when it names a label no entry has.</summary>
    private readonly struct Matcher
    {
        private const int Any = int.MinValue;

        private readonly int _kind;
        private readonly int _category;
        private readonly int _subject;
        private readonly long _from;
        private readonly long _to;

        private Matcher(int kind, int category, int subject, long from, long to)
        {
            _kind = kind;
            _category = category;
            _subject = subject;
            _from = from;
            _to = to;
        }

        public static Matcher? For(LedgerFilter filter, ConcurrentDictionary<string, int> labelIds)
        {
            if (!Resolve(filter.Kind, out var kind) || !Resolve(filter.Category, out var category) || !Resolve(filter.Subject, out var subject))
            {
                return null;
            }

            return new Matcher(kind, category, subject, filter.From?.Ticks ?? long.MinValue, filter.To?.Ticks ?? long.MaxValue);

            bool Resolve(string? label, out int id)
            {
                id = Any;
                return label is null || labelIds.TryGetValue(label, out id);
            }
        }

        public bool Matches(in EntrySlot slot) =>
            (_kind == Any || slot.Kind == _kind)
            && (_category == Any || slot.Category == _category)
            && (_subject == Any || slot.Subject == _subject)
            && slot.CreatedAtTicks >= _from
            && slot.CreatedAtTicks < _to;
    }
}
