using Harness.Sandbox.Control;
using Harness.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Harness.Sandbox.Alipay;

/// <summary>
/// The control route that ends a transfer as the bank side would: a DEALING one as SUCCESS, FAIL or REFUND, a
/// SUCCESS one as REFUND (退票). FAIL and REFUND give the money back to the balance; each change is notified
/// (<c>alipay.fund.trans.order.changed</c>) in the same unit.
/// </summary>
public sealed partial class AlipayProvider
{
    /// <summary>Why a transfer ended badly when the control call names no reason.</summary>
    private const string DefaultErrorCode = "PAYEE_ACCOUNT_STATUS_ERROR";
    private const string DefaultFailReason = "收款方账号异常";

    private void MapTransferControl(IEndpointRouteBuilder control) =>
        control.MapPost("/transfers/{orderId}/outcome", Results<Ok<AlipayTransferView>, NotFound<ControlError>, BadRequest<ControlError>> (string orderId, AlipayTransferOutcome? request) =>
            {
                if (request?.Status is not (AlipayTransfer.Success or AlipayTransfer.Fail or AlipayTransfer.Refund) || request.ErrorCode is { Length: > 64 } || request.FailReason is { Length: > 256 })
                {
                    return TypedResults.BadRequest(new ControlError("status must be 'SUCCESS', 'FAIL' or 'REFUND'; error_code at most 64 characters, fail_reason at most 256"));
                }

                return _context.Store.Atomically<Results<Ok<AlipayTransferView>, NotFound<ControlError>, BadRequest<ControlError>>>(() =>
                {
                    if (!IsBizNumber(orderId) || _transfers.Get(orderId) is not { } transfer)
                    {
                        return TypedResults.NotFound(new ControlError($"no Alipay transfer with order_id '{orderId}'"));
                    }

                    var allowed = transfer.Status == AlipayTransfer.Dealing || (transfer.Status == AlipayTransfer.Success && request.Status == AlipayTransfer.Refund);
                    if (!allowed)
                    {
                        return TypedResults.BadRequest(new ControlError($"transfer '{orderId}' is {transfer.Status}: a DEALING transfer ends as SUCCESS, FAIL or REFUND, a SUCCESS one as REFUND"));
                    }

                    // A DEALING transfer's amount leaves the frozen part; one that fails or comes back returns to the balance.
                    MoveBalance(request.Status == AlipayTransfer.Success ? 0 : transfer.AmountFen, transfer.Status == AlipayTransfer.Dealing ? -transfer.AmountFen : 0);
                    transfer.Status = request.Status;
                    if (request.Status == AlipayTransfer.Success)
                    {
                        transfer.PaidAt = _context.Clock.GetUtcNow().UtcDateTime;
                    }
                    else
                    {
                        transfer.ErrorCode = request.ErrorCode is { Length: > 0 } code ? code : DefaultErrorCode;
                        transfer.FailReason = request.FailReason is { Length: > 0 } reason ? reason : DefaultFailReason;
                    }

                    _transfers.Upsert(transfer);
                    SendTransferNotify(transfer);
                    return TypedResults.Ok(AlipayTransferView.Of(transfer));
                });
            })
            .WithSummary("Alipay: ends a transfer (alipay.fund.trans.uni.transfer) by its order_id: a DEALING one as SUCCESS, FAIL or REFUND, a SUCCESS one as REFUND (退票), with optional error_code and fail_reason for the query; FAIL and REFUND return the amount to the balance; each sends alipay.fund.trans.order.changed to the webhook_url. 404 for no such order_id, 400 for a change its status does not allow.");
}

/// <summary>The body of <c>POST /control/alipay/transfers/{order_id}/outcome</c>.</summary>
public sealed record AlipayTransferOutcome(string? Status, string? ErrorCode, string? FailReason);

/// <summary>A transfer as the control API shows it (amount in fen).</summary>
public sealed record AlipayTransferView(string OrderId, string OutBizNo, long Amount, string Status, string ErrorCode, string FailReason)
{
    internal static AlipayTransferView Of(AlipayTransfer transfer) =>
        new(transfer.Id, transfer.OutBizNo, transfer.AmountFen, transfer.Status, transfer.ErrorCode, transfer.FailReason);
}
