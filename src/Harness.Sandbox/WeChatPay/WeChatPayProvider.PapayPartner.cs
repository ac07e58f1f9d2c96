using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.WeChatPay;

/// <summary>
/// 委托代扣 for the 服务商 (普通服务商): the same contracts, signing page, deductions, 预约扣费 and 扣费预通知 as the
/// merchant's, each contract recording the sub-merchant it is with (<c>sub_mchid</c>, checked as partner orders check
/// it), answered with sp_mchid, sp_appid, sub_mchid, sub_appid, sp_openid and sub_openid, and notified to the
/// 服务商's <c>contract_notify_url</c> and <c>transaction_notify_url</c>.
/// </summary>
public sealed partial class WeChatPayProvider
{
    /// <summary>The mini-program WeChat signs 委托代扣 in (the appid its mini-program signing documents navigate to).</summary>
    public const string PapaySignMiniProgramAppid = "wxbd687630cd02ce1d";

    /// <summary>The signing mini-program's page; the sandbox adds the pre_entrustweb_id as its query.</summary>
    public const string PapaySignMiniProgramPath = "pages/index/index";

    private void MapPartnerPapay(WebApplication app)
    {
        foreach (var (path, route) in ScheduledSignRoutes)
        {
            app.MapPost("/v3/papay/scheduled-deduct-sign/partner/contracts/pre-entrust-sign/" + path, (HttpRequest request) =>
                AuthenticatedAsync(request.HttpContext, (mchid, body) => PreEntrustSign(Listener(request), mchid, body, route, partner: true)));
        }

        app.MapGet("/v3/papay/sign/partner/contracts/plan-id/{planId}/out-contract-code/{outContractCode}", (HttpContext http, string planId, string outContractCode) =>
            AuthenticatedAsync(http, (mchid, _) => QuerySubMchid(http) is var (subMchid, missing) && missing is null
                ? QueryContract(mchid, subMchid, planId, outContractCode)
                : missing!));
        app.MapPost("/v3/papay/sign/partner/contracts/plan-id/{planId}/out-contract-code/{outContractCode}/terminate", (HttpContext http, string planId, string outContractCode) =>
            AuthenticatedAsync(http, (mchid, body) => TerminateContract(mchid, planId, outContractCode, body, partner: true)));
        app.MapPost("/v3/papay/pay/partner/transactions/apply", (HttpRequest request) =>
            AuthenticatedAsync(request.HttpContext, (mchid, body) => ApplyDeduction(mchid, body, partner: true)));
        app.MapPost("/v3/papay/pay/partner/schedules/contract-id/{contractId}/schedule", (HttpContext http, string contractId) =>
            AuthenticatedAsync(http, (mchid, body) => BookSchedule(mchid, contractId, body, partner: true)));
        app.MapGet("/v3/papay/pay/partner/schedules/contract-id/{contractId}", (HttpContext http, string contractId) =>
            AuthenticatedAsync(http, (mchid, _) => QuerySubMchid(http) is var (subMchid, missing) && missing is null
                ? QuerySchedule(mchid, subMchid, contractId)
                : missing!));
        app.MapPost("/v3/partner-papay/contracts/{contractId}/notify", (HttpContext http, string contractId) =>
            AuthenticatedAsync(http, (mchid, body) => NotifyDeduction(mchid, contractId, body, partner: true)));
        app.MapPost("/v3/partner-papay/contracts/{contractId}/fail-notify", (HttpContext http, string contractId) =>
            AuthenticatedAsync(http, (mchid, body) => NotifyRetry(mchid, contractId, body, partner: true)));
    }

    /// <summary>A 服务商 GET's <c>?sub_mchid=</c>: required and bound to the 服务商.</summary>
    private (string? SubMchid, IResult? Refusal) QuerySubMchid(HttpContext http)
    {
        var subMchid = http.Request.Query["sub_mchid"].ToString();
        return subMchid.Length == 0 ? (null, WeChatPayErrors.Missing("sub_mchid", "query"))
            : RefuseSubMchid(subMchid) is { } unbound ? (null, unbound)
            : (subMchid, null);
    }

    /// <summary>
    /// Who calls a papay route with a body: the merchant (<c>appid</c>) or the 服务商 for a sub-merchant
    /// (<c>sp_appid</c>, <c>sub_mchid</c>, <c>sub_appid</c> optional).
    /// </summary>
    private readonly record struct PapayParty(string Appid, string? SubMchid, string? SubAppid)
    {
        public static PapayParty Read(WeChatPayFields fields, bool partner) => partner
            ? new(fields.Text("sp_appid", 32), fields.Text("sub_mchid", 32), fields.OptionalText("sub_appid", 32))
            : new(fields.Text("appid", 32), null, null);
    }

    /// <summary>The appid (sp_appid) is the signer's, and a sub_mchid is one of the 服务商's sub-merchants.</summary>
    private IResult? RefuseParty(string mchid, PapayParty party) =>
        party.Appid != _keys.AppidOf(mchid) ? WeChatPayErrors.Of(400, "APPID_MCHID_NOT_MATCH", "appid和mch_id不匹配，请检查后再试")
        : party.SubMchid is { } subMchid ? RefuseSubMchid(subMchid)
        : null;

    /// <summary>
    /// WeChat: the JSAPI and mini-program 预签约 name the signing user — openid for the merchant, sp_openid or
    /// sub_openid for the 服务商 — and a sub_openid is under a sub_appid.
    /// </summary>
    private static IResult? RefuseSigningUser(string scene, PapayParty party, string? openid, string? subOpenid)
    {
        if (subOpenid is not null && party.SubAppid is null)
        {
            return WeChatPayErrors.Param("sub_appid", "必填性规则校验失败：传了sub_openid时此字段为必填项");
        }

        if (scene is not ("JSAPI" or "MINI_PROGRAM") || openid is not null || subOpenid is not null)
        {
            return null;
        }

        return party.SubMchid is null
            ? WeChatPayErrors.Param("openid", "必填性规则校验失败：JSAPI和小程序场景签约此字段为必填项")
            : WeChatPayErrors.Param("sp_openid", "必填性规则校验失败：JSAPI和小程序场景签约sp_openid和sub_openid须传其一");
    }
}
