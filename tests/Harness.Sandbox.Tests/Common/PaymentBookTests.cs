using Harness.Sandbox.Payments;
using Harness.Storage;

namespace Harness.Sandbox.Tests.Common;

/// <summary>
/// The payments' ordered indexes: the expiry loop's due payments and the control API's pages match the store, and a book
/// opened on a long history reads none of it.
/// </summary>
public sealed class PaymentBookTests : IDisposable
{
    private static readonly DateTime Noon = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    private readonly string _file = Path.Combine(Path.GetTempPath(), "harness-sandbox-tests", Guid.NewGuid().ToString("N") + ".db");
    private readonly LiteDocumentStore _store;

    public PaymentBookTests() => _store = new LiteDocumentStore(_file);

    public void Dispose()
    {
        _store.Dispose();
        File.Delete(_file);
    }

    [Fact]
    public void Only_open_payments_whose_expiry_has_come_are_due_earliest_first()
    {
        var book = new PaymentBook(_store);
        book.Add(Open("late", Noon.AddMinutes(30).AddTicks(1234))); // finer than the store keeps
        book.Add(Open("early", Noon.AddMinutes(10)));
        book.Add(Open("paid", Noon.AddMinutes(5)));
        book.Add(Open("future", Noon.AddHours(2)));
        Assert.True(book.TryClose("paid", PaymentStatus.Paid));

        Assert.Equal(["early", "late"], book.OpenDueForExpiry(Noon.AddHours(1)).Select(p => p.Id));
        Assert.Equal(Noon.AddMinutes(10), book.NextExpiry());

        Assert.True(book.TryClose("early", PaymentStatus.Expired));
        Assert.True(book.TryClose("late", PaymentStatus.Expired));
        Assert.Equal(Noon.AddHours(2), book.NextExpiry());
        Assert.False(book.TryClose("early", PaymentStatus.Expired));
    }

    [Fact]
    public void A_book_opened_later_on_the_same_store_knows_the_open_payments()
    {
        var before = new PaymentBook(_store);
        before.Add(Open("a", Noon));
        before.Add(Open("b", Noon.AddMinutes(1)));
        Assert.True(before.TryClose("a", PaymentStatus.Canceled));

        var after = new PaymentBook(_store);

        Assert.Equal(Noon.AddMinutes(1), after.NextExpiry());
        Assert.Equal(["b"], after.OpenDueForExpiry(Noon.AddHours(1)).Select(p => p.Id));
    }

    [Fact]
    public void A_payment_whose_unit_rolled_back_is_never_due_and_a_committed_one_is_announced_once()
    {
        var book = new PaymentBook(_store);
        var announced = new List<string>();
        book.Created += p => announced.Add(p.Id);

        Assert.Throws<InvalidOperationException>(() => _store.InTransaction(() =>
        {
            book.Add(Open("rolled-back", Noon));
            throw new InvalidOperationException("the create failed after the payment");
        }));
        _store.InTransaction(() => book.Add(Open("committed", Noon)));

        Assert.Equal(["committed"], announced);
        Assert.Equal(["committed"], book.OpenDueForExpiry(Noon).Select(p => p.Id));
    }

