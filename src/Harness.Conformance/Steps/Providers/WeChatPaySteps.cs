using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// The WeChat Pay sandbox as a merchant's backend uses API v3: every request signed with the merchant key (by
/// <see cref="WeChatPayWire"/>, written from the spec), every answer's platform signature checked, notifications
/// verified and decrypted.
/// </summary>
[Steps]
public sealed partial class WeChatPaySteps(ScenarioContext context) : IDisposable
{
    private static readonly string[] CredentialKeys =
        [
            "mchid", "appid", "apiv3_key", "merchant_serial_no", "platform_serial_no", "merchant_private_key", "merchant_certificate", "platform_certificate",
            "wechatpay_public_key", "wechatpay_public_key_id",
        ];

    private readonly SandboxWorld _world = context.Get<SandboxWorld>();
    private WeChatPayWire? _wire;
    private string? _codeUrl;
    private WireReply? _billLink;
    private readonly List<string?> _serials = [];

    /// <summary>The merchant's client, shared with <see cref="WeChatPayClientSteps"/>.</summary>
    internal WeChatPayWire Wire => _wire ?? throw new AssertionException("the WeChat Pay sandbox is not set up in this scenario");

    [Given("the WeChat Pay sandbox and its published merchant credentials")]
    [Needs(Need.Sandbox)]
    public async Task Sandbox()
    {
        var credentials = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in CredentialKeys)
        {
            credentials[key] = await _world.CredentialAsync("wechatpay", key);
        }

        _wire = new WeChatPayWire(await _world.BaseUrlAsync("wechatpay"), credentials);
        _world.Receiver.Default = (200, "");
        _world.NewPayment = () => PlaceAsync("wx_conf_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)), 100, attach: null);
    }

    [When("the merchant places a Native order of {int} fen as {string}")]
    public async Task Place(int fen, string outTradeNo)
    {
        _world.LastReply = await CallAsync(HttpMethod.Post, "/v3/pay/transactions/native", Order(outTradeNo, fen, attach: null));
        if (_world.Last.Status == HttpStatusCode.OK)
        {
            _codeUrl ??= CodeUrl();
        }
    }

    [Given("a Native order of {int} fen placed as {string}")]
    public async Task Placed(int fen, string outTradeNo) => _world.PaymentId = await PlaceAsync(outTradeNo, fen, attach: null);

    [Given("a Native order of {int} fen placed as {string} with attach {string}")]
    public async Task PlacedWithAttach(int fen, string outTradeNo, string attach) => _world.PaymentId = await PlaceAsync(outTradeNo, fen, attach);

    [Given("a Native order of {int} fen placed as {string} and paid")]
    public async Task PlacedAndPaid(int fen, string outTradeNo)
    {
        _world.PaymentId = await PlaceAsync(outTradeNo, fen, attach: null);
        await _world.ClickAsync("pay");
    }

    [Given("WeChat Pay signs the merchant's answers and notifications with {string}")]
    public Task SignsWith(string platformAuth) =>
        _world.ConfigureAsync("wechatpay", new Dictionary<string, string?> { ["platform_auth"] = platformAuth });

    [When("the merchant queries {string} by out_trade_no {int} times")]
    public async Task QueryTimes(string outTradeNo, int times)
    {
        for (var i = 0; i < times; i++)
        {
            _world.LastReply = await QueryAsync(outTradeNo);
            _serials.Add(_world.Last.Header("Wechatpay-Serial"));
        }
    }

    [When("the merchant closes {string}")]
    public async Task Close(string outTradeNo) =>
        _world.LastReply = await CallAsync(HttpMethod.Post, $"/v3/pay/transactions/out-trade-no/{outTradeNo}/close", new JsonObject { ["mchid"] = Wire.Mchid });

    [When("the merchant queries {string} by out_trade_no")]
    public async Task Query(string outTradeNo) => _world.LastReply = await QueryAsync(outTradeNo);

