using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Harness.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.WeChatPay;

/// <summary>
/// 委托代扣 (papay) for the ordinary merchant: 预签约 (<c>pre-entrust-sign</c>, APP and QR-code scenes, and the 预约扣费
/// template's APP, H5, JSAPI and mini-program routes), the user's signing page (WeChatPayProvider.PapaySignPage.cs), the contract query by
/// plan_id and out_contract_code, 解约, and 受理扣款 on a signed contract, whose result is a PAP transaction told by
/// TRANSACTION.SUCCESS or TRANSACTION.FAIL and queried and refunded like any other order.
/// </summary>
public sealed partial class WeChatPayProvider
{
    /// <summary>The sandbox's one 委托代扣 template (WeChat's documentation sample), published as the <c>papay_plan_id</c> credential.</summary>
    public const long PapayPlanId = 12535;

    private readonly IDocumentCollection<WeChatPayContract> _contracts;

    /// <summary>A deduction of an amount ending in these fen fails: the user's balance is short.</summary>
    public const string FailingDeductionSuffix = "2222";

    /// <summary>How long a signed contract runs (the sandbox's choice: WeChat takes it from the template).</summary>
    public static readonly TimeSpan ContractLifetime = TimeSpan.FromDays(3650);

    private static readonly string[] SignScenes = ["SIGN_SCENE_APP", "SIGN_SCENE_QRCODE"];

    private static readonly string[] DeviceTypes = ["DEVICE_TYPE_UNKNOW", "DEVICE_TYPE_PHONE", "DEVICE_TYPE_PAD", "DEVICE_TYPE_TV", "DEVICE_TYPE_WATCH"];

    private static readonly string[] LoginDays =
    [
        "DAYS_SINCE_FIRST_LOGIN_UNKNOW", "DAYS_SINCE_FIRST_LOGIN_WITHIN_1_DAY", "DAYS_SINCE_FIRST_LOGIN_WITHIN_7_DAYS",
        "DAYS_SINCE_FIRST_LOGIN_WITHIN_30_DAYS", "DAYS_SINCE_FIRST_LOGIN_WITHIN_90_DAYS", "DAYS_SINCE_FIRST_LOGIN_WITHIN_180_DAYS",
        "DAYS_SINCE_FIRST_LOGIN_MORE_THEN_180_DAYS",
    ];

    private void MapPapay(WebApplication app)
    {
        app.MapPost("/v3/papay/sign/contracts/pre-entrust-sign", (HttpRequest request) =>
            AuthenticatedAsync(request.HttpContext, (mchid, body) => PreEntrustSign(Listener(request), mchid, body, null, partner: false)));
        foreach (var (path, route) in ScheduledSignRoutes)
        {
            app.MapPost("/v3/papay/scheduled-deduct-sign/contracts/pre-entrust-sign/" + path, (HttpRequest request) =>
                AuthenticatedAsync(request.HttpContext, (mchid, body) => PreEntrustSign(Listener(request), mchid, body, route, partner: false)));
        }

        app.MapGet("/v3/papay/sign/contracts/plan-id/{planId}/out-contract-code/{outContractCode}", (HttpContext http, string planId, string outContractCode) =>
            AuthenticatedAsync(http, (mchid, _) => QueryContract(mchid, null, planId, outContractCode)));
        app.MapPost("/v3/papay/sign/contracts/plan-id/{planId}/out-contract-code/{outContractCode}/terminate", (HttpContext http, string planId, string outContractCode) =>
            AuthenticatedAsync(http, (mchid, body) => TerminateContract(mchid, planId, outContractCode, body, partner: false)));
        app.MapPost("/v3/papay/pay/transactions/apply", (HttpRequest request) =>
            AuthenticatedAsync(request.HttpContext, (mchid, body) => ApplyDeduction(mchid, body, partner: false)));
        MapPapaySchedules(app);
        MapPartnerPapay(app);
        MapPapaySignPage(app);
    }

    private static string Listener(HttpRequest request) => $"{request.Scheme}://{request.Host}";

