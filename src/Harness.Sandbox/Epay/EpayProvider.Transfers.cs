using System.Text.Json.Nodes;
using Harness.Sandbox.Control;
using Harness.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Harness.Sandbox.Epay;

/// <summary>
/// V2's transfers (代付, <c>/api/transfer/submit|query|balance</c>), authenticated and signed as the pay APIs, paid from
/// the merchant's balance (<see cref="EpayAccount"/>): what its paid orders brought in, less refunds, less the transfers not failed. A transfer
/// succeeds at once, or under the <c>transfer_outcome</c> setting stays processing until
/// <c>POST /control/epay/transfers/{biz_no}/outcome</c> ends it; a failed one gives its money back.
/// </summary>
public sealed partial class EpayProvider
{
    /// <summary>Setting: how new transfers end, <c>success</c> (the default, at once) or <c>processing</c> (until the control route ends them).</summary>
    public const string TransferOutcomeSetting = "transfer_outcome";

    /// <summary>Why a transfer the control route fails failed when it names no reason (the docs' example).</summary>
    public const string DefaultTransferError = "收款方账户异常";

    private static readonly string[] TransferTypes = ["alipay", "wxpay", "qqpay", "bank"];

    private void MapTransfers(WebApplication app)
    {
        app.MapPost("/api/transfer/submit", async (HttpRequest request) => TransferSubmit(await ReadParamsAsync(request)));
        app.MapPost("/api/transfer/query", async (HttpRequest request) => TransferQuery(await ReadParamsAsync(request)));
        app.MapPost("/api/transfer/balance", async (HttpRequest request) => TransferBalance(await ReadParamsAsync(request)));
    }

    /// <summary>
    /// 转账发起, with Epay's checks in its order: the fields, then the account for QQ, the type, a number used before
    /// (refused, not answered again: Epay keeps <c>out_biz_no</c> from paying twice that way), then the balance.
    /// </summary>
    private IResult TransferSubmit(Dictionary<string, string> p)
    {
        if (AuthenticateMerchant(p) is { } refused)
        {
            return EpayErrors.Json(refused);
        }

        var (type, account, name) = (Trimmed(p, "type"), Trimmed(p, "account"), Trimmed(p, "name"));
        var (money, outBizNo, remark) = (Trimmed(p, "money"), Trimmed(p, "out_biz_no"), Trimmed(p, "remark"));
        var problem = PhpEmpty(type) ? "代付方式(type)不能为空"
            : PhpEmpty(account) ? "收款人账号(account)不能为空"
            : PhpEmpty(name) ? "收款人姓名(name)不能为空"
            : PhpEmpty(money) ? "转账金额(money)不能为空"
            : outBizNo.Length > 0 && !EpayOrder.IsOutTradeNo(outBizNo) ? "交易号输入不规范"
            : remark.EnumerateRunes().Count() > 32 ? "转账备注最多32个字"
            : EpayOrder.ParseYuan(money, out _) is not null ? "转账金额输入不规范"
            : type == "qqpay" && !IsQqNumber(account) ? "QQ号码格式错误"
            : !TransferTypes.Contains(type) ? "type参数错误"
            : null;
        if (problem is not null)
        {
            return EpayErrors.Json(problem);
        }

        EpayOrder.ParseYuan(money, out var fen);
        var processing = _context.Settings.Get(Name, TransferOutcomeSetting) == "processing";
        return _context.Store.Atomically(() =>
        {
            if (outBizNo.Length > 0 && _transfers.FindBy(nameof(EpayTransfer.OutBizNo), outBizNo).Any(t => t.Pid == p["pid"]))
            {
                return EpayErrors.Json("该交易号已存在，请更换交易号");
            }

            if (fen > BalanceFen(p["pid"]))
            {
                return EpayErrors.Json("需支付金额大于可转账余额");
            }

            var now = _context.Clock.GetUtcNow();
            var bizNo = outBizNo.Length == 19 && outBizNo.All(char.IsAsciiDigit) && _transfers.Get(outBizNo) is null
                ? outBizNo
                : NewNumber(now, id => _transfers.Get(id) is not null);
            var transfer = new EpayTransfer
            {
                Id = bizNo,
                Pid = p["pid"],
                OutBizNo = outBizNo.Length > 0 ? outBizNo : bizNo,
                Type = type,
                Account = account,
                Name = name,
                Remark = remark,
                AmountFen = fen,
                CostFen = fen,
                OrderId = "4000" + bizNo,
                Status = processing ? EpayTransfer.Processing : EpayTransfer.Succeeded,
                AddTime = now.UtcDateTime,
                PayTime = processing ? null : now.UtcDateTime,
            };
            _transfers.Upsert(transfer);
            MoveBalance(transfer.Pid, -transfer.CostFen);
            var paydate = transfer.PayTime is { } paid ? China(paid) : "";
            return SignedAnswer(new JsonObject
            {
                ["code"] = 0,
                ["msg"] = (processing ? "提交成功！转账处理中。" : "转账成功！") + $"转账单据号:{transfer.OrderId} 支付时间:{paydate}",
                ["status"] = transfer.Status,
                ["biz_no"] = transfer.Id,
                ["out_biz_no"] = transfer.OutBizNo,
                ["orderid"] = transfer.OrderId,
                ["paydate"] = paydate,
                ["cost_money"] = EpayOrder.FormatYuan(transfer.CostFen),
            });
        });
    }