    [When("^the merchant queries an order with (.+)$")]
    public async Task QueryWith(string problem)
    {
        var target = $"/v3/pay/transactions/out-trade-no/wx_conf_nothing?mchid={Wire.Mchid}";
        switch (problem)
        {
            case "a signature made with another key":
                using (var stranger = RSA.Create(2048))
                {
                    _world.LastReply = await CallAsync(HttpMethod.Get, target, key: stranger);
                }

                break;
            case "a serial no registered certificate has":
                _world.LastReply = await WithSerialAsync("5157F09EFDC096DE15EBE81A47057A7232F1B8E1", () => CallAsync(HttpMethod.Get, target));
                break;
            case "a timestamp 6 minutes old":
                _world.LastReply = await CallAsync(HttpMethod.Get, target, timestamp: DateTimeOffset.UtcNow.AddMinutes(-6).ToUnixTimeSeconds());
                break;
            case "no Authorization header":
                _world.LastReply = SignedAnswer(await _world.SendAsync(HttpMethod.Get, Wire.BaseUrl + target));
                break;
            case "a body other than the one signed":
                var signed = Order("wx_conf_signed", 100, attach: null).ToJsonString();
                var sent = Order("wx_conf_signed", 1, attach: null).ToJsonString();
                _world.LastReply = SignedAnswer(await _world.SendAsync(
                    HttpMethod.Post, Wire.BaseUrl + "/v3/pay/transactions/native", new StringContent(sent, Encoding.UTF8, "application/json"),
                    [new("Authorization", Wire.Authorization("POST", "/v3/pay/transactions/native", signed))]));
                break;
            default:
                throw new FormatException($"Unknown authentication problem \"{problem}\".");
        }
    }

    [When("the merchant signs with its serial in lowercase with a leading {string}")]
    public async Task SerialVariant(string prefix) =>
        _world.LastReply = await WithSerialAsync(prefix + Wire.SerialNo.ToLowerInvariant(), () => QueryAsync("wx_conf_nothing"));

    [When("^the merchant places a Native order whose (\\S+) is (.+)$")]
    public async Task PlaceWith(string field, string value)
    {
        var order = Order("wx_conf_bad_" + field.Replace('.', '_'), 100, attach: null);
        JsonNode? given = value switch
        {
            "missing" => null,
            _ when value.StartsWith('"') => JsonValue.Create(value[1..value.IndexOf('"', 1)]),
            _ => JsonValue.Create(long.Parse(value, CultureInfo.InvariantCulture)),
        };
        if (field.StartsWith("amount.", StringComparison.Ordinal))
        {
            order["amount"]![field["amount.".Length..]] = given;
        }
        else if (given is null)
        {
            order.Remove(field);
        }
        else
        {
            order[field] = given;
        }

        _world.LastReply = await CallAsync(HttpMethod.Post, "/v3/pay/transactions/native", order);
    }

    [When("the merchant refunds {int} fen of it as {string}")]
    public async Task Refund(int fen, string outRefundNo) => _world.LastReply = await RefundAsync(fen, outRefundNo);

    [When("the merchant downloads the platform certificates")]
    public async Task Certificates() => _world.LastReply = await CallAsync(HttpMethod.Get, "/v3/certificates");

    [Then("the answer is 200 with a code_url of the form {string} and 7 letters or digits")]
    public void CodeUrlAnswer(string prefix)
    {
        Check.Equal(HttpStatusCode.OK, _world.Last.Status, $"status ({_world.Last.Body})");
        Check.That(Regex.IsMatch(CodeUrl(), "^" + Regex.Escape(prefix) + "[0-9A-Za-z]{7}$"), $"code_url {CodeUrl()} is not {prefix} and 7 letters or digits");
    }

