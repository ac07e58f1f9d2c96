using Harness.Sandbox.Payments;
using Harness.Storage;

namespace Harness.Sandbox.Tests.Common;

/// <summary>The open payments by expiry, kept in memory for the expiry loop: what it answers always matches the store.</summary>
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

    private static SandboxPayment Open(string id, DateTime expiresAt) => new()
    {
        Id = id,
        Provider = "stripe",
        Status = PaymentStatus.Open,
        Amount = 100,
        Currency = "usd",
        Description = "test",
        CreatedAt = Noon.AddHours(-1),
        ExpiresAt = expiresAt,
    };
}
