using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// The Alipay sandbox as a merchant backend uses it: RSA2-signed (or RSA-signed) v2 gateway calls with the published
/// app key, optionally with AES-encrypted content, answers and notifies verified with the published Alipay key, the
/// buyer's scan and payment on the hosted page.
/// </summary>
[Steps]
public sealed partial class AlipaySteps(ScenarioContext context)
{
    private const string ReturnUrl = StripeSteps.MerchantSite + "/alipay/return";

    private readonly SandboxWorld _world = context.Get<SandboxWorld>();
    private string? _outTradeNo;
    private string? _responseKey;
    private int? _refundPeriodDays;
    private string _signType = "RSA2";

    /// <summary>The app's AES key once the merchant encrypts its content; answers given as a string are decrypted with it.</summary>
    private string? _encryptKey;

    [Given("the Alipay sandbox and app_id {string} with the published keys")]
    [Needs(Need.Sandbox)]
    public async Task Sandbox(string appId)
    {
        Check.Equal(appId, await _world.CredentialAsync("alipay", "app_id"), "the published app_id");
        _world.NewPayment = () => PrecreatedAsync("88.88");
        _world.Receiver.Default = (200, "success");
    }

    [When("the merchant precreates a trade of {string}")]
    public Task Precreate(string amount) => CallAsync("alipay.trade.precreate", Order(amount), Notify());

    [Given("a precreated trade of {string} that the buyer has scanned")]
    public async Task PrecreatedAndScanned(string amount)
    {
        _world.PaymentId = await PrecreatedAsync(amount);
        await Scan();
    }

    [Given("a paid trade of {string}")]
    public async Task Paid(string amount)
    {
        await PrecreatedAndScanned(amount);
        await _world.ClickAsync("pay");
    }

    /// <summary>The merchant's contract: how long a paid trade may be refunded before it finishes (0: it finishes at payment).</summary>
    [Given("the merchant's Alipay trades are refundable for {int} days")]
    public Task RefundableFor(int days)
    {
        _refundPeriodDays = days;
        return _world.ConfigureAsync("alipay", new Dictionary<string, string?> { ["refund_period_days"] = days.ToString(CultureInfo.InvariantCulture) });
    }

    /// <summary>Right after the payment: the period less a minute (against a running sandbox its clock moves on meanwhile).</summary>
    [When("the sandbox clock advances to a minute before the trade's refund period ends")]
    public Task ToJustBeforeTheRefundPeriodEnds() =>
        _world.AdvanceAsync(TimeSpan.FromDays(_refundPeriodDays ?? throw new AssertionException("the scenario set no refund period")) - TimeSpan.FromMinutes(1));

    [Given("the merchant answers {string} to every notify")]
    public void MerchantAlwaysAnswers(string body) => _world.Receiver.Default = (200, body);

    [Given("the fault {string} on that trade")]
    public Task FaultOnTrade(string kind) => _world.AddFaultAsync(kind, "alipay", _world.ThePayment, count: 1);

    [When("the buyer scans the code")]
    public async Task Scan()
    {
        var page = await _world.SendAsync(HttpMethod.Get, _world.PayPageUrl(_world.ThePayment));
        Check.Equal(HttpStatusCode.OK, page.Status, "the cashier the code leads to");
    }

    [When("the merchant calls alipay.trade.close")]
    public Task CloseTrade() => CallAsync("alipay.trade.close", new() { ["out_trade_no"] = OutTradeNo });

    [When("the merchant refunds {string} with out_request_no {string}")]
    public Task Refund(string amount, string requestNo) =>
        CallAsync("alipay.trade.refund", new() { ["out_trade_no"] = OutTradeNo, ["refund_amount"] = amount, ["out_request_no"] = requestNo });

