using System.Globalization;
using Harness.Storage;

namespace Harness.Sandbox.Alipay;

/// <summary>
/// The end of a paid trade's refundable period (providers.md §3: TRADE_FINISHED, paid and not refundable). The
/// merchant's <c>refund_period_days</c> when the trade is paid fixes when it finishes; on the sandbox clock it then
/// becomes TRADE_FINISHED with a second paid-family notify. A period of 0 finishes trades at payment, as for products
/// sold without refunds. A trade refunded in full before its end is TRADE_CLOSED and never finishes.
/// </summary>
public sealed partial class AlipayProvider
{
    public const string RefundPeriodSetting = "refund_period_days";

    /// <summary>Alipay's usual refundable period (three months) when the merchant sets none.</summary>
    public const int DefaultRefundPeriodDays = 90;

    /// <summary>A year: the 3- and 12-month periods of Alipay's contracts fit, and one clock advance reaches the end.</summary>
    public const int MaxRefundPeriodDays = 365;

    /// <summary>How many due trades are read at a time: after a long clock advance, a day's payments finish at once.</summary>
    private const int FinishBatch = 500;

    private static string? RefuseRefundPeriod(string value) => RefundPeriodDays(value) is null
        ? $"{RefundPeriodSetting} must be a whole number of days from 0 (trades finish at payment) to {MaxRefundPeriodDays}; remove it for {DefaultRefundPeriodDays}"
        : null;

    private static int? RefundPeriodDays(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var days) && days <= MaxRefundPeriodDays ? days : null;

    /// <summary>When the earliest paid trade finishes, settle detail ends or frozen trade unfreezes; null when none waits to.</summary>
    public DateTimeOffset? NextDueAt() =>
        new[] { DueDocuments.Earliest(_trades, nameof(AlipayTrade.FinishOrder), t => t.FinishOrder), NextRoyaltyDueAt() }.Min();

    /// <summary>
    /// Finishes every trade whose refundable period the sandbox clock has passed, each in a unit with its notify; then
    /// ends due settle details and unfreezes due trades.
    /// </summary>
    public Task RunDueAsync(CancellationToken cancellationToken)
    {
        var now = _context.Clock.GetUtcNow().UtcDateTime;
        DueDocuments.Run(_context.Store, _trades, nameof(AlipayTrade.FinishOrder), now, FinishBatch, listed =>
        {
            // Read again inside the unit: the scheduler's loop and a clock advance may both have listed it, and a refund
            // may have closed it since.
            if (_trades.Get(listed.Id) is { Status: AlipayTrade.TradeSuccess, FinishesAt: { } at } trade && at <= now)
            {
                trade.Status = AlipayTrade.TradeFinished;
                trade.GmtClose = at;
                _trades.Upsert(trade);
                SendNotify(trade, trade.Refunds.LastOrDefault());
            }
        }, cancellationToken);
        RunRoyaltyDue(now, cancellationToken);
        return Task.CompletedTask;
    }

    /// <summary>Paid now (every flow pays here, so the balance moves here): TRADE_SUCCESS until the merchant's refund period ends, or TRADE_FINISHED at once when it is 0.</summary>
    private void MarkPaid(AlipayTrade trade)
    {
        var now = _context.Clock.GetUtcNow().UtcDateTime;
        var days = _context.Settings.Get(Name, RefundPeriodSetting) is { } text && RefundPeriodDays(text) is { } set ? set : DefaultRefundPeriodDays;
        trade.GmtPayment = now;
        MoveTradeMoney(trade, trade.AmountFen);
        if (days == 0)
        {
            trade.Status = AlipayTrade.TradeFinished;
            trade.GmtClose = now;
        }
        else
        {
            trade.Status = AlipayTrade.TradeSuccess;
            trade.FinishesAt = now.AddDays(days);
        }
    }
}
