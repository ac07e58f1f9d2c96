using Harness.Storage;
using LiteDB;

namespace Harness.Tests.Mechanisms;

/// <summary>Ids and indexed look-ups match clients' strings exactly, in new stores and in stores written before.</summary>
public sealed class OrdinalIdsTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "harness-tests", Guid.NewGuid().ToString("N"));

    private string File_ => Path.Combine(_directory, "store.db");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Ids_and_indexed_fields_differing_only_in_case_are_different()
    {
        using var store = new LiteDocumentStore(File_);
        var orders = store.Collection<Order>("orders", nameof(Order.OutTradeNo));

        Assert.True(orders.TryInsert(new Order("abc", "Order1", "first")));
        Assert.True(orders.TryInsert(new Order("ABC", "ORDER1", "second")));

        Assert.Equal("first", orders.Get("abc")!.Text);
        Assert.Equal("second", orders.Get("ABC")!.Text);
        Assert.Null(orders.Get("Abc"));
        Assert.Equal("first", Assert.Single(orders.FindBy(nameof(Order.OutTradeNo), "Order1")).Text);
        Assert.Empty(orders.FindBy(nameof(Order.OutTradeNo), "order1"));
    }

    [Fact]
    public void A_store_written_with_the_old_case_blind_collation_is_copied_whole_into_an_ordinal_one_at_open()
    {
        WriteCaseBlindStore(("abc", "Order1", "first"), ("xyz", "Order2", "second"));

        using (var store = new LiteDocumentStore(File_))
        {
            var orders = store.Collection<Order>("orders", nameof(Order.OutTradeNo));
            Assert.Equal(["abc", "xyz"], orders.All().Select(o => o.Id).Order(StringComparer.Ordinal));
            Assert.Equal("second", Assert.Single(orders.FindBy(nameof(Order.OutTradeNo), "Order2")).Text);
            Assert.Null(orders.Get("ABC"));
            Assert.True(orders.TryInsert(new Order("ABC", "ORDER1", "third")));
            Assert.Empty(orders.FindBy(nameof(Order.OutTradeNo), "order2"));
        }

        Assert.Equal(["store-log.db", "store.db"], Directory.GetFiles(_directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.False(OrdinalUpgrade.Run(File_, LogOf(File_), new BsonMapper())); // once is enough
        using var reopened = new LiteDocumentStore(File_);
        Assert.Equal(3, reopened.Collection<Order>("orders", nameof(Order.OutTradeNo)).Count());
        Assert.Equal("third", reopened.Collection<Order>("orders", nameof(Order.OutTradeNo)).Get("ABC")!.Text);
    }

    [Fact]
    public void An_upgrade_cut_off_before_it_replaced_the_store_is_begun_again()
    {
        WriteCaseBlindStore(("abc", "Order1", "first"));
        File.WriteAllBytes(File_ + ".ordinal", [1, 2, 3]); // a copy the crash left half-written
        File.WriteAllBytes(LogOf(File_) + ".ordinal", [4, 5, 6]);

        using var store = new LiteDocumentStore(File_);

        Assert.Equal("first", store.Collection<Order>("orders", nameof(Order.OutTradeNo)).Get("abc")!.Text);
        Assert.True(store.Collection<Order>("orders", nameof(Order.OutTradeNo)).TryInsert(new Order("ABC", "x", "y")));
        Assert.False(File.Exists(File_ + ".ordinal"));
    }

    private void WriteCaseBlindStore(params (string Id, string OutTradeNo, string Text)[] orders)
    {
        Directory.CreateDirectory(_directory);
        using var database = new LiteDatabase(new ConnectionString { Filename = File_ }); // LiteDB's default collation ignores case
        Assert.Equal(System.Globalization.CompareOptions.IgnoreCase, database.Collation.SortOptions);
        var collection = database.GetCollection("orders");
        collection.EnsureIndex(nameof(Order.OutTradeNo), "$." + nameof(Order.OutTradeNo));
        foreach (var (id, outTradeNo, text) in orders)
        {
            collection.Insert(new BsonDocument { ["_id"] = id, [nameof(Order.OutTradeNo)] = outTradeNo, [nameof(Order.Text)] = text });
        }

        Assert.Throws<LiteException>(() => collection.Insert(new BsonDocument { ["_id"] = orders[0].Id.ToUpperInvariant() }));
    }

    private static string LogOf(string dataFile) => Path.Combine(Path.GetDirectoryName(dataFile)!, "store-log.db");

    public sealed record Order(string Id, string OutTradeNo, string Text) : IDocument;
}
