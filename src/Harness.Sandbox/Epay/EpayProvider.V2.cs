using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Harness.Http;
using Harness.Sandbox.Faults;
using Harness.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.Epay;

/// <summary>
/// Epay's V2 protocol (彩虹易支付 <c>/api/pay/*</c>): requests signed SHA256WithRSA with the merchant key and carrying a
/// <c>timestamp</c>, answers <c>{"code":0,…}</c> signed with the platform key, refusals <c>{"code":-1,"msg":…}</c>
/// unsigned with HTTP 200. Orders are V1's: either protocol queries and refunds an order the other placed.
/// </summary>
public sealed partial class EpayProvider
{
    /// <summary>How far a request's <c>timestamp</c> may be from the platform's clock (Epay's docs give no window).</summary>
    public static readonly TimeSpan TimestampWindow = TimeSpan.FromMinutes(5);

    /// <summary>The <c>method</c>s <c>/api/pay/create</c> serves; <c>app</c>, <c>scan</c> and <c>applet</c> are refused.</summary>
    private static readonly string[] Methods = ["web", "jump", "jsapi"];

    /// <summary>The <c>device</c>s a <c>web</c> order may name; only <c>pc</c> (the default) is answered with a QR code.</summary>
    private static readonly string[] Devices = ["pc", "mobile", "qq", "wechat", "alipay"];

    private static readonly string[] CreateRequired = ["method", "clientip"];

    private static readonly string[] JsapiRequired = ["sub_openid", "sub_appid"];

    private void MapV2(WebApplication app)
    {
        app.MapMethods("/api/pay/submit", ["GET", "POST"], async (HttpRequest request) =>
        {
            var (order, error) = await PlaceV2Async(await ReadParamsAsync(request), "payurl");
            return order is null ? CashierErrors.Instance.Error(ApiErrorKind.Validation, error!) : Results.Redirect(_context.PayPageUrl(order.Id));
        }).WithMetadata(CashierErrors.Instance);
        app.MapPost("/api/pay/create", async (HttpRequest request) => await CreateV2Async(await ReadParamsAsync(request)));
        app.MapPost("/api/pay/query", async (HttpRequest request) => QueryV2(await ReadParamsAsync(request)));
        app.MapPost("/api/pay/refund", async (HttpRequest request) => RefundV2(await ReadParamsAsync(request)));
        app.MapPost("/api/pay/refundquery", async (HttpRequest request) => RefundQueryV2(await ReadParamsAsync(request)));
        app.MapPost("/api/merchant/info", async (HttpRequest request) => MerchantInfo(await ReadParamsAsync(request)));
        app.MapPost("/api/merchant/orders", async (HttpRequest request) => MerchantOrders(await ReadParamsAsync(request)));
        MapTransfers(app);
    }

    /// <summary>V2 wants <c>return_url</c> (optional in V1) besides V1's fields.</summary>
    private Task<(EpayOrder? Order, string? Error)> PlaceV2Async(Dictionary<string, string> p, string answer) =>
        string.IsNullOrEmpty(p.GetValueOrDefault("return_url"))
            ? Task.FromResult<(EpayOrder?, string?)>((null, "缺少参数 return_url"))
            : PlaceAsync(p, answer, v2: true);