    [Then("the answer is 200 with the same code_url as before")]
    public void SameCodeUrl()
    {
        Check.Equal(HttpStatusCode.OK, _world.Last.Status, $"status ({_world.Last.Body})");
        Check.Equal(_codeUrl, CodeUrl(), "code_url");
    }

    [Then("querying {string} by out_trade_no shows trade_state {string} without transaction_id, payer or success_time")]
    public async Task QueriedUnpaid(string outTradeNo, string state)
    {
        var transaction = await TransactionAsync(outTradeNo, state);
        foreach (var absent in new[] { "transaction_id", "payer", "success_time", "trade_type" })
        {
            Check.That(!transaction.TryGetProperty(absent, out _), $"an unpaid order's query answer has \"{absent}\": {transaction}");
        }
    }

    [Then("querying {string} by out_trade_no shows trade_state {string}")]
    public Task Queried(string outTradeNo, string state) => TransactionAsync(outTradeNo, state);

    [Then("the hosted pay page shows the code_url as a QR code")]
    public async Task PayPageQr()
    {
        var payment = await PaymentOfAsync("wx_conf_unpaid");
        var page = await _world.SendAsync(HttpMethod.Get, _world.PayPageUrl(payment));
        Check.That(page.Body.Contains("<svg", StringComparison.Ordinal), "the pay page draws no QR code (no <svg>)");
        Check.That(page.Body.Contains(_codeUrl!, StringComparison.Ordinal), $"the pay page does not show {_codeUrl}");
    }

    [Then("the notify URL receives a {string} POST whose Wechatpay-Signature verifies with the platform certificate")]
    public async Task NotificationVerifies(string eventType)
    {
        var notice = await _world.EventAsync(eventType);
        Check.Equal("POST", notice.Method, "method");
        Check.That(notice.Header("Content-Type").StartsWith("application/json", StringComparison.Ordinal), $"Content-Type {notice.Header("Content-Type")}");
        Check.Equal(Wire.PlatformSerialNo, notice.Header("Wechatpay-Serial"), "Wechatpay-Serial");
        Check.Equal("WECHATPAY2-SHA256-RSA2048", notice.Header("Wechatpay-Signature-Type"), "Wechatpay-Signature-Type");
        Check.That(Wire.Verify(notice.Header("Wechatpay-Timestamp"), notice.Header("Wechatpay-Nonce"), notice.Body, notice.Header("Wechatpay-Signature"), notice.Header("Wechatpay-Serial")),
            "the notification's Wechatpay-Signature does not verify with the platform certificate");
        var envelope = SandboxWorld.ParseJson(notice.Body);
        Check.Equal("encrypt-resource", ApiReply.Text(ApiReply.Field(envelope, "resource_type")), "resource_type");
        Check.Equal("AEAD_AES_256_GCM", ApiReply.Text(ApiReply.Path(envelope, "resource.algorithm")), "resource.algorithm");
    }

    [Then("the answer's Wechatpay-Serial is the WeChat Pay public key's id, and its signature verifies with that key")]
    public void AnswerSignedWithPublicKey()
    {
        // Every answer's signature is checked with the key its serial names as it arrives (SignedAnswer).
        Check.That(Wire.PublicKeyId?.StartsWith("PUB_KEY_ID_", StringComparison.Ordinal) == true, $"the public key id {Wire.PublicKeyId} does not start PUB_KEY_ID_");
        Check.Equal(Wire.PublicKeyId, _world.Last.Header("Wechatpay-Serial"), "Wechatpay-Serial");
    }

    [Then("the notify URL receives a {string} POST signed with the WeChat Pay public key under its id")]
    public async Task NotificationSignedWithPublicKey(string eventType)
    {
        var notice = await _world.EventAsync(eventType);
        Check.Equal(Wire.PublicKeyId, notice.Header("Wechatpay-Serial"), "Wechatpay-Serial");
        Check.That(Wire.Verify(notice.Header("Wechatpay-Timestamp"), notice.Header("Wechatpay-Nonce"), notice.Body, notice.Header("Wechatpay-Signature"), notice.Header("Wechatpay-Serial")),
            "the notification does not verify with the WeChat Pay public key");
    }

