using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Harness.Callbacks;
using Harness.Http;
using Harness.Sandbox.Bills;
using Harness.Sandbox.Delivery;
using Harness.Sandbox.Payments;
using Harness.Sandbox.Providers;
using Harness.Security;
using Harness.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.WebUtilities;

namespace Harness.Sandbox.Alipay;

/// <summary>
/// Alipay OpenAPI (providers.md §3, §8.2): the v2 gateway <c>/gateway.do</c> with RSA2-signed requests and answers,
/// the v3 REST routes (<see cref="AlipayRestApi"/>), trades that exist only once the buyer scans the code or opens the
/// cashier, form-POST notifies signed RSA2 and acknowledged only by <c>success</c>, and the signed return redirect.
/// </summary>
public sealed partial class AlipayProvider : ISandboxProvider
{
    public const string AppId = "2021000000000001";
    public const string SellerId = "2088102177000001";
    public const string GatewayPath = "/gateway.do";

    public const string Precreate = "alipay.trade.precreate";
    public const string PagePay = "alipay.trade.page.pay";
    public const string WapPay = "alipay.trade.wap.pay";
    public const string Query = "alipay.trade.query";
    public const string Close = "alipay.trade.close";
    public const string Refund = "alipay.trade.refund";
    public const string RefundQuery = "alipay.trade.fastpay.refund.query";

    /// <summary>Alipay's documented notify schedule: 8 notifications in 25 h, at 4m, 10m, 10m, 1h, 2h, 6h, 15h.</summary>
    public static readonly DeliveryPolicy Policy = new(
        [TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(10), TimeSpan.FromHours(1), TimeSpan.FromHours(2), TimeSpan.FromHours(6), TimeSpan.FromHours(15)],
        CallbackAcknowledgement.BodyText("success"));

    /// <summary>An unscanned QR code's life when the merchant sets no timeout (docs/sandbox/alipay.md).</summary>
    private static readonly TimeSpan DefaultQrLifetime = TimeSpan.FromHours(2);

    /// <summary>A trade without <c>timeout_express</c> closes after 15 days, as Alipay's do.</summary>
    private static readonly TimeSpan DefaultTradeLifetime = TimeSpan.FromDays(15);

    private static readonly Dictionary<string, string> ProductCodes = new(StringComparer.Ordinal)
    {
        [Precreate] = "FACE_TO_FACE_PAYMENT",
        [PagePay] = "FAST_INSTANT_TRADE_PAY",
        [WapPay] = "QUICK_WAP_WAY",
        [AppPay] = "QUICK_MSECURITY_PAY",
        [BarcodePay] = "FACE_TO_FACE_PAYMENT",
        [TradeCreate] = "JSAPI_PAY",
    };

    private readonly SandboxContext _context;
    private readonly IDocumentCollection<AlipayTrade> _trades;
    private readonly IDocumentCollection<AlipayTransfer> _transfers;
    private readonly IDocumentCollection<AlipayAgreement> _agreements;
    private readonly BillDownloads _billDownloads;

    public AlipayProvider(SandboxContext context)
    {
        _context = context;
        _trades = context.Store.Collection<AlipayTrade>("alipay_trades", nameof(AlipayTrade.OutTradeNo), nameof(AlipayTrade.FinishOrder), nameof(AlipayTrade.UnfreezeOrder));
        _transfers = context.Store.Collection<AlipayTransfer>("alipay_transfers", nameof(AlipayTransfer.OutBizNo), nameof(AlipayTransfer.PayFundOrderId));
        _agreements = context.Store.Collection<AlipayAgreement>("alipay_agreements", nameof(AlipayAgreement.ExternalAgreementNo));
        _accounts = context.Store.Collection<AlipayAccount>("alipay_accounts");
        _receivers = context.Store.Collection<AlipayRoyaltyReceiver>("alipay_royalty_receivers");
        _settles = context.Store.Collection<AlipaySettle>("alipay_settles", nameof(AlipaySettle.RequestKey), nameof(AlipaySettle.TradeNo), nameof(AlipaySettle.CompleteOrder));
        OpenAccount();
        Keys = new AlipayKeys(context, Name);
        Encryption = new AlipayContentEncryption(context, Name);
        Replies = new AlipayReplies(Keys, Encryption, context.WallClock);
        Notices = new AlipayNotices(Keys, context.WallClock);
        Errors = new AlipayErrors(Replies);
        _billDownloads = new BillDownloads(context.WallClock, TimeSpan.FromSeconds(30));
    }

