using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Harness.Callbacks;
using Harness.Http;
using Harness.Sandbox.Delivery;
using Harness.Sandbox.Faults;
using Harness.Sandbox.Payments;
using Harness.Sandbox.Providers;
using Harness.Security.Signing;
using Harness.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Harness.Sandbox.Epay;

/// <summary>
/// Epay (彩虹易支付 v1, as go-epay speaks it; providers.md §4, §8.3): <c>submit.php</c> for the browser,
/// <c>mapi.php</c> for servers, <c>api.php?act=order</c> and <c>act=refund</c> with the plain key, MD5 over all non-empty params, notify by GET
/// (or POST) acknowledged only by the body <c>success</c>, and the signed return-URL redirect. The V2 protocol
/// (<c>/api/pay/*</c>, RSA) shares the listener and the orders (EpayProvider.V2.cs).
/// </summary>
public sealed partial class EpayProvider : ISandboxProvider
{
    public const string Pid = "1000";
    public const string Key = "HarnessSandboxEpayKey0123456789ab";
    public const string NotifyMethodSetting = "notify_method";

    /// <summary>Which of Epay's answer forms mapi.php gives (§4.1): <c>payurl</c> (the default), <c>qrcode</c> or <c>urlscheme</c>; real sites decide by channel.</summary>
    public const string MapiAnswerSetting = "mapi_answer";

    /// <summary>A WeChat mini-program URL Scheme, what a <c>urlscheme</c> answer carries, up to its ticket.</summary>
    public const string UrlSchemePrefix = "weixin://dl/business/?t=";

    /// <summary>Unpaid orders close after this long (deployment-specific at real Epay sites).</summary>
    public static readonly TimeSpan OrderLifetime = TimeSpan.FromHours(2);

    private static readonly TimeZoneInfo ChinaTime = TimeZoneInfo.CreateCustomTimeZone("CST", TimeSpan.FromHours(8), "CST", "CST");
    private static readonly string[] Required = ["pid", "type", "out_trade_no", "notify_url", "name", "money"];

    private readonly SandboxContext _context;
    private readonly IDocumentCollection<EpayOrder> _orders;
    private readonly IDocumentCollection<EpayRefund> _refunds;
    private readonly IDocumentCollection<EpayTransfer> _transfers;
    private readonly IDocumentCollection<EpayAccount> _accounts;
    private readonly DeliveryPolicy _policy;
    public EpayProvider(SandboxContext context)
    {
        _context = context;
        _orders = context.Store.Collection<EpayOrder>("epay_orders", nameof(EpayOrder.OutTradeNo));
        _refunds = context.Store.Collection<EpayRefund>("epay_refunds", nameof(EpayRefund.OutRefundNo));
        _transfers = context.Store.Collection<EpayTransfer>("epay_transfers", nameof(EpayTransfer.OutBizNo));
        _accounts = context.Store.Collection<EpayAccount>("epay_accounts");
        OpenAccount();
        _policy = new DeliveryPolicy(context.Options.EpayRetryDelays, CallbackAcknowledgement.BodyText("success"));
        V2Keys = new EpayKeys(context, Name);
    }

    /// <summary>The V2 protocol's merchant and platform key pairs.</summary>
    public EpayKeys V2Keys { get; }

    public string Name => "epay";

    public string Title => "Epay";

    public IReadOnlyList<string> SettingNames => [NotifyMethodSetting, MapiAnswerSetting, TransferOutcomeSetting, EpayKeys.MerchantPublicKeySetting, PidSetting, KeySetting];

    public JsonObject? ObjectOf(SandboxPayment payment) => _orders.Get(payment.Id) is { } order ? Describe(order) : null;

    public IErrorEnvelope Errors => EpayErrors.Instance;

    public IEnumerable<ICallbackSigner> Signers => [];

