using System.Globalization;
using System.Security.Cryptography;
using Harness.Storage;

namespace Harness.Finance.Payments;

/// <summary>The payment orders, by <c>outTradeNo</c>, by user and by business order number.</summary>
public sealed class PaymentOrders(IDocumentStore store)
{
    private readonly IDocumentCollection<PaymentOrder> _orders =
        store.Collection<PaymentOrder>("payment_orders", nameof(PaymentOrder.UserId), nameof(PaymentOrder.BizOrderNo));

    public PaymentOrder? Get(string outTradeNo) => _orders.Get(outTradeNo);

    /// <summary>The recharge (or business) order <paramref name="bizOrderNo"/> of <paramref name="userId"/>.</summary>
    public PaymentOrder? OfBizOrder(string userId, string bizType, string bizOrderNo) =>
        _orders.FindBy(nameof(PaymentOrder.BizOrderNo), bizOrderNo).FirstOrDefault(o => o.UserId == userId && o.BizType == bizType);

    public IReadOnlyList<PaymentOrder> OfUser(string userId) => _orders.FindBy(nameof(PaymentOrder.UserId), userId);

    public IReadOnlyList<PaymentOrder> All() => _orders.All();

    /// <summary>Inserts a new order; false when its number is taken.</summary>
    public bool TryAdd(PaymentOrder order) => _orders.TryInsert(order);

    public void Save(PaymentOrder order) => _orders.Upsert(order);

    /// <summary>
    /// <c>{prefix}{yyyyMMddHHmmss}{8 random digits}</c>: 24 characters of letters and digits, inside both WeChat Pay's
    /// (6–32) and Alipay's (up to 64) limits for <c>out_trade_no</c>.
    /// </summary>
    public static string NewNumber(string prefix, DateTimeOffset now) =>
        prefix + now.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture)
        + RandomNumberGenerator.GetInt32(0, 100_000_000).ToString("D8", CultureInfo.InvariantCulture);
}
