using System.Net;
using System.Text.Json.Nodes;
using Harness.Conformance.Steps.Providers;
using Harness.Sandbox.Tests.Support;

namespace Harness.Sandbox.Tests.WeChatPay;

/// <summary>
/// JSAPI, APP and H5 orders beside Native (providers.md §2.2): each placed, refused when a field of its own is bad,
/// paid through its client step, notified and queried with its trade_type; an out_trade_no is the merchant's once
/// across trade types.
/// </summary>
public sealed class WeChatPayTradeTypeTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    internal static JsonObject JsapiOrder(WeChatPayWire wire, string outTradeNo, string notifyUrl, string openId = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o")
    {
        var order = WeChatPayTests.Order(wire, outTradeNo, notifyUrl);
        order["payer"] = new JsonObject { ["openid"] = openId };
        return order;
    }

    internal static JsonObject H5Order(WeChatPayWire wire, string outTradeNo, string notifyUrl)
    {
        var order = WeChatPayTests.Order(wire, outTradeNo, notifyUrl);
        order["scene_info"] = new JsonObject { ["payer_client_ip"] = "203.0.113.7", ["h5_info"] = new JsonObject { ["type"] = "Wap", ["app_name"] = "Harness 商城" } };
        return order;
    }

    /// <summary>Places an order at <c>/v3/pay/transactions/{path}</c> that must succeed: the answer and the sandbox payment it made.</summary>
    internal static async Task<(JsonObject Answer, string PaymentId)> PlaceAsync(TestSandbox sandbox, WeChatPayWire wire, string path, JsonObject order)
    {
        var (status, body, json) = await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/pay/transactions/" + path, order));
        Assert.True(status == HttpStatusCode.OK, body);
        var payments = await sandbox.GetArrayAsync("/control/payments?provider=wechatpay");
        return (json!, payments.Last(p => p!["merchant_reference"]!.GetValue<string>() == order["out_trade_no"]!.GetValue<string>())!["id"]!.GetValue<string>());
    }

    /// <summary>What the buyer's client does with the pay parameters; the answer is signed like every answer of the listener.</summary>
    internal static async Task<(HttpStatusCode Status, JsonObject Json)> RequestPaymentAsync(WeChatPayWire wire, JsonObject parameters)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, wire.BaseUrl + "/sandbox/request-payment")
        {
            Content = new StringContent(parameters.ToJsonString(), System.Text.Encoding.UTF8, "application/json"),
        };
        using var http = new HttpClient();
        using var response = await http.SendAsync(request, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(wire.AnswerIsSigned(name => response.Headers.TryGetValues(name, out var values) ? values.First() : null, body), body);
        return (response.StatusCode, (JsonObject)JsonNode.Parse(body)!);
    }

    private static async Task<JsonObject> QueryAsync(WeChatPayWire wire, string outTradeNo)
    {
        var (status, body, json) = await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Get, $"/v3/pay/transactions/out-trade-no/{outTradeNo}?mchid={wire.Mchid}"));
        Assert.True(status == HttpStatusCode.OK, body);
        return json!;
    }

    [Fact]
    public async Task A_JSAPI_order_answers_a_prepay_id_the_signed_pay_parameters_open_its_pay_page_and_the_transaction_names_the_payer()
    {
        var now = new DateTimeOffset(2026, 12, 5, 16, 30, 5, TimeSpan.Zero);
        await using var sandbox = await TestSandbox.StartAsync(now);
        using var wire = await WeChatPayTests.WireAsync(sandbox);
        await using var receiver = await Receiver.StartAsync("/wechatpay/notify");
        var (placed, paymentId) = await PlaceAsync(sandbox, wire, "jsapi", JsapiOrder(wire, "jsapi_0001", receiver.Url));

        // wx, the China time of placing to the second, 20 hex characters: 36 in all, like WeChat's.
        var prepayId = placed["prepay_id"]!.GetValue<string>();
        Assert.Matches("^wx20261206003005[0-9a-f]{20}$", prepayId);
        Assert.Single(placed);
        var unpaid = await QueryAsync(wire, "jsapi_0001");
        Assert.Equal("NOTPAY", unpaid["trade_state"]!.GetValue<string>());
        Assert.Null(unpaid["trade_type"]);

        var (status, opened) = await RequestPaymentAsync(wire, wire.JsapiPayParameters(prepayId));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("JSAPI", opened["trade_type"]!.GetValue<string>());
        Assert.Equal(sandbox.Server.ControlBaseUrl + "/pay/" + paymentId, opened["pay_url"]!.GetValue<string>());
        using (var browser = new HttpClient())
        {
            var page = await browser.GetStringAsync(opened["pay_url"]!.GetValue<string>(), Ct);
            Assert.Contains("value=\"pay\"", page, StringComparison.Ordinal);
            Assert.DoesNotContain("<svg", page, StringComparison.Ordinal);
        }

        await sandbox.ActAsync(paymentId, "pay");
        var notified = wire.Resource((await receiver.NextAsync()).Body);
        var transactionId = notified["transaction_id"]!.GetValue<string>();
        var (_, _, byId) = await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Get, $"/v3/pay/transactions/id/{transactionId}?mchid={wire.Mchid}"));
        foreach (var transaction in new[] { notified, await QueryAsync(wire, "jsapi_0001"), byId! })
        {
            Assert.Equal("SUCCESS", transaction["trade_state"]!.GetValue<string>());
            Assert.Equal("JSAPI", transaction["trade_type"]!.GetValue<string>());
            Assert.Equal("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", transaction["payer"]!["openid"]!.GetValue<string>());
        }

        // Refunds know no trade types.
        var refund = new JsonObject { ["out_trade_no"] = "jsapi_0001", ["out_refund_no"] = "jsapi_refund_1", ["amount"] = new JsonObject { ["refund"] = 40, ["total"] = 100, ["currency"] = "CNY" } };
        Assert.Equal(HttpStatusCode.OK, (await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/refund/domestic/refunds", refund))).Status);
        Assert.Equal("REFUND", (await QueryAsync(wire, "jsapi_0001"))["trade_state"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_APP_order_answers_a_prepay_id_its_PayReq_opens_the_pay_page_and_it_pays_closes_and_places_again_as_the_others()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var wire = await WeChatPayTests.WireAsync(sandbox);
        await using var receiver = await Receiver.StartAsync("/wechatpay/notify");
        var (placed, paymentId) = await PlaceAsync(sandbox, wire, "app", WeChatPayTests.Order(wire, "app_0001", receiver.Url));
        var prepayId = placed["prepay_id"]!.GetValue<string>();
        Assert.Matches("^wx[0-9]{14}[0-9a-f]{20}$", prepayId);

        var (status, opened) = await RequestPaymentAsync(wire, wire.AppPayParameters(prepayId));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("APP", opened["trade_type"]!.GetValue<string>());
        Assert.EndsWith("/pay/" + paymentId, opened["pay_url"]!.GetValue<string>(), StringComparison.Ordinal);

        // The same order again answers the same prepay_id.
        var (_, _, again) = await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/pay/transactions/app", WeChatPayTests.Order(wire, "app_0001", receiver.Url)));
        Assert.Equal(prepayId, again!["prepay_id"]!.GetValue<string>());

        await sandbox.ActAsync(paymentId, "pay");
        var notified = wire.Resource((await receiver.NextAsync()).Body);
        Assert.Equal("APP", notified["trade_type"]!.GetValue<string>());
        Assert.StartsWith("oUpF8u", notified["payer"]!["openid"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("APP", (await QueryAsync(wire, "app_0001"))["trade_type"]!.GetValue<string>());
        var (paidStatus, _, paid) = await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/pay/transactions/app", WeChatPayTests.Order(wire, "app_0001", receiver.Url)));
        Assert.Equal(HttpStatusCode.Forbidden, paidStatus);
        Assert.Equal("ORDERPAID", paid!["code"]!.GetValue<string>());

        await PlaceAsync(sandbox, wire, "app", WeChatPayTests.Order(wire, "app_0002", receiver.Url));
        var close = wire.Request(HttpMethod.Post, "/v3/pay/transactions/out-trade-no/app_0002/close", new JsonObject { ["mchid"] = wire.Mchid });
        Assert.Equal(HttpStatusCode.NoContent, (await WeChatPayTests.CallAsync(wire, close)).Status);
        Assert.Equal("CLOSED", (await QueryAsync(wire, "app_0002"))["trade_state"]!.GetValue<string>());
        var (closedStatus, _, closed) = await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/pay/transactions/app", WeChatPayTests.Order(wire, "app_0002", receiver.Url)));
        Assert.Equal(HttpStatusCode.BadRequest, closedStatus);
        Assert.Equal("ORDER_CLOSED", closed!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_H5_order_answers_an_h5_url_whose_cashier_keeps_the_redirect_url_and_returns_there_after_paying_or_leaving()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var wire = await WeChatPayTests.WireAsync(sandbox);
        await using var receiver = await Receiver.StartAsync("/wechatpay/notify");
        var (placed, paymentId) = await PlaceAsync(sandbox, wire, "h5", H5Order(wire, "h5_0001", receiver.Url));
        var h5Url = placed["h5_url"]!.GetValue<string>();
        Assert.Matches("^" + System.Text.RegularExpressions.Regex.Escape(wire.BaseUrl) + "/cgi-bin/mmpayweb-bin/checkmweb\\?prepay_id=wx[0-9]{14}[0-9a-f]{20}&package=[0-9]{10}$", h5Url);
        var (_, _, again) = await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/pay/transactions/h5", H5Order(wire, "h5_0001", receiver.Url)));
        Assert.Equal(h5Url, again!["h5_url"]!.GetValue<string>());

        const string back = "https://shop.example/支付结果?order=h5_0001&from=wx";
        var (status, location) = await OpenAsync(wire, h5Url + "&redirect_url=" + Uri.EscapeDataString(back));
        Assert.Equal(HttpStatusCode.Redirect, status);
        Assert.Equal(sandbox.Server.ControlBaseUrl + "/pay/" + paymentId, location);
        Assert.Equal(back, await sandbox.ActAsync(paymentId, "pay"));
        var notified = wire.Resource((await receiver.NextAsync()).Body);
        Assert.Equal("MWEB", notified["trade_type"]!.GetValue<string>());
        Assert.Equal("MWEB", (await QueryAsync(wire, "h5_0001"))["trade_type"]!.GetValue<string>());

        // Leaving the cashier returns too; without a redirect_url the page just says what happened.
        var (left, leftId) = await PlaceAsync(sandbox, wire, "h5", H5Order(wire, "h5_0002", receiver.Url));
        Assert.Null(await sandbox.ActAsync(leftId, "cancel"));
        await OpenAsync(wire, left["h5_url"]!.GetValue<string>() + "&redirect_url=" + Uri.EscapeDataString("https://shop.example/back"));
        Assert.Equal("https://shop.example/back", await sandbox.ActAsync(leftId, "cancel"));
        Assert.Equal("open", (await sandbox.GetJsonAsync("/control/payments/" + leftId))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_H5_cashier_refuses_a_redirect_url_that_is_no_web_address_and_an_h5_url_it_did_not_hand_out()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var wire = await WeChatPayTests.WireAsync(sandbox);
        var (placed, _) = await PlaceAsync(sandbox, wire, "h5", H5Order(wire, "h5_0003", "https://merchant.example/notify"));
        var h5Url = placed["h5_url"]!.GetValue<string>();

        var (badRedirect, _) = await OpenAsync(wire, h5Url + "&redirect_url=" + Uri.EscapeDataString("javascript:alert(1)"));
        Assert.Equal(HttpStatusCode.BadRequest, badRedirect);
        var (otherPackage, _) = await OpenAsync(wire, h5Url[..^1] + (h5Url[^1] == '0' ? '1' : '0'));
        Assert.Equal(HttpStatusCode.NotFound, otherPackage);
        var (noPrepayId, _) = await OpenAsync(wire, wire.BaseUrl + "/cgi-bin/mmpayweb-bin/checkmweb?package=1");
        Assert.Equal(HttpStatusCode.BadRequest, noPrepayId);
    }

    [Fact]
    public async Task An_out_trade_no_is_the_merchants_once_across_trade_types()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var wire = await WeChatPayTests.WireAsync(sandbox);
        var native = WeChatPayTests.Order(wire, "cross_0001", "https://merchant.example/notify");
        await WeChatPayTests.PlaceAsync(sandbox, wire, native);

        // The APP body is byte for byte the Native one: the trade type alone tells them apart.
        foreach (var (path, order) in new[] { ("app", native), ("jsapi", JsapiOrder(wire, "cross_0001", "https://merchant.example/notify")), ("h5", H5Order(wire, "cross_0001", "https://merchant.example/notify")) })
        {
            var (status, _, refused) = await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/pay/transactions/" + path, order));
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Equal("INVALID_REQUEST", refused!["code"]!.GetValue<string>());
            Assert.Equal("201 商户订单号重复", refused["message"]!.GetValue<string>());
        }

        Assert.Single(await sandbox.GetArrayAsync("/control/payments?provider=wechatpay"));
        var (_, _, same) = await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/pay/transactions/native", native));
        Assert.NotNull(same!["code_url"]);
    }

    [Theory]
    [InlineData("jsapi", "payer", null, "payer")]
    [InlineData("jsapi", "payer", "{}", "payer.openid")]
    [InlineData("jsapi", "payer", "\"oUpF8u\"", "payer")]
    [InlineData("jsapi", "payer", """{"openid":7}""", "payer.openid")]
    [InlineData("jsapi", "payer", """{"openid":""}""", "payer.openid")]
    [InlineData("jsapi", "payer", """{"openid":"LONG"}""", "payer.openid")]
    [InlineData("h5", "scene_info", null, "scene_info")]
    [InlineData("h5", "scene_info", """{"payer_client_ip":"203.0.113.7"}""", "scene_info.h5_info")]
    [InlineData("h5", "scene_info", """{"payer_client_ip":"203.0.113.7","h5_info":{}}""", "scene_info.h5_info.type")]
    [InlineData("h5", "scene_info", """{"payer_client_ip":"203.0.113.7","h5_info":"Wap"}""", "scene_info.h5_info")]
    [InlineData("h5", "scene_info", """{"payer_client_ip":"203.0.113.7","h5_info":{"type":"PC"}}""", "scene_info.h5_info.type")]
    [InlineData("h5", "scene_info", """{"payer_client_ip":"203.0.113.7","h5_info":{"type":"Wap","app_name":"LONG"}}""", "scene_info.h5_info.app_name")]
    [InlineData("h5", "scene_info", """{"h5_info":{"type":"iOS"}}""", "scene_info.payer_client_ip")]
    [InlineData("h5", "scene_info", """{"payer_client_ip":"256.1.1.1","h5_info":{"type":"Android"}}""", "scene_info.payer_client_ip")]
    [InlineData("h5", "scene_info", """{"payer_client_ip":"1","h5_info":{"type":"Wap"}}""", "scene_info.payer_client_ip")]
    [InlineData("h5", "scene_info", """{"payer_client_ip":"localhost","h5_info":{"type":"Wap"}}""", "scene_info.payer_client_ip")]
    [InlineData("native", "scene_info", """{"payer_client_ip":"203.0.113.x"}""", "scene_info.payer_client_ip")]
    public async Task A_bad_field_of_a_trade_type_is_a_400_PARAM_ERROR_naming_it(string path, string key, string? json, string field)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var wire = await WeChatPayTests.WireAsync(sandbox);
        var order = WeChatPayTests.Order(wire, "bad_field_1", "https://merchant.example/notify");
        if (json is null)
        {
            order.Remove(key);
        }
        else
        {
            order[key] = JsonNode.Parse(json.Replace("LONG", new string('o', 129), StringComparison.Ordinal));
        }

        var (status, body, error) = await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/pay/transactions/" + path, order));
        Assert.True(status == HttpStatusCode.BadRequest, body);
        Assert.Equal("PARAM_ERROR", error!["code"]!.GetValue<string>());
        Assert.Equal(field, error["detail"]!["field"]!.GetValue<string>());
        Assert.Empty(await sandbox.GetArrayAsync("/control/payments?provider=wechatpay"));
    }

    [Theory]
    [InlineData("203.0.113.7", "Wap")]
    [InlineData("2001:db8::1", "iOS")]
    [InlineData("10.0.0.1", "Android")]
    public async Task H5_takes_an_IPv4_or_IPv6_payer_address_and_each_scene_type(string ip, string type)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var wire = await WeChatPayTests.WireAsync(sandbox);
        var order = H5Order(wire, "h5_scene_" + type, "https://merchant.example/notify");
        order["scene_info"] = new JsonObject { ["payer_client_ip"] = ip, ["h5_info"] = new JsonObject { ["type"] = type } };
        var (placed, _) = await PlaceAsync(sandbox, wire, "h5", order);
        Assert.Contains("checkmweb?prepay_id=wx", placed["h5_url"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    /// <summary>Opens a URL on the listener as a browser would, without following the redirect; the answer is signed.</summary>
    internal static async Task<(HttpStatusCode Status, string? Location)> OpenAsync(WeChatPayWire wire, string url)
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var response = await http.GetAsync(url, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(wire.AnswerIsSigned(name => response.Headers.TryGetValues(name, out var values) ? values.First() : null, body), body);
        return (response.StatusCode, response.Headers.Location?.ToString());
    }
}
