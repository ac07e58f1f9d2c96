using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;
using Harness.Security.Signing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.WeChatPay;

/// <summary>
/// The buyer's side, which the real API leaves to WeChat's clients, played here so a merchant's front end can be tested:
/// <list type="bullet">
/// <item><c>POST /sandbox/request-payment</c> takes exactly what <c>wx.requestPayment</c> (JSAPI, mini-programs) or the
/// APP SDK's PayReq takes, checks the merchant's pay signature as WeChat's client does before showing the pay sheet,
/// and answers the hosted pay page where the buyer pays.</item>
/// <item>The H5 cashier (<c>h5_url</c>) keeps the merchant's <c>redirect_url</c> and sends the buyer to the hosted pay
/// page, which returns there after paying or leaving.</item>
/// </list>
/// Refusals carry the listener's <c>{code, message}</c> and what the client would hand the merchant's code:
/// <c>errMsg</c> <c>requestPayment:fail …</c> for JSAPI, <c>errCode</c> -1 and <c>errStr</c> for APP.
/// </summary>
public sealed partial class WeChatPayProvider
{
    public const string RequestPaymentPath = "/sandbox/request-payment";

    /// <summary>What <c>wx.requestPayment</c> (and WeixinJSBridge's getBrandWCPayRequest) takes; appId stands for the mini-program or account the page runs in.</summary>
    private static readonly string[] JsapiParameters = ["appId", "timeStamp", "nonceStr", "package", "signType", "paySign"];

    /// <summary>What the APP SDK's PayReq carries.</summary>
    private static readonly string[] AppParameters = ["appid", "partnerid", "prepayid", "package", "noncestr", "timestamp", "sign"];