    /// <summary>The 预约扣费 template's 预签约 routes (the merchant's and the 服务商's) and the scene each records.</summary>
    private static readonly (string Path, string Route)[] ScheduledSignRoutes = [("app", "APP"), ("h5", "H5"), ("jsapi", "JSAPI"), ("mini-program", "MINI_PROGRAM")];

    /// <summary>
    /// 预签约: <paramref name="scheduledRoute"/> null for <c>/v3/papay/sign/contracts/pre-entrust-sign</c> (sign_scene, device_info),
    /// else the 预约扣费 template's APP, H5, JSAPI or MINI_PROGRAM route, the merchant's or (<paramref name="partner"/>) the 服务商's.
    /// </summary>
    private IResult PreEntrustSign(string listenerUrl, string mchid, byte[] body, string? scheduledRoute, bool partner)
    {
        if (ParseObject(body) is not { } request)
        {
            return NotAnObject();
        }

        var fields = new WeChatPayFields(request);
        var scene = scheduledRoute ?? fields.Text("sign_scene", 32);
        var party = PapayParty.Read(fields, partner);
        var openid = fields.OptionalText(partner ? "sp_openid" : "openid", 128);
        var subOpenid = partner ? fields.OptionalText("sub_openid", 128) : null;
        var planId = PlanIdField(fields, request);
        var outContractCode = fields.Text("out_contract_code", 32);
        var displayAccount = fields.Text("contract_display_account", 32);
        var notifyUrl = fields.Text("contract_notify_url", 256);
        var outUserCode = scheduledRoute is null ? fields.Text("out_user_code", 32) : fields.OptionalText("out_user_code", 32);
        var returnUrl = scheduledRoute is null ? fields.OptionalText("return_url", 256) : null;
        if (scheduledRoute is null)
        {
            ReadDeviceInfo(fields);
        }
        else if (scheduledRoute == "H5")
        {
            fields.OptionalKind("jump_control", JsonValueKind.Object, "类型错误：应为对象");
            fields.OptionalText("jump_control", "jump_appid", 32);
        }

        var schedule = ReadDeductSchedule(fields, request, scheduledRoute is not null);
        if (fields.Refusal is { } refusal)
        {
            return refusal;
        }

        if (scheduledRoute is null && !SignScenes.Contains(scene, StringComparer.Ordinal))
        {
            return WeChatPayErrors.Param("sign_scene", "取值错误：应为SIGN_SCENE_APP或SIGN_SCENE_QRCODE", scene);
        }

        if ((RefuseParty(mchid, party) ?? RefuseSigningUser(scene, party, openid, subOpenid)) is { } who)
        {
            return who;
        }

        if ((RefusePlan(planId) ?? RefuseContractCode(outContractCode) ?? RefuseContractNotifyUrl(notifyUrl)) is { } wrong)
        {
            return wrong;
        }

        if (returnUrl is not null && !HttpUrl.IsValid(returnUrl))
        {
            return WeChatPayErrors.Param("return_url", "格式错误：应为http(s)地址", returnUrl);
        }

        if (schedule is not null && RefuseScheduleDeadline(schedule.Value.Date) is { } late)
        {
            return late;
        }

        var now = _context.Clock.GetUtcNow().UtcDateTime;
        return _context.Store.Atomically(() =>
        {
            var key = WeChatPayContract.Key(mchid, party.SubMchid, planId, outContractCode);
            var existing = _contracts.FindBy(nameof(WeChatPayContract.ContractKey), key) is [var found, ..] ? found : null;
            if (existing is { State: not WeChatPayContract.Pending })
            {
                return WeChatPayErrors.InvalidRequest("商户签约协议号已被使用，请更换out_contract_code后重新签约");
            }

            // A pending signing asked for again with the same body answers the same session; another body replaces it.
            if (existing is null || !JsonNode.DeepEquals(JsonNode.Parse(existing.RequestJson), request))
            {
                if (existing is not null)
                {
                    _contracts.Delete(existing.Id);
                }

                existing = new WeChatPayContract
                {
                    Id = WeChatPayContract.NewPreEntrustwebId(),
                    ContractKey = key,
                    Mchid = mchid,
                    Appid = party.Appid,
                    SubMchid = party.SubMchid,
                    SubAppid = party.SubAppid,
                    SubOpenId = subOpenid,
                    PlanId = planId,
                    OutContractCode = outContractCode,
                    DisplayAccount = displayAccount,
                    OutUserCode = outUserCode,
                    NotifyUrl = notifyUrl,
                    ReturnUrl = returnUrl,
                    Scene = scene,
                    OpenId = openid,
                    CreateTime = now,
                    RequestJson = request.ToJsonString(),
                };
                if (schedule is { } booked)
                {
                    existing.ScheduleDate = WeChatPayContract.DateText(booked.Date);
                    existing.ScheduleAmount = booked.Total;
                    existing.ScheduleDescription = booked.Description;
                    existing.ScheduleState = WeChatPayContract.NoScheduled;
                }

                _contracts.Upsert(existing);
            }

            return Json(PreSigned(existing, listenerUrl));
        });
    }

