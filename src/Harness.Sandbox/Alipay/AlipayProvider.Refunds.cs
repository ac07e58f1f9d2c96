using System.Text.Json.Nodes;

namespace Harness.Sandbox.Alipay;

/// <summary>
/// Alipay's refunds: <c>alipay.trade.refund</c> (partial or full, repeatable by <c>out_request_no</c>) and its query. A
/// refund draws on what the merchant still holds of the trade; beyond what 分账 left it, it takes money back from
/// receivers with <c>refund_royalty_parameters</c> (退分账).
/// </summary>
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

        var returns = new List<AlipayRoyaltyDetail>();
        if (biz["refund_royalty_parameters"] is { } returnList)
        {
            if (returnList is not JsonArray { Count: > 0 and <= 50 } items)
            {
                return AlipayFailure.InvalidParameter("refund_royalty_parameters 须为 1 到 50 项的数组");
            }

            foreach (var item in items)
            {
                var (detail, refused) = ReadRoyalty(item, outgoing: false);
                if (refused is not null)
                {
                    return refused;
                }

                returns.Add(detail!);
            }
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

        if (ReturnRoyalties(trade, returns, fen) is { } royaltyFailure)
        {
            return royaltyFailure;
        }

        refund = new AlipayRefund { OutRequestNo = requestNo, AmountFen = fen, At = _context.Clock.GetUtcNow().UtcDateTime };
        trade.Refunds.Add(refund);
        trade.RefundedFen += fen;
        MoveTradeMoney(trade, -fen);
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

    /// <summary>
    /// Takes the 退分账 of a refund of <paramref name="fen"/> back from its receivers into the trade (each at most what the
    /// receiver got from it), then checks the refund fits what the merchant holds of the trade; the refusal otherwise,
    /// with nothing changed.
    /// </summary>
    private AlipayFailure? ReturnRoyalties(AlipayTrade trade, List<AlipayRoyaltyDetail> returns, long fen)
    {
        var settled = _settles.FindBy(nameof(AlipaySettle.TradeNo), trade.Id).SelectMany(s => s.Details).Where(d => d.State == AlipayRoyaltyDetail.Success).ToList();
        foreach (var receiver in returns.GroupBy(r => AlipayRoyaltyReceiver.KeyOf(r.ReceiverType, r.Receiver)))
        {
            var got = settled.Where(d => AlipayRoyaltyReceiver.KeyOf(d.ReceiverType, d.Receiver) == receiver.Key).Sum(d => d.AmountFen)
                - trade.RoyaltyReturns.Where(d => AlipayRoyaltyReceiver.KeyOf(d.ReceiverType, d.Receiver) == receiver.Key).Sum(d => d.AmountFen);
            if (receiver.Sum(r => r.AmountFen) > got)
            {
                return AlipayFailure.Business("ACQ.ALLOC_AMOUNT_VALIDATE_ERROR", $"退分账金额超限：{receiver.First().Receiver} 从该交易分得 {AlipayTrade.FormatYuan(got)}");
            }
        }

        var returned = returns.Sum(r => r.AmountFen);
        if (fen > trade.UnsettledFen + returned)
        {
            return AlipayFailure.Business("ACQ.SELLER_BALANCE_NOT_ENOUGH", $"卖家余额不足：该交易已分账 {AlipayTrade.FormatYuan(trade.SettledFen)}，超出未分账部分的退款须用 refund_royalty_parameters 退分账");
        }

        var now = _context.Clock.GetUtcNow();
        foreach (var detail in returns)
        {
            detail.DetailId = NewDetailId(now);
            detail.At = now.UtcDateTime;
            trade.RoyaltyReturns.Add(detail);
        }

        trade.SettledFen -= returned;
        MoveTradeMoney(trade, returned);
        return null;
    }
}