    private void MapClientSteps(WebApplication app)
    {
        app.MapPost(RequestPaymentPath, async (HttpRequest request) =>
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
            return RequestPayment(buffer.ToArray());
        });
        app.MapGet(H5CashierPath, (HttpRequest request) => OpenH5Cashier(request.Query));
    }

    private IResult RequestPayment(byte[] body)
    {
        if (ParseObject(body) is not { } request)
        {
            return ClientRefusal(fromApp: false, 400, "PARAM_ERROR", "parameter error: the parameters must be a JSON object");
        }

        // APP's PayReq is told apart by the fields only it has.
        var fromApp = request.ContainsKey("prepayid") || request.ContainsKey("partnerid");
        var names = fromApp ? AppParameters : JsapiParameters;
        if (names.FirstOrDefault(n => request[n]?.GetValueKind() != JsonValueKind.String) is { } wrong)
        {
            return ClientRefusal(fromApp, 400, "PARAM_ERROR", $"parameter error: parameter.{wrong} should be String instead of {KindName(request[wrong])}");
        }

        var given = names.ToDictionary(n => n, n => request[n]!.GetValue<string>(), StringComparer.Ordinal);
        var (appid, timestamp, nonce, signature) = fromApp
            ? (given["appid"], given["timestamp"], given["noncestr"], given["sign"])
            : (given["appId"], given["timeStamp"], given["nonceStr"], given["paySign"]);
        var prepayId = fromApp ? given["prepayid"] : given["package"].StartsWith("prepay_id=", StringComparison.Ordinal) ? given["package"][10..] : null;
        var problem = (fromApp, prepayId) switch
        {
            (true, _) when given["package"] != "Sign=WXPay" => "parameter error: package must be Sign=WXPay",
            (false, null) => "parameter error: package must be prepay_id=<the prepay_id the order answered>",
            (false, _) when given["signType"] != "RSA" => "parameter error: signType must be RSA for an API v3 order",
            _ when timestamp.Length is 0 or > 10 || !timestamp.All(char.IsAsciiDigit) => "parameter error: the timestamp must be the seconds since 1970, as digits",
            _ when nonce.Length is 0 or > 32 => "parameter error: the nonce string must be 1 to 32 characters",
            _ => null,
        };
        if (problem is not null)
        {
            return ClientRefusal(fromApp, 400, "PARAM_ERROR", problem);
        }

        var expected = fromApp ? WeChatPayOrder.App : WeChatPayOrder.Jsapi;
        if (FindPrepaid(prepayId!).FirstOrDefault() is not { } order)
        {
            return ClientRefusal(fromApp, 404, "ORDER_NOT_EXIST", "prepay_id不存在");
        }

        if (order.TradeType != expected)
        {
            return ClientRefusal(fromApp, 400, "INVALID_REQUEST", $"prepay_id是{order.TradeType}下单所得，不能以{expected}方式调起支付");
        }

        // 服务商 mode: the client runs in the 服务商's app (sp_appid) or the sub-merchant's (sub_appid); partnerid is sp_mchid.
        if ((appid != order.Appid && appid != order.SubAppid) || (fromApp && given["partnerid"] != order.Mchid))
        {
            return ClientRefusal(fromApp, 400, "INVALID_REQUEST", fromApp ? "appid或partnerid与下单时不一致" : "appId与下单时的appid不一致");
        }

        // JSAPI signs the package (prepay_id=…), APP the bare prepayid; both end in a newline.
        var message = Encoding.UTF8.GetBytes($"{appid}\n{timestamp}\n{nonce}\n{(fromApp ? prepayId : given["package"])}\n");
        if (!_keys.MerchantKeys().Any(key => RsaSignature.Verify(key, message, signature)))
        {
            return ClientRefusal(fromApp, 401, "SIGN_ERROR", "支付验证签名失败");
        }

        return _context.Payments.Get(order.Id)!.Status switch
        {
            PaymentStatus.Open => Json(new JsonObject { ["trade_type"] = order.TradeType, ["pay_url"] = _context.PayPageUrl(order.Id) }),
            PaymentStatus.Paid => ClientRefusal(fromApp, 403, "ORDERPAID", "该订单已支付"),
            _ => ClientRefusal(fromApp, 400, "ORDER_CLOSED", "订单已关闭"),
        };
    }

    /// <summary>The h5_url: keeps the merchant's redirect_url, if any, and sends the buyer's browser to the hosted pay page.</summary>
    private IResult OpenH5Cashier(IQueryCollection query)
    {
        var prepayId = query["prepay_id"].ToString();
        var package = query["package"].ToString();
        if (prepayId.Length == 0 || package.Length == 0)
        {
            return WeChatPayErrors.Missing(prepayId.Length == 0 ? "prepay_id" : "package", "query");
        }

        var order = FindPrepaid(prepayId)
            .FirstOrDefault(o => o.TradeType == WeChatPayOrder.H5 && o.H5Url!.EndsWith("&package=" + package, StringComparison.Ordinal));
        if (order is null)
        {
            return WeChatPayErrors.OrderNotExist();
        }

        if (query.ContainsKey("redirect_url"))
        {
            var redirectUrl = query["redirect_url"].ToString();
            if (!HttpUrl.IsValid(redirectUrl))
            {
                return WeChatPayErrors.Param("redirect_url", "格式错误：应为http(s)地址", redirectUrl, "query");
            }

            order.RedirectUrl = redirectUrl;
            Save(order);
        }

        return Results.Redirect(_context.PayPageUrl(order.Id));
    }

    /// <summary>The order or 合单 that answered <paramref name="prepayId"/>.</summary>
    private IEnumerable<IWeChatPayPayable> FindPrepaid(string prepayId) =>
        _orders.FindBy(nameof(WeChatPayOrder.PrepayId), prepayId).Concat<IWeChatPayPayable>(_combines.FindBy(nameof(WeChatPayCombine.PrepayId), prepayId));

    /// <summary>The order or 合单 a payment is of.</summary>
    private IWeChatPayPayable PrepaidOf(string paymentId) => (IWeChatPayPayable?)_orders.Get(paymentId) ?? _combines.Get(paymentId)!;

    private void Save(IWeChatPayPayable payable)
    {
        if (payable is WeChatPayCombine combine)
        {
            _combines.Upsert(combine);
        }
        else
        {
            _orders.Upsert((WeChatPayOrder)payable);
        }
    }

    private static IResult ClientRefusal(bool fromApp, int status, string code, string message)
    {
        var body = new JsonObject { ["code"] = code, ["message"] = message };
        if (fromApp)
        {
            body["errCode"] = -1;
            body["errStr"] = message;
        }
        else
        {
            body["errMsg"] = "requestPayment:fail " + message;
        }

        return Results.Text(WeChatPayJson.Write(body), "application/json; charset=utf-8", statusCode: status);
    }

    /// <summary>A JSON kind in the words of the mini-program's parameter check.</summary>
    private static string KindName(JsonNode? node) => node?.GetValueKind() switch
    {
        null => "Undefined",
        JsonValueKind.Number => "Number",
        JsonValueKind.True or JsonValueKind.False => "Boolean",
        JsonValueKind.Object => "Object",
        JsonValueKind.Array => "Array",
        _ => "Null",
    };
}
