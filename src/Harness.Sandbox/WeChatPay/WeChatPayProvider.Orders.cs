using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Harness.Sandbox.Payments;
using Harness.Security;
using Harness.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.WeChatPay;

/// <summary>
/// Placing orders (providers.md §2.2): Native answers a <c>code_url</c>, JSAPI (mini-programs, official accounts) and
/// APP a <c>prepay_id</c> for the client to pay, H5 an <c>h5_url</c> to the mobile-web cashier. One body of rules
/// for all four; an <c>out_trade_no</c> is the merchant's once, whatever the trade type.
/// </summary>
public sealed partial class WeChatPayProvider
{
    /// <summary>The order routes under <c>/v3/pay/transactions/</c> and the trade type each places.</summary>
    private static readonly (string Path, string TradeType)[] OrderRoutes =
    [
        ("native", WeChatPayOrder.Native), ("jsapi", WeChatPayOrder.Jsapi), ("app", WeChatPayOrder.App), ("h5", WeChatPayOrder.H5),
    ];

    /// <summary>The H5 cashier's path on WeChat's pay host (<c>wx.tenpay.com</c>), served here by the listener itself.</summary>
    private const string H5CashierPath = "/cgi-bin/mmpayweb-bin/checkmweb";

    private static readonly string[] H5SceneTypes = ["Wap", "iOS", "Android"];

    private void MapOrders(WebApplication app)
    {
        foreach (var (path, tradeType) in OrderRoutes)
        {
            app.MapPost("/v3/pay/transactions/" + path, (HttpRequest request) =>
                AuthenticatedAsync(request.HttpContext, (mchid, body) => Place(tradeType, $"{request.Scheme}://{request.Host}", mchid, body, partner: false)));
        }

        MapPartner(app);
    }

    /// <summary>
    /// Places an order of <paramref name="tradeType"/>, the merchant's own or, <paramref name="partner"/>, the 服务商's for a
    /// sub-merchant (WeChatPayProvider.Partner.cs); an h5_url leads back to <paramref name="listenerUrl"/>, where the merchant reached the sandbox.
    /// </summary>
    private IResult Place(string tradeType, string listenerUrl, string mchid, byte[] body, bool partner)
    {
        if (ParseObject(body) is not { } request)
        {
            return NotAnObject();
        }

        var fields = new WeChatPayFields(request);
        var parties = OrderParties.Read(fields, partner);
        var description = fields.Text("description", 127);
        var outTradeNo = fields.Text("out_trade_no", 32);
        var notifyUrl = fields.Text("notify_url", 255);
        var attach = fields.OptionalText("attach", 128);
        fields.OptionalText("goods_tag", 32);
        var timeExpire = fields.OptionalText("time_expire", 64);
        var total = fields.Amount("total");
        parties = tradeType == WeChatPayOrder.Jsapi ? parties.WithPayer(fields) : parties;
        fields.OptionalKind("detail", JsonValueKind.Object, "类型错误：应为对象");
        var scene = Scene.Read(fields, tradeType, clientIpRequired: tradeType == WeChatPayOrder.H5);

        fields.OptionalKind("settle_info", JsonValueKind.Object, "类型错误：应为对象");
        var profitSharing = fields.OptionalFlag("settle_info", "profit_sharing");
        fields.OptionalKind("support_fapiao", JsonValueKind.True, "类型错误：应为布尔值");
        if (fields.Refusal is { } refusal)
        {
            return refusal;
        }

        if (partner && RefusePartnerParties(mchid, tradeType, parties) is { } refused)
        {
            return refused;
        }

        if (!partner && parties.Mchid != mchid)
        {
            return WeChatPayErrors.InvalidRequest("请求中的mchid与Authorization中的商户号不一致");
        }

        if (!partner && parties.Appid != _keys.AppidOf(mchid))
        {
            return WeChatPayErrors.InvalidRequest("appid和mch_id不匹配，请检查后再试");
        }

        if (!OutTradeNo().IsMatch(outTradeNo))
        {
            return WeChatPayErrors.Param("out_trade_no", "格式错误：应为6-32位数字、大小写字母或_-|*", outTradeNo);
        }

        var now = _context.Clock.GetUtcNow();
        var expiryRefusal = RefuseExpiry(timeExpire, now, out var expiresAt);
        if ((RefuseNotifyUrl(notifyUrl) ?? scene.Refusal() ?? expiryRefusal) is { } wrong)
        {
            return wrong;
        }

        return _context.Store.Atomically<IResult>(() =>
        {
            if (FindByOutTradeNo(mchid, parties.SubMchid, outTradeNo) is { } existing)
            {
                return PlacedAgain(StatusOf(existing), existing.TradeType == tradeType && JsonNode.DeepEquals(JsonNode.Parse(existing.RequestJson), request), () => Placed(existing));
            }

            var prepayId = tradeType == WeChatPayOrder.Native ? null : WeChatPayOrder.NewPrepayId(now);
            var order = new WeChatPayOrder
            {
                Id = "wxp_" + Secrets.RandomHex(12),
                Mchid = mchid,
                Appid = parties.Appid,
                SubMchid = parties.SubMchid,
                SubAppid = parties.SubAppid,
                TradeType = tradeType,
                OutTradeNo = outTradeNo,
                Description = description,
                NotifyUrl = notifyUrl,
                Attach = attach,
                Total = total,
                CodeUrl = tradeType == WeChatPayOrder.Native ? WeChatPayOrder.NewCodeUrl() : "",
                PrepayId = prepayId,
                H5Url = tradeType == WeChatPayOrder.H5 ? $"{listenerUrl}{H5CashierPath}?prepay_id={prepayId}&package={WeChatPayOrder.NewH5Package()}" : null,
                OpenId = parties.OpenId,
                SubOpenId = parties.SubOpenId,
                DeviceId = scene.DeviceId,
                ProfitSharing = profitSharing,
                RequestJson = request.ToJsonString(),
            };
            Keep(order, now, expiresAt, tradeType == WeChatPayOrder.Native ? order.CodeUrl : null);
            return Json(Placed(order));
        });
    }

