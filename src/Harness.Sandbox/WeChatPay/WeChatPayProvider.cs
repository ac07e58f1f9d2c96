using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Harness.Callbacks;
using Harness.Http;
using Harness.Sandbox.Bills;
using Harness.Sandbox.Delivery;
using Harness.Sandbox.Faults;
using Harness.Sandbox.Payments;
using Harness.Sandbox.Providers;
using Harness.Security;
using Harness.Security.Signing;
using Harness.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.WeChatPay;

/// <summary>
/// WeChat Pay API v3 (providers.md §2, §8.1): Native, JSAPI, APP and H5 orders (<see cref="MapOrders"/>) with the
/// client step each needs (<see cref="MapClientSteps"/>), query by <c>out_trade_no</c> and by <c>transaction_id</c>,
/// close, refund and refund query (<see cref="RunDueAsync"/> ends refunds kept processing), the platform certificate download, the trade and fund-flow bills (<see cref="MapBills"/>). Requests are
/// authenticated with the merchant's RSA signature, answers signed with the platform key, and notifications carry
/// the transaction encrypted under the APIv3 key, retried until the merchant answers 200 or 204.
/// </summary>
public sealed partial class WeChatPayProvider : ISandboxProvider
{
    /// <summary>An order is payable for 7 days when <c>time_expire</c> is absent.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromDays(7);

    /// <summary>The merchant must answer a notification within 5 s; a later answer counts as a failure (§2.5).</summary>
    public static readonly TimeSpan AcknowledgementDeadline = TimeSpan.FromSeconds(5);

    /// <summary>WeChat's notification schedule after the first attempt: 15s … 6h, 24 h 4 m in all (§2.5).</summary>
    public static readonly IReadOnlyList<TimeSpan> RetryDelays =
    [
        TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(3),
        TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(30),
        TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(60), TimeSpan.FromHours(3), TimeSpan.FromHours(3),
        TimeSpan.FromHours(3), TimeSpan.FromHours(6), TimeSpan.FromHours(6),
    ];


    private readonly SandboxContext _context;
    private readonly WeChatPayKeys _keys;
    private readonly WeChatPayAuth _auth;
    private readonly IDocumentCollection<WeChatPayOrder> _orders;
    private readonly IDocumentCollection<WeChatPayRefund> _refunds;
    private readonly DeliveryPolicy _policy;
    private readonly NotificationSigner _signer;
    private readonly BillDownloads _billDownloads;

    public WeChatPayProvider(SandboxContext context)
    {
        _context = context;
        _keys = new WeChatPayKeys(context.Keys, context.Settings, context.WallClock.GetUtcNow());
        _auth = new WeChatPayAuth(_keys, context.WallClock);
        _orders = context.Store.Collection<WeChatPayOrder>("wechatpay_orders", nameof(WeChatPayOrder.OutTradeNo), nameof(WeChatPayOrder.TransactionId), nameof(WeChatPayOrder.PrepayId));
        _combines = context.Store.Collection<WeChatPayCombine>("wechatpay_combines", nameof(WeChatPayCombine.CombineKey), nameof(WeChatPayCombine.PrepayId));
        _refunds = context.Store.Collection<WeChatPayRefund>("wechatpay_refunds", nameof(WeChatPayRefund.SettleOrder));
        _transfers = context.Store.Collection<WeChatPayTransfer>("wechatpay_transfers", nameof(WeChatPayTransfer.TransferBillNo), nameof(WeChatPayTransfer.PackageInfo), nameof(WeChatPayTransfer.ExpireOrder));
        _operationAccounts = context.Store.Collection<WeChatPayOperationAccount>("wechatpay_operation_accounts");
        _contracts = context.Store.Collection<WeChatPayContract>("wechatpay_contracts", nameof(WeChatPayContract.ContractKey), nameof(WeChatPayContract.ContractId), nameof(WeChatPayContract.ScheduleOrder));
        _policy = new DeliveryPolicy(RetryDelays, CallbackAcknowledgement.OneOf(200, 204), AcknowledgementDeadline);
        _signer = new NotificationSigner(_keys, context.WallClock);
        _billDownloads = new BillDownloads(context.WallClock, TimeSpan.FromMinutes(5));
        _sharing = new SharingRecords(context.Store);
    }