    public string Name => "alipay";

    public string Title => "Alipay";

    public IReadOnlyList<string> SettingNames =>
        [AlipayKeys.AppIdSetting, AlipayKeys.AppPublicKeySetting, AlipayKeys.SignModeSetting, AlipayKeys.SignTypeSetting, AlipayContentEncryption.Setting, RefundPeriodSetting, TransferFloatSetting, RoyaltyMaxRatioSetting];

    public string? RefuseSetting(string key, string value) => key switch
    {
        AlipayKeys.AppIdSetting when !AppIdText().IsMatch(value) || value.Length != 16 =>
            "app_id must be the 16 digits of an Alipay app id (开放平台 or the sandbox console shows it)",
        AlipayKeys.AppPublicKeySetting when RsaKeys.SharedPublic(value) is null =>
            "app_public_key must be an RSA public key (SPKI or PKCS#1 PEM, or bare base64) or an app certificate PEM",
        AlipayKeys.SignModeSetting when value is not (AlipayKeys.CertMode or AlipayKeys.PublicKeyMode) =>
            $"sign_mode must be '{AlipayKeys.CertMode}' or '{AlipayKeys.PublicKeyMode}' (remove it to accept both)",
        AlipayKeys.SignTypeSetting when value is not (AlipayKeys.Rsa2 or AlipayKeys.Rsa) =>
            $"sign_type must be '{AlipayKeys.Rsa2}' (RSA-SHA256, the default) or '{AlipayKeys.Rsa}' (RSA-SHA1)",
        AlipayContentEncryption.Setting when value is not (AlipayContentEncryption.Required or AlipayContentEncryption.Off) =>
            $"content_encryption must be '{AlipayContentEncryption.Required}' or '{AlipayContentEncryption.Off}' (remove it to accept plain and AES content)",
        RefundPeriodSetting => RefuseRefundPeriod(value),
        TransferFloatSetting => RefuseTransferFloat(value),
        RoyaltyMaxRatioSetting => RefuseRoyaltyMaxRatio(value),
        _ => null,
    };

    public JsonObject? ObjectOf(SandboxPayment payment) => _trades.Get(payment.Id) is { } trade ? QueryFields(trade) : null;

    public IErrorEnvelope Errors { get; }

    public IEnumerable<ICallbackSigner> Signers => [Notices.Signer];

    /// <summary>Read anew each time: the Alipay certificate and its SN change when it rotates.</summary>
    public IReadOnlyDictionary<string, string> Credentials => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["app_id"] = Keys.AppId,
        ["seller_id"] = SellerId,
        ["gateway_path"] = GatewayPath,
        ["app_private_key"] = Keys.AppPrivateKey,
        ["app_public_key"] = Keys.AppPublicKey,
        ["alipay_public_key"] = Keys.AlipayPublicKey,
        ["alipay_private_key"] = Keys.AlipayPrivateKey,
        ["app_cert"] = Keys.Certificates.AppCert,
        ["alipay_cert"] = Keys.Certificates.AlipayCert,

