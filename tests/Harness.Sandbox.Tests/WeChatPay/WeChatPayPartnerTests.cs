using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Harness.Conformance.Steps.Providers;
using Harness.Sandbox.Tests.Support;

namespace Harness.Sandbox.Tests.WeChatPay;

/// <summary>
/// 服务商 (partner) mode: the sandbox's merchant places, queries, closes and refunds orders for its sub-merchants at
/// <c>/v3/pay/partner/transactions/…</c>, answered and notified in the partner shape; a sub_mchid it is not bound to is
/// refused, and partner orders stay apart from the merchant's own and from each other's sub-merchants.
/// </summary>
public sealed class WeChatPayPartnerTests
{
    internal const string SubMchid = "1900000110";
    internal const string OtherSubMchid = "1900000111";
    internal const string SubAppid = "wx8888888888888888";
    internal const string SubOpenid = "oSubUser_Partner00000000001";

    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    internal static JsonObject PartnerOrder(WeChatPayWire wire, string outTradeNo, string notifyUrl, string subMchid = SubMchid, long total = 100) => new()
    {
        ["sp_appid"] = wire.Appid,
        ["sp_mchid"] = wire.Mchid,
        ["sub_mchid"] = subMchid,
        ["description"] = "Harness 金币 · 100 coins",
        ["out_trade_no"] = outTradeNo,
        ["notify_url"] = notifyUrl,
        ["amount"] = new JsonObject { ["total"] = total, ["currency"] = "CNY" },
        ["attach"] = "user=bob",
    };

    /// <summary>A JSAPI order paid in the sub-merchant's mini-program: sub_appid and payer.sub_openid.</summary>
    internal static JsonObject SubJsapiOrder(WeChatPayWire wire, string outTradeNo, string notifyUrl)
    {
        var order = PartnerOrder(wire, outTradeNo, notifyUrl);
        order["sub_appid"] = SubAppid;
        order["payer"] = new JsonObject { ["sub_openid"] = SubOpenid };
        return order;
    }

    /// <summary>
    /// Places a partner order that must succeed: the answer and the sandbox payment it made, the one new payment (an
    /// out_trade_no may be several merchants' orders at once).
    /// </summary>
    internal static async Task<(JsonObject Answer, string PaymentId)> PlaceAsync(TestSandbox sandbox, WeChatPayWire wire, string path, JsonObject order)
    {
        var before = await PaymentIdsAsync(sandbox);
        var (status, body, json) = await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/pay/partner/transactions/" + path, order));
        Assert.True(status == HttpStatusCode.OK, body);
        return (json!, Assert.Single((await PaymentIdsAsync(sandbox)).Except(before)));
    }

    private static async Task<List<string>> PaymentIdsAsync(TestSandbox sandbox) =>
        [.. (await sandbox.GetArrayAsync("/control/payments?provider=wechatpay")).Select(p => p!["id"]!.GetValue<string>())];

