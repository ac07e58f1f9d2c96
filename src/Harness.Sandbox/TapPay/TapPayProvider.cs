using System.Text;
using System.Text.Json.Nodes;
using Harness.Callbacks;
using Harness.Http;
using Harness.Sandbox.Delivery;
using Harness.Sandbox.Payments;
using Harness.Sandbox.Providers;
using Harness.Security.Signing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Harness.Sandbox.TapPay;

/// <summary>
/// TapPay Direct Pay's back end (providers.md §7, §8.6): <c>x-api-key</c> and <c>partner_key</c>, Pay by Prime with
/// the sandbox test primes and test cards, Pay by Card Token, card bind and remove, Record query, trade history, refund and capture and their cancels, every
/// answer HTTP 200 with <c>status</c>/<c>msg</c>; 3-D Secure and the e-payments' approval (LINE Pay, JKOPAY, …) through
/// the hosted page, its frontend redirect and an unsigned backend notify retried until a 200.
/// </summary>
public sealed class TapPayProvider : ISandboxProvider
{
    public const string PartnerKey = "partner_HarnessSandboxTapPayPartnerKey0000000000000000000000000";
    public const string MerchantId = "GlobalTesting_CTBC";

    /// <summary>The sandbox's one merchant group (the sandbox's name: TapPay publishes no test group); it holds <see cref="MerchantId"/>.</summary>
    public const string MerchantGroupId = "GlobalTesting_Group";
    public const string MerchantName = "Harness Sandbox Merchant";
    public const string AppId = "11327";
    public const string AppKey = "app_HarnessSandboxTapPayAppKey000000000000000000000000000000000";

    /// <summary>The sandbox's ceiling for one charge, so sums of amounts stay far from overflow.</summary>
    public const long MaxAmount = 99_999_999;