    /// <summary>
    /// What 预签约 answers: the session id, where the user signs for the QR-code, H5 and JSAPI scenes, and the signing
    /// mini-program to navigate to for the mini-program scene.
    /// </summary>
    private static JsonObject PreSigned(WeChatPayContract contract, string listenerUrl)
    {
        var signUrl = $"{listenerUrl}{PapaySignPagePath}?pre_entrustweb_id={contract.Id}";
        return contract.Scene switch
        {
            "H5" or "JSAPI" => new JsonObject { ["redirect_url"] = signUrl },
            "MINI_PROGRAM" => new JsonObject
            {
                ["pre_entrustweb_id"] = contract.Id,
                ["redirect_appid"] = PapaySignMiniProgramAppid,
                ["redirect_path"] = $"{PapaySignMiniProgramPath}?pre_entrustweb_id={contract.Id}",
            },
            "SIGN_SCENE_QRCODE" => new JsonObject { ["pre_entrustweb_id"] = contract.Id, ["redirect_url"] = signUrl },
            _ => new JsonObject { ["pre_entrustweb_id"] = contract.Id },
        };
    }

    /// <summary><c>plan_id</c>: a JSON number (the SDKs send it so); 0 when missing or of another kind, refused on <paramref name="fields"/>.</summary>
    private static long PlanIdField(WeChatPayFields fields, JsonObject request)
    {
        if (fields.Refusal is not null)
        {
            return 0;
        }

        if (request["plan_id"] is not { } node)
        {
            fields.Reject(WeChatPayErrors.Missing("plan_id"));
            return 0;
        }

        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue(out long id) && id > 0)
        {
            return id;
        }

