using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Harness.Storage;

namespace Harness.Sandbox.WeChatPay;

/// <summary>
/// A 委托代扣 contract between a user and the merchant under a plan (<c>plan_id</c>), kept from the moment the merchant
/// asks to sign it (预签约, <c>pre_entrustweb_id</c>): PENDING until the user signs on the signing page, then SIGNED,
/// TERMINATED once ended. Deductions (<c>/v3/papay/pay/transactions/apply</c>) name it by <c>contract_id</c>.
/// </summary>
public sealed partial class WeChatPayContract : IDocument
{
    /// <summary>Not a WeChat state: a 预签约 the user has not signed; the query does not find it.</summary>
    public const string Pending = "PENDING";
    public const string SignedState = "SIGNED";
    public const string Terminated = "TERMINATED";

    /// <summary>The <c>pre_entrustweb_id</c> the signing was asked for with.</summary>
    public string Id { get; set; } = "";

    /// <summary>
    /// <c>mchid/plan_id/out_contract_code</c>, or <c>sp_mchid/sub_mchid/plan_id/out_contract_code</c> for a 服务商's
    /// contract (indexed): a merchant's contract code is one contract per plan.
    /// </summary>
    public string ContractKey { get; set; } = "";

    /// <summary>WeChat's <c>contract_id</c>, given when the user signs (indexed only when set).</summary>
    public string? ContractId { get; set; }

    /// <summary>The merchant, or the 服务商 (<c>sp_mchid</c>) of a sub-merchant's contract.</summary>
    public string Mchid { get; set; } = "";

    /// <summary><c>appid</c>, or the 服务商's <c>sp_appid</c>.</summary>
    public string Appid { get; set; } = "";

    /// <summary>服务商 mode: the sub-merchant the contract is with (<c>sub_mchid</c>); null for the merchant's own.</summary>
    public string? SubMchid { get; set; }

    public string? SubAppid { get; set; }

    /// <summary>服务商 mode: the user's openid under <see cref="SubAppid"/> (the 预签约's, else made up when signed).</summary>
    public string? SubOpenId { get; set; }

    public long PlanId { get; set; }

    public string OutContractCode { get; set; } = "";

    public string DisplayAccount { get; set; } = "";

    public string? OutUserCode { get; set; }

    public string NotifyUrl { get; set; } = "";

    public string? ReturnUrl { get; set; }

    /// <summary>How the signing was asked for: <c>SIGN_SCENE_APP</c>, <c>SIGN_SCENE_QRCODE</c>, or a 预约扣费 route's <c>APP</c>, <c>H5</c>, <c>JSAPI</c>, <c>MINI_PROGRAM</c>.</summary>
    public string Scene { get; set; } = "";

    /// <summary>The request's <c>openid</c> (<c>sp_openid</c> for a 服务商), else the signing user's (made up) when signed.</summary>
    public string? OpenId { get; set; }

    public string State { get; set; } = Pending;

    public DateTime CreateTime { get; set; }

    public DateTime? SignedTime { get; set; }

    public DateTime? ExpiredTime { get; set; }

    public DateTime? TerminatedTime { get; set; }

    /// <summary><c>MCH_API_TERMINATE</c> (the merchant's terminate route) or <c>USER_TERMINATE</c> (the user, through the control API).</summary>
    public string? TerminationMode { get; set; }

    public string? TerminationRemark { get; set; }

    /// <summary>The pre-sign request as received, so asking again with the same body answers the same pre_entrustweb_id.</summary>
    public string RequestJson { get; set; } = "";

    public static string Key(string mchid, string? subMchid, long planId, string outContractCode) =>
        subMchid is null ? $"{mchid}/{planId}/{outContractCode}" : $"{mchid}/{subMchid}/{planId}/{outContractCode}";

    /// <summary>A contract_id as WeChat's samples show them: digits, 18 here (the year first).</summary>
    public static string NewContractId(DateTimeOffset now) =>
        now.ToOffset(WeChatPayResources.ChinaOffset).ToString("yyyyMMdd", CultureInfo.InvariantCulture) + RandomNumberGenerator.GetString("0123456789", 10);

    /// <summary>A pre_entrustweb_id: 32 hex characters (WeChat documents no format).</summary>
    public static string NewPreEntrustwebId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>
    /// The contract as the query, the terminate answer and ENTRUST.SIGN / ENTRUST.TERMINATE carry it: the merchant's
    /// mchid, appid and openid, or the 服务商's sp_mchid, sp_appid, sub_mchid, sub_appid, sp_openid and sub_openid with
    /// the 预约扣费 <c>deduct_schedule</c> WeChat documents on the 服务商's answer.
    /// </summary>
    public JsonObject Described()
    {
        var described = SubMchid is null
            ? new JsonObject { ["mchid"] = Mchid, ["contract_id"] = ContractId, ["appid"] = Appid }
            : new JsonObject { ["contract_id"] = ContractId, ["sp_mchid"] = Mchid, ["sp_appid"] = Appid, ["sub_mchid"] = SubMchid };
        if (SubAppid is not null)
        {
            described["sub_appid"] = SubAppid;
        }

        described["plan_id"] = PlanId;
        described["out_contract_code"] = OutContractCode;
        described["contract_display_account"] = DisplayAccount;
        described["contract_state"] = State;
        described["contract_signed_time"] = WeChatPayResources.China(SignedTime!.Value);
        described["contract_expired_time"] = WeChatPayResources.China(ExpiredTime!.Value);
        described[SubMchid is null ? "openid" : "sp_openid"] = OpenId;
        if (SubOpenId is not null)
        {
            described["sub_openid"] = SubOpenId;
        }

        if (SubMchid is not null && ScheduleState is not null)
        {
            var schedule = ScheduleDescribed();
            schedule["estimated_deduct_date"] = ScheduleDate;
            schedule["estimated_deduct_amount"] = new JsonObject { ["total"] = ScheduleAmount, ["currency"] = "CNY" };
            schedule.Remove("deduct_start_date");
            schedule.Remove("deduct_end_date");
            described["deduct_schedule"] = schedule;
        }

        if (State == Terminated)
        {
            var info = new JsonObject
            {
                ["contract_termination_mode"] = TerminationMode,
                ["contract_terminated_time"] = WeChatPayResources.China(TerminatedTime!.Value),
            };
            if (TerminationRemark is not null)
            {
                info["contract_termination_remark"] = TerminationRemark;
            }

            described["contract_terminate_info"] = info;
        }

        if (OutUserCode is not null)
        {
            described["out_user_code"] = OutUserCode;
        }

        return described;
    }
}
