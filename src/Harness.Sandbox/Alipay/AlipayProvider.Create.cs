using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Alipay;

/// <summary>
/// <c>alipay.trade.create</c> (统一收单交易创建接口), the JSAPI / mini-program payment: the merchant names the buyer
/// (<c>buyer_id</c> or <c>buyer_open_id</c>), the trade exists at once waiting for payment, and the mini program hands
/// its <c>trade_no</c> to <c>my.tradePay</c>, which the hosted pay page plays. Also the repeat rules every creating
/// method shares: the same <c>out_trade_no</c> again answers the same open trade or Alipay's refusal.
/// </summary>
public sealed partial class AlipayProvider
{
    public const string TradeCreate = "alipay.trade.create";

    /// <summary>create also takes 当面付's product code, which older integrations of it send; pay takes the deduction codes.</summary>
    private static bool AcceptsProductCode(string method, string productCode) =>
        productCode == ProductCodes[method] || (method == TradeCreate && productCode == ProductCodes[Precreate])
        || (method == BarcodePay && productCode is WithholdingProduct or CyclePayProduct);

    private Outcome CreateForBuyer(JsonObject biz, string notifyUrl)
    {
        var buyerId = Text(biz, "buyer_id");
        var openId = Text(biz, "buyer_open_id");
        if ((biz["buyer_id"] is not null && (buyerId is null || !BuyerIdText().IsMatch(buyerId)))
            || (biz["buyer_open_id"] is not null && openId is not { Length: > 0 and <= 128 }))
        {
            return AlipayFailure.InvalidParameter("buyer_id 是2088开头的16位数字，buyer_open_id 最长128个字符");
        }

        if (buyerId is null && openId is null)
        {
            return AlipayFailure.InvalidParameter("buyer_id 和 buyer_open_id 不能同时为空");
        }

        if (biz["op_app_id"] is not null && (Text(biz, "op_app_id") is not { } opAppId || !AppIdText().IsMatch(opAppId)))
        {
            return AlipayFailure.InvalidParameter("op_app_id 是最长32位的数字应用ID");
        }

        var earlier = Text(biz, "out_trade_no") is { } outTradeNo && _trades.FindBy(nameof(AlipayTrade.OutTradeNo), outTradeNo) is [var found, ..] ? found : null;
        var created = Create(TradeCreate, biz, notifyUrl, "");
        if (created.Failure is not null)
        {
            return created;
        }

        var trade = created.Trade!;
        if (earlier is not null)
        {
            if (earlier.Method != TradeCreate)
            {
                return AlipayFailure.Business("ACQ.CONTEXT_INCONSISTENT", $"交易信息被篡改：该 out_trade_no 已用于 {earlier.Method}");
            }

            return earlier.BuyerId == (buyerId ?? "") && earlier.BuyerOpenId == (openId ?? "")
                ? created
                : AlipayFailure.Business("ACQ.TRADE_BUYER_NOT_MATCH", "交易买家不匹配");
        }

        trade.BuyerId = buyerId ?? "";
        trade.BuyerOpenId = openId ?? "";
        _trades.Upsert(trade);
        return created;
    }

    /// <summary>The same out_trade_no again: the same open trade when nothing changed, otherwise Alipay's refusal.</summary>
    private Outcome Reopen(AlipayTrade existing, long fen, string subject)
    {
        if (existing.Status is AlipayTrade.TradeSuccess or AlipayTrade.TradeFinished)
        {
            return AlipayFailure.Business("ACQ.TRADE_HAS_SUCCESS", "交易已被支付");
        }

        if (existing.Status == AlipayTrade.TradeClosed || _context.Payments.Get(existing.Id)?.Status != PaymentStatus.Open)
        {
            return AlipayFailure.Business("ACQ.TRADE_HAS_CLOSE", "交易已经关闭");
        }

        return existing.AmountFen == fen && existing.Subject == subject
            ? Created(existing)
            : AlipayFailure.Business("ACQ.CONTEXT_INCONSISTENT", "交易信息被篡改");
    }

    private Outcome Created(AlipayTrade trade)
    {
        var fields = new JsonObject { ["out_trade_no"] = trade.OutTradeNo };
        if (trade.Method == Precreate)
        {
            fields["qr_code"] = _context.PayPageUrl(trade.Id);
        }
        else if (trade.Method == TradeCreate)
        {
            fields["trade_no"] = trade.Id;
        }

        return new Outcome(fields, null, trade);
    }

    [GeneratedRegex("^2088[0-9]{12}$")]
    private static partial Regex BuyerIdText();

    [GeneratedRegex("^[0-9]{1,32}$")]
    private static partial Regex AppIdText();
}
