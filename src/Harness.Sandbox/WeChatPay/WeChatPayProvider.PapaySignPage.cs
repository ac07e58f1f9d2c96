using System.Net;
using System.Text;
using Harness.Http;
using Harness.Sandbox.Control;
using Harness.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Harness.Sandbox.WeChatPay;

/// <summary>
/// The user's side of 委托代扣: the signing page WeChat's client shows for a 预签约 (opened from the pre_entrustweb_id,
/// the QR code's or the H5 redirect_url), where the user signs or leaves, and the control route that plays the user
/// ending a contract in WeChat (USER_TERMINATE).
/// </summary>
public sealed partial class WeChatPayProvider
{
    public const string PapaySignPagePath = "/sandbox/papay/entrust-sign";

    private void MapPapaySignPage(WebApplication app)
    {
        app.MapGet(PapaySignPagePath, (HttpRequest request) =>
        {
            if (PendingContract(request.Query["pre_entrustweb_id"].ToString()) is not { } contract)
            {
                return SignPage("签约请求不存在或已处理", "<p id=\"result\">没有待签约的协议。</p>", StatusCodes.Status404NotFound);
            }

            var terms = $"{contract.DisplayAccount}：开通委托代扣（模板 {contract.PlanId}，协议号 {contract.OutContractCode}）";
            const string Form = "<form method=\"post\"><button name=\"action\" value=\"sign\">同意并开通</button> <button name=\"action\" value=\"refuse\">暂不开通</button></form>";
            return SignPage("微信支付 - 开通委托代扣", $"<p id=\"terms\">{WebUtility.HtmlEncode(terms)}</p>{Form}", StatusCodes.Status200OK);
        });
        app.MapPost(PapaySignPagePath, async (HttpRequest request) =>
        {
            var action = (await RequestForm.TryReadAsync(request))?["action"].ToString();
            if (action is not ("sign" or "refuse"))
            {
                return SignPage("签约失败", "<p id=\"result\">action 须为 sign 或 refuse。</p>", StatusCodes.Status400BadRequest);
            }

            var id = request.Query["pre_entrustweb_id"].ToString();
            var signed = _context.Store.Atomically(() =>
            {
                if (PendingContract(id) is not { } contract)
                {
                    return null;
                }

                if (action == "sign")
                {
                    SignContract(contract);
                }

                return contract;
            });
            if (signed is null)
            {
                return SignPage("签约请求不存在或已处理", "<p id=\"result\">没有待签约的协议。</p>", StatusCodes.Status404NotFound);
            }

            // Leaving sends nothing, as WeChat notifies signings only; the 预签约 stays open for another try.
            if (action == "refuse")
            {
                return SignPage("未开通", "<p id=\"result\">您已放弃签约。</p>", StatusCodes.Status200OK);
            }

            return signed.ReturnUrl is { } returnUrl
                ? Results.Redirect(returnUrl)
                : SignPage("开通成功", $"<p id=\"result\">签约成功，协议号 {signed.ContractId}。</p>", StatusCodes.Status200OK);
        });
    }

    private WeChatPayContract? PendingContract(string preEntrustwebId) =>
        preEntrustwebId.Length == 32 && _contracts.Get(preEntrustwebId) is { State: WeChatPayContract.Pending } contract ? contract : null;

    /// <summary>The user signs: the contract gets its contract_id and the user's openid, and ENTRUST.SIGN goes to contract_notify_url.</summary>
    private void SignContract(WeChatPayContract contract)
    {
        var now = _context.Clock.GetUtcNow();
        contract.State = WeChatPayContract.SignedState;
        contract.ContractId = WeChatPayContract.NewContractId(now);
        contract.OpenId ??= NewOpenId();
        contract.SignedTime = now.UtcDateTime;
        contract.ExpiredTime = (now + ContractLifetime).UtcDateTime;
        _contracts.Upsert(contract);
        NotifyContract(contract, "ENTRUST.SIGN", "签约成功");
    }

    private static IResult SignPage(string title, string body, int status) => Results.Content(
        $"<!DOCTYPE html><html lang=\"zh\"><head><meta charset=\"utf-8\"><title>{WebUtility.HtmlEncode(title)}</title></head><body><h3>{WebUtility.HtmlEncode(title)}</h3>{body}</body></html>",
        "text/html; charset=utf-8",
        Encoding.UTF8,
        status);

    private void MapPapayControl(IEndpointRouteBuilder control) =>
        control.MapPost("/papay/contracts/{contractId}/terminate", Results<Ok<WeChatPayContractView>, NotFound<ControlError>, BadRequest<ControlError>> (string contractId) =>
                _context.Store.Atomically<Results<Ok<WeChatPayContractView>, NotFound<ControlError>, BadRequest<ControlError>>>(() =>
                {
                    if (_contracts.FindBy(nameof(WeChatPayContract.ContractId), contractId) is not [var contract, ..])
                    {
                        return TypedResults.NotFound(new ControlError($"no signed WeChat Pay contract '{contractId}'"));
                    }

                    if (contract.State == WeChatPayContract.Terminated)
                    {
                        return TypedResults.BadRequest(new ControlError($"contract '{contractId}' is already TERMINATED"));
                    }

                    EndContract(contract, "USER_TERMINATE", null);
                    return TypedResults.Ok(WeChatPayContractView.Of(contract));
                }))
            .WithSummary("WeChat Pay: the user ends a signed 委托代扣 contract in WeChat (contract_termination_mode USER_TERMINATE), with ENTRUST.TERMINATE to its contract_notify_url; 404 for no signed contract, 400 for one already terminated.");
}

/// <summary>A 委托代扣 contract as the control API shows it (times UTC).</summary>
public sealed record WeChatPayContractView(string ContractId, long PlanId, string OutContractCode, string State, string? OpenId, string? TerminationMode, DateTime? TerminatedTime)
{
    internal static WeChatPayContractView Of(WeChatPayContract contract) =>
        new(contract.ContractId!, contract.PlanId, contract.OutContractCode, contract.State, contract.OpenId, contract.TerminationMode, contract.TerminatedTime);
}