        fields.Reject(WeChatPayErrors.Param("plan_id", "类型错误：应为正整数", node.ToJsonString()));
        return 0;
    }

    private static void ReadDeviceInfo(WeChatPayFields fields)
    {
        var deviceType = fields.PathText("device_info.device_type", 32, required: true);
        fields.PathText("device_info.device_os", 64, required: true);
        fields.PathText("device_info.device_id", 128, required: true);
        fields.PathText("device_info.device_ip", 45, required: true);
        fields.PathText("device_info.weixin_version", 32, required: true);
        var loginDays = fields.PathText("device_info.days_since_first_login", 64, required: true);
        fields.PathFlag("device_info.device_running_as_root");
        fields.PathFlag("device_info.weixin_installed");
        if (deviceType is not null && !DeviceTypes.Contains(deviceType, StringComparer.Ordinal))
        {
            fields.Reject(WeChatPayErrors.Param("device_info.device_type", "取值错误：不是有效的设备类型", deviceType));
        }

        if (loginDays is not null && !LoginDays.Contains(loginDays, StringComparer.Ordinal))
        {
            fields.Reject(WeChatPayErrors.Param("device_info.days_since_first_login", "取值错误：不是有效的枚举值", loginDays));
        }
    }

    private static IResult? RefusePlan(long planId) =>
        planId == PapayPlanId ? null : WeChatPayErrors.InvalidRequest($"委托代扣模板不存在：plan_id {planId.ToString(CultureInfo.InvariantCulture)}（沙箱的模板为{PapayPlanId.ToString(CultureInfo.InvariantCulture)}）");

    /// <summary>WeChat: 商户侧的签约协议号 is digits and letters only.</summary>
    private static IResult? RefuseContractCode(string outContractCode) =>
        ContractCode().IsMatch(outContractCode) ? null : WeChatPayErrors.Param("out_contract_code", "格式错误：只能是数字、大小写字母的组合", outContractCode);

    private static IResult? RefuseContractNotifyUrl(string url) =>
        HttpUrl.IsValid(url) ? null : WeChatPayErrors.Param("contract_notify_url", "格式错误：应为http(s)地址", url);

    /// <summary>The contract path's plan_id and out_contract_code: a signed or terminated contract of the merchant (or its sub-merchant), or the refusal.</summary>
    private (WeChatPayContract? Contract, IResult? Refusal) ContractAt(string mchid, string? subMchid, string planId, string outContractCode)
    {
        if (!long.TryParse(planId, NumberStyles.None, CultureInfo.InvariantCulture, out var plan) || plan <= 0)
        {
            return (null, WeChatPayErrors.Param("plan_id", "类型错误：应为正整数", planId, "path"));
        }

        var contract = _contracts.FindBy(nameof(WeChatPayContract.ContractKey), WeChatPayContract.Key(mchid, subMchid, plan, outContractCode))
            .FirstOrDefault(c => c.State != WeChatPayContract.Pending);
        return contract is null ? (null, ContractNotFound()) : (contract, null);
    }

    private static IResult ContractNotFound() => WeChatPayErrors.Of(404, "RESOURCE_NOT_EXISTS", "委托代扣协议不存在");

    private IResult QueryContract(string mchid, string? subMchid, string planId, string outContractCode)
    {
        var (contract, refusal) = ContractAt(mchid, subMchid, planId, outContractCode);
        return refusal ?? Json(contract!.Described());
    }

    /// <summary>解约 by the merchant, or by the 服务商 for the body's <c>sub_mchid</c>.</summary>
    private IResult TerminateContract(string mchid, string planId, string outContractCode, byte[] body, bool partner)
    {
        if (ParseObject(body) is not { } request)
        {
            return NotAnObject();
        }

        var fields = new WeChatPayFields(request);
        var subMchid = partner ? fields.Text("sub_mchid", 32) : null;
        var remark = fields.Text("contract_termination_remark", 256);
        if (fields.Refusal is { } refusal)
        {
            return refusal;
        }

        if (subMchid is not null && RefuseSubMchid(subMchid) is { } unbound)
        {
            return unbound;
        }

        return _context.Store.Atomically(() =>
        {
            var (contract, missing) = ContractAt(mchid, subMchid, planId, outContractCode);
            if (missing is not null)
            {
                return missing;
            }

            if (contract!.State == WeChatPayContract.Terminated)
            {
                return WeChatPayErrors.InvalidRequest("委托代扣协议已解约");
            }

            EndContract(contract, "MCH_API_TERMINATE", remark);
            return Json(contract.Described());
        });
    }

    /// <summary>Ends a signed contract now and sends ENTRUST.TERMINATE; part of the caller's unit.</summary>
    private void EndContract(WeChatPayContract contract, string mode, string? remark)
    {
        contract.State = WeChatPayContract.Terminated;
        contract.TerminationMode = mode;
        contract.TerminationRemark = remark;
        contract.TerminatedTime = _context.Clock.GetUtcNow().UtcDateTime;
        _contracts.Upsert(contract);
        NotifyContract(contract, "ENTRUST.TERMINATE", "解约成功");
    }

    private void NotifyContract(WeChatPayContract contract, string eventType, string summary) =>
        _context.Notifier.Send(Name, contract.ContractId!, _policy, faults =>
            [Notification(contract.NotifyUrl, eventType, summary, "papay", contract.Described(), faults)]);

    [GeneratedRegex("^[0-9A-Za-z]{1,32}$")]
    private static partial Regex ContractCode();
}
