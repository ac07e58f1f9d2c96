using System.Globalization;
using System.Text.Json.Nodes;
using Harness.Sandbox.Delivery;
using Harness.Security;
using Harness.Storage;

namespace Harness.Sandbox.Alipay;

/// <summary>
/// 交易分账: <c>alipay.trade.order.settle</c> moves part of a paid trade to bound receivers (from its frozen money when
/// the trade was created with <c>royalty_freeze</c>), <c>royalty_finish</c> unfreezes the rest, and
/// <c>alipay.trade.order.settle.query</c> and <c>alipay.trade.order.onsettle.query</c> read what was settled and what
/// is left. Each settle changes the trade, the balance, the settle and its notify in the caller's store unit.
/// </summary>
public sealed partial class AlipayProvider
{
    public const string OrderSettle = "alipay.trade.order.settle";
    public const string SettleQuery = "alipay.trade.order.settle.query";
    public const string OnsettleQuery = "alipay.trade.order.onsettle.query";

    private const string SyncMode = "sync";
    private const string AsyncMode = "async";

    private readonly IDocumentCollection<AlipaySettle> _settles;

    private Outcome Settle(JsonObject biz)
    {
        if (Text(biz, "out_request_no") is not { } requestNo || !AlipayTrade.IsMerchantNumber(requestNo))
        {
            return AlipayFailure.InvalidParameter("结算请求号不能为空，且只能是64位以内的字母、数字和下划线");
        }

        if (Text(biz, "trade_no") is not { } tradeNo || !AlipayTrade.IsMerchantNumber(tradeNo))
        {
            return AlipayFailure.InvalidParameter("trade_no 不能为空");
        }

        var mode = biz["royalty_mode"] is null ? SyncMode : Text(biz, "royalty_mode");
        if (mode is not (SyncMode or AsyncMode))
        {
            return AlipayFailure.InvalidParameter("royalty_mode 只能是 sync 或 async");
        }

        if (ExtendFlag(biz, "royalty_finish") is not { } finish)
        {
            return AlipayFailure.InvalidParameter("extend_params 须为 JSON 对象，其中 royalty_finish 只能是 true 或 false");
        }

        // Alipay takes 5 receivers in a synchronous settle and 50 in an asynchronous one; an empty list only finishes.
        var most = mode == SyncMode ? 5 : 50;
        if (biz["royalty_parameters"] is not JsonArray list || list.Count > most || (list.Count == 0 && !finish))
        {
            return AlipayFailure.InvalidParameter($"royalty_parameters 不能为空（仅完结分账时可为空数组），{mode} 模式一次最多 {most} 个分账收款方");
        }

        var details = new List<AlipayRoyaltyDetail>();
        foreach (var item in list)
        {
            var (detail, refused) = ReadRoyalty(item, outgoing: true);
            if (refused is not null)
            {
                return refused;
            }

            details.Add(detail!);
        }

        if (_trades.Get(tradeNo) is not { Exists: true } trade)
        {
            return AlipayFailure.TradeNotExist();
        }

        var fingerprint = $"{list.ToJsonString()}|{finish}|{mode}";
        if (_settles.FindBy(nameof(AlipaySettle.RequestKey), AlipaySettle.KeyOf(tradeNo, requestNo)) is [var earlier, ..])
        {
            return earlier.Fingerprint == fingerprint
                ? Settled(trade, earlier)
                : AlipayFailure.Business("ACQ.DISCORDANT_REPEAT_REQUEST", "请求信息不一致：同一结算请求号的分账明细不同");
        }

        if (trade.Status is not (AlipayTrade.TradeSuccess or AlipayTrade.TradeFinished))
        {
            return AlipayFailure.Business("ACQ.TRADE_STATUS_ERROR", "交易状态不合法：只有支付成功的交易才能分账");
        }

        if (trade.RoyaltyFinished)
        {
            return AlipayFailure.Business("ACQ.TRADE_SETTLE_ERROR", "分账处理失败：该交易已完结分账，不能再分账");
        }

        if (trade.RoyaltyMode.Length > 0 && trade.RoyaltyMode != mode)
        {
            return AlipayFailure.InvalidParameter("同一笔交易的同步分账和异步分账不能混用");
        }

        if (details.FirstOrDefault(d => _receivers.Get(AlipayRoyaltyReceiver.KeyOf(d.ReceiverType, d.Receiver)) is null) is { } unbound)
        {
            return AlipayFailure.Business("ACQ.ROYALTY_RECEIVER_INVALID", $"收入方 {unbound.Receiver} 不在分账关系内：先用 {RoyaltyBind} 绑定");
        }

        // What may still be settled: the merchant's share of the trade up to max_ratio, and never more than it still holds.
        var total = details.Sum(d => d.AmountFen);
        var settleable = Math.Max(0, Math.Min(trade.UnsettledFen, (trade.AmountFen * MaxRatio() / 100) - trade.SettledFen));
        if (total > settleable)
        {
            return AlipayFailure.Business("ACQ.ALLOC_AMOUNT_VALIDATE_ERROR", $"分账金额超过最大可分账金额 {AlipayTrade.FormatYuan(settleable)}");
        }

        var now = _context.Clock.GetUtcNow();
        foreach (var detail in details)
        {
            detail.DetailId = NewDetailId(now);
            detail.At = now.UtcDateTime;
            detail.State = mode == AsyncMode && OutcomeReceivers.ContainsKey(detail.Receiver) ? AlipayRoyaltyDetail.Processing : AlipayRoyaltyDetail.Success;
        }

        var settle = new AlipaySettle
        {
            Id = now.ToOffset(AlipayTime.China).ToString("yyyyMMdd", CultureInfo.InvariantCulture) + "0025300" + Digits(17),
            TradeNo = trade.Id,
            OutRequestNo = requestNo,
            Mode = mode,
            Finish = finish,
            Fingerprint = fingerprint,
            At = now.UtcDateTime,
            Details = details,
            CompletesAt = details.Any(d => d.State == AlipayRoyaltyDetail.Processing) ? now.UtcDateTime + SettleProcessingTime : null,
        };
        MoveTradeMoney(trade, -total);
        trade.SettledFen += total;
        trade.RoyaltyMode = mode;
        if (finish)
        {
            // 分账完结: what the merchant still holds of the trade is unfrozen into its available balance.
            if (trade.HoldsFrozen)
            {
                MoveBalance(trade.UnsettledFen, -trade.UnsettledFen);
            }

            trade.RoyaltyFinished = true;
        }

        _trades.Upsert(trade);
        _settles.Upsert(settle);
        // An async settle is announced once every detail has its outcome: now, or when the processing ones end.
        if (mode == AsyncMode && settle.CompletesAt is null)
        {
            SendSettleNotify(settle);
        }

        return Settled(trade, settle);
    }

