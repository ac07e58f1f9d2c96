using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Harness.Conformance.Steps.Providers;
using Harness.Sandbox.Tests.Support;
using Harness.Sandbox.WeChatPay;

namespace Harness.Sandbox.Tests.WeChatPay;

/// <summary>
/// WeChat Pay API v3 (Native) against a client written from providers.md §2 (<see cref="WeChatPayWire"/>): every
/// request signed with the merchant key, every answer's platform signature checked, notifications verified and
/// decrypted.
/// </summary>
public sealed partial class WeChatPayTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    internal static async Task<WeChatPayWire> WireAsync(TestSandbox sandbox)
    {
        var credentials = (await sandbox.GetJsonAsync("/control/providers/wechatpay"))["credentials"]!.AsObject()
            .ToDictionary(c => c.Key, c => c.Value!.GetValue<string>());
        return new WeChatPayWire(sandbox.BaseUrl("wechatpay"), credentials);
    }

    internal static JsonObject Order(WeChatPayWire wire, string outTradeNo, string notifyUrl, long total = 100, string? attach = "user=alice") =>
        new()
        {
            ["appid"] = wire.Appid,
            ["mchid"] = wire.Mchid,
            ["description"] = "Harness 金币 · 100 coins",
            ["out_trade_no"] = outTradeNo,
            ["notify_url"] = notifyUrl,
            ["amount"] = new JsonObject { ["total"] = total, ["currency"] = "CNY" },
            ["attach"] = attach,
        };

    /// <summary>Sends a signed request and checks the answer is signed by the platform, whatever its status.</summary>
    internal static async Task<(HttpStatusCode Status, string Body, JsonObject? Json)> CallAsync(WeChatPayWire wire, HttpRequestMessage request)
    {
        using var http = new HttpClient();
        using (request)
        {
            using var response = await http.SendAsync(request, Ct);
            var body = await response.Content.ReadAsStringAsync(Ct);
            string? Header(string name) => response.Headers.TryGetValues(name, out var values) ? values.First() : null;
            Assert.True(wire.AnswerIsSigned(Header, body), $"answer {(int)response.StatusCode} is not signed by the platform: {body}");
            Assert.NotNull(Header("Request-ID"));
            return (response.StatusCode, body, body.Length > 0 ? JsonNode.Parse(body) as JsonObject : null);
        }
    }

    internal static async Task<string> PlaceAsync(TestSandbox sandbox, WeChatPayWire wire, JsonObject order)
    {
        var (status, body, json) = await CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/pay/transactions/native", order));
        Assert.True(status == HttpStatusCode.OK, body);
        Assert.Matches("^weixin://wxpay/bizpayurl\\?pr=[0-9A-Za-z]{7}$", json!["code_url"]!.GetValue<string>());
        var payments = await sandbox.GetArrayAsync("/control/payments?provider=wechatpay");
        return payments.Last(p => p!["merchant_reference"]!.GetValue<string>() == order["out_trade_no"]!.GetValue<string>())!["id"]!.GetValue<string>();
    }

    private static Task<(HttpStatusCode Status, string Body, JsonObject? Json)> QueryAsync(WeChatPayWire wire, string outTradeNo) =>
        CallAsync(wire, wire.Request(HttpMethod.Get, $"/v3/pay/transactions/out-trade-no/{outTradeNo}?mchid={wire.Mchid}"));

    [Fact]
    public async Task Native_order_pay_notify_verify_decrypt_and_query()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var wire = await WireAsync(sandbox);
        await using var receiver = await Receiver.StartAsync("/wechatpay/notify");
        var paymentId = await PlaceAsync(sandbox, wire, Order(wire, "order_0001", receiver.Url));

        var (status, _, unpaid) = await QueryAsync(wire, "order_0001");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("NOTPAY", unpaid!["trade_state"]!.GetValue<string>());
        Assert.Null(unpaid["transaction_id"]);
        Assert.Null(unpaid["payer"]);
        Assert.Null(unpaid["success_time"]);
        Assert.Equal("""{"total":100,"payer_currency":"CNY"}""", unpaid["amount"]!.ToJsonString());

        using (var control = new HttpClient())
        {
            var page = await control.GetStringAsync(sandbox.Server.ControlBaseUrl + "/pay/" + paymentId, Ct);
            Assert.Contains("<svg", page, StringComparison.Ordinal);
            Assert.Contains("weixin://wxpay/bizpayurl?pr=", page, StringComparison.Ordinal);
        }

        await sandbox.ActAsync(paymentId, "pay");
        var notice = await receiver.NextAsync();
        Assert.Equal("POST", notice.Method);
        Assert.StartsWith("application/json", notice.Header("Content-Type"), StringComparison.Ordinal);
        Assert.Equal(wire.PlatformSerialNo, notice.Header("Wechatpay-Serial"));
        Assert.Equal("WECHATPAY2-SHA256-RSA2048", notice.Header("Wechatpay-Signature-Type"));
        Assert.True(wire.Verify(notice.Header("Wechatpay-Timestamp"), notice.Header("Wechatpay-Nonce"), notice.Body, notice.Header("Wechatpay-Signature")));

        var envelope = JsonNode.Parse(notice.Body)!;
        Assert.Equal("TRANSACTION.SUCCESS", envelope["event_type"]!.GetValue<string>());
        Assert.Equal("encrypt-resource", envelope["resource_type"]!.GetValue<string>());
        Assert.Equal("支付成功", envelope["summary"]!.GetValue<string>());
        Assert.Equal("AEAD_AES_256_GCM", envelope["resource"]!["algorithm"]!.GetValue<string>());
        Assert.Equal("transaction", envelope["resource"]!["associated_data"]!.GetValue<string>());
        Assert.Equal(12, envelope["resource"]!["nonce"]!.GetValue<string>().Length);

        var transaction = wire.Resource(notice.Body);
        Assert.Equal("SUCCESS", transaction["trade_state"]!.GetValue<string>());
        Assert.Equal("NATIVE", transaction["trade_type"]!.GetValue<string>());
        Assert.Equal("order_0001", transaction["out_trade_no"]!.GetValue<string>());
        Assert.Equal("user=alice", transaction["attach"]!.GetValue<string>());
        Assert.Matches("^[0-9]{28}$", transaction["transaction_id"]!.GetValue<string>());
        Assert.EndsWith("+08:00", transaction["success_time"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotEmpty(transaction["payer"]!["openid"]!.GetValue<string>());
        Assert.Equal("""{"total":100,"payer_total":100,"currency":"CNY","payer_currency":"CNY"}""", transaction["amount"]!.ToJsonString());

        var transactionId = transaction["transaction_id"]!.GetValue<string>();
        var (_, _, paid) = await CallAsync(wire, wire.Request(HttpMethod.Get, $"/v3/pay/transactions/id/{transactionId}?mchid={wire.Mchid}"));
        Assert.Equal("SUCCESS", paid!["trade_state"]!.GetValue<string>());
        Assert.Equal(transactionId, paid["transaction_id"]!.GetValue<string>());
        Assert.Equal("SUCCESS", (await QueryAsync(wire, "order_0001")).Json!["trade_state"]!.GetValue<string>());

        // The receiver has answered; the attempt's outcome is recorded just after: wait for attempts in progress.
        await sandbox.RunDueAsync();
        var delivery = (await sandbox.DeliveriesAsync(paymentId)).Single()!;
        Assert.Equal("delivered", delivery["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Placing_again_answers_the_same_code_url_and_refuses_changes_payment_and_closing()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var wire = await WireAsync(sandbox);
        var order = Order(wire, "order_again", "https://merchant.example/notify");
        var (_, _, first) = await CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/pay/transactions/native", order));
        var (_, _, second) = await CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/pay/transactions/native", Order(wire, "order_again", "https://merchant.example/notify")));
        Assert.Equal(first!["code_url"]!.GetValue<string>(), second!["code_url"]!.GetValue<string>());

        var changed = Order(wire, "order_again", "https://merchant.example/notify", total: 101);
        var (status, _, conflict) = await CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/pay/transactions/native", changed));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("INVALID_REQUEST", conflict!["code"]!.GetValue<string>());

        var paymentId = (await sandbox.GetArrayAsync("/control/payments?provider=wechatpay")).Single()!["id"]!.GetValue<string>();
        await sandbox.ActAsync(paymentId, "pay");
        var (paidStatus, _, paid) = await CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/pay/transactions/native", order));
        Assert.Equal(HttpStatusCode.Forbidden, paidStatus);
        Assert.Equal("ORDERPAID", paid!["code"]!.GetValue<string>());

        var (closeStatus, _, closing) = await CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/pay/transactions/out-trade-no/order_again/close", new JsonObject { ["mchid"] = wire.Mchid }));
        Assert.Equal(HttpStatusCode.Forbidden, closeStatus);
        Assert.Equal("ORDERPAID", closing!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task Close_answers_204_signed_and_the_order_is_closed_for_good()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var wire = await WireAsync(sandbox);
        var paymentId = await PlaceAsync(sandbox, wire, Order(wire, "order_close", "https://merchant.example/notify"));

        var (status, body, _) = await CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/pay/transactions/out-trade-no/order_close/close", new JsonObject { ["mchid"] = wire.Mchid }));
        Assert.Equal(HttpStatusCode.NoContent, status);
        Assert.Equal("", body);
        Assert.Equal(HttpStatusCode.NoContent, (await CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/pay/transactions/out-trade-no/order_close/close", new JsonObject { ["mchid"] = wire.Mchid }))).Status);

        var (_, _, closed) = await QueryAsync(wire, "order_close");
        Assert.Equal("CLOSED", closed!["trade_state"]!.GetValue<string>());
        Assert.Null(await sandbox.ActAsync(paymentId, "pay"));
        Assert.Equal("canceled", (await sandbox.GetJsonAsync("/control/payments/" + paymentId))["status"]!.GetValue<string>());

        var (againStatus, _, again) = await CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/pay/transactions/native", Order(wire, "order_close", "https://merchant.example/notify")));
        Assert.Equal(HttpStatusCode.BadRequest, againStatus);
        Assert.Equal("ORDER_CLOSED", again!["code"]!.GetValue<string>());

        var (missingStatus, _, missing) = await CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/pay/transactions/out-trade-no/no_such_order/close", new JsonObject { ["mchid"] = wire.Mchid }));
        Assert.Equal(HttpStatusCode.NotFound, missingStatus);
        Assert.Equal("ORDER_NOT_EXIST", missing!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_order_expires_at_time_expire_on_the_sandbox_clock()
    {
        var now = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
        await using var sandbox = await TestSandbox.StartAsync(now);
        using var wire = await WireAsync(sandbox);
        var order = Order(wire, "order_expiring", "https://merchant.example/notify");
        order["time_expire"] = now.AddMinutes(5).ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture);
        var paymentId = await PlaceAsync(sandbox, wire, order);

        await sandbox.AdvanceAsync(TimeSpan.FromMinutes(4));
        Assert.Equal("NOTPAY", (await QueryAsync(wire, "order_expiring")).Json!["trade_state"]!.GetValue<string>());
        await sandbox.AdvanceAsync(TimeSpan.FromMinutes(1));
        Assert.Equal("CLOSED", (await QueryAsync(wire, "order_expiring")).Json!["trade_state"]!.GetValue<string>());
        Assert.Equal("expired", (await sandbox.GetJsonAsync("/control/payments/" + paymentId))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Refunds_partial_then_full_with_signed_encrypted_notifications_and_queries()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var wire = await WireAsync(sandbox);
        await using var receiver = await Receiver.StartAsync("/wechatpay/notify");
        var paymentId = await PlaceAsync(sandbox, wire, Order(wire, "order_refund", receiver.Url, total: 1000));
        await sandbox.ActAsync(paymentId, "pay");
        var transactionId = wire.Resource((await receiver.NextAsync()).Body)["transaction_id"]!.GetValue<string>();

        JsonObject Refund(string outRefundNo, long refund) => new()
        {
            ["transaction_id"] = transactionId,
            ["out_refund_no"] = outRefundNo,
            ["reason"] = "商品退货",
            ["notify_url"] = receiver.Url,
            ["amount"] = new JsonObject { ["refund"] = refund, ["total"] = 1000, ["currency"] = "CNY" },
        };

        var (status, _, created) = await CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/refund/domestic/refunds", Refund("refund_1", 300)));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("PROCESSING", created!["status"]!.GetValue<string>());
        Assert.Equal(300, created["amount"]!["refund"]!.GetValue<long>());
        Assert.Equal("ORIGINAL", created["channel"]!.GetValue<string>());

        var refundNotice = await receiver.NextAsync();
        Assert.True(wire.Verify(refundNotice.Header("Wechatpay-Timestamp"), refundNotice.Header("Wechatpay-Nonce"), refundNotice.Body, refundNotice.Header("Wechatpay-Signature")));
        Assert.Equal("REFUND.SUCCESS", JsonNode.Parse(refundNotice.Body)!["event_type"]!.GetValue<string>());
        var refunded = wire.Resource(refundNotice.Body);
        Assert.Equal("SUCCESS", refunded["refund_status"]!.GetValue<string>());
        Assert.Equal("refund_1", refunded["out_refund_no"]!.GetValue<string>());
        Assert.Equal(300, refunded["amount"]!["refund"]!.GetValue<long>());

        var (_, _, queried) = await CallAsync(wire, wire.Request(HttpMethod.Get, "/v3/refund/domestic/refunds/refund_1"));
        Assert.Equal("SUCCESS", queried!["status"]!.GetValue<string>());
        Assert.Equal(created["refund_id"]!.GetValue<string>(), queried["refund_id"]!.GetValue<string>());
        Assert.Equal("REFUND", (await QueryAsync(wire, "order_refund")).Json!["trade_state"]!.GetValue<string>());

        // The same request again is the same refund; the same number with another amount is refused.
        var (_, _, repeated) = await CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/refund/domestic/refunds", Refund("refund_1", 300)));
        Assert.Equal(created["refund_id"]!.GetValue<string>(), repeated!["refund_id"]!.GetValue<string>());
        Assert.Equal("INVALID_REQUEST", (await CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/refund/domestic/refunds", Refund("refund_1", 400)))).Json!["code"]!.GetValue<string>());

        var (overStatus, _, over) = await CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/refund/domestic/refunds", Refund("refund_2", 701)));
        Assert.Equal(HttpStatusCode.BadRequest, overStatus);
        Assert.Equal("INVALID_REQUEST", over!["code"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/refund/domestic/refunds", Refund("refund_2", 700)))).Status);
        Assert.Equal(700, wire.Resource((await receiver.NextAsync()).Body)["amount"]!["refund"]!.GetValue<long>());

        var (missingStatus, _, missing) = await CallAsync(wire, wire.Request(HttpMethod.Get, "/v3/refund/domestic/refunds/refund_none"));
        Assert.Equal(HttpStatusCode.NotFound, missingStatus);
        Assert.Equal("RESOURCE_NOT_EXISTS", missing!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_refund_of_an_unpaid_order_is_refused()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var wire = await WireAsync(sandbox);
        await PlaceAsync(sandbox, wire, Order(wire, "order_unpaid", "https://merchant.example/notify"));
        var refund = new JsonObject
        {
            ["out_trade_no"] = "order_unpaid",
            ["out_refund_no"] = "refund_unpaid",
            ["amount"] = new JsonObject { ["refund"] = 1, ["total"] = 100, ["currency"] = "CNY" },
        };
        var (status, _, body) = await CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/refund/domestic/refunds", refund));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("INVALID_REQUEST", body!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task Requests_with_a_bad_signature_a_wrong_serial_or_a_stale_timestamp_are_refused_with_SIGN_ERROR()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var wire = await WireAsync(sandbox);
        var target = $"/v3/pay/transactions/out-trade-no/anything?mchid={wire.Mchid}";

        using var stranger = RSA.Create(2048);
        var (badStatus, _, bad) = await CallAsync(wire, wire.Request(HttpMethod.Get, target, key: stranger));
        Assert.Equal(HttpStatusCode.Unauthorized, badStatus);
        Assert.Equal("SIGN_ERROR", bad!["code"]!.GetValue<string>());
        Assert.Equal("sign not match", bad["detail"]!["detail"]!["issue"]!.GetValue<string>());
        Assert.Equal("authorization", bad["detail"]!["location"]!.GetValue<string>());

        var (staleStatus, _, stale) = await CallAsync(wire, wire.Request(HttpMethod.Get, target, timestamp: DateTimeOffset.UtcNow.AddMinutes(-6).ToUnixTimeSeconds()));
        Assert.Equal(HttpStatusCode.Unauthorized, staleStatus);
        Assert.Equal("timestamp", stale!["detail"]!["field"]!.GetValue<string>());

        var serial = wire.SerialNo;
        wire.SerialNo = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1";
        var (serialStatus, _, wrongSerial) = await CallAsync(wire, wire.Request(HttpMethod.Get, target));
        Assert.Equal(HttpStatusCode.Unauthorized, serialStatus);
        Assert.Equal("serial_no", wrongSerial!["detail"]!["field"]!.GetValue<string>());

        // SDKs derive the serial in lowercase hex, some with a leading 00 byte: the same certificate.
        wire.SerialNo = "00" + serial.ToLowerInvariant();
        Assert.Equal(HttpStatusCode.NotFound, (await CallAsync(wire, wire.Request(HttpMethod.Get, target))).Status);

        using var unsigned = new HttpRequestMessage(HttpMethod.Get, wire.BaseUrl + target);
        var (noneStatus, _, none) = await CallAsync(wire, unsigned);
        Assert.Equal(HttpStatusCode.Unauthorized, noneStatus);
        Assert.Equal("SIGN_ERROR", none!["code"]!.GetValue<string>());

        // A signature over another body than the one sent.
        var tampered = wire.Request(HttpMethod.Post, "/v3/pay/transactions/native", Order(wire, "order_tamper", "https://merchant.example/notify"));
        tampered.Content = new StringContent(Order(wire, "order_tamper", "https://merchant.example/notify", total: 1).ToJsonString(), System.Text.Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.Unauthorized, (await CallAsync(wire, tampered)).Status);
    }

    [Fact]
    public async Task A_merchant_can_register_another_certificate_and_sign_with_its_key()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var wire = await WireAsync(sandbox);
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={wire.Mchid}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var target = $"/v3/pay/transactions/out-trade-no/anything?mchid={wire.Mchid}";
        wire.SerialNo = certificate.SerialNumber;
        Assert.Equal(HttpStatusCode.Unauthorized, (await CallAsync(wire, wire.Request(HttpMethod.Get, target, key: key))).Status);

        using var registered = await sandbox.Control.PutAsJsonAsync(
            "/control/providers/wechatpay/settings", new Dictionary<string, string> { ["merchant_certificates"] = certificate.ExportCertificatePem() }, Ct);
        registered.EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.NotFound, (await CallAsync(wire, wire.Request(HttpMethod.Get, target, key: key))).Status);
    }

    [Fact]
    public async Task The_platform_certificate_download_decrypts_to_the_certificate_whose_serial_signs()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var wire = await WireAsync(sandbox);
        var (status, _, body) = await CallAsync(wire, wire.Request(HttpMethod.Get, "/v3/certificates"));
        Assert.Equal(HttpStatusCode.OK, status);
        var entry = body!["data"]!.AsArray().Single()!;
        Assert.Equal(wire.PlatformSerialNo, entry["serial_no"]!.GetValue<string>());
        Assert.Matches("^[0-9A-F]+$", wire.PlatformSerialNo);
        var encrypted = entry["encrypt_certificate"]!;
        Assert.Equal("certificate", encrypted["associated_data"]!.GetValue<string>());
        var pem = wire.Decrypt(encrypted["ciphertext"]!.GetValue<string>(), encrypted["nonce"]!.GetValue<string>(), "certificate");
        using var certificate = X509Certificate2.CreateFromPem(pem);
        Assert.Equal(wire.PlatformSerialNo, certificate.SerialNumber);
    }

    [Theory]
    [InlineData("""{"appid":"APPID","mchid":"MCHID","description":"d","out_trade_no":"abc12","notify_url":"https://m.example/n","amount":{"total":1}}""", "out_trade_no")]
    [InlineData("""{"appid":"APPID","mchid":"MCHID","description":"d","out_trade_no":"abc123!","notify_url":"https://m.example/n","amount":{"total":1}}""", "out_trade_no")]
    [InlineData("""{"appid":"APPID","mchid":"MCHID","description":"d","out_trade_no":"abc123","notify_url":"https://m.example/n?x=1","amount":{"total":1}}""", "notify_url")]
    [InlineData("""{"appid":"APPID","mchid":"MCHID","description":"d","out_trade_no":"abc123","notify_url":"ftp://m.example/n","amount":{"total":1}}""", "notify_url")]
    [InlineData("""{"appid":"APPID","mchid":"MCHID","out_trade_no":"abc123","notify_url":"https://m.example/n","amount":{"total":1}}""", "description")]
    [InlineData("""{"appid":"APPID","mchid":"MCHID","description":"d","out_trade_no":"abc123","notify_url":"https://m.example/n"}""", "amount")]
    [InlineData("""{"appid":"APPID","mchid":"MCHID","description":"d","out_trade_no":"abc123","notify_url":"https://m.example/n","amount":{"total":"1"}}""", "amount.total")]
    [InlineData("""{"appid":"APPID","mchid":"MCHID","description":"d","out_trade_no":"abc123","notify_url":"https://m.example/n","amount":{"total":1.5}}""", "amount.total")]
    [InlineData("""{"appid":"APPID","mchid":"MCHID","description":"d","out_trade_no":"abc123","notify_url":"https://m.example/n","amount":{"total":0}}""", "amount.total")]
    [InlineData("""{"appid":"APPID","mchid":"MCHID","description":"d","out_trade_no":"abc123","notify_url":"https://m.example/n","amount":{"total":2147483648}}""", "amount.total")]
    [InlineData("""{"appid":"APPID","mchid":"MCHID","description":"d","out_trade_no":"abc123","notify_url":"https://m.example/n","amount":{"total":1,"currency":"USD"}}""", "amount.currency")]
    [InlineData("""{"appid":"APPID","mchid":"MCHID","description":"d","out_trade_no":"abc123","notify_url":"https://m.example/n","amount":{"total":1},"time_expire":"tomorrow"}""", "time_expire")]
    [InlineData("""{"appid":"APPID","mchid":"MCHID","description":"d","out_trade_no":"abc123","notify_url":"https://m.example/n","amount":{"total":1},"attach":5}""", "attach")]
    [InlineData("""{"appid":"APPID","mchid":"MCHID","description":"d","out_trade_no":"abc123","notify_url":"https://m.example/n","amount":{"total":1},"scene_info":{"device_id":7}}""", "scene_info.device_id")]
    [InlineData("""{"appid":"APPID","mchid":"MCHID","description":"d\u0000","out_trade_no":"abc123","notify_url":"https://m.example/n","amount":{"total":1}}""", "description")]
    public async Task A_bad_order_field_is_a_signed_400_PARAM_ERROR_naming_it(string template, string field)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var wire = await WireAsync(sandbox);
        var body = template.Replace("APPID", wire.Appid, StringComparison.Ordinal).Replace("MCHID", wire.Mchid, StringComparison.Ordinal);
        var request = wire.Request(HttpMethod.Post, "/v3/pay/transactions/native");
        request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        request.Headers.Remove("Authorization");
        request.Headers.TryAddWithoutValidation("Authorization", wire.Authorization("POST", "/v3/pay/transactions/native", body));

        var (status, text, error) = await CallAsync(wire, request);
        Assert.True(status == HttpStatusCode.BadRequest, text);
        Assert.Equal("PARAM_ERROR", error!["code"]!.GetValue<string>());
        Assert.Equal(field, error["detail"]!["field"]!.GetValue<string>());
        Assert.Contains(field, error["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("""{"appid":"a","appid":"b"}""")]
    public async Task A_body_that_is_no_JSON_object_is_a_signed_400(string body)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var wire = await WireAsync(sandbox);
        using var request = new HttpRequestMessage(HttpMethod.Post, wire.BaseUrl + "/v3/pay/transactions/native")
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", wire.Authorization("POST", "/v3/pay/transactions/native", body));
        var (status, _, error) = await CallAsync(wire, request);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("PARAM_ERROR", error!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_official_wechatpay_node_v3_SDK_places_verifies_decrypts_queries_and_closes_against_the_sandbox_and_its_JSAPI_and_APP_pay_parameters_verify()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        const string description = "Harness 金币 😀 </b> & + ' / \\ \"quoted\"";
        var environment = await NodeEnvironmentAsync(sandbox);
        environment["WECHATPAY_DESCRIPTION"] = description;
        var run = await NodeScripts.RunAsync("wechatpay-roundtrip.mjs", environment);

        Assert.True(run.ExitCode == 0, run.Errors);
        var result = JsonNode.Parse(run.Output.Trim().Split('\n')[^1])!;
        Assert.Equal("NOTPAY", result["before"]!.GetValue<string>());
        Assert.True(result["verifiedParsed"]!.GetValue<bool>(), "verifySign on the parsed body");
        Assert.True(result["verifiedRaw"]!.GetValue<bool>(), "verifySign on the raw body");
        Assert.True(result["reserialisedEqualsRaw"]!.GetValue<bool>());
        Assert.Equal("SUCCESS", result["transaction"]!["trade_state"]!.GetValue<string>());
        Assert.Equal("user=alice&pack=starter", result["transaction"]!["attach"]!.GetValue<string>());
        Assert.Equal("SUCCESS", result["after"]!.GetValue<string>());
        Assert.Equal(204, result["closeStatus"]!.GetValue<int>());
        Assert.Equal("CLOSED", result["closedState"]!.GetValue<string>());
        Assert.Equal(200, result["jsapiPayment"]!["status"]!.GetValue<int>());
        Assert.Equal("JSAPI", result["jsapiPayment"]!["trade_type"]!.GetValue<string>());
        Assert.Equal(200, result["appPayment"]!["status"]!.GetValue<int>());
        Assert.Equal("APP", result["appPayment"]!["trade_type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Notification_bodies_are_byte_identical_to_what_JavaScript_writes_for_the_same_JSON()
    {
        var tricky = new JsonObject
        {
            ["summary"] = "支付成功 😀 </b> & + ' / \\ \"q\" \u2028 \u007f",
            ["control"] = "a\u0001b\nc\td",
            ["amount"] = new JsonObject { ["total"] = 100 },
        };
        var written = WeChatPayJson.Write(tricky);
        Assert.Contains("😀", written, StringComparison.Ordinal);
        Assert.Contains("\\u0001", written, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u003C", written, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(tricky.ToJsonString(), JsonNode.Parse(written)!.ToJsonString());
        Assert.Matches(JsEscapes(), written);
    }

    /// <summary>Only the escapes JSON.stringify writes: \" \\ \n \t and lowercase \u00xx for other control characters.</summary>
    [GeneratedRegex(@"^(?:[^\\]|\\[""\\nt]|\\u00[01][0-9a-f])*$")]
    private static partial Regex JsEscapes();

    /// <summary>What the wechatpay-node-v3 scripts read: the sandbox's addresses and the published merchant credentials.</summary>
    internal static async Task<Dictionary<string, string>> NodeEnvironmentAsync(TestSandbox sandbox)
    {
        var credentials = (await sandbox.GetJsonAsync("/control/providers/wechatpay"))["credentials"]!;
        return new Dictionary<string, string>
        {
            ["SANDBOX_CONTROL"] = sandbox.Server.ControlBaseUrl,
            ["WECHATPAY_BASE"] = sandbox.BaseUrl("wechatpay"),
            ["WECHATPAY_MCHID"] = credentials["mchid"]!.GetValue<string>(),
            ["WECHATPAY_APPID"] = credentials["appid"]!.GetValue<string>(),
            ["WECHATPAY_APIV3_KEY"] = credentials["apiv3_key"]!.GetValue<string>(),
            ["WECHATPAY_MERCHANT_KEY"] = credentials["merchant_private_key"]!.GetValue<string>(),
            ["WECHATPAY_MERCHANT_CERT"] = credentials["merchant_certificate"]!.GetValue<string>(),
        };
    }
}
