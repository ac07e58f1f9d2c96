using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.WeChatPay;

/// <summary>
/// 服务商 (partner) mode: the sandbox's one merchant acts as a 服务商 for the sub-merchants the <c>sub_mchids</c>
/// setting lists. A partner order is a direct order that also names its sub-merchant (<see cref="WeChatPayOrder.SubMchid"/>):
/// it is placed, paid, notified, refunded and expired by the same code, found only under its own sub_mchid, and kept
/// apart from the direct routes as WeChat keeps them.
/// </summary>
public sealed partial class WeChatPayProvider
{
    /// <summary>Setting: the sub_mchids (特约商户号) the 服务商 may act for, comma-separated.</summary>
    public const string SubMchidsSetting = "sub_mchids";

    /// <summary>The sub-merchants bound to the sandbox's 服务商 until <see cref="SubMchidsSetting"/> says otherwise.</summary>
    public static readonly IReadOnlyList<string> DefaultSubMchids = ["1900000110", "1900000111"];

    private void MapPartner(WebApplication app)
    {
        foreach (var (path, tradeType) in OrderRoutes)
        {
            app.MapPost("/v3/pay/partner/transactions/" + path, (HttpRequest request) =>
                AuthenticatedAsync(request.HttpContext, (mchid, body) => Place(tradeType, $"{request.Scheme}://{request.Host}", mchid, body, partner: true)));
        }

        app.MapGet("/v3/pay/partner/transactions/out-trade-no/{outTradeNo}", (HttpContext http, string outTradeNo) =>
            AuthenticatedAsync(http, (mchid, _) => PartnerQuery(http, mchid, subMchid => Ordinary(FindByOutTradeNo(mchid, subMchid, outTradeNo)))));
        app.MapGet("/v3/pay/partner/transactions/id/{transactionId}", (HttpContext http, string transactionId) =>
            AuthenticatedAsync(http, (mchid, _) => PartnerQuery(http, mchid, subMchid => Ordinary(FindByTransactionId(mchid, subMchid, transactionId)))));
        app.MapPost("/v3/pay/partner/transactions/out-trade-no/{outTradeNo}/close", (HttpContext http, string outTradeNo) =>
            AuthenticatedAsync(http, (mchid, body) => PartnerClose(mchid, outTradeNo, body)));
    }

    private static string? RefuseSubMchids(string value) => SubMchidList(value) is { Count: > 0 } ids && ids.All(SubMchidFormat().IsMatch)
        ? null
        : "sub_mchids must be one or more merchant numbers (digits, up to 32), comma-separated";

    private static List<string> SubMchidList(string value) =>
        [.. value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];

    /// <summary>The sub_mchids the 服务商 may act for now.</summary>
    private IReadOnlyList<string> SubMchids() =>
        _context.Settings.Get(Name, SubMchidsSetting) is { } set ? SubMchidList(set) : DefaultSubMchids;

    /// <summary>WeChat's answer for a sub_mchid that is no sub-merchant of this 服务商 (受理关系不存在), or null when it is one.</summary>
    private IResult? RefuseSubMchid(string subMchid) =>
        SubMchids().Contains(subMchid, StringComparer.Ordinal) ? null : WeChatPayErrors.Of(403, "NO_AUTH", "受理关系不存在");

    /// <summary>
    /// The 服务商's ids and the payer of a partner order, checked after the field rules: sp_mchid is the signer,
    /// sp_appid the sandbox's appid, sub_mchid bound, and a JSAPI order names exactly one openid (sub_openid with its sub_appid).
    /// </summary>
    private IResult? RefusePartnerParties(string mchid, string tradeType, OrderParties parties)
    {
        if (parties.Mchid != mchid)
        {
            return WeChatPayErrors.InvalidRequest("请求中的sp_mchid与Authorization中的商户号不一致");
        }

        if (parties.Appid != _keys.AppidOf(mchid))
        {
            return WeChatPayErrors.Of(400, "APPID_MCHID_NOT_MATCH", "appid和mch_id不匹配，请检查后再试");
        }

        if (RefuseSubMchid(parties.SubMchid!) is { } unbound)
        {
            return unbound;
        }

        if (tradeType != WeChatPayOrder.Jsapi)
        {
            return null;
        }

        return (parties.OpenId, parties.SubOpenId) switch
        {
            (null, null) => WeChatPayErrors.Param("payer", "必填性规则校验失败：payer.sp_openid和payer.sub_openid须传其一"),
            ({ }, { }) => WeChatPayErrors.Param("payer", "取值错误：payer.sp_openid和payer.sub_openid只能传其一"),
            (null, { }) when parties.SubAppid is null => WeChatPayErrors.Param("sub_appid", "必填性规则校验失败：传了payer.sub_openid时此字段为必填项"),
            _ => null,
        };
    }