    /// <summary>转账查询, by <c>biz_no</c> or else <c>out_biz_no</c> (the merchant's number, or the <c>biz_no</c> the submit answered).</summary>
    private IResult TransferQuery(Dictionary<string, string> p)
    {
        if (AuthenticateMerchant(p) is { } refused)
        {
            return EpayErrors.Json(refused);
        }

        var (bizNo, outBizNo) = (Trimmed(p, "biz_no"), Trimmed(p, "out_biz_no"));
        if (bizNo.Length == 0 && outBizNo.Length == 0)
        {
            return EpayErrors.Json("转账交易号不能为空");
        }

        var transfer = bizNo.Length > 0
            ? _transfers.Get(bizNo)
            : _transfers.FindBy(nameof(EpayTransfer.OutBizNo), outBizNo).FirstOrDefault(t => t.Pid == p["pid"]) ?? _transfers.Get(outBizNo);
        if (transfer is null || transfer.Pid != p["pid"])
        {
            return EpayErrors.Json("转账交易号不存在");
        }

        var answer = new JsonObject
        {
            ["code"] = 0,
            ["msg"] = transfer.Status switch
            {
                EpayTransfer.Succeeded => "转账成功！",
                EpayTransfer.Failed => "转账失败：" + transfer.ErrMsg,
                _ => "转账处理中，请稍后查询结果。",
            },
            ["status"] = transfer.Status,
            ["biz_no"] = transfer.Id,
            ["out_biz_no"] = transfer.OutBizNo,
            ["orderid"] = transfer.OrderId,
            ["amount"] = EpayOrder.FormatYuan(transfer.AmountFen),
            ["cost_money"] = EpayOrder.FormatYuan(transfer.CostFen),
            ["remark"] = transfer.Remark,
        };
        if (transfer.PayTime is { } paid)
        {
            answer["paydate"] = China(paid);
        }

        if (transfer.Status == EpayTransfer.Failed)
        {
            answer["errmsg"] = transfer.ErrMsg;
        }

        return SignedAnswer(answer);
    }

    /// <summary>可用余额查询: the balance, all of it available (orders settle at once), and no transfer fee.</summary>
    private IResult TransferBalance(Dictionary<string, string> p) => AuthenticateMerchant(p) is { } refused
        ? EpayErrors.Json(refused)
        : SignedAnswer(new JsonObject { ["code"] = 0, ["available_money"] = EpayOrder.FormatYuan(BalanceFen(p["pid"])), ["transfer_rate"] = "0" });

    /// <summary>A merchant's balance in fen (<see cref="EpayAccount"/>), read inside the unit that moves money; 0 for a registered merchant that has had none.</summary>
    private long BalanceFen(string pid) => _accounts.Get(pid)?.BalanceFen ?? 0;

    /// <summary>Adds fen to a merchant's balance (takes them away when negative), inside the caller's unit; a registered merchant's opens with its first payment.</summary>
    private void MoveBalance(string pid, long fen)
    {
        var account = _accounts.Get(pid) ?? new EpayAccount { Id = pid };
        account.BalanceFen += fen;
        _accounts.Upsert(account);
    }

