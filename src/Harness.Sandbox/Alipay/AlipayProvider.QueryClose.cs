using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Alipay;

/// <summary><c>alipay.trade.query</c> and <c>alipay.trade.close</c>: what a trade looks like to the merchant, and closing one not paid.</summary>
public sealed partial class AlipayProvider
{
    private Outcome QueryTrade(JsonObject biz)
    {
        var (trade, failure) = Find(biz);
        if (failure is not null)
        {
            return failure;
        }

        return new Outcome(QueryFields(trade!), null, trade);
    }

    /// <summary>What <c>alipay.trade.query</c> answers for the trade.</summary>
    private static JsonObject QueryFields(AlipayTrade trade)
    {
        var paid = trade.GmtPayment is not null;
        var paidAmount = AlipayTrade.FormatYuan(paid ? trade.AmountFen : 0);
        var fields = new JsonObject
        {
            ["trade_no"] = trade.Id,
            ["out_trade_no"] = trade.OutTradeNo,
            ["buyer_logon_id"] = trade.BuyerLogonId,
            ["trade_status"] = trade.Status,
            ["total_amount"] = AlipayTrade.FormatYuan(trade.AmountFen),
            ["buyer_pay_amount"] = paidAmount,
            ["point_amount"] = "0.00",
            ["invoice_amount"] = paidAmount,
            ["receipt_amount"] = paidAmount,
            ["buyer_user_id"] = trade.BuyerId,
        };
        if (trade.BuyerOpenId.Length > 0)
        {
            fields["buyer_open_id"] = trade.BuyerOpenId;
        }

        if (paid)
        {
            fields["send_pay_date"] = AlipayTime.Format(trade.GmtPayment!.Value);
            fields["fund_bill_list"] = new JsonArray(new JsonObject { ["fund_channel"] = "ALIPAYACCOUNT", ["amount"] = AlipayTrade.FormatYuan(trade.AmountFen) });
        }

        return fields;
    }

    private Outcome CloseByMerchant(JsonObject biz)
    {
        AlipayTrade trade;
        var (found, failure) = Find(biz);
        if (failure is not null)
        {
            return failure;
        }

        trade = found!;
        // The buyer may have paid a moment ago, the core settling it before this provider heard.
        var paying = trade.Status == AlipayTrade.WaitBuyerPay && !_context.Payments.TryClose(trade.Id, PaymentStatus.Canceled)
            && _context.Payments.Get(trade.Id)?.Status == PaymentStatus.Paid;
        if (paying || trade.Status is AlipayTrade.TradeSuccess or AlipayTrade.TradeFinished)
        {
            return AlipayFailure.Business("ACQ.TRADE_STATUS_ERROR", "交易状态不合法");
        }

        if (trade.Status == AlipayTrade.TradeClosed)
        {
            return new Outcome(new JsonObject { ["trade_no"] = trade.Id, ["out_trade_no"] = trade.OutTradeNo }, null, trade);
        }

        CloseTrade(trade);

        SendNotify(trade, refund: null);
        return new Outcome(new JsonObject { ["trade_no"] = trade.Id, ["out_trade_no"] = trade.OutTradeNo }, null, trade);
    }
}
