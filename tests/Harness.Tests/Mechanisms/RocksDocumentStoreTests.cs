using Harness.Storage;

namespace Harness.Tests.Mechanisms;

/// <summary>
/// The RocksDB document store beyond the contract both stores pass (<see cref="RocksBatchedUnitsTests"/>,
/// <see cref="RocksDocumentTransactionTests"/>): its indexes, documents read back as LiteDB reads them, and the
/// import of a LiteDB file an earlier version wrote.
/// </summary>
public sealed class RocksDocumentStoreTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "harness-tests", Guid.NewGuid().ToString("N"));

    private string StoreDirectory => Path.Combine(_directory, "store");

    private string LiteFile => Path.Combine(_directory, "sandbox.db");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void An_index_follows_every_change_of_its_field_and_matches_exactly()
    {
        using var store = new RocksDocumentStore(StoreDirectory);
        var orders = store.Collection<Order>("orders", nameof(Order.Status), nameof(Order.OutTradeNo));
        orders.Upsert(Order.New("o1", "open", "Order1"));
        orders.Upsert(Order.New("o2", "open", "ORDER1"));
        orders.Upsert(Order.New("o3", "open\0x", "x")); // a value holding the key's separator matches only itself

        Assert.Equal(["o1", "o2"], Ids(orders.FindBy(nameof(Order.Status), "open")));
        Assert.Equal(["o1"], Ids(orders.FindBy(nameof(Order.OutTradeNo), "Order1")));
        Assert.Equal(["o3"], Ids(orders.FindBy(nameof(Order.Status), "open\0x")));

        orders.Upsert(Order.New("o1", "paid", "Order1"));
        Assert.True(orders.Delete("o2"));
        Assert.False(orders.Delete("o2"));

        Assert.Empty(orders.FindBy(nameof(Order.Status), "open"));
        Assert.Equal(["o1"], Ids(orders.FindBy(nameof(Order.Status), "paid")));
        Assert.Empty(orders.FindBy(nameof(Order.OutTradeNo), "ORDER1"));
        Assert.Equal(2, orders.Count());
    }

    [Fact]
    public void A_unit_reads_its_own_writes_through_get_all_find_and_count_and_others_see_them_only_once_committed()
    {
        using var store = new RocksDocumentStore(StoreDirectory);
        var orders = store.Collection<Order>("orders", nameof(Order.Status));
        orders.Upsert(Order.New("o1", "open", "a"));
        orders.Upsert(Order.New("o2", "open", "b"));
        string[]? seenElsewhere = null;

        store.InTransaction(() =>
        {
            orders.Upsert(Order.New("o1", "paid", "a"));
            orders.Upsert(Order.New("o3", "open", "c"));
            orders.Delete("o2");

            Assert.Equal("paid", orders.Get("o1")!.Status);
            Assert.Null(orders.Get("o2"));
            Assert.Equal(["o3"], Ids(orders.FindBy(nameof(Order.Status), "open")));
            Assert.Equal(["o1"], Ids(orders.FindBy(nameof(Order.Status), "paid")));
            Assert.Equal(["o1", "o3"], Ids(orders.All()));
            Assert.Equal(2, orders.Count());

            var reader = new Thread(() => seenElsewhere = Ids(orders.FindBy(nameof(Order.Status), "open")));
            reader.Start();
            reader.Join();
        });

        Assert.Equal(["o1", "o2"], seenElsewhere!); // another thread read what was committed before the unit
        Assert.Equal(["o3"], Ids(orders.FindBy(nameof(Order.Status), "open")));
    }

    [Fact]
    public void Documents_read_back_exactly_as_from_the_LiteDB_store()
    {
        var order = Order.New("o1", "open", "  spaced  ") with
        {
            Amount = 12.345m,
            Cents = long.MaxValue,
            At = new DateTime(2026, 12, 5, 9, 30, 15, 123, DateTimeKind.Utc),
            Lines = ["a", "", "c"],
            Note = null,
        };
        using var lite = new LiteDocumentStore(Path.Combine(_directory, "lite.db"));
        using var rocks = new RocksDocumentStore(StoreDirectory);
        lite.Collection<Order>("orders").Upsert(order);
        rocks.Collection<Order>("orders").Upsert(order);

        var fromLite = lite.Collection<Order>("orders").Get("o1")!;
        var fromRocks = rocks.Collection<Order>("orders").Get("o1")!;

        Assert.Equal(fromLite with { Lines = [] }, fromRocks with { Lines = [] });
        Assert.Equal(fromLite.Lines, fromRocks.Lines);
        Assert.Equal("  spaced  ", fromRocks.OutTradeNo);
        Assert.Equal(DateTimeKind.Utc, fromRocks.At.Kind);
    }

    [Fact]
    public void A_LiteDB_file_of_an_earlier_version_is_imported_once_with_its_indexes_and_then_set_aside()
    {
        using (var lite = new LiteDocumentStore(LiteFile))
        {
            var orders = lite.Collection<Order>("orders", nameof(Order.Status));
            orders.Upsert(Order.New("o1", "open", "a"));
            orders.Upsert(Order.New("o2", "paid", "b"));
            lite.Collection<Order>("other").Upsert(Order.New("x", "open", "c"));
        }

        using (var store = new RocksDocumentStore(StoreDirectory, importFrom: LiteFile))
        {
            var orders = store.Collection<Order>("orders", nameof(Order.Status));
            Assert.Equal(["o1"], Ids(orders.FindBy(nameof(Order.Status), "open")));
            Assert.Equal(["o1", "o2"], Ids(orders.All()));
            Assert.Equal("c", store.Collection<Order>("other").Get("x")!.OutTradeNo);
            orders.Upsert(Order.New("o3", "open", "d"));
        }

        Assert.False(File.Exists(LiteFile));
        Assert.True(File.Exists(LiteFile + ".imported"));

        using var reopened = new RocksDocumentStore(StoreDirectory, importFrom: LiteFile);
        Assert.Equal(["o1", "o3"], Ids(reopened.Collection<Order>("orders", nameof(Order.Status)).FindBy(nameof(Order.Status), "open")));
    }

    [Fact]
    public void An_import_cut_off_by_a_crash_is_begun_again_and_a_file_left_beside_a_finished_one_is_set_aside()
    {
        using (var lite = new LiteDocumentStore(LiteFile))
        {
            lite.Collection<Order>("orders").Upsert(Order.New("o1", "open", "a"));
        }

        Directory.CreateDirectory(StoreDirectory + ".importing");
        File.WriteAllText(Path.Combine(StoreDirectory + ".importing", "CURRENT"), "half a copy");

        using (var store = new RocksDocumentStore(StoreDirectory, importFrom: LiteFile))
        {
            Assert.Equal("a", store.Collection<Order>("orders").Get("o1")!.OutTradeNo);
        }

        Assert.False(Directory.Exists(StoreDirectory + ".importing"));

        // The copy was moved into place, then the crash came before the file was renamed: it is not imported again.
        File.Move(LiteFile + ".imported", LiteFile);
        using (var lite = new LiteDocumentStore(LiteFile))
        {
            lite.Collection<Order>("orders").Upsert(Order.New("o1", "changed after the import", "z"));
        }

        using var again = new RocksDocumentStore(StoreDirectory, importFrom: LiteFile);
        Assert.Equal("a", again.Collection<Order>("orders").Get("o1")!.OutTradeNo);
        Assert.False(File.Exists(LiteFile));
    }

    private static string[] Ids(IEnumerable<Order> orders) => [.. orders.Select(o => o.Id).Order(StringComparer.Ordinal)];

    public sealed record Order(string Id, string Status, string OutTradeNo) : IDocument
    {
        public decimal Amount { get; init; }

        public long Cents { get; init; }

        public DateTime At { get; init; }

        public IReadOnlyList<string> Lines { get; init; } = [];

        public string? Note { get; init; }

        public static Order New(string id, string status, string outTradeNo) => new(id, status, outTradeNo);
    }
}