    private static Outcome Settled(AlipayTrade trade, AlipaySettle settle) =>
        new(new JsonObject { ["trade_no"] = trade.Id, ["settle_no"] = settle.Id }, null, trade);

    /// <summary>
    /// One entry of royalty_parameters (<paramref name="outgoing"/>: a 分账 to trans_in) or of refund_royalty_parameters
    /// (a 退分账 from trans_out): the receiver and its amount, or the refusal.
    /// </summary>
    private static (AlipayRoyaltyDetail? Detail, AlipayFailure? Failure) ReadRoyalty(JsonNode? item, bool outgoing)
    {
        var field = outgoing ? "royalty_parameters" : "refund_royalty_parameters";
        if (item is not JsonObject entry)
        {
            return (null, AlipayFailure.InvalidParameter($"{field} 的每一项须为 JSON 对象"));
        }

        if (entry["royalty_type"] is not null && Text(entry, "royalty_type") != AlipayRoyaltyDetail.Transfer)
        {
            return (null, AlipayFailure.InvalidParameter($"{field}.royalty_type: only transfer (普通分账) is simulated by the sandbox; replenish (补差) is not simulated by the sandbox"));
        }

        if (entry["amount_percentage"] is not null)
        {
            return (null, AlipayFailure.InvalidParameter($"{field}.amount_percentage is not simulated by the sandbox: give amount in yuan"));
        }

        // The merchant is the payer of a 分账 and the payee of a 退分账: it may be named, as itself only.
        var merchantSide = outgoing ? "trans_out" : "trans_in";
        if (entry[merchantSide] is not null && (Text(entry, merchantSide) != SellerId || (entry[merchantSide + "_type"] is not null && Text(entry, merchantSide + "_type") != "userId")))
        {
            return (null, AlipayFailure.InvalidParameter($"{field}.{merchantSide} 只能是本商户的 userId {SellerId}"));
        }

        var side = outgoing ? "trans_in" : "trans_out";
        var type = entry[side + "_type"] is null ? "userId" : Text(entry, side + "_type");
        if (type == "cardAliasNo")
        {
            return (null, AlipayFailure.InvalidParameter($"{field}.{side}_type cardAliasNo (分账到卡) is not simulated by the sandbox"));
        }

        if (type is null || !ReceiverTypes.Contains(type) || Text(entry, side) is not { } account || !IsReceiverAccount(type, account))
        {
            return (null, AlipayFailure.InvalidParameter($"{field}.{side} 不能为空，{side}_type 只能是 userId、loginName 或 openId"));
        }

        if (AlipayTrade.ParseYuan(Text(entry, "amount")) is not { } fen)
        {
            return (null, AlipayFailure.InvalidParameter($"{field}.amount 必须是 0.01 到 100000000 之间、最多两位小数的金额"));
        }

        var desc = entry["desc"] is null ? "" : Text(entry, "desc");
        if (desc is not { Length: <= 1000 } || (entry["royalty_scene"] is not null && Text(entry, "royalty_scene") is not { Length: <= 64 }))
        {
            return (null, AlipayFailure.InvalidParameter($"{field}.desc 最长1000个字符，royalty_scene 最长64个字符"));
        }

        return (new AlipayRoyaltyDetail
        {
            OperationType = outgoing ? AlipayRoyaltyDetail.Transfer : AlipayRoyaltyDetail.TransferRefund,
            Receiver = account,
            ReceiverType = type,
            AmountFen = fen,
            Desc = desc,
        }, null);
    }