    /// <summary>Stores a new order with its open payment (what the dashboard and the pay page show); the caller holds the unit.</summary>
    private void Keep(WeChatPayOrder order, DateTimeOffset now, DateTimeOffset expiresAt, string? qrCode = null)
    {
        _orders.Upsert(order);
        _context.Payments.Add(new SandboxPayment
        {
            Id = order.Id,
            Provider = Name,
            Status = PaymentStatus.Open,
            Amount = order.Total,
            Currency = "cny",
            Description = order.Description,
            MerchantReference = order.OutTradeNo,
            QrCode = qrCode,
            CreatedAt = now.UtcDateTime,
            ExpiresAt = expiresAt.UtcDateTime,
        });
    }

    /// <summary>
    /// Placing an order whose out_trade_no is taken: paid or closed, refused with WeChat's code; the same request
    /// again, the same answer; another request, refused as a duplicate.
    /// </summary>
    private static IResult PlacedAgain(PaymentStatus state, bool sameRequest, Func<JsonObject> answer) => state switch
    {
        PaymentStatus.Paid => WeChatPayErrors.Of(403, "ORDERPAID", "该订单已支付"),
        PaymentStatus.Expired or PaymentStatus.Canceled => WeChatPayErrors.Of(400, "ORDER_CLOSED", "订单已关闭"),
        _ when sameRequest => Json(answer()),
        _ => WeChatPayErrors.InvalidRequest("201 商户订单号重复"),
    };

    private static IResult? RefuseNotifyUrl(string notifyUrl) =>
        HttpUrl.IsValid(notifyUrl) && new Uri(notifyUrl).Query.Length == 0
            ? null
            : WeChatPayErrors.Param("notify_url", "格式错误：应为不带参数的http(s)地址", notifyUrl);

