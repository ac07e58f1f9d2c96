using Harness.Storage;

namespace Harness.Sandbox.WeChatPay;

/// <summary>
/// 分账回退 that do not succeed at once. WeChat answers a return PROCESSING when it cannot finish it synchronously, and
/// one can end FAILED (原分账接收方账户异常, 分出方账户异常, 描述参数设置失败, or closed after five days of processing). The
/// sandbox has no receivers' accounts to go wrong, so the merchant asks for these through its <c>out_return_no</c>:
/// <c>PROCESSING…</c> stays PROCESSING for <see cref="ReturnProcessingTime"/> then succeeds; <c>FAILED_&lt;reason&gt;…</c>
/// stays PROCESSING as long, then fails with that reason (<c>FAILED_TIME_OUT_CLOSED…</c> after
/// <see cref="ReturnTimeout"/>, as WeChat closes one). The amount is held while it processes and moves only on success,
/// in the unit that ends it (the scheduler's due work, read from the stored returns).
/// </summary>
public sealed partial class WeChatPayProvider
{
    /// <summary>How long a return marked PROCESSING or FAILED_… stays PROCESSING on the sandbox clock.</summary>
    public static readonly TimeSpan ReturnProcessingTime = TimeSpan.FromHours(1);

    /// <summary>WeChat sets a return still processing after five days to FAILED, TIME_OUT_CLOSED.</summary>
    public static readonly TimeSpan ReturnTimeout = TimeSpan.FromDays(5);

    public const string ProcessingReturnMarker = "PROCESSING";

    public const string FailedReturnMarker = "FAILED_";

    public const string ReturnTimeoutReason = "TIME_OUT_CLOSED";

    /// <summary>WeChat's fail_reason values of a 分账回退 (查询分账回退结果).</summary>
    public static readonly IReadOnlyList<string> ReturnFailReasons = ["ACCOUNT_ABNORMAL", ReturnTimeoutReason, "PAYER_ACCOUNT_ABNORMAL", "INVALID_REQUEST"];

    /// <summary>
    /// Ends a new return at once (the money back from the receiver now), or keeps it PROCESSING with its amount held
    /// when its out_return_no asks so.
    /// </summary>
    private static void StartReturn(WeChatPaySharingReturn returned, WeChatPaySharingLine line, DateTime now)
    {
        var outReturnNo = returned.OutReturnNo;
        var reason = outReturnNo.StartsWith(FailedReturnMarker, StringComparison.Ordinal)
            ? ReturnFailReasons.FirstOrDefault(r => outReturnNo.AsSpan(FailedReturnMarker.Length).StartsWith(r, StringComparison.Ordinal))
            : null;
        if (reason is null && !outReturnNo.StartsWith(ProcessingReturnMarker, StringComparison.Ordinal))
        {
            line.Returned += returned.Amount;
            returned.Result = WeChatPaySharingReturn.Success;
            returned.FinishTime = now;
            return;
        }

        line.Reserved += returned.Amount;
        returned.Result = WeChatPaySharingReturn.Processing;
        returned.Outcome = reason;
        returned.SettlesAt = now + (reason == ReturnTimeoutReason ? ReturnTimeout : ReturnProcessingTime);
    }

    private DateTimeOffset? NextReturnDueAt() =>
        DueDocuments.Earliest(_sharing.Returns, nameof(WeChatPaySharingReturn.SettleOrder), r => r.SettleOrder);

    /// <summary>Ends every return whose processing time has passed, each in a unit with its 分账单's line.</summary>
    private void SettleReturns(DateTime now, CancellationToken cancellationToken) =>
        DueDocuments.Run(_context.Store, _sharing.Returns, nameof(WeChatPaySharingReturn.SettleOrder), now, SettleBatch, listed =>
        {
            // Read again inside the unit: the scheduler's loop and a clock advance may both have listed it.
            if (_sharing.Returns.Get(listed.Id) is not { Result: WeChatPaySharingReturn.Processing, SettlesAt: { } at } returned || at > now
                || _sharing.Orders.Get(returned.SharingOrder) is not { } order)
            {
                return;
            }

            var line = order.Receivers.First(l => l is { Type: MerchantId, Unfrozen: false, Result: WeChatPaySharingLine.Success } && l.Account == returned.ReturnMchid);
            line.Reserved -= returned.Amount;
            if (returned.Outcome is null)
            {
                line.Returned += returned.Amount;
            }

            returned.Result = returned.Outcome is null ? WeChatPaySharingReturn.Success : WeChatPaySharingReturn.Failed;
            returned.FailReason = returned.Outcome;
            returned.Outcome = null;
            returned.FinishTime = at;
            _sharing.Orders.Upsert(order);
            _sharing.Returns.Upsert(returned);
        }, cancellationToken);
}