    /// <summary>V1's key, and V2's keys in the bare base64 form Epay's console shows and its SDKs take.</summary>
    public IReadOnlyDictionary<string, string> Credentials => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["pid"] = Pid,
        ["key"] = Key,
        ["types"] = "alipay,wxpay,qqpay",
        ["merchant_private_key"] = EpayKeys.Bare(V2Keys.MerchantPrivateKey),
        ["merchant_public_key"] = EpayKeys.Bare(V2Keys.MerchantPublicKey),
        ["platform_public_key"] = EpayKeys.Bare(V2Keys.PlatformPublicKey),
        ["platform_private_key"] = EpayKeys.Bare(V2Keys.PlatformPrivateKey),
    };

    public void MapApi(WebApplication app)
    {
        app.MapMethods("/submit.php", ["GET", "POST"], async (HttpRequest request) =>
        {
            var parameters = await ReadParamsAsync(request);
            var (order, error) = await PlaceAsync(parameters, "payurl", v2: false);
            return order is null ? CashierErrors.Instance.Error(ApiErrorKind.Validation, error!) : Results.Redirect(_context.PayPageUrl(order.Id));
        }).WithMetadata(CashierErrors.Instance);
        app.MapPost("/mapi.php", async (HttpRequest request) =>
        {
            var answer = _context.Settings.Get(Name, MapiAnswerSetting) ?? "payurl";
            var (order, error) = await PlaceAsync(await ReadParamsAsync(request), answer, v2: false);
            return order is null
                ? EpayErrors.Json(error!)
                : Results.Json(new JsonObject { ["code"] = 1, ["msg"] = "success", ["trade_no"] = order.Id, [answer] = QrCode(answer, order.Id) ?? _context.PayPageUrl(order.Id) });
        });
        app.MapMethods("/api.php", ["GET", "POST"], async (HttpRequest request) => Api(await ReadParamsAsync(request)));
        MapV2(app);
    }

    public string? RefuseSetting(string key, string value) => key switch
    {
        NotifyMethodSetting when !value.Equals("GET", StringComparison.OrdinalIgnoreCase) && !value.Equals("POST", StringComparison.OrdinalIgnoreCase) => "notify_method must be GET or POST",
        MapiAnswerSetting when value is not ("payurl" or "qrcode" or "urlscheme") => "mapi_answer must be payurl, qrcode or urlscheme",
        TransferOutcomeSetting when value is not ("success" or "processing") => "transfer_outcome must be success or processing",
        EpayKeys.MerchantPublicKeySetting => EpayKeys.RefuseMerchantPublicKey(value),
        _ => RefuseCredential(key, value),
    };

    public PayPageOutcome OnPaid(SandboxPayment payment)
    {
        var order = _orders.Get(payment.Id)!;
        order.Status = 1;
        order.EndTime = _context.Clock.GetUtcNow().UtcDateTime;
        order.Buyer = "sandbox-buyer@example.com";
        _orders.Upsert(order);
        MoveBalance(order.Pid, order.AmountFen);

        var method = string.Equals(_context.Settings.Get(Name, NotifyMethodSetting), "POST", StringComparison.OrdinalIgnoreCase) ? "POST" : "GET";
        _context.Notifier.Send(Name, order.Id, _policy, faults => [Notify(order, method, faults)]);

        return string.IsNullOrEmpty(order.ReturnUrl)
            ? new PayPageOutcome(null, "支付成功 — payment complete.")
            : new PayPageOutcome(WithQuery(order.ReturnUrl, CallbackParams(order, DeliveryFaults.None)), "Paid.");
    }

    public PayPageOutcome OnCanceled(SandboxPayment payment) =>
        new(null, "You left the cashier; the order stays unpaid until it closes.");

    public void OnExpired(SandboxPayment payment)
    {
    }

    private static async Task<Dictionary<string, string>> ReadParamsAsync(HttpRequest request)
    {
        var parameters = request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal);
        if (request.HasFormContentType)
        {
            foreach (var (key, value) in await RequestForm.ReadAsync(request))
            {
                parameters[key] = value.ToString();
            }
        }

        return parameters;
    }

    /// <summary>
    /// Validates and signs off an order request; the same <c>out_trade_no</c> with the same money reopens the same order.
    /// A new order answered with a <c>qrcode</c> or <c>urlscheme</c> has its pay page draw what the answer carries.
    /// A V2 request is authenticated by its RSA signature and timestamp instead of the MD5 one.
    /// </summary>
    private async Task<(EpayOrder? Order, string? Error)> PlaceAsync(Dictionary<string, string> p, string answer, bool v2)
    {
        if (Required.FirstOrDefault(k => string.IsNullOrEmpty(p.GetValueOrDefault(k))) is { } missing)
        {
            return (null, $"缺少参数 {missing}");
        }

        if (!IsMerchant(p["pid"]))
        {
            return (null, "商户不存在");
        }

        if ((v2 ? AuthenticateV2(p) : AuthenticateV1(p)) is { } refused)
        {
            return (null, refused);
        }

        if (EpayOrder.ParseYuan(p["money"], out var fen) is { } badMoney)
        {
            return (null, badMoney);
        }

        if (!EpayOrder.IsOutTradeNo(p["out_trade_no"]))
        {
            return (null, "订单号(out_trade_no)格式不正确");
        }

        if (!HttpUrl.IsValid(p["notify_url"]))
        {
            return (null, "notify_url 不合法");
        }

        // The buyer is sent back there after paying, so it must be a URL a redirect can carry.
        if (p.GetValueOrDefault("return_url") is { Length: > 0 } returnUrl && !HttpUrl.IsValid(returnUrl))
        {
            return (null, "return_url 不合法");
        }

        return await _context.Store.AtomicallyAsync<(EpayOrder?, string?)>(() =>
        {
            var existing = _orders.FindBy(nameof(EpayOrder.OutTradeNo), p["out_trade_no"]).FirstOrDefault(o => o.Pid == p["pid"]);
            if (existing is not null)
            {
                return existing.Status == 0 && existing.AmountFen == fen && _context.Payments.Get(existing.Id)?.Status == PaymentStatus.Open
                    ? (existing, null)
                    : (null, "订单号已存在");
            }

            var now = _context.Clock.GetUtcNow();
            var order = new EpayOrder
            {
                Id = NewNumber(now, id => _orders.Get(id) is not null || _context.Payments.Get(id) is not null),
                Pid = p["pid"],
                OutTradeNo = p["out_trade_no"],
                Type = p["type"],
                Name = p["name"],
                AmountFen = fen,
                NotifyUrl = p["notify_url"],
                ReturnUrl = p.GetValueOrDefault("return_url") ?? "",
                Param = p.GetValueOrDefault("param") ?? "",
                AddTime = now.UtcDateTime,
                Protocol = v2 ? 2 : 1,
                ClientIp = p.GetValueOrDefault("clientip") ?? "",
            };
            _orders.Upsert(order);
            _context.Payments.Add(new SandboxPayment
            {
                Id = order.Id,
                Provider = Name,
                Status = PaymentStatus.Open,
                Amount = fen,
                Currency = "cny",
                Description = order.Name,
                MerchantReference = order.OutTradeNo,
                QrCode = QrCode(answer, order.Id),
                CreatedAt = now.UtcDateTime,
                ExpiresAt = (now + OrderLifetime).UtcDateTime,
            });
            return (order, null);
        });
    }

    private string? AuthenticateV1(Dictionary<string, string> p)
    {
        if (!SortedParamsMd5.Verify(p.Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value)), KeyOf(p["pid"]), p.GetValueOrDefault("sign")))
        {
            return "签名校验失败";
        }

        return p.GetValueOrDefault("sign_type") is { Length: > 0 } signType && signType != "MD5" ? "不支持的签名类型" : null;
    }

    /// <summary>
    /// What an order answered in the <paramref name="answer"/> form carries for a phone, null for a <c>payurl</c>:
    /// for <c>qrcode</c> the pay page's URL (a phone that opens it has scanned it); for <c>urlscheme</c> a mini-program
    /// link whose ticket is derived from the trade_no under the key, so a retried order answers the same link and
    /// no one can work out another order's.
    /// </summary>
    private string? QrCode(string answer, string tradeNo) => answer switch
    {
        "qrcode" => _context.PayPageUrl(tradeNo),
        "urlscheme" => UrlSchemePrefix + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Key), Encoding.UTF8.GetBytes(tradeNo)))[..16],
        _ => null,
    };

    /// <summary><c>api.php</c>: <c>act=order</c> (query) and <c>act=refund</c>, both authenticated with the plain key, as the protocol does.</summary>
    private IResult Api(Dictionary<string, string> p)
    {
        var act = p.GetValueOrDefault("act");
        if (act is not ("order" or "refund"))
        {
            return EpayErrors.Json(string.IsNullOrEmpty(act) ? "缺少参数 act" : $"不支持的操作 {act}");
        }

        if (p.GetValueOrDefault("pid") is not { } pid || !IsMerchant(pid) || !SignatureComparison.Equal(KeyOf(pid), p.GetValueOrDefault("key")))
        {
            return EpayErrors.Json("KEY校验失败");
        }

        var order = FindOrder(p);
        if (order is null)
        {
            return EpayErrors.Json("订单号不存在");
        }

        return act == "order" ? Results.Json(Describe(order)) : Refund(order, p.GetValueOrDefault("money"));
    }

    /// <summary>
    /// The second the order was placed (China time) and five random digits, as Epay numbers them; drawn again while
    /// taken (inside the placing unit, so no other order can take it meanwhile): a load of hundreds of orders a
    /// second draws the same five digits within a second every few seconds, and the later order replaced the earlier.
    /// V2's refund numbers are drawn the same way.
    /// </summary>
    private static string NewNumber(DateTimeOffset now, Func<string, bool> taken)
    {
        var second = now.ToOffset(TimeSpan.FromHours(8)).ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
        while (true)
        {
            var id = second + Random.Shared.Next(10_000, 100_000).ToString(CultureInfo.InvariantCulture);
            if (!taken(id))
            {
                return id;
            }
        }
    }

    /// <summary>Refunds part or all of a paid order; the total refunded never exceeds what was paid.</summary>
    private IResult Refund(EpayOrder order, string? money)
    {
        if (EpayOrder.ParseYuan(money, out var fen) is { } badMoney)
        {
            return EpayErrors.Json(badMoney);
        }

        return _context.Store.Atomically(() => TakeRefund(order.Id, fen) is { } refused
            ? EpayErrors.Json(refused)
            : Results.Json(new JsonObject { ["code"] = 1, ["msg"] = "退款成功" }));
    }

    /// <summary>
    /// Adds a refund to a paid order inside the caller's atomic unit: the refusal, or null once taken. The refund comes
    /// out of the merchant's balance, so money already transferred out cannot be refunded as well.
    /// </summary>
    private string? TakeRefund(string tradeNo, long fen)
    {
        var current = _orders.Get(tradeNo)!;
        if (current.Status != 1)
        {
            return "订单未支付";
        }

        if (current.RefundedFen + fen > current.AmountFen)
        {
            return "退款金额超出订单金额";
        }

        if (fen > BalanceFen(current.Pid))
        {
            return "商户余额不足，请先充值";
        }

        current.RefundedFen += fen;
        _orders.Upsert(current);
        MoveBalance(current.Pid, -fen);
        return null;
    }

    private static JsonObject Describe(EpayOrder order) => new()
    {
        ["code"] = 1,
        ["msg"] = "查询订单号成功！",
        ["trade_no"] = order.Id,
        ["out_trade_no"] = order.OutTradeNo,
        ["api_trade_no"] = order.Status == 1 ? "API" + order.Id : "",
        ["type"] = order.Type,
        ["pid"] = order.Pid,
        ["addtime"] = China(order.AddTime),
        ["endtime"] = order.EndTime is { } end ? China(end) : "",
        ["name"] = order.Name,
        ["money"] = order.Money,
        ["status"] = order.Status,
        ["param"] = order.Param,
        ["buyer"] = order.Buyer,
        ["refundmoney"] = EpayOrder.FormatYuan(order.RefundedFen),
    };

    /// <summary>The notify's (and the return's) parameters, signed the way the order was placed: MD5 for V1, RSA for V2.</summary>
    private List<KeyValuePair<string, string?>> CallbackParams(EpayOrder order, DeliveryFaults faults) =>
        order.Protocol == 2 ? SignedV2(NotifyParamsV2(order, faults), faults) : Signed(NotifyParams(order, faults), KeyOf(order.Pid), faults);

    private CallbackDelivery Notify(EpayOrder order, string method, DeliveryFaults faults)
    {
        var query = CallbackParams(order, faults);
        return method == "POST"
            ? new CallbackDelivery
            {
                EventType = "TRADE_SUCCESS",
                Method = "POST",
                Url = order.NotifyUrl,
                Headers = { ["Content-Type"] = "application/x-www-form-urlencoded" },
                Body = Encoding.UTF8.GetBytes(QueryString.Create(query).Value![1..]),
            }
            : new CallbackDelivery { EventType = "TRADE_SUCCESS", Method = "GET", Url = WithQuery(order.NotifyUrl, query) };
    }

    private Dictionary<string, string> NotifyParams(EpayOrder order, DeliveryFaults faults) => new(StringComparer.Ordinal)
    {
        ["pid"] = order.Pid,
        ["trade_no"] = order.Id,
        ["out_trade_no"] = order.OutTradeNo,
        ["api_trade_no"] = "API" + order.Id,
        ["type"] = order.Type,
        ["name"] = order.Name,
        ["money"] = EpayOrder.FormatYuan(order.AmountFen + (faults.WrongAmount ? 1 : 0)),
        ["trade_status"] = "TRADE_SUCCESS",
        ["param"] = order.Param,
        ["buyer"] = order.Buyer,
        ["timestamp"] = (_context.WallClock.GetUtcNow() - faults.StaleBy).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>Drops empty values (they are not sent), then adds <c>sign</c> and <c>sign_type</c>.</summary>
    private static List<KeyValuePair<string, string?>> Signed(Dictionary<string, string> parameters, string key, DeliveryFaults faults)
    {
        var sent = parameters.Where(p => p.Value.Length > 0).Select(p => new KeyValuePair<string, string?>(p.Key, p.Value)).ToList();
        var sign = SortedParamsMd5.Sign(sent, key);
        sent.Add(new("sign", faults.TamperedSignature ? SignatureFaults.Tamper(sign) : sign));
        sent.Add(new("sign_type", "MD5"));
        return sent;
    }

    private static string WithQuery(string url, IEnumerable<KeyValuePair<string, string?>> parameters) => QueryHelpers.AddQueryString(url, parameters);

    private static string China(DateTime utc) =>
        TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), ChinaTime).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>submit.php is a browser page: every refusal there, its own or the framework's (a form it cannot read), is Epay's HTML error page.</summary>
    private sealed class CashierErrors : IErrorEnvelope
    {
        public static readonly CashierErrors Instance = new();

        public IResult Error(ApiErrorKind kind, string message) => Results.Content(
            $"<!DOCTYPE html><html lang=\"zh\"><head><meta charset=\"utf-8\"><title>站点提示信息</title></head><body><h3>站点提示信息</h3><p id=\"error\">{WebUtility.HtmlEncode(message)}</p></body></html>",
            "text/html; charset=utf-8",
            Encoding.UTF8,
            ApiErrorStatus.Default(kind));
    }
}

/// <summary>
/// Epay's JSON error shape, <c>{"code":-1,"msg":"…"}</c>. Real Epay deployments answer errors with HTTP 200 and
/// clients read only <c>code</c>, so the sandbox does the same; browser pages (submit.php) answer 400.
/// </summary>
public sealed class EpayErrors : IErrorEnvelope
{
    public static readonly EpayErrors Instance = new();

    public IResult Error(ApiErrorKind kind, string message) => kind switch
    {
        ApiErrorKind.Internal or ApiErrorKind.Unavailable => Results.Json(new JsonObject { ["code"] = -1, ["msg"] = message }, statusCode: ApiErrorStatus.Default(kind)),
        ApiErrorKind.NotFound or ApiErrorKind.MethodNotAllowed => Results.Json(new JsonObject { ["code"] = -1, ["msg"] = message }, statusCode: StatusCodes.Status404NotFound),
        _ => Json(message),
    };

    public static IResult Json(string message) => Results.Json(new JsonObject { ["code"] = -1, ["msg"] = message });
}