    [Then("the answers name the platform certificate and the WeChat Pay public key, each verifying with the key it names")]
    public void AnswersSignedBothWays()
    {
        Check.That(_serials.Contains(Wire.PlatformSerialNo), $"no answer names the platform certificate: {string.Join(", ", _serials)}");
        Check.That(_serials.Contains(Wire.PublicKeyId), $"no answer names the WeChat Pay public key: {string.Join(", ", _serials)}");
    }

    [Then("its resource decrypts with the APIv3 key to trade_state {string}, out_trade_no {string}, attach {string}, amount.total {int} and a 28-digit transaction_id")]
    public async Task ResourceDecrypts(string state, string outTradeNo, string attach, int total)
    {
        var transaction = await ResourceAsync("TRANSACTION.SUCCESS");
        Check.Equal(state, (string?)transaction["trade_state"], "trade_state");
        Check.Equal(outTradeNo, (string?)transaction["out_trade_no"], "out_trade_no");
        Check.Equal(attach, (string?)transaction["attach"], "attach");
        Check.Equal(total, (int?)transaction["amount"]?["total"], "amount.total");
        Check.Equal("NATIVE", (string?)transaction["trade_type"], "trade_type");
        Check.That(Regex.IsMatch((string?)transaction["transaction_id"] ?? "", "^[0-9]{28}$"), $"transaction_id {transaction["transaction_id"]} is not 28 digits");
        Check.That(((string?)transaction["success_time"] ?? "").EndsWith("+08:00", StringComparison.Ordinal), $"success_time {transaction["success_time"]} is not RFC 3339 in +08:00");
    }

    [Then("querying the order by its transaction_id shows trade_state {string} and the payer's openid")]
    public async Task QueriedByTransactionId(string state)
    {
        var transactionId = (string)(await ResourceAsync("TRANSACTION.SUCCESS"))["transaction_id"]!;
        var reply = await CallAsync(HttpMethod.Get, $"/v3/pay/transactions/id/{transactionId}?mchid={Wire.Mchid}");
        Check.Equal(HttpStatusCode.OK, reply.Status, $"status ({reply.Body})");
        Check.Equal(state, ApiReply.Text(ApiReply.Field(reply.Json, "trade_state")), "trade_state");
        Check.That(ApiReply.Text(ApiReply.Path(reply.Json, "payer.openid")).Length > 0, "payer.openid is empty");
    }

    [Then("the answer is {int} with an empty body")]
    public void EmptyAnswer(int status)
    {
        Check.Equal(status, (int)_world.Last.Status, "status");
        Check.Equal("", _world.Last.Body, "body");
    }

    [Then("the answer is {int} with code {string}")]
    public void ErrorAnswer(int status, string code)
    {
        Check.Equal(status, (int)_world.Last.Status, $"status ({_world.Last.Body})");
        Check.Equal(code, ApiReply.Text(ApiReply.Field(_world.Last.Json, "code")), "code");
        Check.That(ApiReply.Text(ApiReply.Field(_world.Last.Json, "message")).Length > 0, "the error has no message");
    }

    [Then("the answer is {int} with code {string} and detail naming {string}")]
    public void ErrorNaming(int status, string code, string field)
    {
        ErrorAnswer(status, code);
        Check.Equal(field, ApiReply.Text(ApiReply.Path(_world.Last.Json, "detail.field")), "detail.field");
    }

    [Then("the request is authenticated")]
    public void Authenticated() => ErrorAnswer(404, "ORDER_NOT_EXIST");

    [Then("placing {string} again is refused with {int} {string}")]
    public async Task PlacingAgainRefused(string outTradeNo, int status, string code)
    {
        _world.LastReply = await CallAsync(HttpMethod.Post, "/v3/pay/transactions/native", Order(outTradeNo, 100, attach: null));
        ErrorAnswer(status, code);
    }

