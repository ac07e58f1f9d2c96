using Harness.Sandbox.Control;
using Harness.Sandbox.PayPages;
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
            PendingContract(request.Query["pre_entrustweb_id"].ToString()) is { } contract
                ? AgreementSignPage.Offer("微信支付 - 开通委托代扣", $"{contract.DisplayAccount}：开通委托代扣（模板 {contract.PlanId}，协议号 {contract.OutContractCode}）", "同意并开通")
                : AgreementSignPage.NotFound());
        app.MapPost(PapaySignPagePath, (HttpRequest request) =>
            AgreementSignPage.AnswerAsync(request, sign => _context.Store.Atomically<(string?, string)?>(() =>
            {
                if (PendingContract(request.Query["pre_entrustweb_id"].ToString()) is not { } contract)
                {
                    return null;
                }

                if (sign)
                {
                    SignContract(contract);
                }

                return (contract.ReturnUrl, contract.ContractId ?? "");
            })));
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
        if (contract.SubAppid is not null)
        {
            contract.SubOpenId ??= NewOpenId();
        }

        contract.SignedTime = now.UtcDateTime;
        contract.ExpiredTime = (now + ContractLifetime).UtcDateTime;
        _contracts.Upsert(contract);
        NotifyContract(contract, "ENTRUST.SIGN", "签约成功");
    }

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
