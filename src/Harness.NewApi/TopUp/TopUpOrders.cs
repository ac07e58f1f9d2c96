using System.Text.Json.Serialization;
using Harness.Storage;

namespace Harness.NewApi.TopUp;

/// <summary>A top-up order (upstream's <c>top_ups</c> row), as stored and as listed.</summary>
public sealed class TopUpOrder : IDocument
{
    /// <summary>The trade number, the document's key.</summary>
    [JsonIgnore]
    public string Id { get; set; } = "";

    [JsonPropertyName("id")]
    public int Number { get; set; }

    [JsonPropertyName("user_id")]
    public int UserId { get; set; }

    /// <summary>Epay: the USD units asked for; credited as amount × 500,000 quota.</summary>
    [JsonPropertyName("amount")]
    public long Amount { get; set; }

    /// <summary>What the user pays, in the gateway's currency.</summary>
    [JsonPropertyName("money")]
    public decimal Money { get; set; }

    [JsonPropertyName("trade_no")]
    public string TradeNo { get; set; } = "";

    [JsonPropertyName("payment_method")]
    public string PaymentMethod { get; set; } = "";

    [JsonPropertyName("payment_provider")]
    public string PaymentProvider { get; set; } = "";

    [JsonPropertyName("create_time")]
    public long CreateTime { get; set; }

    [JsonPropertyName("complete_time")]
    public long CompleteTime { get; set; }

    /// <summary><c>pending</c>, <c>success</c>, <c>failed</c>, <c>expired</c>.</summary>
    [JsonPropertyName("status")]
    public string Status { get; set; } = "pending";

    /// <summary>Set before the credit is posted: after a crash the ledger tells whether it was.</summary>
    [JsonIgnore]
    public bool CreditStarted { get; set; }
}

public sealed class TopUpOrders
{
    private readonly IDocumentCollection<TopUpOrder> _orders;
    private readonly object _numbering = new();
    private int _last;

    public TopUpOrders(IDocumentStore store)
    {
        _orders = store.Collection<TopUpOrder>("newapi_topups");
        _last = _orders.All().Select(o => o.Number).DefaultIfEmpty(0).Max();
    }

    public TopUpOrder? Find(string tradeNo) => _orders.Get(tradeNo);

    public TopUpOrder Add(TopUpOrder order)
    {
        lock (_numbering)
        {
            order.Number = ++_last;
        }

        order.Id = order.TradeNo;
        _orders.Upsert(order);
        return order;
    }

    public void Save(TopUpOrder order) => _orders.Upsert(order);

    /// <summary>Orders newest first, the user's own or everyone's, whose trade number contains <paramref name="keyword"/>.</summary>
    public IReadOnlyList<TopUpOrder> List(int? userId, string keyword) =>
    [
        .. _orders.All()
            .Where(o => (userId is null || o.UserId == userId) && (keyword.Length == 0 || o.TradeNo.Contains(keyword, StringComparison.Ordinal)))
            .OrderByDescending(o => o.Number),
    ];
}