    /// <summary>The partner query: sp_mchid (the signer's) and a bound sub_mchid in the query, the order found under both.</summary>
    private IResult PartnerQuery(HttpContext http, string mchid, Func<string, WeChatPayOrder?> find)
    {
        var spMchid = http.Request.Query["sp_mchid"].ToString();
        var subMchid = http.Request.Query["sub_mchid"].ToString();
        if (spMchid.Length == 0 || subMchid.Length == 0)
        {
            return WeChatPayErrors.Missing(spMchid.Length == 0 ? "sp_mchid" : "sub_mchid", "query");
        }

        if (spMchid != mchid)
        {
            return WeChatPayErrors.InvalidRequest("请求中的sp_mchid与Authorization中的商户号不一致");
        }

        return RefuseSubMchid(subMchid) ?? (find(subMchid) is { } order
            ? Json(WeChatPayResources.Transaction(order, StatusOf(order)))
            : WeChatPayErrors.OrderNotExist());
    }

    private IResult PartnerClose(string mchid, string outTradeNo, byte[] body)
    {
        if (ParseObject(body) is not { } request)
        {
            return NotAnObject();
        }

        var fields = new WeChatPayFields(request);
        var spMchid = fields.Text("sp_mchid", 32);
        var subMchid = fields.Text("sub_mchid", 32);
        if (fields.Refusal is { } refusal)
        {
            return refusal;
        }

        if (spMchid != mchid)
        {
            return WeChatPayErrors.InvalidRequest("请求中的sp_mchid与Authorization中的商户号不一致");
        }

        return RefuseSubMchid(subMchid) ?? CloseOrder(Ordinary(FindByOutTradeNo(mchid, subMchid, outTradeNo)));
    }

    private WeChatPayOrder? FindByTransactionId(string mchid, string? subMchid, string transactionId) =>
        _orders.FindBy(nameof(WeChatPayOrder.TransactionId), transactionId).FirstOrDefault(o => o.Mchid == mchid && o.SubMchid == subMchid);

    /// <summary>
    /// Who places an order and who pays it: the merchant itself (appid, mchid; JSAPI's payer.openid in
    /// <see cref="OpenId"/>) or the 服务商 for a sub-merchant (sp_appid, sp_mchid, sub_appid, sub_mchid; payer.sp_openid
    /// in <see cref="OpenId"/>, payer.sub_openid in <see cref="SubOpenId"/>).
    /// </summary>
    private sealed record OrderParties(string Appid, string Mchid, string? SubAppid, string? SubMchid)
    {
        public string? OpenId { get; init; }

        public string? SubOpenId { get; init; }

        public static OrderParties Read(WeChatPayFields fields, bool partner) => partner
            ? new(fields.Text("sp_appid", 32), fields.Text("sp_mchid", 32), fields.OptionalText("sub_appid", 32), fields.Text("sub_mchid", 32))
            : new(fields.Text("appid", 32), fields.Text("mchid", 32), null, null);

        /// <summary>JSAPI's payer: openid in direct mode (required), sp_openid or sub_openid in partner mode (checked later).</summary>
        public OrderParties WithPayer(WeChatPayFields fields) => SubMchid is null
            ? this with { OpenId = fields.PathText("payer.openid", 128, required: true) }
            : this with { OpenId = fields.PathText("payer.sp_openid", 128, required: false), SubOpenId = fields.PathText("payer.sub_openid", 128, required: false) };
    }

    [GeneratedRegex("^[0-9]{1,32}$")]
    private static partial Regex SubMchidFormat();
}