    /// <summary>统一下单: <c>jump</c> → a <c>jump</c> URL; <c>web</c> → a <c>qrcode</c> on a PC, else <c>jump</c>; <c>jsapi</c> → WeChat JSAPI parameters.</summary>
    private async Task<IResult> CreateV2Async(Dictionary<string, string> p)
    {
        if (CreateRequired.FirstOrDefault(k => string.IsNullOrEmpty(p.GetValueOrDefault(k))) is { } missing)
        {
            return EpayErrors.Json($"缺少参数 {missing}");
        }

        var method = p["method"];
        if (!Methods.Contains(method))
        {
            return EpayErrors.Json($"不支持的接口类型 {method}");
        }

        if (method == "jsapi" && JsapiRequired.FirstOrDefault(k => string.IsNullOrEmpty(p.GetValueOrDefault(k))) is { } jsapiMissing)
        {
            return EpayErrors.Json($"缺少参数 {jsapiMissing}");
        }

        var device = p.GetValueOrDefault("device") is { Length: > 0 } named ? named : "pc";
        if (!Devices.Contains(device))
        {
            return EpayErrors.Json($"不支持的设备类型 {device}");
        }

        var payType = method switch
        {
            "jsapi" => "jsapi",
            "web" when device == "pc" => "qrcode",
            _ => "jump",
        };
        var (order, error) = await PlaceV2Async(p, payType == "qrcode" ? "qrcode" : "payurl");
        if (order is null)
        {
            return EpayErrors.Json(error!);
        }

        return SignedAnswer(new JsonObject
        {
            ["code"] = 0,
            ["trade_no"] = order.Id,
            ["pay_type"] = payType,
            ["pay_info"] = payType == "jsapi" ? JsapiParams(order, p["sub_appid"]) : _context.PayPageUrl(order.Id),
        });
    }

    /// <summary>
    /// What a page in WeChat hands <c>wx.requestPayment</c>, as a JSON string. WeChat would sign it with the merchant's
    /// WeChat key; the sandbox signs it with the platform key (no one checks it: the buyer pays through the control API).
    /// </summary>
    private string JsapiParams(EpayOrder order, string appId)
    {
        var timeStamp = WallSeconds();
        var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var package = "prepay_id=wx" + order.Id;
        return new JsonObject
        {
            ["appId"] = appId,
            ["timeStamp"] = timeStamp,
            ["nonceStr"] = nonce,
            ["package"] = package,
            ["signType"] = "RSA",
            ["paySign"] = V2Keys.Sign($"{appId}\n{timeStamp}\n{nonce}\n{package}\n"),
        }.ToJsonString();
    }

    private IResult QueryV2(Dictionary<string, string> p)
    {
        if (AuthenticateMerchant(p) is { } refused)
        {
            return EpayErrors.Json(refused);
        }

        if (FindOrder(p) is not { } order)
        {
            return EpayErrors.Json("订单号不存在");
        }

        return SignedAnswer(OrderFields(order, new JsonObject { ["code"] = 0 }));
    }

    /// <summary>The order's status as the V2 answers show it: a paid order refunded in full is 2 (已退款), as in Epay's table.</summary>
    private static int ShownStatus(EpayOrder order) => order.Status == 1 && order.RefundedFen == order.AmountFen ? 2 : order.Status;

    /// <summary>An order as the query answers it (and each entry of <c>/api/merchant/orders</c>), added to <paramref name="answer"/>.</summary>
    private static JsonObject OrderFields(EpayOrder order, JsonObject answer)
    {
        var fields = new JsonObject
        {
            ["trade_no"] = order.Id,
            ["out_trade_no"] = order.OutTradeNo,
            ["api_trade_no"] = order.Status == 1 ? "API" + order.Id : "",
            ["type"] = order.Type,
            ["status"] = ShownStatus(order),
            ["pid"] = int.Parse(order.Pid, CultureInfo.InvariantCulture),
            ["addtime"] = China(order.AddTime),
            ["name"] = order.Name,
            ["money"] = order.Money,
            ["param"] = order.Param,
            ["buyer"] = order.Buyer,
            ["clientip"] = order.ClientIp,
        };
        if (order.EndTime is { } end)
        {
            fields["endtime"] = China(end);
        }

        // Only a partly refunded order names what was refunded; a whole refund shows as status 2.
        if (order.RefundedFen > 0 && order.RefundedFen < order.AmountFen)
        {
            fields["refundmoney"] = EpayOrder.FormatYuan(order.RefundedFen);
        }

        foreach (var (key, value) in fields.ToList())
        {
            fields.Remove(key);
            answer[key] = value;
        }

        return answer;
    }

