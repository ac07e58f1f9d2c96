using System.Text;

namespace Harness.Ledger.Store;

/// <summary>
/// A <see cref="LedgerFilter"/> prepared for encoded entries: its labels as UTF-8, compared with the
/// stored bytes in place, so scanning an account's history decodes only the entries that match.
/// </summary>
internal sealed class EntryMatcher
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private readonly byte[]? _kind;
    private readonly byte[]? _category;
    private readonly byte[]? _subject;
    private readonly long _from;
    private readonly long _to;

    public EntryMatcher(LedgerFilter filter)
    {
        _kind = Bytes(filter.Kind);
        _category = Bytes(filter.Category);
        _subject = Bytes(filter.Subject);
        _from = filter.From?.Ticks ?? long.MinValue;
        _to = filter.To?.Ticks ?? long.MaxValue;
        TakesEverything = filter is { Kind: null, Category: null, Subject: null, From: null, To: null };
        TakesOneKind = filter is { Kind: not null, Category: null, Subject: null, From: null, To: null };
    }

    /// <summary>Whether every entry of the account matches (then counts need no scan).</summary>
    public bool TakesEverything { get; }

    /// <summary>Whether every entry of one kind matches, and nothing else (then the kind's numbers answer).</summary>
    public bool TakesOneKind { get; }

    public bool Matches(in EntryFacets entry) =>
        (_kind is null || entry.Kind.SequenceEqual(_kind))
        && (_category is null || (entry.HasCategory && entry.Category.SequenceEqual(_category)))
        && (_subject is null || (entry.HasSubject && entry.Subject.SequenceEqual(_subject)))
        && entry.CreatedAtTicks >= _from
        && entry.CreatedAtTicks < _to;

    private static byte[]? Bytes(string? label) => label is null ? null : Utf8.GetBytes(label);
}

/// <summary>Adds entries up into <see cref="LedgerTotals"/>: in all, by category and by subject (no label groups under "").</summary>
internal sealed class LedgerTotalsBuilder
{
    private readonly Groups _byCategory = new();
    private readonly Groups _bySubject = new();
    private long _amount;
    private long _count;

    public void Add(in EntryFacets entry)
    {
        _amount += entry.Amount;
        _count++;
        _byCategory.Add(entry.Category, entry.Amount);
        _bySubject.Add(entry.Subject, entry.Amount);
    }

    public LedgerTotals Build() => new(_amount, _count, _byCategory.Totals(), _bySubject.Totals());

    /// <summary>Sums per label; labels repeat on every entry, so each is decoded once and looked up by its characters after.</summary>
    private sealed class Groups
    {
        private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
        private readonly Dictionary<string, (long Amount, long Count)> _groups = new(StringComparer.Ordinal);

        public void Add(ReadOnlySpan<byte> label, long amount)
        {
            Span<char> text = label.Length <= 256 ? stackalloc char[label.Length] : new char[label.Length];
            text = text[..Utf8.GetChars(label, text)];
            var lookup = _groups.GetAlternateLookup<ReadOnlySpan<char>>();
            var current = lookup.TryGetValue(text, out var found) ? found : default;
            lookup[text] = (current.Amount + amount, current.Count + 1);
        }

        public List<LedgerGroupTotal> Totals() =>
            [.. _groups.OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new LedgerGroupTotal(g.Key, g.Value.Amount, g.Value.Count))];
    }
}