    public string Name => "wechatpay";

    public string Title => "WeChat Pay";

    public IReadOnlyList<string> SettingNames => [WeChatPayKeys.MerchantCertificatesSetting, WeChatPayKeys.PlatformAuthSetting, RefundOutcomeSetting, RefundProcessingSetting, SharingRatioSetting, SubMchidRatiosSetting, TransferFloatSetting, SubMchidsSetting, WeChatPayKeys.MchidSetting, WeChatPayKeys.AppidSetting];

    public string? RefuseSetting(string key, string value) => key switch
    {
        WeChatPayKeys.MerchantCertificatesSetting when !WeChatPayKeys.HoldsCertificates(value) =>
            "merchant_certificates must be one or more RSA certificates in PEM (-----BEGIN CERTIFICATE----- …)",
        WeChatPayKeys.PlatformAuthSetting when value is not (WeChatPayKeys.CertificateAuth or WeChatPayKeys.PublicKeyAuth or WeChatPayKeys.SwitchingAuth) =>
            $"platform_auth must be '{WeChatPayKeys.CertificateAuth}', '{WeChatPayKeys.PublicKeyAuth}' or '{WeChatPayKeys.SwitchingAuth}'",
        RefundOutcomeSetting => RefuseRefundOutcome(value),
        RefundProcessingSetting => RefuseRefundProcessing(value),
        SharingRatioSetting => RefuseSharingRatio(value),
        SubMchidRatiosSetting => RefuseSubMchidRatios(value),
        TransferFloatSetting => RefuseTransferFloat(value),
        SubMchidsSetting => RefuseSubMchids(value),
        _ => WeChatPayKeys.RefuseMerchant(key, value),
    };

    public JsonObject? ObjectOf(SandboxPayment payment) =>
        _orders.Get(payment.Id) is { } order ? WeChatPayResources.Transaction(order, payment.Status)
        : _combines.Get(payment.Id) is { } combine ? WeChatPayResources.Combine(combine, SubOrdersOf(combine), payment.Status)
        : null;

    /// <summary>The notification's resource decrypted with the APIv3 key, as the merchant's handler reads it.</summary>
    public string? Readable(CallbackDelivery delivery)
    {
        // The sandbox wrote the body itself: it is the JSON envelope of §2.5.
        var resource = JsonNode.Parse(delivery.Body)?["resource"];
        return resource.Str("ciphertext") is { } ciphertext && resource.Str("nonce") is { } nonce
            ? AesGcmText.TryDecrypt(_keys.ApiV3Key, resource.Str("associated_data") ?? "", ciphertext, nonce)
            : null;
    }

    public IErrorEnvelope Errors => WeChatPayErrors.Instance;

    public IEnumerable<ICallbackSigner> Signers => [_signer];