    [Then("placing {string} for {int} fen is refused with {int} {string}")]
    public async Task PlacingChangedRefused(string outTradeNo, int fen, int status, string code)
    {
        _world.LastReply = await CallAsync(HttpMethod.Post, "/v3/pay/transactions/native", Order(outTradeNo, fen, attach: null));
        ErrorAnswer(status, code);
    }

    [Then("closing {string} is refused with {int} {string}")]
    public async Task ClosingRefused(string outTradeNo, int status, string code)
    {
        await Close(outTradeNo);
        ErrorAnswer(status, code);
    }

    [Then("the answer is 200 with refund status {string} and amount.refund {int}")]
    public void RefundAnswer(string status, int fen)
    {
        Check.Equal(HttpStatusCode.OK, _world.Last.Status, $"status ({_world.Last.Body})");
        Check.Equal(status, ApiReply.Text(ApiReply.Field(_world.Last.Json, "status")), "status");
        Check.Equal(fen, ApiReply.Path(_world.Last.Json, "amount.refund").GetInt32(), "amount.refund");
    }

    [Then("the notify URL receives a {string} POST whose resource decrypts to refund_status {string} and amount.refund {int}")]
    public async Task RefundNotification(string eventType, string status, int fen)
    {
        await NotificationVerifies(eventType);
        var refund = await ResourceAsync(eventType);
        Check.Equal(status, (string?)refund["refund_status"], "refund_status");
        Check.Equal(fen, (int?)refund["amount"]?["refund"], "amount.refund");
    }

    [Then("querying refund {string} shows status {string}")]
    public async Task RefundQueried(string outRefundNo, string status)
    {
        var reply = await CallAsync(HttpMethod.Get, $"/v3/refund/domestic/refunds/{outRefundNo}");
        Check.Equal(HttpStatusCode.OK, reply.Status, $"status ({reply.Body})");
        Check.Equal(status, ApiReply.Text(ApiReply.Field(reply.Json, "status")), "status");
    }

    [Then("refunding {int} fen more as {string} is refused with {int} {string}")]
    public async Task RefundRefused(int fen, string outRefundNo, int status, string code)
    {
        _world.LastReply = await RefundAsync(fen, outRefundNo);
        ErrorAnswer(status, code);
    }

    [Then("the one certificate decrypts with the APIv3 key, and its serial_no is the Wechatpay-Serial of every answer")]
    public void CertificateDecrypts()
    {
        var entries = ApiReply.Field(_world.Last.Json, "data").EnumerateArray().ToList();
        Check.Equal(1, entries.Count, "certificates");
        var encrypted = ApiReply.Field(entries[0], "encrypt_certificate");
        Check.Equal("certificate", ApiReply.Text(ApiReply.Field(encrypted, "associated_data")), "associated_data");
        var pem = Wire.Decrypt(ApiReply.Text(ApiReply.Field(encrypted, "ciphertext")), ApiReply.Text(ApiReply.Field(encrypted, "nonce")), "certificate");
        using var certificate = X509Certificate2.CreateFromPem(pem);
        Check.Equal(Wire.PlatformSerialNo, certificate.SerialNumber, "the decrypted certificate's serial");
        Check.Equal(Wire.PlatformSerialNo, ApiReply.Text(ApiReply.Field(entries[0], "serial_no")), "serial_no");
        Check.Equal(Wire.PlatformSerialNo, _world.Last.Header("Wechatpay-Serial"), "Wechatpay-Serial");
    }

    public void Dispose() => _wire?.Dispose();

