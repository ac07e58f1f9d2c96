using System.Text.Json;
using System.Text.Json.Nodes;
using Harness.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.WeChatPay;

/// <summary>
/// The user's side of 商家转账 and how a transfer ends: <c>POST /sandbox/request-merchant-transfer</c> plays
/// <c>wx.requestMerchantTransfer</c> (the user confirms, or closes the page, which changes nothing), test openids make a
/// confirmed transfer FAIL with one of WeChat's fail reasons, and a transfer left unconfirmed for 24 hours on the
/// sandbox clock fails with OVERDUE_CLOSE. Each end sends MCHTRANSFER.BILL.FINISHED to the transfer's notify_url.
/// </summary>
public sealed partial class WeChatPayProvider
{
    public const string RequestMerchantTransferPath = "/sandbox/request-merchant-transfer";

    /// <summary>A transfer to <c>sandbox-fail-&lt;REASON&gt;</c> fails with REASON when the user confirms it.</summary>
    public const string FailingOpenidPrefix = "sandbox-fail-";

    /// <summary>WeChat closes a transfer the user has not confirmed after 24 hours.</summary>
    public static readonly TimeSpan TransferConfirmWindow = TimeSpan.FromHours(24);

    /// <summary>The fail reasons of WeChat's list a test openid can ask for: those about the payee.</summary>
    public static readonly IReadOnlySet<string> PayeeFailReasons = new HashSet<string>(StringComparer.Ordinal)
    {
        "ACCOUNT_FROZEN", "ACCOUNT_NOT_EXIST", "REAL_NAME_CHECK_FAIL", "NAME_NOT_CORRECT", "OPENID_INVALID",
        "TRANSFER_QUOTA_EXCEED", "DAY_RECEIVED_QUOTA_EXCEED", "DAY_RECEIVED_COUNT_EXCEED", "PAYEE_ACCOUNT_ABNORMAL",
        "REALNAME_ACCOUNT_RECEIVED_QUOTA_EXCEED", "OTHER_FAIL_REASON_TYPE",
    };

    private const string OverdueClose = "OVERDUE_CLOSE";

    /// <summary>How many due transfers are read at a time.</summary>
    private const int ExpireBatch = 500;

    /// <summary>What <c>wx.requestMerchantTransfer</c> takes, all strings; <c>action</c> is the user's choice.</summary>
    private static readonly string[] MerchantTransferParameters = ["mchId", "appId", "package", "action"];