    private Outcome QuerySettle(JsonObject biz)
    {
        AlipaySettle? settle;
        if (Text(biz, "settle_no") is { } settleNo)
        {
            settle = _settles.Get(settleNo);
        }
        else if (Text(biz, "out_request_no") is { } requestNo && Text(biz, "trade_no") is { } tradeNo)
        {
            settle = _settles.FindBy(nameof(AlipaySettle.RequestKey), AlipaySettle.KeyOf(tradeNo, requestNo)) is [var found, ..] ? found : null;
        }
        else
        {
            return AlipayFailure.InvalidParameter("settle_no 和 out_request_no+trade_no 不能同时为空");
        }

        if (settle is null)
        {
            return AlipayFailure.Business("ACQ.TRADE_NOT_EXIST", "分账单据不存在");
        }

        var list = new JsonArray();
        foreach (var detail in settle.Details)
        {
            list.Add(DetailFields(detail, amountFen: detail.AmountFen));
        }

        return new Outcome(new JsonObject
        {
            ["out_request_no"] = settle.OutRequestNo,
            ["operation_dt"] = AlipayTime.Format(settle.At),
            ["royalty_detail_list"] = list,
        }, null);
    }

    /// <summary>One royalty_detail as the query and the notify give it, with error_code and error_desc when it failed.</summary>
    internal static JsonObject DetailFields(AlipayRoyaltyDetail detail, long amountFen)
    {
        var fields = new JsonObject
        {
            ["operation_type"] = detail.OperationType,
            ["execute_dt"] = AlipayTime.Format(detail.At),
            ["trans_out"] = detail.OperationType == AlipayRoyaltyDetail.Transfer ? SellerId : detail.Receiver,
            ["trans_out_type"] = detail.OperationType == AlipayRoyaltyDetail.Transfer ? "userId" : detail.ReceiverType,
            ["trans_in"] = detail.OperationType == AlipayRoyaltyDetail.Transfer ? detail.Receiver : SellerId,
            ["trans_in_type"] = detail.OperationType == AlipayRoyaltyDetail.Transfer ? detail.ReceiverType : "userId",
            ["amount"] = AlipayTrade.FormatYuan(amountFen),
            ["state"] = detail.State,
            ["detail_id"] = detail.DetailId,
        };
        if (detail.State == AlipayRoyaltyDetail.Fail)
        {
            fields["error_code"] = detail.ErrorCode;
            fields["error_desc"] = detail.ErrorDesc;
        }

        return fields;
    }

    private Outcome QueryUnsettled(JsonObject biz)
    {
        if (Text(biz, "trade_no") is not { } tradeNo || !AlipayTrade.IsMerchantNumber(tradeNo) || RequestNumber(biz) is not null)
        {
            return AlipayFailure.InvalidParameter("trade_no 和 out_request_no 不能为空");
        }

        if (_trades.Get(tradeNo) is not { Exists: true } trade)
        {
            return AlipayFailure.TradeNotExist();
        }

        // Once 分账 is finished nothing is left to settle.
        var unsettled = trade.RoyaltyFinished ? 0 : trade.UnsettledFen;
        return new Outcome(new JsonObject { ["unsettled_amount"] = AlipayTrade.FormatYuan(unsettled) }, null, trade);
    }

    /// <summary>
    /// <c>alipay.trade.order.settle.notify</c> (交易分账结果通知) for an asynchronous settle, a 消息服务 message to the app's
    /// gateway (the <c>webhook_url</c> setting), queued in the settle's unit on the trade notifies' schedule.
    /// </summary>
    private void SendSettleNotify(AlipaySettle settle)
    {
        var url = _context.Settings.Get(Name, ProviderSettings.WebhookUrl);
        if (string.IsNullOrEmpty(url))
        {
            return;
        }

        var notifyId = Secrets.RandomHex(16);
        _context.Notifier.Send(Name, settle.Id, Policy, faults => [Notices.SettleNotify(settle, url, notifyId, faults)]);
    }

    private static string NewDetailId(DateTimeOffset now) =>
        now.ToOffset(AlipayTime.China).ToString("yyyyMMdd", CultureInfo.InvariantCulture) + Digits(20);
}
