using System.Text.Json.Nodes;

namespace Harness.Sandbox.Alipay;

/// <summary>Alipay's refunds: <c>alipay.trade.refund</c> (partial or full, repeatable by <c>out_request_no</c>) and its query.</summary>
public sealed partial class AlipayProvider
{
    private Outcome RefundTrade(JsonObject biz)
    {
        if (AlipayTrade.ParseYuan(Text(biz, "refund_amount")) is not { } fen)
        {
            return AlipayFailure.InvalidParameter("refund_amount 必须是 0.01 到 100000000 之间、最多两位小数的金额");
        }

        var requestNo = Text(biz, "out_request_no");
        if (biz["out_request_no"] is not null && (requestNo is null || !AlipayTrade.IsMerchantNumber(requestNo)))
        {
            return AlipayFailure.InvalidParameter("out_request_no 只能是64位以内的字母、数字和下划线");
        }

        AlipayTrade trade;
        AlipayRefund refund;
        var (found, failure) = Find(biz);
        if (failure is not null)
        {
            return failure;
        }

        trade = found!;

        // Without out_request_no Alipay takes the whole trade as the request: one refund per trade.
        requestNo ??= trade.OutTradeNo;
        if (trade.Refunds.FirstOrDefault(r => r.OutRequestNo == requestNo) is { } earlier)
        {
            return earlier.AmountFen == fen
                ? new Outcome(RefundFields(trade, earlier, fundChange: false), null, trade)
                : AlipayFailure.Business("ACQ.DISCORDANT_REPEAT_REQUEST", "不一致的请求：同一退款请求号的退款金额不同");
        }

        if (trade.Status != AlipayTrade.TradeSuccess)
        {
            return AlipayFailure.Business("ACQ.TRADE_STATUS_ERROR", "交易状态不合法");
        }

        if (trade.RefundedFen + fen > trade.AmountFen)
        {
            return AlipayFailure.Business("ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "退款金额超限");
        }

        refund = new AlipayRefund { OutRequestNo = requestNo, AmountFen = fen, At = _context.Clock.GetUtcNow().UtcDateTime };
        trade.Refunds.Add(refund);
        trade.RefundedFen += fen;
        MoveBalance(-fen);
        if (trade.RefundedFen == trade.AmountFen)
        {
            CloseTrade(trade); // a full refund closes the trade
        }
        else
        {
            _trades.Upsert(trade);
        }

        SendNotify(trade, refund);
        return new Outcome(RefundFields(trade, refund, fundChange: true), null, trade);
    }

    private static JsonObject RefundFields(AlipayTrade trade, AlipayRefund refund, bool fundChange) => new()
    {
        ["trade_no"] = trade.Id,
        ["out_trade_no"] = trade.OutTradeNo,
        ["buyer_logon_id"] = trade.BuyerLogonId,
        ["fund_change"] = fundChange ? "Y" : "N",
        ["refund_fee"] = AlipayTrade.FormatYuan(trade.RefundedFen),
        ["gmt_refund_pay"] = AlipayTime.Format(refund.At),
        ["buyer_user_id"] = trade.BuyerId,
        ["send_back_fee"] = AlipayTrade.FormatYuan(refund.AmountFen),
    };

    private Outcome QueryRefund(JsonObject biz)
    {
        if (Text(biz, "out_request_no") is not { } requestNo || !AlipayTrade.IsMerchantNumber(requestNo))
        {
            return AlipayFailure.InvalidParameter("out_request_no 不能为空，且只能是64位以内的字母、数字和下划线");
        }

        var (trade, failure) = Find(biz);
        if (failure is not null)
        {
            return failure;
        }

        var fields = new JsonObject { ["trade_no"] = trade!.Id, ["out_trade_no"] = trade.OutTradeNo, ["out_request_no"] = requestNo };

        // A request number Alipay has no refund for answers without refund fields: "not refunded".
        if (trade.Refunds.FirstOrDefault(r => r.OutRequestNo == requestNo) is { } refund)
        {
            fields["total_amount"] = AlipayTrade.FormatYuan(trade.AmountFen);
            fields["refund_amount"] = AlipayTrade.FormatYuan(refund.AmountFen);
            fields["refund_status"] = "REFUND_SUCCESS";
            fields["gmt_refund_pay"] = AlipayTime.Format(refund.At);
        }

        return new Outcome(fields, null, trade);
    }
}