    public IReadOnlyDictionary<string, string> Credentials => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["mchid"] = WeChatPayKeys.Mchid,
        ["appid"] = WeChatPayKeys.Appid,
        ["sub_mchids"] = string.Join(',', SubMchids()),
        ["papay_plan_id"] = PapayPlanId.ToString(CultureInfo.InvariantCulture),
        ["apiv3_key"] = _keys.ApiV3Key,
        ["merchant_serial_no"] = _keys.MerchantSerialNo,
        ["platform_serial_no"] = _keys.PlatformSerialNo,
        ["merchant_private_key"] = _keys.MerchantPrivateKeyPem,
        ["merchant_certificate"] = _keys.MerchantCertificatePem,
        ["platform_certificate"] = _keys.PlatformCertificatePem,
        ["platform_private_key"] = _keys.PlatformPrivateKeyPem,
        ["wechatpay_public_key"] = _keys.PublicKeyPem,
        ["wechatpay_public_key_id"] = _keys.PublicKeyId,
        ["wechatpay_private_key"] = _keys.PublicKeyPrivatePem,
    };

    public Action<IApplicationBuilder> Outermost => app => app.UseMiddleware<WeChatPayResponseSigning>(_keys, _context.WallClock);

    public void MapApi(WebApplication app)
    {
        MapOrders(app);
        MapClientSteps(app);
        app.MapGet("/v3/pay/transactions/out-trade-no/{outTradeNo}", (HttpContext http, string outTradeNo) =>
            AuthenticatedAsync(http, (mchid, _) => Query(http, mchid, Ordinary(FindByOutTradeNo(mchid, null, outTradeNo)))));
        app.MapGet("/v3/pay/transactions/id/{transactionId}", (HttpContext http, string transactionId) =>
            AuthenticatedAsync(http, (mchid, _) => Query(http, mchid, Ordinary(FindByTransactionId(mchid, null, transactionId)))));
        app.MapPost("/v3/pay/transactions/out-trade-no/{outTradeNo}/close", (HttpContext http, string outTradeNo) =>
            AuthenticatedAsync(http, (mchid, body) => Close(mchid, outTradeNo, body)));
        app.MapPost("/v3/refund/domestic/refunds", (HttpRequest request) => AuthenticatedAsync(request.HttpContext, Refund));
        app.MapGet("/v3/refund/domestic/refunds/{outRefundNo}", (HttpContext http, string outRefundNo) =>
            AuthenticatedAsync(http, (mchid, _) => QueryRefund(http, mchid, outRefundNo)));
        app.MapPost("/v3/refund/domestic/refunds/{refundId}/apply-abnormal-refund", (HttpContext http, string refundId) =>
            AuthenticatedAsync(http, (mchid, body) => ApplyAbnormalRefund(http, mchid, refundId, body)));
        app.MapGet("/v3/certificates", (HttpRequest request) => AuthenticatedAsync(request.HttpContext, (_, _) => Certificates()));
        MapBills(app);
        MapProfitSharing(app);
        MapTransfers(app);
        MapCombine(app);
        MapPapay(app);
    }

    public PayPageOutcome OnPaid(SandboxPayment payment)
    {
        if (_combines.Get(payment.Id) is { } combine)
        {
            return OnCombinePaid(combine);
        }

        var order = _orders.Get(payment.Id)!;
        MarkPaid(order, _context.Clock.GetUtcNow(), null);
        _context.Notifier.Send(Name, order.Id, _policy, faults =>
        {
            var transaction = WeChatPayResources.Transaction(order, _context.Payments.Get(order.Id)!.Status);
            if (faults.WrongAmount)
            {
                transaction["amount"]!["total"] = order.Total + 1;
                transaction["amount"]!["payer_total"] = order.Total + 1;
            }

            return [Notification(order.NotifyUrl, "TRANSACTION.SUCCESS", "支付成功", "transaction", transaction, faults)];
        });
        return new PayPageOutcome(order.RedirectUrl, "支付成功 — payment complete; the merchant is being notified.");
    }

    /// <summary>H5's cashier returns to the merchant's redirect_url either way; the other clients just close the pay sheet.</summary>
    public PayPageOutcome OnCanceled(SandboxPayment payment)
    {
        const string Unpaid = "the order stays unpaid until it is closed or expires.";
        var order = PrepaidOf(payment.Id);
        return order.TradeType switch
        {
            WeChatPayOrder.Native => new(null, "You closed the scan page; " + Unpaid),
            WeChatPayOrder.H5 => new(order.RedirectUrl, "You left the H5 cashier; " + Unpaid),
            _ => new(null, "You closed the pay sheet (requestPayment:fail cancel); " + Unpaid),
        };
    }

    public void OnExpired(SandboxPayment payment)
    {
    }

    private async Task<IResult> AuthenticatedAsync(HttpContext http, Func<string, byte[], IResult> handler)
    {
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, http.RequestAborted);
        var body = buffer.ToArray();
        var (mchid, refusal) = _auth.Check(http, body);
        return refusal ?? handler(mchid!, body);
    }

    private IResult Query(HttpContext http, string mchid, WeChatPayOrder? order)
    {
        var queried = http.Request.Query["mchid"].ToString();
        if (queried.Length == 0)
        {
            return WeChatPayErrors.Missing("mchid", "query");
        }

        if (queried != mchid)
        {
            return WeChatPayErrors.InvalidRequest("请求中的mchid与Authorization中的商户号不一致");
        }

        return order is null ? WeChatPayErrors.OrderNotExist() : Json(WeChatPayResources.Transaction(order, StatusOf(order)));
    }

    private IResult Close(string mchid, string outTradeNo, byte[] body)
    {
        if (ParseObject(body) is not { } request)
        {
            return NotAnObject();
        }

        var fields = new WeChatPayFields(request);
        var bodyMchid = fields.Text("mchid", 32);
        if (fields.Refusal is { } refusal)
        {
            return refusal;
        }

        return bodyMchid != mchid
            ? WeChatPayErrors.InvalidRequest("请求中的mchid与Authorization中的商户号不一致")
            : CloseOrder(Ordinary(FindByOutTradeNo(mchid, null, outTradeNo)));
    }

    /// <summary>Closes a direct or a partner order found by its out_trade_no.</summary>
    private IResult CloseOrder(WeChatPayOrder? order) => order is null ? WeChatPayErrors.OrderNotExist() : ClosePayment(order.Id);

    /// <summary>Closes the payment of an order or of a 合单; one already closed (or expired) closes again, as the real API does.</summary>
    private IResult ClosePayment(string paymentId) =>
        _context.Payments.TryClose(paymentId, PaymentStatus.Canceled) || _context.Payments.Get(paymentId)!.Status != PaymentStatus.Paid
            ? Results.NoContent()
            : WeChatPayErrors.Of(403, "ORDERPAID", "订单已支付，不能关闭");

    /// <summary>Marks an order paid <paramref name="now"/> by the buyer <paramref name="openId"/> (a new one when null and the order names none).</summary>
    private void MarkPaid(WeChatPayOrder order, DateTimeOffset now, string? openId)
    {
        order.TransactionId = "4200" + Digits(6) + now.ToOffset(WeChatPayResources.ChinaOffset).ToString("yyyyMMdd", CultureInfo.InvariantCulture) + Digits(10);
        order.SuccessTime = now.UtcDateTime;
        order.OpenId ??= openId ?? NewOpenId();
        if (order.SubAppid is not null)
        {
            order.SubOpenId ??= NewOpenId();
        }

        _orders.Upsert(order);
    }

    private static string NewOpenId() => "oUpF8u" + Secrets.Random(16)[..22];

    /// <summary>An order's state: its own payment's, or for a 合单's sub-order the 合单's, paid or closed as one.</summary>
    private PaymentStatus StatusOf(WeChatPayOrder order) => _context.Payments.Get(order.CombineId ?? order.Id)!.Status;

    /// <summary>The order unless it is a 合单's sub-order: WeChat answers those only through the 合单 routes.</summary>
    private static WeChatPayOrder? Ordinary(WeChatPayOrder? order) => order?.CombineId is null ? order : null;

    private IResult Certificates()
    {
        var (ciphertext, nonce) = AesGcmText.Encrypt(_keys.ApiV3Key, "certificate", _keys.PlatformCertificatePem);
        return Json(new JsonObject
        {
            ["data"] = new JsonArray(new JsonObject
            {
                ["serial_no"] = _keys.PlatformSerialNo,
                ["effective_time"] = WeChatPayResources.China(_keys.PlatformEffective),
                ["expire_time"] = WeChatPayResources.China(_keys.PlatformExpires),
                ["encrypt_certificate"] = new JsonObject
                {
                    ["algorithm"] = "AEAD_AES_256_GCM",
                    ["nonce"] = nonce,
                    ["associated_data"] = "certificate",
                    ["ciphertext"] = ciphertext,
                },
            }),
        });
    }

    /// <summary>The notification envelope (§2.5) with the resource encrypted under the APIv3 key.</summary>
    private CallbackDelivery Notification(string url, string eventType, string summary, string originalType, JsonObject resource, DeliveryFaults faults)
    {
        var (ciphertext, nonce) = AesGcmText.Encrypt(_keys.ApiV3Key, originalType, WeChatPayJson.Write(resource));
        var now = _context.Clock.GetUtcNow();
        var envelope = new JsonObject
        {
            ["id"] = "EV-" + now.ToOffset(WeChatPayResources.ChinaOffset).ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + Digits(8),
            ["create_time"] = WeChatPayResources.China(now.UtcDateTime),
            ["resource_type"] = "encrypt-resource",
            ["event_type"] = eventType,
            ["summary"] = summary,
            ["resource"] = new JsonObject
            {
                ["original_type"] = originalType,
                ["algorithm"] = "AEAD_AES_256_GCM",
                ["ciphertext"] = ciphertext,
                ["associated_data"] = originalType,
                ["nonce"] = nonce,
            },
        };
        return SignedJsonCallback.Create(eventType, url, WeChatPayJson.Write(envelope), _signer.Name, faults);
    }

    /// <summary>The order placed with <paramref name="outTradeNo"/> by the merchant itself (<paramref name="subMchid"/> null) or for that sub-merchant.</summary>
    private WeChatPayOrder? FindByOutTradeNo(string mchid, string? subMchid, string outTradeNo) =>
        _orders.FindBy(nameof(WeChatPayOrder.OutTradeNo), outTradeNo).FirstOrDefault(o => o.Mchid == mchid && o.SubMchid == subMchid);

    /// <summary>out_refund_no is unique per merchant, and per sub-merchant in 服务商 mode.</summary>
    private static string RefundKey(string mchid, string? subMchid, string outRefundNo) =>
        subMchid is null ? mchid + "/" + outRefundNo : mchid + "/" + subMchid + "/" + outRefundNo;

    private static IResult Json(JsonObject body) =>
        Results.Text(WeChatPayJson.Write(body), "application/json; charset=utf-8");

    private static IResult NotAnObject() => WeChatPayErrors.Of(400, "PARAM_ERROR", "请求体格式错误：应为JSON对象");

    /// <summary>
    /// The body as a JSON object, or null when it is none: not JSON, duplicate keys, or a string that is no valid
    /// UTF-16 (JSON may escape a lone surrogate, <c>"\ud800"</c>, and reading such a string throws).
    /// </summary>
    private static JsonObject? ParseObject(byte[] body)
    {
        try
        {
            var node = JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false });
            return node is JsonObject request && StringsReadable(request) ? request : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Reads every string value once (keys were read by the duplicate check); throws on one that cannot be read.</summary>
    private static bool StringsReadable(JsonNode? node) => node switch
    {
        JsonObject o => o.All(p => StringsReadable(p.Value)),
        JsonArray a => a.All(StringsReadable),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>() is not null,
        _ => true,
    };

    private static string Digits(int count) =>
        string.Concat(Enumerable.Range(0, count).Select(_ => (char)('0' + RandomNumberGenerator.GetInt32(10))));

    [GeneratedRegex("^[0-9A-Za-z_\\-|*@]{1,64}$")]
    private static partial Regex OutRefundNo();

    /// <summary>
    /// Signs each notification attempt afresh like an API answer (real time, so SDKs accept the timestamp). A tampered
    /// signature takes the form of WeChat's own signature probes, <c>WECHATPAY/SIGNTEST/…</c>.
    /// </summary>
    private sealed class NotificationSigner(WeChatPayKeys keys, TimeProvider wallClock) : ICallbackSigner
    {
        public string Name => "wechatpay";

        public void Sign(CallbackDelivery delivery, IDictionary<string, string> headers)
        {
            foreach (var (name, value) in WeChatPayResponseSigning.Sign(keys, wallClock.GetUtcNow() - SignatureFaults.StaleBy(delivery), delivery.Body))
            {
                headers[name] = value;
            }

            if (SignatureFaults.IsTampered(delivery))
            {
                headers["Wechatpay-Signature"] = "WECHATPAY/SIGNTEST/" + headers["Wechatpay-Signature"];
            }

            headers["Wechatpay-Signature-Type"] = WeChatPayAuth.Scheme;
            headers["Request-ID"] = Guid.NewGuid().ToString("D");
        }
    }
}
