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

    /// <summary><c>mchid/plan_id/out_contract_code</c> (indexed): a merchant's contract code is one contract per plan.</summary>
    public string ContractKey { get; set; } = "";

    /// <summary>WeChat's <c>contract_id</c>, given when the user signs (indexed only when set).</summary>
    public string? ContractId { get; set; }

    public string Mchid { get; set; } = "";

    public string Appid { get; set; } = "";

    public long PlanId { get; set; }

    public string OutContractCode { get; set; } = "";

    public string DisplayAccount { get; set; } = "";

    public string? OutUserCode { get; set; }

    public string NotifyUrl { get; set; } = "";

    public string? ReturnUrl { get; set; }

    /// <summary>How the signing was asked for: <c>SIGN_SCENE_APP</c>, <c>SIGN_SCENE_QRCODE</c>, or a 预约扣费 route's <c>APP</c>, <c>H5</c>.</summary>
    public string Scene { get; set; } = "";

    /// <summary>The request's <c>openid</c>, else the signing user's (made up) when signed.</summary>
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

    public static string Key(string mchid, long planId, string outContractCode) => $"{mchid}/{planId}/{outContractCode}";

    /// <summary>A contract_id as WeChat's samples show them: digits, 18 here (the year first).</summary>
    public static string NewContractId(DateTimeOffset now) =>
        now.ToOffset(WeChatPayResources.ChinaOffset).ToString("yyyyMMdd", CultureInfo.InvariantCulture) + RandomNumberGenerator.GetString("0123456789", 10);

    /// <summary>A pre_entrustweb_id: 32 hex characters (WeChat documents no format).</summary>
    public static string NewPreEntrustwebId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>The contract as the query, the terminate answer and ENTRUST.SIGN / ENTRUST.TERMINATE carry it.</summary>
    public JsonObject Described()
    {
        var described = new JsonObject
        {
            ["mchid"] = Mchid,
            ["contract_id"] = ContractId,
            ["appid"] = Appid,
            ["plan_id"] = PlanId,
            ["out_contract_code"] = OutContractCode,
            ["contract_display_account"] = DisplayAccount,
            ["contract_state"] = State,
            ["contract_signed_time"] = WeChatPayResources.China(SignedTime!.Value),
            ["contract_expired_time"] = WeChatPayResources.China(ExpiredTime!.Value),
            ["openid"] = OpenId,
        };
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