    /// <summary>When an order placed <paramref name="now"/> stops being payable: <c>time_expire</c>, at least a minute away, or <see cref="DefaultLifetime"/>.</summary>
    private static IResult? RefuseExpiry(string? timeExpire, DateTimeOffset now, out DateTimeOffset expiresAt)
    {
        expiresAt = now + DefaultLifetime;
        if (timeExpire is null)
        {
            return null;
        }

        if (RefuseTime("time_expire", timeExpire, out var expire) is { } wrong)
        {
            return wrong;
        }

        if (expire < now.AddMinutes(1))
        {
            return WeChatPayErrors.InvalidRequest("time_expire 须晚于下单时间至少1分钟");
        }

        expiresAt = expire;
        return null;
    }

    /// <summary>An RFC 3339 time as WeChat writes them (<c>2018-06-08T10:34:56+08:00</c>, fractions allowed).</summary>
    private static IResult? RefuseTime(string field, string text, out DateTimeOffset time) =>
        DateTimeOffset.TryParseExact(text, ["yyyy-MM-dd'T'HH:mm:sszzz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz"], CultureInfo.InvariantCulture, DateTimeStyles.None, out time)
            ? null
            : WeChatPayErrors.Param(field, "格式错误：应为RFC 3339格式，如2018-06-08T10:34:56+08:00", text);

    /// <summary>The request's <c>scene_info</c>: the device echoed back, the buyer's IP (H5: required) and H5's <c>h5_info</c>.</summary>
    private sealed record Scene(string? DeviceId, string? ClientIp, string? H5Type)
    {
        public static Scene Read(WeChatPayFields fields, string tradeType, bool clientIpRequired)
        {
            fields.OptionalKind("scene_info", JsonValueKind.Object, "类型错误：应为对象");
            var deviceId = fields.OptionalText("scene_info", "device_id", 32);
            var clientIp = fields.PathText("scene_info.payer_client_ip", 45, required: clientIpRequired);
            var h5Type = tradeType == WeChatPayOrder.H5 ? fields.PathText("scene_info.h5_info.type", 32, required: true) : null;
            if (tradeType == WeChatPayOrder.H5)
            {
                fields.PathText("scene_info.h5_info.app_name", 64, required: false);
                fields.PathText("scene_info.h5_info.app_url", 128, required: false);
                fields.PathText("scene_info.h5_info.bundle_id", 128, required: false);
                fields.PathText("scene_info.h5_info.package_name", 128, required: false);
            }

            return new(deviceId, clientIp, h5Type);
        }

        /// <summary>The checks after the field rules: an IP address, an H5 scene type WeChat knows.</summary>
        public IResult? Refusal() =>
            ClientIp is not null && !IsIpAddress(ClientIp) ? WeChatPayErrors.Param("scene_info.payer_client_ip", "格式错误：应为IPv4或IPv6地址", ClientIp)
            : H5Type is not null && !H5SceneTypes.Contains(H5Type, StringComparer.Ordinal) ? WeChatPayErrors.Param("scene_info.h5_info.type", "取值错误：应为Wap、iOS或Android", H5Type)
            : null;
    }

    /// <summary>What placing an order answers, the same each time the same order is placed again.</summary>
    private static JsonObject Placed(WeChatPayOrder order) => order.TradeType switch
    {
        WeChatPayOrder.Native => new JsonObject { ["code_url"] = order.CodeUrl },
        WeChatPayOrder.H5 => new JsonObject { ["h5_url"] = order.H5Url },
        _ => new JsonObject { ["prepay_id"] = order.PrepayId },
    };

    /// <summary>A dotted IPv4 address or an IPv6 one (IPAddress alone also takes "1" or "0x7f.1").</summary>
    private static bool IsIpAddress(string text) =>
        IPAddress.TryParse(text, out var address)
        && (address.AddressFamily == AddressFamily.InterNetworkV6 ? text.Contains(':', StringComparison.Ordinal) : DottedQuad().IsMatch(text));

    [GeneratedRegex("^[0-9A-Za-z_\\-|*]{6,32}$")]
    private static partial Regex OutTradeNo();

    [GeneratedRegex("^(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}$")]
    private static partial Regex DottedQuad();
}