    /// <summary>
    /// Opens the balance on first start, from what the store already holds (a store written before the balance was
    /// kept): paid orders less their refunds, less every transfer not failed.
    /// </summary>
    private void OpenAccount() => _context.Store.InTransaction(() =>
    {
        if (_accounts.Get(Pid) is null)
        {
            var paid = _orders.All().Where(o => o.Pid == Pid && o.Status == 1).Sum(o => o.AmountFen - o.RefundedFen);
            var transferred = _transfers.All().Where(t => t.Pid == Pid && t.Status != EpayTransfer.Failed).Sum(t => t.CostFen);
            _accounts.Upsert(new EpayAccount { Id = Pid, BalanceFen = paid - transferred });
        }
    });

    public void MapControl(IEndpointRouteBuilder control, SandboxScheduler scheduler) =>
        control.MapPost("/transfers/{bizNo}/outcome", Results<Ok<EpayTransferView>, NotFound<ControlError>, BadRequest<ControlError>> (string bizNo, EpayTransferOutcome? request) =>
            {
                if (request?.Status is not ("success" or "failed"))
                {
                    return TypedResults.BadRequest(new ControlError("status must be 'success' or 'failed'"));
                }

                return _context.Store.Atomically<Results<Ok<EpayTransferView>, NotFound<ControlError>, BadRequest<ControlError>>>(() =>
                {
                    if (_transfers.Get(bizNo) is not { } transfer)
                    {
                        return TypedResults.NotFound(new ControlError($"no Epay transfer '{bizNo}'"));
                    }

                    if (transfer.Status != EpayTransfer.Processing)
                    {
                        return TypedResults.BadRequest(new ControlError($"transfer '{bizNo}' has already ended: {(transfer.Status == EpayTransfer.Succeeded ? "success" : "failed")}"));
                    }

                    if (request.Status == "success")
                    {
                        transfer.Status = EpayTransfer.Succeeded;
                        transfer.PayTime = _context.Clock.GetUtcNow().UtcDateTime;
                    }
                    else
                    {
                        transfer.Status = EpayTransfer.Failed;
                        transfer.ErrMsg = string.IsNullOrWhiteSpace(request.Errmsg) ? DefaultTransferError : request.Errmsg;
                        MoveBalance(transfer.Pid, transfer.CostFen);
                    }

                    _transfers.Upsert(transfer);
                    return TypedResults.Ok(EpayTransferView.Of(transfer));
                });
            })
            .WithSummary("Epay: ends a V2 transfer (代付) still processing now as success, or as failed with errmsg (default 收款方账户异常), which gives its money back to the merchant's balance; 404 for no such biz_no, 400 for one that has ended.");

    private static string Trimmed(Dictionary<string, string> p, string key) => p.GetValueOrDefault(key)?.Trim() ?? "";

    /// <summary>PHP's <c>empty()</c>, which Epay's checks use: "0" is empty too.</summary>
    private static bool PhpEmpty(string text) => text is "" or "0";

    /// <summary>A QQ number, as Epay checks a <c>qqpay</c> account: 6 to 10 digits.</summary>
    private static bool IsQqNumber(string account) => account.Length is >= 6 and <= 10 && account.All(char.IsAsciiDigit);
}

/// <summary>The body of <c>POST /control/epay/transfers/{biz_no}/outcome</c>: <c>success</c>, or <c>failed</c> with an optional <c>errmsg</c>.</summary>
public sealed record EpayTransferOutcome(string? Status, string? Errmsg);

/// <summary>An Epay transfer as the control API shows it (amounts in fen, times UTC; status 0 processing, 1 success, 2 failed).</summary>
public sealed record EpayTransferView(string BizNo, string OutBizNo, string Type, string Account, long Amount, int Status, string Errmsg, DateTime? PayTime)
{
    internal static EpayTransferView Of(EpayTransfer transfer) =>
        new(transfer.Id, transfer.OutBizNo, transfer.Type, transfer.Account, transfer.AmountFen, transfer.Status, transfer.ErrMsg, transfer.PayTime);
}