    /// <summary>TapPay documents no retry policy for the backend notify (§7.5); the sandbox retries at 1 m, 5 m, 30 m and 2 h.</summary>
    public static readonly DeliveryPolicy Policy = new(
        [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2)], CallbackAcknowledgement.Status(200));

    private readonly SandboxContext _context;
    private readonly TapPayTrades _trades;
    private readonly TapPayCharges _charges;
    private readonly TapPayRecords _records;
    private readonly TapPayCards _cards;
    private readonly TapPayCredentials _credentials;
    private readonly TapPayCancels _cancels;

    /// <summary>
    /// TapPay's back-end routes the sandbox does not simulate: card art and network-token status (card metadata),
    /// the acquirers' settlement files (reconciliation), members' cards and cardholder updates, in-store barcodes and
    /// co-branded (affiliate) cards. Each answers 121 naming itself, never a silent success.
    /// </summary>
    public static readonly string[] NotSimulatedRoutes =
    [
        "/tpc/card/metadata", "/tpc/transaction/reconciliation", "/tpc/direct-pay/get-member-card", "/tpc/card/update-cardholder",
        "/tpc/direct-pay/get-barcode", "/tpc/payment/pay-by-barcode", "/tpc/affiliate-code/check",
    ];

    public TapPayProvider(SandboxContext context)
    {
        _context = context;
        _trades = new TapPayTrades(context.Store);
        _credentials = new TapPayCredentials(context);
        _charges = new TapPayCharges(context, _trades, _credentials);
        _records = new TapPayRecords(context, _trades);
        _cards = new TapPayCards(_charges, _credentials);
        _cancels = new TapPayCancels(context, _trades);
    }

    public string Name => "tappay";

    public string Title => "TapPay";

    public JsonObject? ObjectOf(SandboxPayment payment) => _trades.Get(payment.Id) is { } trade ? TapPayTrades.Record(trade) : null;

    public IErrorEnvelope Errors => TapPayErrors.Instance;

    /// <summary>The backend notify is unsigned (§7.5): there is nothing to sign.</summary>
    public IEnumerable<ICallbackSigner> Signers => [];

    public IReadOnlyDictionary<string, string> Credentials { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["partner_key"] = PartnerKey,
        ["merchant_id"] = MerchantId,
        ["merchant_group_id"] = MerchantGroupId,
        ["app_id"] = AppId,
        ["app_key"] = AppKey,
        ["test_prime"] = TapPayTestData.DirectPayPrime,
    };

    public IReadOnlyList<string> SettingNames => TapPayCredentials.SettingNames;

    public string? RefuseSetting(string key, string value) => TapPayCredentials.RefuseSetting(key, value);

    public void MapApi(WebApplication app)
    {
        MapBackEnd(app, "/tpc/payment/pay-by-prime", _charges.PayByPrime);
        MapBackEnd(app, "/tpc/payment/pay-by-token", _charges.PayByToken);
        MapBackEnd(app, "/tpc/transaction/query", _records.Query);
        MapBackEnd(app, "/tpc/transaction/trade-history", _records.TradeHistory);
        MapBackEnd(app, "/tpc/transaction/refund", _records.Refund);
        MapBackEnd(app, "/tpc/transaction/cap", _records.Capture);
        MapBackEnd(app, "/tpc/transaction/refund/cancel", _cancels.RefundCancel);
        MapBackEnd(app, "/tpc/transaction/cap/cancel", _cancels.CapCancel);
        MapBackEnd(app, "/tpc/card/bind", _cards.Bind);
        MapBackEnd(app, "/tpc/card/remove", _cards.Remove);
        foreach (var path in NotSimulatedRoutes)
        {
            MapBackEnd(app, path, _ => TapPayErrors.Answer(TapPayStatus.InvalidArguments, $"Invalid arguments : {path} is not simulated by the sandbox"));
        }

        // The front end's getPrime, simulated: TPDirect turns a card into a prime with the app's id and key.
        app.MapPost("/sandbox/get-prime", async (HttpRequest request) =>
        {
            var body = await TapPayRequest.ReadAsync(request);
            return Answer(body is null ? TapPayErrors.Answer(TapPayStatus.WrongJsonFormat, "Wrong JSON format")
                : body.Text("app_id") != AppId || !SignatureComparison.Equal(AppKey, request.Headers["x-api-key"].ToString())
                    ? TapPayErrors.Answer(TapPayStatus.InvalidApiKey, "Invalid app_id or app_key")
                    : _charges.GetPrime(body));
        });
        TapPayCardForm.Map(app, _context, _charges);
    }

    public PayPageOutcome OnPaid(SandboxPayment payment)
    {
        var trade = _trades.Get(payment.Id)!;
        TapPayTrades.Authorise(trade, delayCapture: false);
        _trades.Objects.Put(trade);

        Notify(trade);
        var urls = (JsonObject)trade["result_url"]!;
        var passed = trade.Str(TapPayTrades.EPaymentField) is { } wallet ? $"{wallet} approved the payment." : "3-D Secure passed.";
        return new PayPageOutcome(FrontendRedirect(urls.Text("frontend_redirect_url")!, trade), passed);
    }

    /// <summary>Leaving the challenge or the wallet goes to <c>go_back_url</c> when the merchant gave one; the trade stays pending until it expires.</summary>
    public PayPageOutcome OnCanceled(SandboxPayment payment)
    {
        var trade = _trades.Get(payment.Id);
        var left = trade?.Str(TapPayTrades.EPaymentField) ?? "3-D Secure";
        return new(trade?["result_url"].Text("go_back_url"), $"You left {left}; the payment stays pending until it expires.");
    }

    /// <summary>An unfinished challenge or wallet approval fails the trade, and the backend hears of it as it would of a success.</summary>
    public void OnExpired(SandboxPayment payment)
    {
        var trade = _trades.Get(payment.Id)!;
        var wallet = trade.Str(TapPayTrades.EPaymentField);
        trade["status"] = TapPayStatus.BankDeclined;
        trade["msg"] = wallet is null ? "Card Error" : "Payment Error";
        trade["bank_result_code"] = wallet is null ? "3D" : "EP";
        trade["bank_result_msg"] = wallet is null ? "3-D Secure authentication not completed" : $"{wallet} payment not completed";
        trade["record_status"] = TapPayTrades.RecordError;
        TapPayTrades.AddHistory(trade, "auth", trade["original_amount"]!.GetValue<long>(), success: false, _context.Clock.GetUtcNow().ToUnixTimeMilliseconds());
        _trades.Objects.Put(trade);

        Notify(trade);
    }

    /// <summary>
    /// A back-end route: the body must be JSON (5), carry <c>partner_key</c> (506) of the sandbox's partner or the
    /// merchant's registered one (81), sent again as <c>x-api-key</c> (80); then the handler answers. Every answer is
    /// HTTP 200 (§7.1).
    /// </summary>
    private void MapBackEnd(WebApplication app, string path, Func<JsonObject, JsonObject> handle) =>
        app.MapPost(path, async (HttpRequest request) =>
        {
            var body = await TapPayRequest.ReadAsync(request);
            return Answer(body switch
            {
                null => TapPayErrors.Answer(TapPayStatus.WrongJsonFormat, "Wrong JSON format"),
                _ when body.Text("partner_key") is null => TapPayErrors.Answer(TapPayStatus.MissingPartnerKey, "Missing partner_key"),
                _ when !_credentials.IsPartnerKey(body.Text("partner_key")) => TapPayErrors.Answer(TapPayStatus.PartnerNotFound, "Partner not found"),
                _ when !SignatureComparison.Equal(body.Text("partner_key")!, request.Headers["x-api-key"].ToString()) => TapPayErrors.Answer(TapPayStatus.InvalidApiKey, "Invalid x-api-key"),
                _ => handle(body),
            });
        });

    private static IResult Answer(JsonObject body) => Results.Json(body);

    private static string FrontendRedirect(string url, JsonObject trade) => QueryHelpers.AddQueryString(url, new Dictionary<string, string?>
    {
        ["rec_trade_id"] = trade.Str("rec_trade_id"),
        ["order_number"] = trade.Str("order_number"),
        ["bank_transaction_id"] = trade.Str("bank_transaction_id"),
        ["status"] = trade["status"]!.ToJsonString(),
    });

    /// <summary>The backend notify of §7.5, unsigned; a wrong-amount fault changes the amount, a stale one the times.</summary>
    private void Notify(JsonObject trade)
    {
        var url = trade["result_url"].Text("backend_notify_url")!;
        _context.Notifier.Send(Name, trade.Str("id")!, Policy, faults =>
        {
            var answer = TapPayTrades.PaymentAnswer(trade);
            var complete = (_context.WallClock.GetUtcNow() - faults.StaleBy).ToUnixTimeMilliseconds();
            var notify = new JsonObject
            {
                ["rec_trade_id"] = answer["rec_trade_id"]!.DeepClone(),
                ["auth_code"] = answer["auth_code"]!.DeepClone(),
                ["bank_transaction_id"] = answer["bank_transaction_id"]!.DeepClone(),
                ["bank_order_number"] = answer["bank_order_number"]!.DeepClone(),
                ["order_number"] = answer["order_number"]!.DeepClone(),
                ["amount"] = answer["amount"]!.GetValue<long>() + (faults.WrongAmount ? 1 : 0),
                ["currency"] = answer["currency"]!.DeepClone(),
                ["status"] = answer["status"]!.DeepClone(),
                ["msg"] = answer["msg"]!.DeepClone(),
                ["transaction_time_millis"] = answer["transaction_time_millis"]!.DeepClone(),
                ["transaction_complete_millis"] = complete,
                ["card_info"] = answer["card_info"]!.DeepClone(),
                ["acquirer"] = answer["acquirer"]!.DeepClone(),
                ["card_identifier"] = answer["card_identifier"]!.DeepClone(),
                ["bank_result_code"] = answer["bank_result_code"]!.DeepClone(),
                ["bank_result_msg"] = answer["bank_result_msg"]!.DeepClone(),
                ["merchant_reference_info"] = answer["merchant_reference_info"]!.DeepClone(),
                ["event_code"] = answer["status"]!.GetValue<int>() == TapPayStatus.Success ? "PAYMENT_SUCCESS" : "PAYMENT_FAILED",
            };
            if (trade.Str(TapPayTrades.EPaymentField) is not null)
            {
                notify["pay_info"] = TapPayTrades.PayInfo(trade);
            }

            // Unsigned: no Signer, so the dispatcher sends these bytes as they are.
            return [new CallbackDelivery
            {
                EventType = "tappay.notify",
                Method = "POST",
                Url = url,
                Headers = { ["Content-Type"] = "application/json" },
                Body = Encoding.UTF8.GetBytes(notify.ToJsonString()),
            }];
        });
    }
}
