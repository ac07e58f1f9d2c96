using System.Globalization;
using Harness.Sandbox.Control;
using Harness.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Harness.Sandbox.WeChatPay;

/// <summary>
/// How long refunds stay PROCESSING: WeChat's refunds to a bank card take up to several working days, so the setting
/// <c>refund_processing_seconds</c> keeps them PROCESSING that long on the sandbox clock (0, the default: they end at
/// once). Each ends with the outcome <c>refund_outcome</c> had when it was applied for, from the scheduler's due work,
/// which reads the stored refunds (a restart keeps them waiting). The control route
/// <c>POST /control/wechatpay/refunds/{out_refund_no}/outcome</c> ends one now with an outcome of its own.
/// </summary>
public sealed partial class WeChatPayProvider
{
    /// <summary>Setting: seconds a new refund stays PROCESSING before it ends (0, the default: at once).</summary>
    public const string RefundProcessingSetting = "refund_processing_seconds";

    /// <summary>Thirty days: WeChat's slowest bank-card refunds fit, and one clock advance reaches the end.</summary>
    public const int MaxRefundProcessingSeconds = 30 * 24 * 3600;

    /// <summary>How many due refunds are read at a time: after a long clock advance, a day's refunds end at once.</summary>
    private const int SettleBatch = 500;

    private static string? RefuseRefundProcessing(string value) => ProcessingSeconds(value) is null
        ? $"{RefundProcessingSetting} must be a whole number of seconds from 0 (refunds end at once) to {MaxRefundProcessingSeconds} (30 days)"
        : null;

    private static int? ProcessingSeconds(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds <= MaxRefundProcessingSeconds ? seconds : null;

    /// <summary>When the earliest refund or 分账回退 kept processing ends, unconfirmed transfer closes or 预约扣费 contract moves on; null when none waits.</summary>
    public DateTimeOffset? NextDueAt() =>
        new[] { DueDocuments.Earliest(_refunds, nameof(WeChatPayRefund.SettleOrder), r => r.SettleOrder), NextTransferDueAt(), NextReturnDueAt(), NextScheduleDueAt() }.Min();

    /// <summary>Ends every refund and 分账回退 whose processing time the sandbox clock has passed and closes every transfer left unconfirmed past its 24 hours, each in a unit (a refund with its notification).</summary>
    public Task RunDueAsync(CancellationToken cancellationToken)
    {
        var now = _context.Clock.GetUtcNow().UtcDateTime;
        DueDocuments.Run(_context.Store, _refunds, nameof(WeChatPayRefund.SettleOrder), now, SettleBatch, listed =>
        {
            // Read again inside the unit: the scheduler's loop and a clock advance may both have listed it, and the
            // control route may have ended it since.
            if (_refunds.Get(listed.Id) is { Status: WeChatPayRefund.Processing, SettlesAt: { } at } refund && at <= now)
            {
                Settle(refund, _orders.Get(refund.OrderId)!, refund.Outcome ?? RefundSuccess, at);
            }
        }, cancellationToken);
        ExpireTransfers(now, cancellationToken);
        SettleReturns(now, cancellationToken);
        RunDueSchedules(now, cancellationToken);
        return Task.CompletedTask;
    }

    /// <summary>The refund of that number of the merchant's own registered mchid, when there is one.</summary>
    private WeChatPayRefund? OwnMerchantRefund(string? subMchid, string outRefundNo) =>
        _context.Settings.Get(Name, WeChatPayKeys.MchidSetting) is { } own ? _refunds.Get(RefundKey(own, subMchid, outRefundNo)) : null;

    public void MapControl(IEndpointRouteBuilder control, SandboxScheduler scheduler)
    {
        MapPapayControl(control);
        control.MapPost("/refunds/{outRefundNo}/outcome", Results<Ok<WeChatPayRefundView>, NotFound<ControlError>, BadRequest<ControlError>> (string outRefundNo, [FromQuery(Name = "sub_mchid")] string? subMchid, WeChatPayRefundOutcome? request) =>
            {
                if (request?.Status is not { } status || RefuseRefundOutcome(status) is not null)
                {
                    return TypedResults.BadRequest(new ControlError($"status must be '{RefundSuccess}', '{RefundAbnormal}' or '{RefundClosed}'"));
                }

                return _context.Store.Atomically<Results<Ok<WeChatPayRefundView>, NotFound<ControlError>, BadRequest<ControlError>>>(() =>
                {
                    if ((_refunds.Get(RefundKey(WeChatPayKeys.Mchid, subMchid, outRefundNo)) ?? OwnMerchantRefund(subMchid, outRefundNo)) is not { } refund)
                    {
                        return TypedResults.NotFound(new ControlError($"no WeChat Pay refund '{outRefundNo}'"));
                    }

                    if (refund.Status != WeChatPayRefund.Processing)
                    {
                        return TypedResults.BadRequest(new ControlError($"refund '{outRefundNo}' has already ended: {refund.Status}"));
                    }

                    var order = _orders.Get(refund.OrderId)!;
                    Settle(refund, order, status, _context.Clock.GetUtcNow().UtcDateTime);
                    return TypedResults.Ok(WeChatPayRefundView.Of(refund, order));
                });
            })
            .WithSummary("WeChat Pay: ends a refund still PROCESSING now as status SUCCESS, ABNORMAL or CLOSED, whatever refund_outcome said when it was applied for, with REFUND.SUCCESS, REFUND.ABNORMAL or REFUND.CLOSED to its notify_url; 404 for no such out_refund_no (a partner refund's with ?sub_mchid=), 400 for one that has ended.");
    }

    /// <summary>
    /// Starts a refund at the bank: it ends as <paramref name="outcome"/> at once, or stays PROCESSING for
    /// <c>refund_processing_seconds</c> and ends then.
    /// </summary>
    private void Process(WeChatPayRefund refund, WeChatPayOrder order, string outcome, DateTime now)
    {
        var seconds = _context.Settings.Get(Name, RefundProcessingSetting) is { } text && ProcessingSeconds(text) is { } set ? set : 0;
        if (seconds == 0)
        {
            Settle(refund, order, outcome, now);
            return;
        }

        refund.Status = WeChatPayRefund.Processing;
        refund.Outcome = outcome;
        refund.SettlesAt = now.AddSeconds(seconds);
        _orders.Upsert(order);
        _refunds.Upsert(refund);
    }
}

/// <summary>The body of <c>POST /control/wechatpay/refunds/{out_refund_no}/outcome</c>: <c>SUCCESS</c>, <c>ABNORMAL</c> or <c>CLOSED</c>.</summary>
public sealed record WeChatPayRefundOutcome(string? Status);

/// <summary>A WeChat Pay refund as the control API shows it (amount in fen, times UTC).</summary>
public sealed record WeChatPayRefundView(string OutRefundNo, string RefundId, string OutTradeNo, long Amount, string Status, DateTime? SuccessTime)
{
    internal static WeChatPayRefundView Of(WeChatPayRefund refund, WeChatPayOrder order) =>
        new(WeChatPayResources.OutRefundNoOf(refund), refund.RefundId, order.OutTradeNo, refund.Amount, refund.Status, refund.SuccessTime);
}