        // Test material like alipay_private_key: the current certificate's key, which differs from it after a rotation.
        ["alipay_cert_private_key"] = Keys.Certificates.AlipayCertPrivateKey,
        ["alipay_root_cert"] = Keys.Certificates.RootCert,
        ["app_cert_sn"] = Keys.Certificates.AppCertSn,
        ["alipay_cert_sn"] = Keys.Certificates.AlipayCertSn,
        ["alipay_root_cert_sn"] = Keys.Certificates.RootCertSn,
        ["encrypt_key"] = Encryption.Key,
    };

    internal AlipayKeys Keys { get; }

    internal AlipayContentEncryption Encryption { get; }

    internal AlipayReplies Replies { get; }

    internal AlipayNotices Notices { get; }

    public void MapApi(WebApplication app)
    {
        app.MapMethods(GatewayPath, ["GET", "POST"], GatewayAsync);
        app.MapPost(AppPayPath, AppPayAsync);
        app.MapGet(AppPayResultPath, AppPayResult);
        AlipayRestApi.Map(app, this);
        MapSignPage(app);
        MapBills(app);
    }

    /// <summary>The buyer scanned the code or opened the cashier: from now on the trade exists, waiting for payment.</summary>
    public void OnViewed(SandboxPayment payment)
    {
        _context.Store.InTransaction(() =>
        {
            if (_trades.Get(payment.Id) is { Exists: false } trade)
            {
                Scan(trade);
                _trades.Upsert(trade);
            }
        });
    }

    public PayPageOutcome OnPaid(SandboxPayment payment)
    {
        var trade = _trades.Get(payment.Id)!;
        if (!trade.Exists)
        {
            Scan(trade); // paid through the control API without opening the page: the scan is implied
        }

        MarkPaid(trade);
        _trades.Upsert(trade);

        SendNotify(trade, refund: null);
        var signed = SignWithPayment(trade);
        return trade.Method != Precreate && trade.ReturnUrl.Length > 0
            ? new PayPageOutcome(QueryHelpers.AddQueryString(trade.ReturnUrl, Notices.Return(trade).Select(p => new KeyValuePair<string, string?>(p.Key, p.Value))), "Paid.")
            : new PayPageOutcome(null, signed ? "支付成功，协议已开通 — paid, and the agreement signed." : "支付成功 — payment complete.");
    }

    public PayPageOutcome OnCanceled(SandboxPayment payment) =>
        new(null, "You left the cashier; the trade waits for payment until it closes.");

    /// <summary>A scanned trade closes (and says so in a TRADE_CLOSED notify); an unscanned one never came to exist.</summary>
    public void OnExpired(SandboxPayment payment)
    {
        AlipayTrade? closed = null;
        if (_trades.Get(payment.Id) is { Status: AlipayTrade.WaitBuyerPay } trade)
        {
            CloseTrade(trade);
            closed = trade;
        }

        if (closed is not null)
        {
            SendNotify(closed, refund: null);
        }
    }

    /// <summary>A business operation's result: the answer's fields, or a failure.</summary>
    /// <summary><paramref name="PageUrl"/> is where a browser method other than the cashier sends the buyer (the sign page).</summary>
    internal sealed record Outcome(JsonObject? Fields, AlipayFailure? Failure, AlipayTrade? Trade = null, string? PageUrl = null)
    {
        public static implicit operator Outcome(AlipayFailure failure) => FromFailure(failure);

        public static Outcome FromFailure(AlipayFailure failure) => new(null, failure);
    }

    /// <summary>
    /// Runs one business method on its biz_content; shared by the v2 gateway and the v3 routes (<paramref name="origin"/>,
    /// the scheme and host the merchant called, is where links it answers point). One unit of the store:
    /// a trade's changes, its payment's and its notify land together, and no other change to it comes in between.
    /// </summary>
    internal Outcome Run(string method, JsonObject biz, string notifyUrl, string returnUrl, string origin) => _context.Store.Atomically(() => method switch
    {
        Precreate or PagePay or WapPay or AppPay => SignsWithPayment(method, biz)
            ? CreateAndSign(biz, notifyUrl, tradeBiz => Create(method, tradeBiz, notifyUrl, returnUrl))
            : Create(method, biz, notifyUrl, returnUrl),
        BarcodePay => PayByCode(biz, notifyUrl),
        TradeCreate => SignsWithPayment(method, biz) ? CreateAndSign(biz, notifyUrl, tradeBiz => CreateForBuyer(tradeBiz, notifyUrl)) : CreateForBuyer(biz, notifyUrl),
        Query => QueryTrade(biz),
        Close => CloseByMerchant(biz),
        Cancel => CancelTrade(biz),
        Refund => RefundTrade(biz),
        RefundQuery => QueryRefund(biz),
        CertDownload => DownloadCertificate(biz),
        BillDownloadUrlQuery => BillDownloadUrl(biz, origin),
        UniTransfer => Transfer(biz),
        TransferQuery => QueryTransfer(biz),
        AccountQuery => QueryAccount(biz),
        PageSign => SignAgreement(biz, notifyUrl, returnUrl, origin),
        AgreementQuery => QueryAgreement(biz),
        AgreementUnsign => UnsignAgreement(biz),
        ExecutionPlanModify => ModifyExecutionPlan(biz),
        AgreementTransfer => TransferAgreement(biz),
        RoyaltyBind => BindReceivers(biz, bind: true),
        RoyaltyUnbind => BindReceivers(biz, bind: false),
        RoyaltyBatchQuery => QueryReceivers(biz),
        RoyaltyRateQuery => QueryRoyaltyRate(biz),
        OrderSettle => Settle(biz),
        SettleQuery => QuerySettle(biz),
        OnsettleQuery => QueryUnsettled(biz),
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, "not a method the gateway or the v3 routes accept"),
    });

    /// <summary>biz_content as a JSON object, or the failure to answer.</summary>
    internal static (JsonObject? Biz, AlipayFailure? Failure) ParseBiz(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return (null, AlipayFailure.InvalidParameter("biz_content 不能为空"));
        }

        try
        {
            using var document = JsonDocument.Parse(text, StrictJsonBody.Options);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, AlipayFailure.InvalidParameter("biz_content 必须是 JSON 对象"));
            }

            // Every name and string decoded now: a lone surrogate escape (\ud800) would otherwise throw when a handler reads it.
            StrictJsonBody.DecodeAll(document.RootElement);
            return (JsonObject.Create(document.RootElement.Clone()), null);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return (null, AlipayFailure.InvalidParameter("biz_content 不是合法的 JSON"));
        }
    }

    private Outcome Create(string method, JsonObject biz, string notifyUrl, string returnUrl)
    {
        if (Text(biz, "out_trade_no") is not { } outTradeNo || !AlipayTrade.IsMerchantNumber(outTradeNo))
        {
            return AlipayFailure.InvalidParameter("out_trade_no 不能为空，且只能是64位以内的字母、数字和下划线");
        }

        if (AlipayTrade.ParseYuan(Text(biz, "total_amount")) is not { } fen)
        {
            return AlipayFailure.InvalidParameter("total_amount 必须是 0.01 到 100000000 之间、最多两位小数的金额");
        }

        if (Text(biz, "subject") is not { Length: > 0 and <= 256 } subject || subject.IndexOfAny(['/', '=', '&']) >= 0)
        {
            return AlipayFailure.InvalidParameter("subject 不能为空，最长256个字符，且不能包含 / = &");
        }

        var body = Text(biz, "body") ?? "";
        var passback = Text(biz, "passback_params") ?? "";
        if (body.Length > 128 || passback.Length > 512)
        {
            return AlipayFailure.InvalidParameter(body.Length > 128 ? "body 最长128个字符" : "passback_params 最长512个字符");
        }

        if (ExtendFlag(biz, "royalty_freeze") is not { } royaltyFreeze)
        {
            return AlipayFailure.InvalidParameter("extend_params 须为 JSON 对象，其中 royalty_freeze 只能是 true 或 false");
        }

        if (Text(biz, "product_code") is { } productCode && !AcceptsProductCode(method, productCode))
        {
            return AlipayFailure.Business("ACQ.PRODUCT_CODE_ERROR", $"产品码不合法，{method} 使用 {ProductCodes[method]}");
        }

        var now = _context.Clock.GetUtcNow();
        var expiresAt = now + (method == Precreate ? DefaultQrLifetime : DefaultTradeLifetime);
        foreach (var name in method == Precreate ? new[] { "timeout_express", "qr_code_timeout_express" } : ["timeout_express"])
        {
            if (biz[name] is null)
            {
                continue;
            }

            if (Text(biz, name) is not { } text || AlipayTrade.ParseTimeout(text, now) is not { } deadline)
            {
                return AlipayFailure.InvalidParameter($"{name} 取值范围为 1m～15d（m 分钟、h 小时、d 天，或 1c 当天）");
            }

            // The later-named qr_code_timeout_express wins for a code, as it is the one that bounds scanning.
            expiresAt = deadline;
        }

        // time_expire, an absolute China time, takes precedence over the relative timeouts, as at Alipay.
        if (biz["time_expire"] is not null)
        {
            if (Text(biz, "time_expire") is not { } text || AlipayTime.ParseDeadline(text, now) is not { } deadline)
            {
                return AlipayFailure.InvalidParameter("time_expire 格式为 yyyy-MM-dd HH:mm:ss（北京时间），须在 1 分钟到 15 天之后");
            }

            expiresAt = deadline;
        }

        if (_trades.FindBy(nameof(AlipayTrade.OutTradeNo), outTradeNo) is [var existing, ..])
        {
            return Reopen(existing, fen, subject);
        }

        var trade = new AlipayTrade
        {
            Id = NewTradeNo(now),
            AppId = Keys.AppId,
            OutTradeNo = outTradeNo,
            Method = method,
            Subject = subject,
            Body = body,
            AmountFen = fen,
            NotifyUrl = notifyUrl,
            ReturnUrl = returnUrl,
            PassbackParams = passback,
            RoyaltyFreeze = royaltyFreeze,
        };
        if (method is AppPay or BarcodePay or TradeCreate)
        {
            Scan(trade); // the buyer's Alipay app has the trade as it is created: it showed it, its code was scanned, or it names the buyer
        }

        _trades.Upsert(trade);
        _context.Payments.Add(new SandboxPayment
        {
            Id = trade.Id,
            Provider = Name,
            Status = PaymentStatus.Open,
            Amount = fen,
            Currency = "cny",
            Description = subject,
            MerchantReference = outTradeNo,
            CreatedAt = now.UtcDateTime,
            ExpiresAt = expiresAt.UtcDateTime,

            // The code a buyer scans leads to the sandbox's cashier: opening it is the scan.
            QrCode = method == Precreate ? _context.PayPageUrl(trade.Id) : null,
        });
        return Created(trade);
    }

    /// <summary>
    /// The trade named by <c>trade_no</c> or <c>out_trade_no</c>, if it exists for the API (the buyer has scanned), or
    /// with <paramref name="unscannedToo"/> also one whose code or cashier nobody has opened yet.
    /// </summary>
    private (AlipayTrade? Trade, AlipayFailure? Failure) Find(JsonObject biz, bool unscannedToo = false)
    {
        var tradeNo = Text(biz, "trade_no");
        var outTradeNo = Text(biz, "out_trade_no");
        if (tradeNo is null && outTradeNo is null)
        {
            return (null, AlipayFailure.InvalidParameter("out_trade_no 和 trade_no 不能同时为空"));
        }

        if ((tradeNo is not null && !AlipayTrade.IsMerchantNumber(tradeNo)) || (outTradeNo is not null && !AlipayTrade.IsMerchantNumber(outTradeNo)))
        {
            return (null, AlipayFailure.InvalidParameter("trade_no 或 out_trade_no 格式错误"));
        }

        var trade = tradeNo is not null
            ? _trades.Get(tradeNo) is { } byId && (outTradeNo is null || byId.OutTradeNo == outTradeNo) ? byId : null
            : _trades.FindBy(nameof(AlipayTrade.OutTradeNo), outTradeNo!) is [var byOutTradeNo, ..] ? byOutTradeNo : null;
        return trade is { Exists: true } || (unscannedToo && trade is not null) ? (trade, null) : (null, AlipayFailure.TradeNotExist());
    }

    private void Scan(AlipayTrade trade)
    {
        trade.Status = AlipayTrade.WaitBuyerPay;
        trade.GmtCreate = _context.Clock.GetUtcNow().UtcDateTime;
        trade.BuyerId = "2088" + Digits(12);
        trade.BuyerLogonId = "sbx***@sandbox.example";
    }

    private void CloseTrade(AlipayTrade trade)
    {
        trade.Status = AlipayTrade.TradeClosed;
        trade.GmtClose = _context.Clock.GetUtcNow().UtcDateTime;
        _trades.Upsert(trade);
    }

    /// <summary>
    /// Queues the trade's async notify (its current status; with the refund's fields after a refund) to its
    /// notify_url, or to the merchant's configured webhook_url when the request named none.
    /// </summary>
    private void SendNotify(AlipayTrade trade, AlipayRefund? refund)
    {
        var url = trade.NotifyUrl.Length > 0 ? trade.NotifyUrl : _context.Settings.Get(Name, ProviderSettings.WebhookUrl);
        if (string.IsNullOrEmpty(url))
        {
            return;
        }

        // notify_id is fixed here, so every retry sends the same one (with its own notify_time and sign).
        var notifyId = Secrets.RandomHex(16);
        _context.Notifier.Send(Name, trade.Id, Policy, faults => [Notices.Notify(trade, refund, url, notifyId, faults)]);
    }

    /// <summary>A JSON string's value, or a number's text (clients send amounts either way); null when absent or another type.</summary>
    private static string? Text(JsonObject biz, string key) => biz[key] switch
    {
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        JsonValue value when value.GetValueKind() == JsonValueKind.Number => value.ToJsonString(),
        _ => null,
    };

    /// <summary>28 digits: the China-time date, then 20 more, like Alipay's trade numbers.</summary>
    private static string NewTradeNo(DateTimeOffset now) =>
        now.ToOffset(AlipayTime.China).ToString("yyyyMMdd", CultureInfo.InvariantCulture) + "2200" + Digits(16);

    private static string Digits(int count) => string.Concat(Enumerable.Range(0, count).Select(_ => (char)('0' + Random.Shared.Next(10))));
}
