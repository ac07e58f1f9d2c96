using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.WeChatPay;

/// <summary>
/// 分账 in 服务商 mode: the same <c>/v3/profitsharing/…</c> routes with <c>sub_mchid</c> (in the body, or the query of
/// a GET) share a sub-merchant's partner order. The sharing code is one path parameterised by <see cref="SharingPayer"/>:
/// the receivers, 分账单 and return orders are the sub-merchant's own, the rest unfreezes to it, and its answers lead
/// with <c>sub_mchid</c>. Partner and direct orders stay apart: each mode shares only its own orders.
/// </summary>
public sealed partial class WeChatPayProvider
{
    /// <summary>
    /// Setting: each sub-merchant's own 最大分账比例, whole percent, as <c>sub_mchid:percent</c> pairs, comma-separated
    /// (<c>1900000110:20,1900000111:10</c>). A sub-merchant not listed allows <see cref="SharingRatioSetting"/>.
    /// </summary>
    public const string SubMchidRatiosSetting = "sub_mchid_max_ratios";

    private static string? RefuseSubMchidRatios(string value) => SubMchidRatios(value) is null
        ? $"{SubMchidRatiosSetting} must be sub_mchid:percent pairs, comma-separated (1900000110:20,1900000111:10), each percent whole from 1 to {MaxSharingRatio}"
        : null;

    /// <summary>The pairs of <see cref="SubMchidRatiosSetting"/>, or null when one is malformed (an empty value lists none).</summary>
    private static Dictionary<string, int>? SubMchidRatios(string value)
    {
        var ratios = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var pair in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split(':', StringSplitOptions.TrimEntries);
            if (parts is not [var subMchid, var percent] || !SubMchidFormat().IsMatch(subMchid)
                || !int.TryParse(percent, NumberStyles.None, CultureInfo.InvariantCulture, out var ratio) || ratio is < 1 or > MaxSharingRatio
                || !ratios.TryAdd(subMchid, ratio))
            {
                return null;
            }
        }