    /// <summary>
    /// A partial or whole refund, never beyond what was paid. An <c>out_refund_no</c> seen before answers that refund
    /// again (for the same order and money) instead of refunding twice, or is refused.
    /// </summary>
    private IResult RefundV2(Dictionary<string, string> p)
    {
        if (AuthenticateMerchant(p) is { } refused)
        {
            return EpayErrors.Json(refused);
        }

        if (FindOrder(p) is not { } order)
        {
            return EpayErrors.Json("订单号不存在");
        }

        if (EpayOrder.ParseYuan(p.GetValueOrDefault("money"), out var fen) is { } badMoney)
        {
            return EpayErrors.Json(badMoney);
        }

        var outRefundNo = p.GetValueOrDefault("out_refund_no") ?? "";
        if (outRefundNo.Length > 0 && !EpayOrder.IsOutTradeNo(outRefundNo))
        {
            return EpayErrors.Json("退款单号(out_refund_no)格式不正确");
        }

        return _context.Store.Atomically(() =>
        {
            if (outRefundNo.Length > 0 && _refunds.FindBy(nameof(EpayRefund.OutRefundNo), outRefundNo).FirstOrDefault(r => r.Pid == order.Pid) is { } earlier)
            {
                return earlier.TradeNo == order.Id && earlier.AmountFen == fen ? RefundAnswer(earlier) : EpayErrors.Json("退款单号已存在");
            }

            if (TakeRefund(order.Id, fen) is { } notTaken)
            {
                return EpayErrors.Json(notTaken);
            }

            var now = _context.Clock.GetUtcNow();
            var refund = new EpayRefund
            {
                Id = NewNumber(now, id => _refunds.Get(id) is not null),
                Pid = order.Pid,
                OutRefundNo = outRefundNo,
                TradeNo = order.Id,
                OutTradeNo = order.OutTradeNo,
                AmountFen = fen,
                AddTime = now.UtcDateTime,
            };
            _refunds.Upsert(refund);
            return RefundAnswer(refund);
        });
    }

    private IResult RefundAnswer(EpayRefund refund) => SignedAnswer(new JsonObject
    {
        ["code"] = 0,
        ["msg"] = "退款成功",
        ["refund_no"] = refund.Id,
        ["out_refund_no"] = refund.OutRefundNo,
        ["trade_no"] = refund.TradeNo,
        ["money"] = EpayOrder.FormatYuan(refund.AmountFen),
        ["reducemoney"] = EpayOrder.FormatYuan(refund.AmountFen),
    });

    private IResult RefundQueryV2(Dictionary<string, string> p)
    {
        if (AuthenticateMerchant(p) is { } refused)
        {
            return EpayErrors.Json(refused);
        }

        var refund = p.GetValueOrDefault("refund_no") is { Length: > 0 } refundNo
            ? _refunds.Get(refundNo)
            : p.GetValueOrDefault("out_refund_no") is { Length: > 0 } outRefundNo
                ? _refunds.FindBy(nameof(EpayRefund.OutRefundNo), outRefundNo).FirstOrDefault(r => r.Pid == p["pid"])
                : null;
        if (refund is null)
        {
            return EpayErrors.Json("退款单号不存在");
        }

        return SignedAnswer(new JsonObject
        {
            ["code"] = 0,
            ["refund_no"] = refund.Id,
            ["out_refund_no"] = refund.OutRefundNo,
            ["trade_no"] = refund.TradeNo,
            ["out_trade_no"] = refund.OutTradeNo,
            ["money"] = EpayOrder.FormatYuan(refund.AmountFen),
            ["reducemoney"] = EpayOrder.FormatYuan(refund.AmountFen),
            ["status"] = 1,
            ["addtime"] = China(refund.AddTime),
        });
    }

