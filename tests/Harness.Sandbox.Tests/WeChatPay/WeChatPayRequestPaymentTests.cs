using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Harness.Sandbox.Tests.Support;

namespace Harness.Sandbox.Tests.WeChatPay;

/// <summary>
/// <c>POST /sandbox/request-payment</c>: the check WeChat's client makes before it shows the pay sheet. The merchant's
/// pay signature must verify with a registered merchant certificate, the appid be the order's, the prepay_id's order be
/// open and of the trade type the client pays; refusals say so as the client would (<c>errMsg</c>, or APP's
/// <c>errCode</c>/<c>errStr</c>).
/// </summary>
public sealed class WeChatPayRequestPaymentTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_tampered_paySign_another_key_or_another_apps_appid_is_refused_as_the_client_refuses_it()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var wire = await WeChatPayTests.WireAsync(sandbox);
        var (placed, _) = await WeChatPayTradeTypeTests.PlaceAsync(sandbox, wire, "jsapi", WeChatPayTradeTypeTests.JsapiOrder(wire, "rp_0001", "https://merchant.example/notify"));
        var prepayId = placed["prepay_id"]!.GetValue<string>();

        // Signed, then changed: the timestamp the client sends is not the one signed.
        var tampered = wire.JsapiPayParameters(prepayId);
        tampered["timeStamp"] = (long.Parse(tampered["timeStamp"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture) - 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var (status, refused) = await WeChatPayTradeTypeTests.RequestPaymentAsync(wire, tampered);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("SIGN_ERROR", refused["code"]!.GetValue<string>());
        Assert.Equal("requestPayment:fail 支付验证签名失败", refused["errMsg"]!.GetValue<string>());

        using var stranger = RSA.Create(2048);
        var (strangerStatus, _) = await WeChatPayTradeTypeTests.RequestPaymentAsync(wire, wire.JsapiPayParameters(prepayId, key: stranger));
        Assert.Equal(HttpStatusCode.Unauthorized, strangerStatus);

        var (otherAppStatus, otherApp) = await WeChatPayTradeTypeTests.RequestPaymentAsync(wire, wire.JsapiPayParameters(prepayId, appid: "wx8888888888888888"));
        Assert.Equal(HttpStatusCode.BadRequest, otherAppStatus);
        Assert.Equal("INVALID_REQUEST", otherApp["code"]!.GetValue<string>());
        Assert.StartsWith("requestPayment:fail appId", otherApp["errMsg"]!.GetValue<string>(), StringComparison.Ordinal);

        var (goodStatus, _) = await WeChatPayTradeTypeTests.RequestPaymentAsync(wire, wire.JsapiPayParameters(prepayId));
        Assert.Equal(HttpStatusCode.OK, goodStatus);
    }

    [Fact]
    public async Task A_pay_signature_made_with_another_registered_merchant_certificate_verifies()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var wire = await WeChatPayTests.WireAsync(sandbox);
        var (placed, _) = await WeChatPayTradeTypeTests.PlaceAsync(sandbox, wire, "jsapi", WeChatPayTradeTypeTests.JsapiOrder(wire, "rp_0002", "https://merchant.example/notify"));
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={wire.Mchid}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var parameters = wire.JsapiPayParameters(placed["prepay_id"]!.GetValue<string>(), key: key);
        Assert.Equal(HttpStatusCode.Unauthorized, (await WeChatPayTradeTypeTests.RequestPaymentAsync(wire, parameters)).Status);

        using var registered = await sandbox.Control.PutAsJsonAsync(
            "/control/providers/wechatpay/settings", new Dictionary<string, string> { ["merchant_certificates"] = certificate.ExportCertificatePem() }, Ct);
        registered.EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.OK, (await WeChatPayTradeTypeTests.RequestPaymentAsync(wire, parameters)).Status);
    }

    [Fact]
    public async Task Only_an_open_order_of_the_clients_trade_type_can_be_paid_and_APP_refusals_carry_errCode()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var wire = await WeChatPayTests.WireAsync(sandbox);
        var (jsapi, jsapiId) = await WeChatPayTradeTypeTests.PlaceAsync(sandbox, wire, "jsapi", WeChatPayTradeTypeTests.JsapiOrder(wire, "rp_0003", "https://merchant.example/notify"));
        var (app, _) = await WeChatPayTradeTypeTests.PlaceAsync(sandbox, wire, "app", WeChatPayTests.Order(wire, "rp_0004", "https://merchant.example/notify"));
        var jsapiPrepayId = jsapi["prepay_id"]!.GetValue<string>();
        var appPrepayId = app["prepay_id"]!.GetValue<string>();

        // An APP prepay_id in wx.requestPayment, and a JSAPI one in PayReq.
        var (wrongClient, wrongClientError) = await WeChatPayTradeTypeTests.RequestPaymentAsync(wire, wire.JsapiPayParameters(appPrepayId));
        Assert.Equal(HttpStatusCode.BadRequest, wrongClient);
        Assert.Equal("INVALID_REQUEST", wrongClientError["code"]!.GetValue<string>());
        var (wrongApp, wrongAppError) = await WeChatPayTradeTypeTests.RequestPaymentAsync(wire, wire.AppPayParameters(jsapiPrepayId));
        Assert.Equal(HttpStatusCode.BadRequest, wrongApp);
        Assert.Equal(-1, wrongAppError["errCode"]!.GetValue<int>());
        Assert.Null(wrongAppError["errMsg"]);

        var tamperedApp = wire.AppPayParameters(appPrepayId);
        tamperedApp["timestamp"] = "1";
        var (tamperedStatus, tamperedError) = await WeChatPayTradeTypeTests.RequestPaymentAsync(wire, tamperedApp);
        Assert.Equal(HttpStatusCode.Unauthorized, tamperedStatus);
        Assert.Equal("支付验证签名失败", tamperedError["errStr"]!.GetValue<string>());

        var (unknown, unknownError) = await WeChatPayTradeTypeTests.RequestPaymentAsync(wire, wire.JsapiPayParameters("wx20261205120000aaaaaaaaaaaaaaaaaaaa"));
        Assert.Equal(HttpStatusCode.NotFound, unknown);
        Assert.Equal("ORDER_NOT_EXIST", unknownError["code"]!.GetValue<string>());

        var close = wire.Request(HttpMethod.Post, "/v3/pay/transactions/out-trade-no/rp_0004/close", new JsonObject { ["mchid"] = wire.Mchid });
        Assert.Equal(HttpStatusCode.NoContent, (await WeChatPayTests.CallAsync(wire, close)).Status);
        var (closed, closedError) = await WeChatPayTradeTypeTests.RequestPaymentAsync(wire, wire.AppPayParameters(appPrepayId));
        Assert.Equal(HttpStatusCode.BadRequest, closed);
        Assert.Equal("ORDER_CLOSED", closedError["code"]!.GetValue<string>());

        await sandbox.ActAsync(jsapiId, "pay");
        var (paid, paidError) = await WeChatPayTradeTypeTests.RequestPaymentAsync(wire, wire.JsapiPayParameters(jsapiPrepayId));
        Assert.Equal(HttpStatusCode.Forbidden, paid);
        Assert.Equal("requestPayment:fail 该订单已支付", paidError["errMsg"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("timeStamp", "1733400000", "should be String instead of Number")]
    [InlineData("paySign", null, "should be String instead of Undefined")]
    [InlineData("signType", "\"MD5\"", "signType must be RSA")]
    [InlineData("package", "\"wx20261205120000aaaaaaaaaaaaaaaaaaaa\"", "package must be prepay_id=")]
    [InlineData("timeStamp", "\"yesterday\"", "the timestamp must be the seconds since 1970")]
    [InlineData("nonceStr", "\"0123456789abcdef0123456789abcdef0\"", "the nonce string must be 1 to 32 characters")]
    public async Task Parameters_the_client_would_refuse_are_a_400_PARAM_ERROR_in_its_words(string name, string? json, string words)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var wire = await WeChatPayTests.WireAsync(sandbox);
        var (placed, _) = await WeChatPayTradeTypeTests.PlaceAsync(sandbox, wire, "jsapi", WeChatPayTradeTypeTests.JsapiOrder(wire, "rp_0005", "https://merchant.example/notify"));
        var parameters = wire.JsapiPayParameters(placed["prepay_id"]!.GetValue<string>());
        if (json is null)
        {
            parameters.Remove(name);
        }
        else
        {
            parameters[name] = JsonNode.Parse(json);
        }

        var (status, refused) = await WeChatPayTradeTypeTests.RequestPaymentAsync(wire, parameters);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("PARAM_ERROR", refused["code"]!.GetValue<string>());
        Assert.StartsWith("requestPayment:fail parameter error: ", refused["errMsg"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(words, refused["errMsg"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("""{"appId":"a","appId":"b"}""")]
    public async Task A_body_that_is_no_JSON_object_is_a_signed_400(string body)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var wire = await WeChatPayTests.WireAsync(sandbox);
        using var http = new HttpClient();
        using var response = await http.PostAsync(wire.BaseUrl + "/sandbox/request-payment", new StringContent(body, System.Text.Encoding.UTF8, "application/json"), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(wire.AnswerIsSigned(name => response.Headers.TryGetValues(name, out var values) ? values.First() : null, text), text);
        Assert.Equal("PARAM_ERROR", JsonNode.Parse(text)!["code"]!.GetValue<string>());
    }
}
