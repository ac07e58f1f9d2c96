using Harness.Storage;

namespace Harness.Sandbox.Alipay;

/// <summary>
/// What happens to 分账 after the call, on the sandbox clock: the details of an <c>async</c> settle to the test receivers
/// stay PROCESSING for <see cref="SettleProcessingTime"/>, then end SUCCESS or FAIL (a failed amount goes back to what
/// the merchant holds of the trade, frozen or available, in the unit that ends it, with the settle notify); and a trade
/// frozen for 分账 (<c>royalty_freeze</c>) that the platform never finished is unfrozen 30 days after payment.
/// </summary>
public sealed partial class AlipayProvider
{
    /// <summary>The test receivers (the sandbox's choice; Alipay publishes none): account → the error a FAIL ends with, or null for SUCCESS.</summary>
    internal static readonly IReadOnlyDictionary<string, (string Code, string Desc)?> OutcomeReceivers = new Dictionary<string, (string, string)?>(StringComparer.Ordinal)
    {
        ["2088000000000502"] = null,
        ["2088000000000503"] = ("TXN_RESULT_ACCOUNT_STATUS_NOT_VALID", "分账收款方账户状态异常"),
        ["2088000000000504"] = ("TXN_RESULT_ACCOUNT_BALANCE_NOT_ENOUGH", "分账余额不足"),
    };

    /// <summary>How long an async detail to a test receiver processes before it ends.</summary>
    public static readonly TimeSpan SettleProcessingTime = TimeSpan.FromMinutes(1);

    /// <summary>How many due settles or frozen trades are read at a time.</summary>
    private const int RoyaltyBatch = 500;

    private DateTimeOffset? NextRoyaltyDueAt() => new[]
    {
        DueDocuments.Earliest(_settles, nameof(AlipaySettle.CompleteOrder), s => s.CompleteOrder),
        DueDocuments.Earliest(_trades, nameof(AlipayTrade.UnfreezeOrder), t => t.UnfreezeOrder),
    }.Min();

    private void RunRoyaltyDue(DateTime now, CancellationToken cancellationToken)
    {
        DueDocuments.Run(_context.Store, _settles, nameof(AlipaySettle.CompleteOrder), now, RoyaltyBatch, listed =>
        {
            // Read again inside the unit: a clock advance and the scheduler's loop may both have listed it.
            if (_settles.Get(listed.Id) is { CompletesAt: { } at } settle && at <= now)
            {
                CompleteSettle(settle, at);
            }
        }, cancellationToken);
        DueDocuments.Run(_context.Store, _trades, nameof(AlipayTrade.UnfreezeOrder), now, RoyaltyBatch, listed =>
        {
            if (_trades.Get(listed.Id) is { HoldsFrozen: true, GmtPayment: { } paid } trade && paid + AlipayTrade.AutoUnfreezeAfter <= now)
            {
                // 超时自动解冻: what the merchant still holds of the trade becomes available; 分账 may go on from the available balance.
                MoveBalance(trade.UnsettledFen, -trade.UnsettledFen);
                trade.RoyaltyUnfrozenAt = paid + AlipayTrade.AutoUnfreezeAfter;
                _trades.Upsert(trade);
            }
        }, cancellationToken);
    }

    /// <summary>Ends the settle's PROCESSING details; failed amounts return to the trade; then the async settle notify.</summary>
    private void CompleteSettle(AlipaySettle settle, DateTime at)
    {
        var trade = _trades.Get(settle.TradeNo)!;
        foreach (var detail in settle.Details.Where(d => d.State == AlipayRoyaltyDetail.Processing))
        {
            detail.At = at;
            if (OutcomeReceivers.GetValueOrDefault(detail.Receiver) is { } error)
            {
                detail.State = AlipayRoyaltyDetail.Fail;
                detail.ErrorCode = error.Code;
                detail.ErrorDesc = error.Desc;
                trade.SettledFen -= detail.AmountFen;
                MoveTradeMoney(trade, detail.AmountFen);
            }
            else
            {
                detail.State = AlipayRoyaltyDetail.Success;
            }
        }

        settle.CompletesAt = null;
        _trades.Upsert(trade);
        _settles.Upsert(settle);
        SendSettleNotify(settle);
    }
}