    private static Task<(HttpStatusCode Status, string Body, JsonObject? Json)> QueryAsync(WeChatPayWire wire, string outTradeNo, string subMchid = SubMchid) =>
        WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Get, $"/v3/pay/partner/transactions/out-trade-no/{outTradeNo}?sp_mchid={wire.Mchid}&sub_mchid={subMchid}"));

    private static void Refused((HttpStatusCode Status, string Body, JsonObject? Json) answer, HttpStatusCode status, string code, string? field = null)
    {
        Assert.True(answer.Status == status, answer.Body);
        Assert.Equal(code, answer.Json!["code"]!.GetValue<string>());
        if (field is not null)
        {
            Assert.Equal(field, answer.Json["detail"]!["field"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task A_sub_merchant_JSAPI_order_is_paid_in_its_mini_program_notified_and_queried_in_the_partner_shape()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var wire = await WeChatPayTests.WireAsync(sandbox);
        await using var receiver = await Receiver.StartAsync("/wechatpay/notify");
        var (answer, paymentId) = await PlaceAsync(sandbox, wire, "jsapi", SubJsapiOrder(wire, "partner_0001", receiver.Url));
        var prepayId = answer["prepay_id"]!.GetValue<string>();
        Assert.Matches("^wx[0-9]{14}[0-9a-f]{20}$", prepayId);

        var unpaid = (await QueryAsync(wire, "partner_0001")).Json!;
        Assert.Equal(["sp_appid", "sp_mchid", "sub_appid", "sub_mchid", "out_trade_no", "trade_state", "trade_state_desc", "attach", "amount"], unpaid.Select(p => p.Key));
        Assert.Equal(SubMchid, unpaid["sub_mchid"]!.GetValue<string>());
        Assert.Equal(wire.Mchid, unpaid["sp_mchid"]!.GetValue<string>());
        Assert.Equal("NOTPAY", unpaid["trade_state"]!.GetValue<string>());

        // The mini-program is the sub-merchant's: wx.requestPayment's appId is the sub_appid, signed with the 服务商's key.
        var (opened, sheet) = await WeChatPayTradeTypeTests.RequestPaymentAsync(wire, wire.JsapiPayParameters(prepayId, SubAppid));
        Assert.Equal(HttpStatusCode.OK, opened);
        Assert.EndsWith("/pay/" + paymentId, sheet["pay_url"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await WeChatPayTradeTypeTests.RequestPaymentAsync(wire, wire.JsapiPayParameters(prepayId, "wx0000000000000000"))).Status);

        await sandbox.ActAsync(paymentId, "pay");
        var notice = await receiver.NextAsync();
        Assert.True(wire.Verify(notice.Header("Wechatpay-Timestamp"), notice.Header("Wechatpay-Nonce"), notice.Body, notice.Header("Wechatpay-Signature")));
        Assert.Equal("TRANSACTION.SUCCESS", JsonNode.Parse(notice.Body)!["event_type"]!.GetValue<string>());
        var transaction = wire.Resource(notice.Body);
        Assert.Null(transaction["appid"]);
        Assert.Null(transaction["mchid"]);
        Assert.Equal(wire.Appid, transaction["sp_appid"]!.GetValue<string>());
        Assert.Equal(wire.Mchid, transaction["sp_mchid"]!.GetValue<string>());
        Assert.Equal(SubAppid, transaction["sub_appid"]!.GetValue<string>());
        Assert.Equal(SubMchid, transaction["sub_mchid"]!.GetValue<string>());
        Assert.Equal("JSAPI", transaction["trade_type"]!.GetValue<string>());
        Assert.Equal(SubOpenid, transaction["payer"]!["sub_openid"]!.GetValue<string>());
        Assert.NotEmpty(transaction["payer"]!["sp_openid"]!.GetValue<string>());
        Assert.Null(transaction["payer"]!["openid"]);

        var transactionId = transaction["transaction_id"]!.GetValue<string>();
        var (_, _, byId) = await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Get, $"/v3/pay/partner/transactions/id/{transactionId}?sp_mchid={wire.Mchid}&sub_mchid={SubMchid}"));
        Assert.Equal("SUCCESS", byId!["trade_state"]!.GetValue<string>());
        Assert.Equal(transaction["payer"]!.ToJsonString(), byId["payer"]!.ToJsonString());

        await sandbox.RunDueAsync();
        Assert.Equal("delivered", (await sandbox.DeliveriesAsync(paymentId)).Single()!["status"]!.GetValue<string>());
        using var control = new HttpClient();
        var page = await control.GetStringAsync($"{sandbox.Server.ControlBaseUrl}/dashboard/payments/{paymentId}", Ct);
        Assert.Contains("sub_mchid", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_out_trade_no_is_unique_per_sub_merchant_and_partner_orders_are_invisible_to_the_direct_routes()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var wire = await WeChatPayTests.WireAsync(sandbox);
        await using var receiver = await Receiver.StartAsync("/wechatpay/notify");
        var (_, partnerPayment) = await PlaceAsync(sandbox, wire, "native", PartnerOrder(wire, "shared_no", receiver.Url, total: 100));
        var (_, otherPayment) = await PlaceAsync(sandbox, wire, "native", PartnerOrder(wire, "shared_no", receiver.Url, OtherSubMchid, total: 200));
        Assert.NotEqual(partnerPayment, otherPayment);
        Assert.Equal(HttpStatusCode.OK, (await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/pay/transactions/native", WeChatPayTests.Order(wire, "shared_no", receiver.Url, total: 300)))).Status);
        Assert.Equal(3, (await PaymentIdsAsync(sandbox)).Count);

        Assert.Equal(100, (await QueryAsync(wire, "shared_no")).Json!["amount"]!["total"]!.GetValue<long>());
        Assert.Equal(200, (await QueryAsync(wire, "shared_no", OtherSubMchid)).Json!["amount"]!["total"]!.GetValue<long>());
        var direct = (await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Get, $"/v3/pay/transactions/out-trade-no/shared_no?mchid={wire.Mchid}"))).Json!;
        Assert.Equal(300, direct["amount"]!["total"]!.GetValue<long>());
        Assert.Equal(wire.Mchid, direct["mchid"]!.GetValue<string>());

        await PlaceAsync(sandbox, wire, "native", PartnerOrder(wire, "partner_only", receiver.Url));
        Refused(await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Get, $"/v3/pay/transactions/out-trade-no/partner_only?mchid={wire.Mchid}")), HttpStatusCode.NotFound, "ORDER_NOT_EXIST");
        Refused(await QueryAsync(wire, "partner_only", OtherSubMchid), HttpStatusCode.NotFound, "ORDER_NOT_EXIST");
        Refused(await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/pay/transactions/out-trade-no/partner_only/close", new JsonObject { ["mchid"] = wire.Mchid })), HttpStatusCode.NotFound, "ORDER_NOT_EXIST");

        await sandbox.ActAsync(partnerPayment, "pay");
        var transactionId = wire.Resource((await receiver.NextAsync()).Body)["transaction_id"]!.GetValue<string>();
        Refused(await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Get, $"/v3/pay/transactions/id/{transactionId}?mchid={wire.Mchid}")), HttpStatusCode.NotFound, "ORDER_NOT_EXIST");
        Refused(await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Get, $"/v3/pay/partner/transactions/id/{transactionId}?sp_mchid={wire.Mchid}&sub_mchid={OtherSubMchid}")), HttpStatusCode.NotFound, "ORDER_NOT_EXIST");
        Assert.Equal("SUCCESS", (await QueryAsync(wire, "shared_no")).Json!["trade_state"]!.GetValue<string>());
        Assert.Equal("NOTPAY", (await QueryAsync(wire, "shared_no", OtherSubMchid)).Json!["trade_state"]!.GetValue<string>());
    }

    public static TheoryData<string, string, HttpStatusCode, string, string?> Refusals => new()
    {
        { "jsapi", """{"sub_mchid":"1900009999"}""", HttpStatusCode.Forbidden, "NO_AUTH", null },
        { "native", """{"sp_mchid":"1900000999"}""", HttpStatusCode.BadRequest, "INVALID_REQUEST", null },
        { "native", """{"sp_appid":"wx0000000000000000"}""", HttpStatusCode.BadRequest, "APPID_MCHID_NOT_MATCH", null },
        { "native", """{"sub_mchid":null}""", HttpStatusCode.BadRequest, "PARAM_ERROR", "sub_mchid" },
        { "native", """{"sp_appid":null,"appid":"wxd678efh567hg6787"}""", HttpStatusCode.BadRequest, "PARAM_ERROR", "sp_appid" },
        { "app", """{"sub_appid":""}""", HttpStatusCode.BadRequest, "PARAM_ERROR", "sub_appid" },
        { "jsapi", """{"payer":null}""", HttpStatusCode.BadRequest, "PARAM_ERROR", "payer" },
        { "jsapi", """{"payer":{"openid":"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}}""", HttpStatusCode.BadRequest, "PARAM_ERROR", "payer" },
        { "jsapi", """{"payer":{"sp_openid":"oSp1","sub_openid":"oSub1"}}""", HttpStatusCode.BadRequest, "PARAM_ERROR", "payer" },
        { "jsapi", """{"sub_appid":null}""", HttpStatusCode.BadRequest, "PARAM_ERROR", "sub_appid" },
        { "jsapi", """{"payer":{"sub_openid":7}}""", HttpStatusCode.BadRequest, "PARAM_ERROR", "payer.sub_openid" },
        { "jsapi", """{"payer":"oSp1"}""", HttpStatusCode.BadRequest, "PARAM_ERROR", "payer" },
        { "h5", """{"scene_info":null}""", HttpStatusCode.BadRequest, "PARAM_ERROR", "scene_info" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_partner_order_is_refused_as_WeChat_refuses_it(string path, string changes, HttpStatusCode status, string code, string? field)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var wire = await WeChatPayTests.WireAsync(sandbox);
        var order = SubJsapiOrder(wire, "partner_refused", "https://merchant.example/notify");
        order["scene_info"] = new JsonObject { ["payer_client_ip"] = "203.0.113.7", ["h5_info"] = new JsonObject { ["type"] = "Wap" } };
        foreach (var (key, value) in JsonNode.Parse(changes)!.AsObject())
        {
            order[key] = value?.DeepClone();
        }

        Refused(await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/pay/partner/transactions/" + path, order)), status, code, field);
        Assert.Empty(await sandbox.GetArrayAsync("/control/payments?provider=wechatpay"));
    }

    [Fact]
    public async Task The_partner_query_and_close_name_sp_mchid_and_a_bound_sub_mchid_and_close_ends_the_order()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var wire = await WeChatPayTests.WireAsync(sandbox);
        var (_, paymentId) = await PlaceAsync(sandbox, wire, "app", PartnerOrder(wire, "partner_close", "https://merchant.example/notify"));

        Refused(await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Get, $"/v3/pay/partner/transactions/out-trade-no/partner_close?sp_mchid={wire.Mchid}")), HttpStatusCode.BadRequest, "PARAM_ERROR", "sub_mchid");
        Refused(await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Get, $"/v3/pay/partner/transactions/out-trade-no/partner_close?sub_mchid={SubMchid}")), HttpStatusCode.BadRequest, "PARAM_ERROR", "sp_mchid");
        Refused(await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Get, $"/v3/pay/partner/transactions/out-trade-no/partner_close?sp_mchid=1900000999&sub_mchid={SubMchid}")), HttpStatusCode.BadRequest, "INVALID_REQUEST");
        var unbound = await QueryAsync(wire, "partner_close", "1900009999");
        Refused(unbound, HttpStatusCode.Forbidden, "NO_AUTH");
        Assert.Equal("受理关系不存在", unbound.Json!["message"]!.GetValue<string>());

        var closeUrl = "/v3/pay/partner/transactions/out-trade-no/partner_close/close";
        Refused(await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Post, closeUrl, new JsonObject { ["sp_mchid"] = wire.Mchid })), HttpStatusCode.BadRequest, "PARAM_ERROR", "sub_mchid");
        Refused(await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Post, closeUrl, new JsonObject { ["sp_mchid"] = wire.Mchid, ["sub_mchid"] = "1900009999" })), HttpStatusCode.Forbidden, "NO_AUTH");
        Refused(await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Post, closeUrl, new JsonObject { ["sp_mchid"] = wire.Mchid, ["sub_mchid"] = OtherSubMchid })), HttpStatusCode.NotFound, "ORDER_NOT_EXIST");
        var closed = await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Post, closeUrl, new JsonObject { ["sp_mchid"] = wire.Mchid, ["sub_mchid"] = SubMchid }));
        Assert.Equal(HttpStatusCode.NoContent, closed.Status);
        Assert.Equal("CLOSED", (await QueryAsync(wire, "partner_close")).Json!["trade_state"]!.GetValue<string>());
        Assert.Equal("canceled", (await sandbox.GetJsonAsync("/control/payments/" + paymentId))["status"]!.GetValue<string>());
        Refused(await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/pay/partner/transactions/app", PartnerOrder(wire, "partner_close", "https://merchant.example/notify"))), HttpStatusCode.BadRequest, "ORDER_CLOSED");
    }

    [Fact]
    public async Task A_partner_order_is_refunded_with_its_sub_mchid_and_the_refund_notification_names_both_merchants()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var wire = await WeChatPayTests.WireAsync(sandbox);
        await using var receiver = await Receiver.StartAsync("/wechatpay/notify");
        var (_, paymentId) = await PlaceAsync(sandbox, wire, "native", PartnerOrder(wire, "partner_refund", receiver.Url, total: 1000));
        await sandbox.ActAsync(paymentId, "pay");
        await receiver.NextAsync();

        JsonObject Refund(string? subMchid) => new()
        {
            ["sub_mchid"] = subMchid,
            ["out_trade_no"] = "partner_refund",
            ["out_refund_no"] = "partner_refund_1",
            ["notify_url"] = receiver.Url,
            ["amount"] = new JsonObject { ["refund"] = 400, ["total"] = 1000, ["currency"] = "CNY" },
        };

        Refused(await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/refund/domestic/refunds", Refund(null))), HttpStatusCode.NotFound, "RESOURCE_NOT_EXISTS");
        Refused(await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/refund/domestic/refunds", Refund(OtherSubMchid))), HttpStatusCode.NotFound, "RESOURCE_NOT_EXISTS");
        Refused(await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/refund/domestic/refunds", Refund("1900009999"))), HttpStatusCode.Forbidden, "NO_AUTH");
        var (status, body, created) = await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/refund/domestic/refunds", Refund(SubMchid)));
        Assert.True(status == HttpStatusCode.OK, body);
        Assert.Equal("partner_refund_1", created!["out_refund_no"]!.GetValue<string>());
        var (_, _, repeated) = await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/refund/domestic/refunds", Refund(SubMchid)));
        Assert.Equal(created["refund_id"]!.GetValue<string>(), repeated!["refund_id"]!.GetValue<string>());

        var notice = wire.Resource((await receiver.NextAsync()).Body);
        Assert.Null(notice["mchid"]);
        Assert.Equal(wire.Mchid, notice["sp_mchid"]!.GetValue<string>());
        Assert.Equal(SubMchid, notice["sub_mchid"]!.GetValue<string>());
        Assert.Equal("SUCCESS", notice["refund_status"]!.GetValue<string>());
        Assert.Equal(400, notice["amount"]!["refund"]!.GetValue<long>());

        var (_, _, queried) = await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Get, $"/v3/refund/domestic/refunds/partner_refund_1?sub_mchid={SubMchid}"));
        Assert.Equal("SUCCESS", queried!["status"]!.GetValue<string>());
        Refused(await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Get, "/v3/refund/domestic/refunds/partner_refund_1")), HttpStatusCode.NotFound, "RESOURCE_NOT_EXISTS");
        Refused(await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Get, "/v3/refund/domestic/refunds/partner_refund_1?sub_mchid=")), HttpStatusCode.BadRequest, "PARAM_ERROR", "sub_mchid");
        Assert.Equal("REFUND", (await QueryAsync(wire, "partner_refund")).Json!["trade_state"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_partner_refund_is_ended_by_the_operator_and_refunded_abnormally_only_under_its_sub_mchid()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var wire = await WeChatPayTests.WireAsync(sandbox);
        await using var receiver = await Receiver.StartAsync("/wechatpay/notify");
        (await sandbox.PutSettingsAsync("wechatpay", new Dictionary<string, string> { ["refund_processing_seconds"] = "3600" })).EnsureSuccessStatusCode();
        var (_, paymentId) = await PlaceAsync(sandbox, wire, "native", PartnerOrder(wire, "partner_abnormal", receiver.Url, total: 1000));
        await sandbox.ActAsync(paymentId, "pay");
        await receiver.NextAsync();
        var (_, body, created) = await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/refund/domestic/refunds", new JsonObject
        {
            ["sub_mchid"] = SubMchid,
            ["out_trade_no"] = "partner_abnormal",
            ["out_refund_no"] = "partner_abnormal_1",
            ["notify_url"] = receiver.Url,
            ["amount"] = new JsonObject { ["refund"] = 300, ["total"] = 1000, ["currency"] = "CNY" },
        }));
        Assert.True(created?["refund_id"] is not null, body);

        using (var direct = await sandbox.Control.PostAsJsonAsync("/control/wechatpay/refunds/partner_abnormal_1/outcome", new { status = "ABNORMAL" }, Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, direct.StatusCode);
        }

        using (var ended = await sandbox.Control.PostAsJsonAsync($"/control/wechatpay/refunds/partner_abnormal_1/outcome?sub_mchid={SubMchid}", new { status = "ABNORMAL" }, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, ended.StatusCode);
        }

        var abnormal = wire.Resource((await receiver.NextAsync()).Body);
        Assert.Equal("ABNORMAL", abnormal["refund_status"]!.GetValue<string>());
        Assert.Equal(SubMchid, abnormal["sub_mchid"]!.GetValue<string>());

        var apply = $"/v3/refund/domestic/refunds/{created!["refund_id"]!.GetValue<string>()}/apply-abnormal-refund";
        JsonObject Apply(string? subMchid) => new() { ["sub_mchid"] = subMchid, ["out_refund_no"] = "partner_abnormal_1", ["type"] = "MERCHANT_BANK_CARD" };
        Refused(await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Post, apply, Apply(null))), HttpStatusCode.NotFound, "RESOURCE_NOT_EXISTS");
        Refused(await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Post, apply, Apply("1900009999"))), HttpStatusCode.Forbidden, "NO_AUTH");
        var (status, _, applied) = await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Post, apply, Apply(SubMchid)));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("PROCESSING", applied!["status"]!.GetValue<string>());
        Assert.Equal("交易商户银行账户", applied["user_received_account"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_sub_mchids_setting_says_which_sub_merchants_the_partner_acts_for_and_the_pay_page_plays_them()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var wire = await WeChatPayTests.WireAsync(sandbox);
        Assert.Equal("1900000110,1900000111", (await sandbox.GetJsonAsync("/control/providers/wechatpay"))["credentials"]!["sub_mchids"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, (await sandbox.PutSettingsAsync("wechatpay", new Dictionary<string, string> { ["sub_mchids"] = "19000001a0" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await sandbox.PutSettingsAsync("wechatpay", new Dictionary<string, string> { ["sub_mchids"] = " , " })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await sandbox.PutSettingsAsync("wechatpay", new Dictionary<string, string> { ["sub_mchids"] = "1234567890, 1900000111" })).StatusCode);

        Refused(await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/pay/partner/transactions/native", PartnerOrder(wire, "partner_set", "https://merchant.example/notify"))), HttpStatusCode.Forbidden, "NO_AUTH");
        var (_, failing) = await PlaceAsync(sandbox, wire, "h5", WithH5Scene(PartnerOrder(wire, "partner_set", "https://merchant.example/notify", "1234567890")));
        var (_, canceling) = await PlaceAsync(sandbox, wire, "native", PartnerOrder(wire, "partner_set", "https://merchant.example/notify", OtherSubMchid));

        using var control = new HttpClient();
        Assert.Contains("weixin://wxpay/bizpayurl?pr=", await control.GetStringAsync(sandbox.Server.ControlBaseUrl + "/pay/" + canceling, Ct), StringComparison.Ordinal);
        await sandbox.ActAsync(failing, "fail");
        await sandbox.ActAsync(canceling, "cancel");
        Assert.Equal("NOTPAY", (await QueryAsync(wire, "partner_set", "1234567890")).Json!["trade_state"]!.GetValue<string>());
        Assert.Equal("NOTPAY", (await QueryAsync(wire, "partner_set", OtherSubMchid)).Json!["trade_state"]!.GetValue<string>());
    }

    private static JsonObject WithH5Scene(JsonObject order)
    {
        order["scene_info"] = new JsonObject { ["payer_client_ip"] = "203.0.113.7", ["h5_info"] = new JsonObject { ["type"] = "Wap" } };
        return order;
    }
}
