using Harness.Storage;

namespace Harness.Tests.Mechanisms;

/// <summary>
/// <see cref="IDocumentCollection{T}.Between"/> on both stores: strict bounds, either direction, a limit, pages that walk
/// an index without gaps or repeats, a unit that sees its own writes, and indexes added to (or dropped from) a
/// collection that already holds documents.
/// </summary>
public abstract class OrderedIndexTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "harness-tests", Guid.NewGuid().ToString("N"));
    private readonly IDocumentStore _store;
    private readonly IDocumentCollection<Entry> _entries;

    protected OrderedIndexTests()
    {
        _store = Open(_directory);
        _entries = _store.Collection<Entry>("entries", nameof(Entry.Order));
    }

    public void Dispose()
    {
        ((IDisposable)_store).Dispose();
        Directory.Delete(_directory, recursive: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>A store kept in <paramref name="directory"/>, disposable.</summary>
    protected abstract IDocumentStore Open(string directory);

    [Fact]
    public void Bounds_are_strict_either_way_and_a_limit_cuts_the_answer()
    {
        foreach (var (id, order) in new[] { ("e3", "c"), ("e1", "a"), ("e5", "e"), ("e2", "b"), ("e4", "d") })
        {
            _entries.Upsert(new Entry(id, order));
        }

        _entries.Upsert(new Entry("none", null)); // no value: not in the index's order

        Assert.Equal(["a", "b", "c", "d", "e"], Orders(_entries.Between(nameof(Entry.Order), null, null, 10)));
        Assert.Equal(["a", "b"], Orders(_entries.Between(nameof(Entry.Order), null, null, 2)));
        Assert.Equal(["c", "d"], Orders(_entries.Between(nameof(Entry.Order), "b", "e", 10)));
        Assert.Equal(["e", "d"], Orders(_entries.Between(nameof(Entry.Order), null, null, 2, descending: true)));
        Assert.Equal(["d", "c"], Orders(_entries.Between(nameof(Entry.Order), "b", "e", 10, descending: true)));
        Assert.Equal(["b", "a"], Orders(_entries.Between(nameof(Entry.Order), null, "c", 10, descending: true)));
        Assert.Equal(["d", "e"], Orders(_entries.Between(nameof(Entry.Order), "c", null, 10)));
        Assert.Empty(_entries.Between(nameof(Entry.Order), "e", null, 10));
        Assert.Empty(_entries.Between(nameof(Entry.Order), "b", "c", 10));
    }

    [Fact]
    public void A_value_and_its_longer_neighbours_sort_ordinally_and_are_each_found_once()
    {
        foreach (var (id, order) in new[] { ("p1", "ab"), ("p2", "a"), ("p3", "abc"), ("p4", "b"), ("p5", "aB") })
        {
            _entries.Upsert(new Entry(id, order));
        }

        Assert.Equal(["a", "aB", "ab", "abc", "b"], Orders(_entries.Between(nameof(Entry.Order), null, null, 10)));
        Assert.Equal(["abc", "b"], Orders(_entries.Between(nameof(Entry.Order), "ab", null, 10)));
        Assert.Equal(["aB", "a"], Orders(_entries.Between(nameof(Entry.Order), null, "ab", 10, descending: true)));
    }

    [Fact]
    public void Pages_from_the_last_value_seen_walk_the_whole_index_in_order_either_way()
    {
        var times = Enumerable.Range(0, 200).Select(i => new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMilliseconds(i % 37)).ToList();
        var random = new Random(7);
        var entries = times.Select((t, i) => new Entry("e" + i, OrderKeys.Time(t, "e" + i))).OrderBy(_ => random.Next()).ToList();
        entries.ForEach(_entries.Upsert);
        var expected = entries.Select(e => e.Order!).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(expected, Walk(descending: false));
        Assert.Equal(Enumerable.Reverse(expected), Walk(descending: true));
    }

    [Fact]
    public void A_change_of_the_value_moves_the_document_and_a_delete_or_a_cleared_value_removes_it()
    {
        _entries.Upsert(new Entry("a", "1"));
        _entries.Upsert(new Entry("b", "2"));
        _entries.Upsert(new Entry("c", "3"));

        _entries.Upsert(new Entry("a", "4"));
        _entries.Upsert(new Entry("b", null));
        Assert.True(_entries.Delete("c"));

        Assert.Equal(["a"], Ids(_entries.Between(nameof(Entry.Order), null, null, 10)));
        Assert.Empty(_entries.Between(nameof(Entry.Order), null, "4", 10));
    }

    [Fact]
    public void A_unit_sees_its_own_moves_deletes_and_additions_in_order()
    {
        foreach (var i in Enumerable.Range(1, 6))
        {
            _entries.Upsert(new Entry("e" + i, i.ToString("D2", System.Globalization.CultureInfo.InvariantCulture)));
        }

        string[]? inside = null;
        _store.InTransaction(() =>
        {
            _entries.Delete("e1");
            _entries.Upsert(new Entry("e2", null));
            _entries.Upsert(new Entry("e3", "10"));
            _entries.Upsert(new Entry("n1", "00"));
            inside = Ids(_entries.Between(nameof(Entry.Order), null, null, 3));
        });

        Assert.Equal(["n1", "e4", "e5"], inside!);
        Assert.Equal(["e3", "e6", "e5"], Ids(_entries.Between(nameof(Entry.Order), null, null, 3, descending: true)));
    }

    [Fact]
    public void A_new_index_on_a_field_the_type_computes_covers_the_documents_written_before_it()
    {
        var directory = Path.Combine(_directory, "earlier");
        var store = Open(directory);
        using (store as IDisposable)
        {
            var plain = store.Collection<Plain>("items");
            store.InTransaction(() =>
            {
                foreach (var i in Enumerable.Range(1, 6_000)) // more than one unit of RocksDocumentStore's rewrite
                {
                    plain.Upsert(new Plain("i" + i, 6_001 - i));
                }
            });
        }

        var reopened = Open(directory);
        using var closing = (IDisposable)reopened;
        var ranked = reopened.Collection<Ranked>("items", nameof(Ranked.Rank));
        Assert.Equal(["i6000", "i5999"], ranked.Between(nameof(Ranked.Rank), null, null, 2).Select(r => r.Id));

        ranked.Upsert(new Ranked("i6000", 20_000)); // the stored value is what the index moves from
        Assert.Equal(["i5999"], ranked.Between(nameof(Ranked.Rank), null, null, 1).Select(r => r.Id));
        Assert.Equal(["i6000"], ranked.Between(nameof(Ranked.Rank), null, null, 1, descending: true).Select(r => r.Id));
    }

    [Fact]
    public void An_index_no_longer_asked_for_is_dropped_and_built_afresh_when_it_returns()
    {
        var directory = Path.Combine(_directory, "dropped");
        var first = Open(directory);
        using (first as IDisposable)
        {
            var ranked = first.Collection<Ranked>("items", nameof(Ranked.Rank));
            ranked.Upsert(new Ranked("a", 1));
            ranked.Upsert(new Ranked("b", 2));
        }

        var second = Open(directory);
        using (second as IDisposable)
        {
            second.Collection<Ranked>("items").Upsert(new Ranked("b", 9)); // written while nothing indexed it
        }

        var reopened = Open(directory);
        using var closing = (IDisposable)reopened;
        var again = reopened.Collection<Ranked>("items", nameof(Ranked.Rank));
        Assert.Equal(["b"], again.Between(nameof(Ranked.Rank), OrderKeys.Number(5), null, 10).Select(r => r.Id));
        Assert.Equal(["a"], again.Between(nameof(Ranked.Rank), null, OrderKeys.Number(5), 10).Select(r => r.Id));
    }

    private List<string> Walk(bool descending)
    {
        var seen = new List<string>();
        string? cursor = null;
        while (true)
        {
            var page = descending
                ? _entries.Between(nameof(Entry.Order), null, cursor, 7, descending: true)
                : _entries.Between(nameof(Entry.Order), cursor, null, 7);
            seen.AddRange(page.Select(e => e.Order!));
            if (page.Count < 7)
            {
                return seen;
            }

            cursor = page[^1].Order;
        }
    }

    private static string[] Orders(IEnumerable<Entry> entries) => [.. entries.Select(e => e.Order!)];

    private static string[] Ids(IEnumerable<Entry> entries) => [.. entries.Select(e => e.Id)];

    public sealed record Entry(string Id, string? Order) : IDocument;

    /// <summary>A document as an earlier version wrote it: no order key.</summary>
    public sealed record Plain(string Id, long Number) : IDocument;

    /// <summary>The same document now, with an order key the type computes.</summary>
    public sealed record Ranked(string Id, long Number) : IDocument
    {
        public string Rank => OrderKeys.Number(Number, Id);
    }
}

public sealed class LiteOrderedIndexTests : OrderedIndexTests
{
    protected override IDocumentStore Open(string directory) => new LiteDocumentStore(Path.Combine(directory, "store.db"));
}

public sealed class RocksOrderedIndexTests : OrderedIndexTests
{
    protected override IDocumentStore Open(string directory) => new RocksDocumentStore(Path.Combine(directory, "store"));
}