    [Fact]
    public void A_book_opened_on_many_open_payments_reads_none_of_them_and_hands_out_due_ones_a_batch_at_a_time()
    {
        var directory = Path.Combine(Path.GetTempPath(), "harness-sandbox-tests", Guid.NewGuid().ToString("N"));
        const int OpenCount = 20_000;
        try
        {
            using (var store = new RocksDocumentStore(directory))
            {
                var book = new PaymentBook(store);
                for (var batch = 0; batch < OpenCount / 1_000; batch++)
                {
                    store.InTransaction(() =>
                    {
                        for (var i = 0; i < 1_000; i++)
                        {
                            var n = (batch * 1_000) + i;
                            book.Add(Open("p" + n, Noon.AddSeconds(OpenCount - n)));
                        }
                    });
                }
            }

            using var reopened = new RocksDocumentStore(directory);
            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            var again = new PaymentBook(reopened);
            var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

            // Reading the open payments, as the book once did at every start, would allocate each one's document and object.
            Assert.InRange(allocated, 0, 1 << 20);
            Assert.Equal(Noon.AddSeconds(1), again.NextExpiry());
            var due = again.OpenDueForExpiry(Noon.AddDays(1));
            Assert.Equal(PaymentBook.ExpiryBatch, due.Count);
            Assert.Equal(Enumerable.Range(0, PaymentBook.ExpiryBatch).Select(i => "p" + (OpenCount - 1 - i)), due.Select(p => p.Id));
            Assert.Equal(["p19999", "p19998"], again.OpenDueForExpiry(Noon.AddSeconds(2)).Select(p => p.Id));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Payments_an_earlier_version_wrote_are_ordered_at_the_first_start_and_expire_as_before()
    {
        var directory = Path.Combine(Path.GetTempPath(), "harness-sandbox-tests", Guid.NewGuid().ToString("N"));
        try
        {
            using (var store = new RocksDocumentStore(directory))
            {
                // The earlier layout: no order keys in the documents, indexes on Provider and Status.
                var earlier = store.Collection<EarlierPayment>("payments", "Provider", "Status");
                earlier.Upsert(new EarlierPayment("late", "stripe", PaymentStatus.Open, Noon.AddHours(-2), Noon.AddMinutes(30)));
                earlier.Upsert(new EarlierPayment("early", "epay", PaymentStatus.Open, Noon.AddHours(-1), Noon.AddMinutes(10)));
                earlier.Upsert(new EarlierPayment("paid", "stripe", PaymentStatus.Paid, Noon.AddHours(-3), Noon.AddMinutes(5)));
            }

            using var reopened = new RocksDocumentStore(directory);
            var book = new PaymentBook(reopened);

            Assert.Equal(Noon.AddMinutes(10), book.NextExpiry());
            Assert.Equal(["early", "late"], book.OpenDueForExpiry(Noon.AddHours(1)).Select(p => p.Id));
            Assert.Equal(["paid", "late", "early"], book.Page(["stripe", "epay"], null, 10).Select(p => p.Id));
            Assert.True(book.TryClose("early", PaymentStatus.Expired));
            Assert.Equal(["late"], book.OpenDueForExpiry(Noon.AddHours(1)).Select(p => p.Id));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Pages_list_payments_oldest_first_with_ties_by_id_for_one_provider_or_several_merged()
    {
        var book = new PaymentBook(_store);
        book.Add(Open("b", Noon, "epay", Noon));
        book.Add(Open("a", Noon, "stripe", Noon));
        book.Add(Open("c", Noon, "stripe", Noon.AddTicks(1))); // the same millisecond as the store keeps it
        book.Add(Open("z", Noon, "stripe", Noon.AddMinutes(-1)));
        book.Add(Open("y", Noon, "epay", Noon.AddMinutes(1)));

        Assert.Equal(["z", "a", "b", "c", "y"], Walk("stripe", "epay", "creem"));
        Assert.Equal(["z", "a", "c"], Walk("stripe"));
        Assert.Equal(["b", "y"], Walk("epay"));
        Assert.Empty(Walk("creem"));

        List<string> Walk(params string[] providers)
        {
            var ids = new List<string>();
            SandboxPayment? after = null;
            while (book.Page(providers, after, 2) is { Count: > 0 } page)
            {
                ids.AddRange(page.Select(p => p.Id));
                after = page[^1];
            }

            return ids;
        }
    }

    /// <summary>A payment as the version before the order keys stored it.</summary>
    public sealed record EarlierPayment(string Id, string Provider, PaymentStatus Status, DateTime CreatedAt, DateTime ExpiresAt) : IDocument
    {
        public long Amount { get; init; } = 100;

        public string Currency { get; init; } = "usd";
    }

    private static SandboxPayment Open(string id, DateTime expiresAt, string provider = "stripe", DateTime? createdAt = null) => new()
    {
        Id = id,
        Provider = provider,
        Status = PaymentStatus.Open,
        Amount = 100,
        Currency = "usd",
        Description = "test",
        CreatedAt = createdAt ?? Noon.AddHours(-1),
        ExpiresAt = expiresAt,
    };
}