    private void MapTransferUser(WebApplication app) =>
        app.MapPost(RequestMerchantTransferPath, async (HttpRequest request) =>
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
            return RequestMerchantTransfer(buffer.ToArray());
        });

    private IResult RequestMerchantTransfer(byte[] body)
    {
        if (ParseObject(body) is not { } request)
        {
            return TransferClientRefusal(400, "PARAM_ERROR", "parameter error: the parameters must be a JSON object");
        }

        if (MerchantTransferParameters.FirstOrDefault(n => request[n]?.GetValueKind() != JsonValueKind.String) is { } wrong)
        {
            return TransferClientRefusal(400, "PARAM_ERROR", $"parameter error: parameter.{wrong} should be String instead of {KindName(request[wrong])}");
        }

        var action = request["action"]!.GetValue<string>();
        if (action is not ("confirm" or "cancel"))
        {
            return TransferClientRefusal(400, "PARAM_ERROR", "parameter error: action must be confirm or cancel");
        }

        return _context.Store.Atomically(() =>
        {
            var package = request["package"]!.GetValue<string>();
            if (_transfers.FindBy(nameof(WeChatPayTransfer.PackageInfo), package) is not [var transfer, ..])
            {
                return TransferClientRefusal(404, "NOT_FOUND", "package参数有问题：没有这笔转账");
            }

            if (request["mchId"]!.GetValue<string>() != transfer.Mchid || request["appId"]!.GetValue<string>() != transfer.Appid)
            {
                return TransferClientRefusal(400, "INVALID_REQUEST", "mchId或appId与发起转账时不一致");
            }

            if (transfer.State != WeChatPayTransfer.WaitUserConfirm)
            {
                return TransferClientRefusal(400, "INVALID_REQUEST", $"package参数有问题：转账单已不能收款（{transfer.State}）");
            }

            if (action == "cancel")
            {
                // Closing the page changes nothing: only the merchant cancels, and WeChat closes it after 24 hours.
                return TransferClientAnswer("fail cancel");
            }

            var reason = transfer.Openid.StartsWith(FailingOpenidPrefix, StringComparison.Ordinal) && PayeeFailReasons.Contains(transfer.Openid[FailingOpenidPrefix.Length..])
                ? transfer.Openid[FailingOpenidPrefix.Length..]
                : null;
            FinishTransfer(transfer, reason is null ? WeChatPayTransfer.Success : WeChatPayTransfer.Fail, reason, _context.Clock.GetUtcNow().UtcDateTime);
            return TransferClientAnswer("ok");
        });
    }

    /// <summary>When the earliest unconfirmed transfer closes; null when none waits.</summary>
    private DateTimeOffset? NextTransferDueAt() =>
        DueDocuments.Earliest(_transfers, nameof(WeChatPayTransfer.ExpireOrder), t => t.ExpireOrder);

    /// <summary>Closes every transfer left unconfirmed past its 24 hours: FAIL, OVERDUE_CLOSE, at the moment it was due.</summary>
    private void ExpireTransfers(DateTime now, CancellationToken cancellationToken) =>
        DueDocuments.Run(_context.Store, _transfers, nameof(WeChatPayTransfer.ExpireOrder), now, ExpireBatch, listed =>
        {
            // Read again inside the unit: the user or the merchant may have moved it on since it was listed.
            if (_transfers.Get(listed.Id) is { State: WeChatPayTransfer.WaitUserConfirm } transfer && transfer.ExpiresAt <= now)
            {
                FinishTransfer(transfer, WeChatPayTransfer.Fail, OverdueClose, transfer.ExpiresAt);
            }
        }, cancellationToken);

    /// <summary>Ends a transfer (SUCCESS, FAIL or CANCELLED), gives a failed or cancelled one's amount back, and notifies.</summary>
    private void FinishTransfer(WeChatPayTransfer transfer, string state, string? failReason, DateTime at)
    {
        transfer.State = state;
        transfer.FailReason = failReason;
        transfer.UpdateTime = at;
        if (!transfer.Holds)
        {
            var account = _operationAccounts.Get(transfer.Mchid)!;
            account.Held -= transfer.Amount;
            _operationAccounts.Upsert(account);
        }

        _transfers.Upsert(transfer);
        if (transfer.NotifyUrl is not { } url)
        {
            return;
        }

        _context.Notifier.Send(Name, transfer.TransferBillNo, _policy, faults =>
        {
            var bill = transfer.Bill();
            if (faults.WrongAmount)
            {
                bill["transfer_amount"] = transfer.Amount + 1;
            }

            return [Notification(url, "MCHTRANSFER.BILL.FINISHED", "商家转账单据终态通知", "mch_payment", bill, faults)];
        });
    }

    /// <summary>What the client hands the page's code when it opened: <c>errMsg</c> <c>requestMerchantTransfer:…</c>.</summary>
    private static IResult TransferClientAnswer(string outcome) =>
        Results.Text(WeChatPayJson.Write(new JsonObject { ["errMsg"] = "requestMerchantTransfer:" + outcome }), "application/json; charset=utf-8");

    /// <summary>A refusal: the listener's <c>{code, message}</c> and the <c>errMsg</c> the page's fail callback gets.</summary>
    private static IResult TransferClientRefusal(int status, string code, string message) =>
        Results.Text(
            WeChatPayJson.Write(new JsonObject { ["code"] = code, ["message"] = message, ["errMsg"] = "requestMerchantTransfer:fail " + message }),
            "application/json; charset=utf-8",
            statusCode: status);
}