        return ratios;
    }

    /// <summary>The 最大分账比例 in whole percent: the sub-merchant's own (sub_mchid_max_ratios), else the merchant's setting, else 30.</summary>
    private int SharingRatio(string? subMchid = null) =>
        subMchid is not null && SubMchidRatio(subMchid) is { } own ? own
        : _context.Settings.Get(Name, SharingRatioSetting) is { } text && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ratio) ? ratio : MaxSharingRatio;

    private int? SubMchidRatio(string subMchid) =>
        _context.Settings.Get(Name, SubMchidRatiosSetting) is { } set && SubMchidRatios(set) is { } ratios && ratios.TryGetValue(subMchid, out var ratio) ? ratio : null;

    private void MapPartnerSharing(WebApplication app) =>
        app.MapGet("/v3/profitsharing/merchant-configs/{subMchid}", (HttpContext http, string subMchid) =>
            AuthenticatedAsync(http, (_, _) => MerchantConfig(subMchid)));

    /// <summary>
    /// 查询最大分账比例: the ratio the sub-merchant allows its 服务商, in 万分比 (2000 is 20%): its own in
    /// <see cref="SubMchidRatiosSetting"/>, else <see cref="SharingRatioSetting"/>, the ratio its sharing is held to.
    /// </summary>
    private IResult MerchantConfig(string subMchid) =>
        RefuseSubMchid(subMchid) ?? Json(new JsonObject { ["sub_mchid"] = subMchid, ["max_ratio"] = SharingRatio(subMchid) * 100 });

    private IResult? RefusePayer(SharingPayer payer) => payer.SubMchid is { } subMchid ? RefuseSubMchid(subMchid) : null;

    /// <summary>A GET's payer: <c>?sub_mchid=</c> for a sub-merchant's records (bound, not empty), none for the merchant's own.</summary>
    private IResult? QueriedPayer(HttpContext http, string mchid, out SharingPayer payer)
    {
        var query = http.Request.Query;
        var subMchid = query.ContainsKey("sub_mchid") ? query["sub_mchid"].ToString() : null;
        payer = new SharingPayer(mchid, subMchid);
        return subMchid is { Length: 0 }
            ? WeChatPayErrors.Param("sub_mchid", "必填性规则校验失败，此字段不能为空", location: "query")
            : RefusePayer(payer);
    }

    /// <summary>
    /// The payer's paid order placed for 分账, or null and the refusal: an order of the other mode is refused with
    /// WeChat's words for it, another sub-merchant's order is not found.
    /// </summary>
    private WeChatPayOrder? SharableOrder(SharingPayer payer, string transactionId, out IResult? refusal)
    {
        var order = FindAnyByTransactionId(payer.Mchid, transactionId);
        refusal = order is null || (order.SubMchid is not null && payer.SubMchid is not null && order.SubMchid != payer.SubMchid)
                ? WeChatPayErrors.Of(404, "RESOURCE_NOT_EXISTS", "订单不存在")
            : (order.SubMchid is null) != (payer.SubMchid is null)
                ? WeChatPayErrors.InvalidRequest("请求分账的交易模式和下单的交易模式不匹配，普通商户的交易只能普通商户发起分账，服务商下单的交易只能服务商发起分账")
            : !order.ProfitSharing ? WeChatPayErrors.InvalidRequest("非分账订单不支持分账")
            : null;
        return refusal is null ? order : null;
    }

    /// <summary>The merchant's paid order with that transaction_id, its own or a sub-merchant's (a transaction_id is WeChat's, unique).</summary>
    private WeChatPayOrder? FindAnyByTransactionId(string mchid, string transactionId) =>
        _orders.FindBy(nameof(WeChatPayOrder.TransactionId), transactionId).FirstOrDefault(o => o.Mchid == mchid);

    private IResult? ReceiverRefusal(SharingPayer payer, string appid, string? subAppid, string type, string account) =>
        appid != _keys.AppidOf(payer.Mchid) ? WeChatPayErrors.InvalidRequest("appid和mch_id不匹配，请检查后再试")
        : ReceiverTypeRefusal(payer, "type", type) is { } wrongType ? wrongType
        : type == PersonalSubOpenId && subAppid is null ? WeChatPayErrors.Param("sub_appid", "必填性规则校验失败：分账接收方类型为PERSONAL_SUB_OPENID时必填")
        : type == MerchantId && !account.All(char.IsAsciiDigit) ? WeChatPayErrors.Param("account", "格式错误：商户号应为数字", account)
        : null;

    /// <summary>The receiver types of the mode: PERSONAL_SUB_OPENID (an openid under the sub-merchant's sub_appid) only in 服务商 mode.</summary>
    private static IResult? ReceiverTypeRefusal(SharingPayer payer, string field, string type) =>
        payer.SubMchid is null
            ? type is MerchantId or PersonalOpenId ? null : WeChatPayErrors.Param(field, $"枚举值校验失败：应为{MerchantId}或{PersonalOpenId}", type)
            : type is MerchantId or PersonalOpenId or PersonalSubOpenId ? null
            : WeChatPayErrors.Param(field, $"枚举值校验失败：应为{MerchantId}、{PersonalOpenId}或{PersonalSubOpenId}", type);

    /// <summary>A 服务商's 请求分账 needs appid for PERSONAL_OPENID receivers and sub_appid for PERSONAL_SUB_OPENID ones (a direct one always names appid).</summary>
    private static IResult? LinesNeedApp(List<WeChatPaySharingLine> lines, string? appid, string? subAppid) =>
        appid is null && lines.Any(l => l.Type == PersonalOpenId) ? WeChatPayErrors.Param("appid", "必填性规则校验失败：分账接收方类型包含PERSONAL_OPENID时必填")
        : subAppid is null && lines.Any(l => l.Type == PersonalSubOpenId) ? WeChatPayErrors.Param("sub_appid", "必填性规则校验失败：分账接收方类型包含PERSONAL_SUB_OPENID时必填")
        : null;

    /// <summary>Who shares (分账方): the merchant itself, or in 服务商 mode the sub-merchant the 服务商 acts for.</summary>
    private sealed record SharingPayer(string Mchid, string? SubMchid)
    {
        /// <summary>The prefix of the payer's receivers, 分账单 and returns: <c>mchid</c> or <c>mchid/sub_mchid</c>.</summary>
        public string Key => SubMchid is null ? Mchid : Mchid + "/" + SubMchid;

        /// <summary>The merchant number whose money is shared: it may be a receiver without being added, and gets the rest unfrozen.</summary>
        public string Account => SubMchid ?? Mchid;

        /// <summary>The start of a receiver answer: <c>sub_mchid</c> in 服务商 mode.</summary>
        public JsonObject Answer() => SubMchid is null ? [] : new JsonObject { ["sub_mchid"] = SubMchid };
    }
}