    /// <summary>The merchant and the V2 signature of a query, refund or refund query: the refusal, or null.</summary>
    private string? AuthenticateMerchant(Dictionary<string, string> p) =>
        string.IsNullOrEmpty(p.GetValueOrDefault("pid")) ? "缺少参数 pid"
        : !IsMerchant(p["pid"]) ? "商户不存在"
        : AuthenticateV2(p);

    /// <summary>
    /// <c>sign_type</c> RSA (or none: RSA is the default), the merchant key's signature over the signing string, then a
    /// ten-digit <c>timestamp</c> within <see cref="TimestampWindow"/> of the wall clock the client stamps it with.
    /// </summary>
    private string? AuthenticateV2(Dictionary<string, string> p)
    {
        if (p.GetValueOrDefault("sign_type") is { Length: > 0 } signType && signType != "RSA")
        {
            return "不支持的签名类型";
        }

        if (!V2Keys.VerifyMerchant(EpayKeys.Content(p), p.GetValueOrDefault("sign")))
        {
            return "签名校验失败";
        }

        if (p.GetValueOrDefault("timestamp") is not { Length: > 0 } stamp)
        {
            return "缺少参数 timestamp";
        }

        var now = _context.WallClock.GetUtcNow().ToUnixTimeSeconds();
        return long.TryParse(stamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && Math.Abs(now - seconds) <= (long)TimestampWindow.TotalSeconds
            ? null
            : "时间戳不合法";
    }

    /// <summary>The order a query names by <c>trade_no</c> or else <c>out_trade_no</c>; null when it names none, or one of another merchant.</summary>
    private EpayOrder? FindOrder(Dictionary<string, string> p)
    {
        var order = p.GetValueOrDefault("trade_no") is { Length: > 0 } tradeNo
            ? _orders.Get(tradeNo)
            : p.GetValueOrDefault("out_trade_no") is { Length: > 0 } outTradeNo
                ? _orders.FindBy(nameof(EpayOrder.OutTradeNo), outTradeNo).FirstOrDefault(o => o.Pid == p["pid"])
                : null;
        return order?.Pid == p["pid"] ? order : null;
    }

    /// <summary>
    /// Adds <c>timestamp</c>, then <c>sign</c> over the non-empty fields (numbers as written; arrays are left out of
    /// the signing string, as Epay's signing rule says) and <c>sign_type</c>.
    /// </summary>
    private IResult SignedAnswer(JsonObject answer)
    {
        answer["timestamp"] = WallSeconds();
        answer["sign"] = V2Keys.Sign(EpayKeys.Content(answer.Where(f => f.Value is not JsonArray).Select(f => new KeyValuePair<string, string>(f.Key, Text(f.Value)))));
        answer["sign_type"] = "RSA";
        return Results.Json(answer);
    }

    private static string Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : node?.ToJsonString() ?? "";

    private string WallSeconds() => _context.WallClock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    /// <summary>V2's notify fields: V1's plus the order's times.</summary>
    private Dictionary<string, string> NotifyParamsV2(EpayOrder order, DeliveryFaults faults)
    {
        var parameters = NotifyParams(order, faults);
        parameters["addtime"] = China(order.AddTime);
        parameters["endtime"] = order.EndTime is { } end ? China(end) : "";
        return parameters;
    }

    /// <summary>Drops empty values, then adds the platform key's <c>sign</c> (altered but still base64 for the tampered fault) and <c>sign_type=RSA</c>.</summary>
    private List<KeyValuePair<string, string?>> SignedV2(Dictionary<string, string> parameters, DeliveryFaults faults)
    {
        var sign = V2Keys.Sign(EpayKeys.Content(parameters));
        if (faults.TamperedSignature)
        {
            sign = sign[..10] + (sign[10] == 'A' ? 'B' : 'A') + sign[11..];
        }

        var sent = parameters.Where(p => p.Value.Length > 0).Select(p => new KeyValuePair<string, string?>(p.Key, p.Value)).ToList();
        sent.Add(new("sign", sign));
        sent.Add(new("sign_type", "RSA"));
        return sent;
    }
}