    internal JsonObject Order(string outTradeNo, long fen, string? attach)
    {
        var order = new JsonObject
        {
            ["appid"] = Wire.Appid,
            ["mchid"] = Wire.Mchid,
            ["description"] = "Harness 金币 · conformance",
            ["out_trade_no"] = outTradeNo,
            ["notify_url"] = _world.Receiver.Url,
            ["amount"] = new JsonObject { ["total"] = fen, ["currency"] = "CNY" },
        };
        if (attach is not null)
        {
            order["attach"] = attach;
        }

        return order;
    }

    /// <summary>Places an order that must succeed; the sandbox payment it made.</summary>
    private async Task<string> PlaceAsync(string outTradeNo, long fen, string? attach)
    {
        var reply = await CallAsync(HttpMethod.Post, "/v3/pay/transactions/native", Order(outTradeNo, fen, attach));
        Check.Equal(HttpStatusCode.OK, reply.Status, $"placing {outTradeNo} ({reply.Body})");
        _world.LastReply = reply;
        _codeUrl = CodeUrl();
        return await PaymentOfAsync(outTradeNo);
    }

    internal async Task<string> PaymentOfAsync(string outTradeNo)
    {
        var payments = (await _world.ControlAsync(HttpMethod.Get, "/control/payments?provider=wechatpay")).EnumerateArray();
        return ApiReply.Text(ApiReply.Field(payments.Last(p => ApiReply.Text(ApiReply.Field(p, "merchant_reference")) == outTradeNo), "id"));
    }

    private string CodeUrl() => ApiReply.Text(ApiReply.Field(_world.Last.Json, "code_url"));

    private Task<WireReply> QueryAsync(string outTradeNo) =>
        CallAsync(HttpMethod.Get, $"/v3/pay/transactions/out-trade-no/{outTradeNo}?mchid={Wire.Mchid}");

    private async Task<JsonElement> TransactionAsync(string outTradeNo, string state)
    {
        var reply = await QueryAsync(outTradeNo);
        Check.Equal(HttpStatusCode.OK, reply.Status, $"querying {outTradeNo} ({reply.Body})");
        Check.Equal(state, ApiReply.Text(ApiReply.Field(reply.Json, "trade_state")), "trade_state");
        return reply.Json;
    }

    private Task<WireReply> RefundAsync(int fen, string outRefundNo) => CallAsync(HttpMethod.Post, "/v3/refund/domestic/refunds", new JsonObject
    {
        ["out_trade_no"] = "wx_conf_refund",
        ["out_refund_no"] = outRefundNo,
        ["notify_url"] = _world.Receiver.Url,
        ["amount"] = new JsonObject { ["refund"] = fen, ["total"] = 1000, ["currency"] = "CNY" },
    });

    private async Task<JsonObject> ResourceAsync(string eventType) => Wire.Resource((await _world.EventAsync(eventType)).Body);

    private async Task<WireReply> WithSerialAsync(string serial, Func<Task<WireReply>> call)
    {
        var original = Wire.SerialNo;
        Wire.SerialNo = serial;
        try
        {
            return await call();
        }
        finally
        {
            Wire.SerialNo = original;
        }
    }

    /// <summary>A signed request; the answer must carry the platform's signature whatever its status.</summary>
    internal async Task<WireReply> CallAsync(HttpMethod method, string target, JsonObject? body = null, long? timestamp = null, RSA? key = null)
    {
        var text = body?.ToJsonString() ?? "";
        var reply = await _world.SendAsync(
            method,
            Wire.BaseUrl + target,
            body is null ? null : new StringContent(text, Encoding.UTF8, "application/json"),
            [new("Authorization", Wire.Authorization(method.Method, target, text, timestamp, key)), new("Accept", "application/json")]);
        return SignedAnswer(reply);
    }

    internal WireReply SignedAnswer(WireReply reply)
    {
        Check.That(Wire.AnswerIsSigned(reply.Header, reply.Body),
            $"the answer (HTTP {(int)reply.Status}) is not signed by the key its Wechatpay-Serial {reply.Header("Wechatpay-Serial")} names: {reply.Body}");
        return reply;
    }
}