    [When("the merchant precreates a trade of {string} in certificate mode")]
    public async Task PrecreateInCertificateMode(string amount)
    {
        var common = Notify();
        common["app_cert_sn"] = AlipayCertificateSerials.OfPem(await _world.CredentialAsync("alipay", "app_cert"));
        common["alipay_root_cert_sn"] = AlipayCertificateSerials.OfRootBundle(await _world.CredentialAsync("alipay", "alipay_root_cert"));
        await CallAsync("alipay.trade.precreate", Order(amount), common);
    }

    [When("the merchant precreates a trade in certificate mode naming an app certificate Alipay did not issue")]
    public async Task PrecreateWithForeignCertificate()
    {
        using var own = RSA.Create(2048);
        var request = new CertificateRequest("CN=Harness Conformance Merchant, O=Harness, C=CN", own, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var foreign = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var common = Notify();
        common["app_cert_sn"] = AlipayCertificateSerials.Of(foreign);
        common["alipay_root_cert_sn"] = AlipayCertificateSerials.OfRootBundle(await _world.CredentialAsync("alipay", "alipay_root_cert"));
        await CallAsync("alipay.trade.precreate", Order("1.00"), common);
    }

    [When("the merchant precreates a trade signed with another private key")]
    public async Task SignedWithAnotherKey()
    {
        using var other = RSA.Create(2048);
        await SendAsync(await SignedAsync("alipay.trade.precreate", Order("1.00"), other.ExportPkcs8PrivateKeyPem()));
    }

    /// <summary>Requests wrong in one way each; the others are signed correctly after the change.</summary>
    [When("^the merchant precreates a trade with (.+)$")]
    public async Task PrecreateWith(string problem)
    {
        var order = Order("1.00");
        var common = new Dictionary<string, string>(StringComparer.Ordinal);
        switch (problem)
        {
            case var amount when amount.StartsWith("total_amount \"", StringComparison.Ordinal):
                order["total_amount"] = amount[14..^1];
                break;
            case "no out_trade_no":
                order.Remove("out_trade_no");
                break;
            case "a subject of 257 characters":
                order["subject"] = new string('s', 257);
                break;
            case "an unknown app_id":
                common["app_id"] = "2021000000000999";
                break;
            case "a malformed timestamp":
                common["timestamp"] = "2026/11/23 12:00";
                break;
            case "no sign":
                break;
            default:
                throw new FormatException($"Unknown request problem \"{problem}\".");
        }

        var parameters = await SignedAsync("alipay.trade.precreate", order, common: common);
        if (problem == "no sign")
        {
            parameters.Remove("sign");
        }

        await SendAsync(parameters);
    }

    [When("the merchant calls the method {string}")]
    public Task CallMethod(string method) => CallAsync(method, []);

    [When("the merchant's page sends the browser to alipay.trade.page.pay with a return_url")]
    public async Task PagePay()
    {
        var order = Order("12.50");
        order["product_code"] = "FAST_INSTANT_TRADE_PAY";
        var parameters = await SignedAsync("alipay.trade.page.pay", order, common: new() { ["return_url"] = ReturnUrl, ["notify_url"] = _world.Receiver.Url });
        _world.LastReply = await _world.SendAsync(HttpMethod.Get, await GatewayAsync() + "?" + FormText.Encode(parameters));
    }

    [When("the sandbox clock advances through the Alipay retry schedule")]
    public Task ThroughRetrySchedule() => context.Get<EpaySteps>().ThroughRetrySchedule();

    [Then("Alipay answers code {string} with a qr_code, signed with the Alipay key")]
    public async Task AnswersQrCode(string code)
    {
        await AnswersCode(code);
        Check.Equal(OutTradeNo, ApiReply.Text(ApiReply.Field(Response, "out_trade_no")), "out_trade_no");

        // The code leads to the sandbox's cashier; the trade behind it is the scenario's payment.
        var qr = ApiReply.Text(ApiReply.Field(Response, "qr_code"));
        var prefix = _world.ControlUrl + "/pay/";
        Check.That(qr.StartsWith(prefix, StringComparison.Ordinal), $"qr_code {qr} does not lead to the sandbox's cashier {prefix}…");
        _world.PaymentId = Uri.UnescapeDataString(qr[prefix.Length..]);
    }

    /// <summary>
    /// Every answer is checked the way alipay-sdk's validateSign does: over the inner object's exact text, sign after
    /// it; with the Alipay public key, or, when the answer names a certificate, with the published Alipay certificate's
    /// key (which differs from it once Alipay has rotated its certificate).
    /// </summary>
    [Then("Alipay answers code {string}")]
    public async Task AnswersCode(string code)
    {
        Check.Equal(HttpStatusCode.OK, _world.Last.Status, $"HTTP status ({_world.Last.Body})");
        Check.Equal(code, ApiReply.Text(ApiReply.Field(Response, "code")), $"code ({_world.Last.Body})");
        var certificateMode = _world.Last.Json.TryGetProperty("alipay_cert_sn", out _);
        var key = certificateMode ? await AlipayCertificateKeyAsync() : await _world.CredentialAsync("alipay", "alipay_public_key");
        Check.That(ProviderSignatures.AlipayVerify(key, SignedContent, ApiReply.Text(ApiReply.Field(_world.Last.Json, "sign")), _signType),
            $"the answer's {_signType} sign does not verify with the Alipay {(certificateMode ? "certificate's key" : "public key")}: {_world.Last.Body}");
    }

    private async Task<string> AlipayCertificateKeyAsync()
    {
        using var certificate = X509Certificate2.CreateFromPem(await _world.CredentialAsync("alipay", "alipay_cert"));
        return certificate.GetRSAPublicKey()!.ExportSubjectPublicKeyInfoPem();
    }

    /// <summary>What a certificate-mode SDK checks: the SN it computes from the Alipay certificate, and the sign under that certificate's key.</summary>
    [Then("the answer names the published Alipay certificate in alipay_cert_sn, and that certificate's key verifies its sign")]
    public async Task AnswerNamesAlipayCertificate()
    {
        using var certificate = X509Certificate2.CreateFromPem(await _world.CredentialAsync("alipay", "alipay_cert"));
        Check.Equal(AlipayCertificateSerials.Of(certificate), ApiReply.Text(ApiReply.Field(_world.Last.Json, "alipay_cert_sn")), $"alipay_cert_sn ({_world.Last.Body})");
        var content = ProviderSignatures.AlipayResponseContent(_world.Last.Body, ResponseKey)
            ?? throw new AssertionException($"no {ResponseKey} object before a sign: {_world.Last.Body}");
        Check.That(ProviderSignatures.AlipayRsa2Verify(certificate.GetRSAPublicKey()!.ExportSubjectPublicKeyInfoPem(), content, ApiReply.Text(ApiReply.Field(_world.Last.Json, "sign"))),
            "the answer's sign does not verify with the Alipay certificate's key");
    }

    [Then("Alipay answers code {string} and sub_code {string}")]
    public async Task AnswersSubCode(string code, string subCode)
    {
        await AnswersCode(code);
        Check.Equal(subCode, ApiReply.Text(ApiReply.Field(Response, "sub_code")), "sub_code");
        Check.That(ApiReply.Text(ApiReply.Field(Response, "sub_msg")).Length > 0, "sub_msg is empty");
    }

    [Then("Alipay answers code {string} with refund_fee {string}")]
    public async Task AnswersRefund(string code, string refundFee)
    {
        await AnswersCode(code);
        Check.Equal(refundFee, ApiReply.Text(ApiReply.Field(Response, "refund_fee")), "refund_fee (refunded so far)");
    }

    [Then("the answer is a signed error_response with code {string} and sub_code {string}")]
    public Task ErrorResponse(string code, string subCode)
    {
        _responseKey = "error_response";
        return AnswersSubCode(code, subCode);
    }

    [Then("alipay.trade.query answers code {string} and sub_code {string}")]
    public async Task QueryAnswers(string code, string subCode)
    {
        await CallAsync("alipay.trade.query", new() { ["out_trade_no"] = OutTradeNo });
        await AnswersSubCode(code, subCode);
    }

    [Then("alipay.trade.close answers code {string} and sub_code {string}")]
    public async Task CloseAnswers(string code, string subCode)
    {
        await CloseTrade();
        await AnswersSubCode(code, subCode);
    }

    [Then("alipay.trade.query reports trade_status {string}")]
    public async Task QueryReports(string status)
    {
        await CallAsync("alipay.trade.query", new() { ["out_trade_no"] = OutTradeNo });
        await AnswersCode("10000");
        Check.Equal(status, ApiReply.Text(ApiReply.Field(Response, "trade_status")), "trade_status");
        Check.Equal(_world.ThePayment, ApiReply.Text(ApiReply.Field(Response, "trade_no")), "trade_no");
    }

    [Then("alipay.trade.fastpay.refund.query for {string} reports refund_amount {string}")]
    public async Task RefundQueryReports(string requestNo, string amount)
    {
        await CallAsync("alipay.trade.fastpay.refund.query", new() { ["out_trade_no"] = OutTradeNo, ["out_request_no"] = requestNo });
        await AnswersCode("10000");
        Check.Equal(amount, ApiReply.Text(ApiReply.Field(Response, "refund_amount")), "refund_amount");
    }

    [Then("the notify URL receives a form POST with trade_status {string}, total_amount {string} and a valid RSA2 sign")]
    [Then("the notify URL receives a form POST with trade_status {string}, total_amount {string} and a valid RSA sign")]
    public async Task NotifyReceived(string status, string amount)
    {
        var notify = await _world.ReceivedAsync() is [.., var last] ? last : throw new AssertionException("the notify URL got nothing");
        Check.Equal("POST", notify.Method, "the notify's method");
        Check.That(notify.Header("Content-Type").StartsWith("application/x-www-form-urlencoded", StringComparison.Ordinal), $"Content-Type {notify.Header("Content-Type")}");
        Check.That(await VerifiesAsync(notify.Parameters), "the notify's sign does not verify with the Alipay public key");
        Check.Equal(_signType, notify.Parameters.GetValueOrDefault("sign_type"), "sign_type");
        Check.Equal(status, notify.Parameters.GetValueOrDefault("trade_status"), "trade_status");
        Check.Equal(amount, notify.Parameters.GetValueOrDefault("total_amount"), "total_amount");
        Check.Equal(OutTradeNo, notify.Parameters.GetValueOrDefault("out_trade_no"), "out_trade_no");
        Check.Equal(_world.ThePayment, notify.Parameters.GetValueOrDefault("trade_no"), "trade_no");
    }

    [Then("the notifies received say trade_status {string}")]
    public async Task NotifiesSay(string statuses)
    {
        var received = (await _world.ReceivedAsync()).Select(r => r.Parameters.GetValueOrDefault("trade_status"));
        Check.Equal(statuses, string.Join(", ", received), "trade_status of each notify received, in order");
    }

    [Then("no notify parameter is empty")]
    public async Task NoEmptyParameter()
    {
        var empty = (await _world.FirstReceivedAsync()).Parameters.Where(p => p.Value.Length == 0).Select(p => p.Key).ToList();
        Check.That(empty.Count == 0, "empty notify parameters (alipay-sdk's checkNotifySign fails on them): " + string.Join(", ", empty));
    }

    [Then("the notify's RSA2 sign does not verify")]
    public async Task NotifyDoesNotVerify() =>
        Check.That(!await VerifiesAsync((await _world.FirstReceivedAsync()).Parameters), "the tampered notify verifies");

    [Then("the delivery log shows {int} attempts {int}, {int}, {int}, {int}, {int}, {int} and {int} minutes apart, each with the same fields and notify_id, stamped and signed when sent")]
    public async Task RetrySchedule(int count, int first, int second, int third, int fourth, int fifth, int sixth, int seventh)
    {
        var attempts = SandboxWorld.Attempts(await _world.DeliveryAsync());
        Check.Equal(count, attempts.Count, "attempts");
        // Whole minutes: against a running sandbox its clock also moves by the milliseconds each attempt takes.
        var gaps = attempts.Zip(attempts.Skip(1), (a, b) => Math.Round((SandboxWorld.AttemptTime(b) - SandboxWorld.AttemptTime(a)).TotalMinutes).ToString(CultureInfo.InvariantCulture));
        Check.Equal(string.Join(", ", new[] { first, second, third, fourth, fifth, sixth, seventh }), string.Join(", ", gaps), "minutes between attempts");
        var forms = attempts.Select(a => FormText.Dictionary(FormText.Parse(ApiReply.Text(ApiReply.Field(a, "request_body"))))).ToList();
        var unchanged = forms.Select(f => FormText.Encode(f.Where(p => p.Key is not ("notify_time" or "sign")).OrderBy(p => p.Key, StringComparer.Ordinal))).Distinct(StringComparer.Ordinal).Count();
        Check.Equal(1, unchanged, "distinct request bodies over the attempts, notify_time and sign aside");
        foreach (var form in forms)
        {
            Check.That(await VerifiesAsync(form), $"the attempt sent at {form.GetValueOrDefault("notify_time")} does not verify with the Alipay public key");
        }

        var received = (await _world.ReceivedAsync()).Select(r => r.Parameters.GetValueOrDefault("notify_id")).Distinct(StringComparer.Ordinal).ToList();
        Check.Equal(1, received.Count, "distinct notify_id values received");
    }

    [Then("the browser is redirected to the Alipay cashier on the hosted pay page")]
    public async Task RedirectedToCashier()
    {
        var location = _world.Last.Location ?? throw new AssertionException($"the gateway answered HTTP {(int)_world.Last.Status}, not a redirect: {_world.Last.Body}");
        var prefix = _world.ControlUrl + "/pay/";
        Check.That(location.StartsWith(prefix, StringComparison.Ordinal), $"the redirect {location} is not to the hosted pay page {prefix}…");
        _world.PaymentId = Uri.UnescapeDataString(location[prefix.Length..]);
        var payment = await _world.PaymentAsync(_world.ThePayment);
        Check.Equal("alipay", ApiReply.Text(ApiReply.Field(payment, "provider")), "the payment's provider");
        Check.Equal(OutTradeNo, ApiReply.Text(ApiReply.Field(payment, "merchant_reference")), "the payment's merchant reference");
    }

    [Then("the buyer is redirected to the return_url with method {string} and a valid RSA2 sign")]
    public async Task ReturnRedirect(string method)
    {
        var location = _world.PayPage?.Location ?? throw new AssertionException("the pay page did not redirect the buyer");
        Check.That(location.StartsWith(ReturnUrl + "?", StringComparison.Ordinal), $"the redirect {location} is not to the return_url {ReturnUrl}");
        var returned = FormText.QueryOf(location);
        Check.That(await VerifiesAsync(returned), "the return's sign does not verify with the Alipay public key");
        Check.Equal(method, returned.GetValueOrDefault("method"), "method");
        Check.Equal(OutTradeNo, returned.GetValueOrDefault("out_trade_no"), "out_trade_no");
        Check.Equal(_world.ThePayment, returned.GetValueOrDefault("trade_no"), "trade_no");
        Check.Equal("12.50", returned.GetValueOrDefault("total_amount"), "total_amount");
    }

    private string OutTradeNo => _outTradeNo ?? throw new AssertionException("the merchant has not placed an order");

    private string ResponseKey => _responseKey ?? throw new AssertionException("no gateway call has been made");

    /// <summary>The answer's response object; an encrypted one (a string) decrypted with the app's AES key.</summary>
    private JsonElement Response => ApiReply.Field(_world.Last.Json, ResponseKey) is { ValueKind: JsonValueKind.String } cipher
        ? JsonDocument.Parse(AlipayContentCipher.Decrypt(_encryptKey ?? throw new AssertionException("an encrypted answer to a plain request"), cipher.GetString()!)).RootElement
        : ApiReply.Field(_world.Last.Json, ResponseKey);

    /// <summary>What the answer's sign covers: the response object's exact text, or an encrypted answer's quoted cipher text.</summary>
    private string SignedContent =>
        (ApiReply.Field(_world.Last.Json, ResponseKey).ValueKind == JsonValueKind.String
            ? AlipayContentCipher.SignedContent(_world.Last.Body, ResponseKey)
            : ProviderSignatures.AlipayResponseContent(_world.Last.Body, ResponseKey))
        ?? throw new AssertionException($"no {ResponseKey} object or cipher text before a sign: {_world.Last.Body}");

    /// <summary>A notify or return as a merchant checks it: its sign_type over the sorted parameters without sign and sign_type.</summary>
    private async Task<bool> VerifiesAsync(Dictionary<string, string> parameters) =>
        ProviderSignatures.AlipayVerify(
            await _world.CredentialAsync("alipay", "alipay_public_key"),
            ProviderSignatures.AlipayContent(parameters, withSignType: false),
            parameters.GetValueOrDefault("sign"),
            parameters.GetValueOrDefault("sign_type") ?? "RSA2");

    /// <summary>A new order with a unique out_trade_no; it becomes the scenario's order.</summary>
    private Dictionary<string, object> Order(string amount)
    {
        _outTradeNo = "HARNESS_" + context.RunId;
        return new(StringComparer.Ordinal) { ["out_trade_no"] = _outTradeNo, ["total_amount"] = amount, ["subject"] = "Harness 充值" };
    }

    private Dictionary<string, string> Notify() => new(StringComparer.Ordinal) { ["notify_url"] = _world.Receiver.Url };

    private async Task<string> PrecreatedAsync(string amount)
    {
        await Precreate(amount);
        await AnswersQrCode("10000");
        return _world.ThePayment;
    }

    private async Task<string> GatewayAsync() =>
        await _world.BaseUrlAsync("alipay") + await _world.CredentialAsync("alipay", "gateway_path");

    /// <summary>The common parameters and biz_content, signed RSA2 over everything but sign (sign_type included).</summary>
    private async Task<Dictionary<string, string>> SignedAsync(string method, Dictionary<string, object> biz, string? privateKey = null, Dictionary<string, string>? common = null)
    {
        _responseKey = method.Replace('.', '_') + "_response";
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["app_id"] = await _world.CredentialAsync("alipay", "app_id"),
            ["method"] = method,
            ["charset"] = "utf-8",
            ["sign_type"] = _signType,
            ["timestamp"] = DateTime.Now.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            ["version"] = "1.0",
            ["biz_content"] = JsonSerializer.Serialize(biz),
        };
        if (_encryptKey is not null)
        {
            parameters["encrypt_type"] = "AES";
            parameters["biz_content"] = AlipayContentCipher.Encrypt(_encryptKey, parameters["biz_content"]);
        }

        foreach (var (key, value) in common ?? [])
        {
            parameters[key] = value;
        }

        var content = ProviderSignatures.AlipayContent(parameters, withSignType: true);
        parameters["sign"] = ProviderSignatures.AlipaySign(privateKey ?? await _world.CredentialAsync("alipay", "app_private_key"), content, _signType);
        return parameters;
    }

    private async Task CallAsync(string method, Dictionary<string, object> biz, Dictionary<string, string>? common = null) =>
        await SendAsync(await SignedAsync(method, biz, common: common));

    private async Task SendAsync(Dictionary<string, string> parameters) =>
        _world.LastReply = await _world.SendAsync(HttpMethod.Post, await GatewayAsync(), new FormUrlEncodedContent(parameters));
}
