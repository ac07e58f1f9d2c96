using System.Net;
using System.Text.Json.Nodes;
using Harness.Conformance.Steps.Providers;
using Harness.Sandbox.Tests.Support;
using static Harness.Sandbox.Tests.WeChatPay.WeChatPayTests;

namespace Harness.Sandbox.Tests.WeChatPay;

/// <summary>
/// 合单支付 (<c>/v3/combine-transactions/…</c>): a 合单 of JSAPI, APP, H5 or Native placed, queried and closed in
/// WeChat's shapes, paid by the buyer at once (every sub-order SUCCESS with its own transaction_id, one notification in
/// the 合单 shape), its sub-orders refunded as orders and hidden from the ordinary query and close, and refused as WeChat
/// refuses it.
/// </summary>
public sealed partial class WeChatPayCombineTests
{
    private const string Openid = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";

    internal static JsonObject Sub(string mchid, string outTradeNo, long total, string? subMchid = null, bool profitSharing = false)
    {
        var sub = new JsonObject
        {
            ["mchid"] = mchid,
            ["attach"] = "shop=" + outTradeNo,
            ["amount"] = new JsonObject { ["total_amount"] = total, ["currency"] = "CNY" },
            ["out_trade_no"] = outTradeNo,
            ["description"] = "Harness 商城 · " + outTradeNo,
            ["settle_info"] = new JsonObject { ["profit_sharing"] = profitSharing, ["subsidy_amount"] = 0 },
        };
        if (subMchid is not null)
        {
            sub["sub_mchid"] = subMchid;
        }

        return sub;
    }

    /// <summary>A 合单 of <paramref name="path"/>'s trade type with the fields that trade type needs (JSAPI's payer, H5's scene).</summary>
    internal static JsonObject Combine(WeChatPayWire wire, string path, string combineOutTradeNo, string notifyUrl, params JsonObject[] subs)
    {
        var combine = new JsonObject
        {
            ["combine_appid"] = wire.Appid,
            ["combine_mchid"] = wire.Mchid,
            ["combine_out_trade_no"] = combineOutTradeNo,
            ["sub_orders"] = new JsonArray(subs),
            ["notify_url"] = notifyUrl,
        };
        if (path == "jsapi")
        {
            combine["combine_payer_info"] = new JsonObject { ["openid"] = Openid };
        }

        if (path == "h5")
        {
            combine["scene_info"] = new JsonObject { ["payer_client_ip"] = "203.0.113.7", ["device_id"] = "POS1:1", ["h5_info"] = new JsonObject { ["type"] = "Wap" } };
        }

        return combine;
    }

    internal static JsonObject TwoShops(WeChatPayWire wire, string path, string combineOutTradeNo, string notifyUrl) =>
        Combine(wire, path, combineOutTradeNo, notifyUrl, Sub(wire.Mchid, combineOutTradeNo + "_a", 1000), Sub(wire.Mchid, combineOutTradeNo + "_b", 234));

    /// <summary>Places a 合单 that must succeed: the answer and the one sandbox payment it made.</summary>
    internal static async Task<(JsonObject Answer, string PaymentId)> PlaceAsync(TestSandbox sandbox, WeChatPayWire wire, string path, JsonObject combine)
    {
        var before = await PaymentIdsAsync(sandbox);
        var (status, body, json) = await CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/combine-transactions/" + path, combine));
        Assert.True(status == HttpStatusCode.OK, body);
        return (json!, Assert.Single((await PaymentIdsAsync(sandbox)).Except(before)));
    }

    private static async Task<List<string>> PaymentIdsAsync(TestSandbox sandbox) =>
        [.. (await sandbox.GetArrayAsync("/control/payments?provider=wechatpay")).Select(p => p!["id"]!.GetValue<string>())];

    internal static Task<(HttpStatusCode Status, string Body, JsonObject? Json)> QueryCombineAsync(WeChatPayWire wire, string combineOutTradeNo) =>
        CallAsync(wire, wire.Request(HttpMethod.Get, "/v3/combine-transactions/out-trade-no/" + combineOutTradeNo));

    internal static Task<(HttpStatusCode Status, string Body, JsonObject? Json)> CloseCombineAsync(WeChatPayWire wire, string combineOutTradeNo, JsonObject body) =>
        CallAsync(wire, wire.Request(HttpMethod.Post, $"/v3/combine-transactions/out-trade-no/{combineOutTradeNo}/close", body));

    internal static Task<(HttpStatusCode Status, string Body, JsonObject? Json)> RefundAsync(WeChatPayWire wire, JsonObject refund) =>
        CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/refund/domestic/refunds", refund));

    internal static void Refused((HttpStatusCode Status, string Body, JsonObject? Json) answer, HttpStatusCode status, string code, string? field = null)
    {
        Assert.True(answer.Status == status, answer.Body);
        Assert.Equal(code, answer.Json!["code"]!.GetValue<string>());
        if (field is not null)
        {
            Assert.Equal(field, answer.Json["detail"]!["field"]!.GetValue<string>());
        }
    }

    private static string Text(JsonNode? node) => node!.GetValue<string>();

    [Fact]
    public async Task A_JSAPI_combine_is_paid_at_once_notified_once_in_the_combine_shape_and_queried()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var wire = await WireAsync(sandbox);
        await using var receiver = await Receiver.StartAsync("/wechatpay/notify");
        var (answer, paymentId) = await PlaceAsync(sandbox, wire, "jsapi", TwoShops(wire, "jsapi", "combine_0001", receiver.Url));
        var prepayId = Text(answer["prepay_id"]);
        Assert.Matches("^wx[0-9]{14}[0-9a-f]{20}$", prepayId);
        var payment = await sandbox.GetJsonAsync("/control/payments/" + paymentId);
        Assert.Equal(1234, payment["amount"]!.GetValue<long>());
        Assert.Equal("combine_0001", Text(payment["merchant_reference"]));

        var unpaid = (await QueryCombineAsync(wire, "combine_0001")).Json!;
        Assert.Equal(["combine_appid", "combine_mchid", "sub_orders", "combine_out_trade_no"], unpaid.Select(p => p.Key));
        var unpaidSub = unpaid["sub_orders"]![0]!.AsObject();
        Assert.Equal(["mchid", "trade_state", "attach", "amount", "out_trade_no"], unpaidSub.Select(p => p.Key));
        Assert.Equal("NOTPAY", Text(unpaidSub["trade_state"]));
        Assert.Equal("""{"total_amount":1000,"currency":"CNY"}""", unpaidSub["amount"]!.ToJsonString());

        // wx.requestPayment takes the 合单's prepay_id as it takes an order's, in the combine_appid.
        var (opened, sheet) = await WeChatPayTradeTypeTests.RequestPaymentAsync(wire, wire.JsapiPayParameters(prepayId));
        Assert.Equal(HttpStatusCode.OK, opened);
        Assert.EndsWith("/pay/" + paymentId, Text(sheet["pay_url"]), StringComparison.Ordinal);

        await sandbox.ActAsync(paymentId, "pay");
        var notice = await receiver.NextAsync();
        Assert.True(wire.Verify(notice.Header("Wechatpay-Timestamp"), notice.Header("Wechatpay-Nonce"), notice.Body, notice.Header("Wechatpay-Signature")));
        var envelope = JsonNode.Parse(notice.Body)!;
        Assert.Equal("TRANSACTION.SUCCESS", Text(envelope["event_type"]));
        Assert.Equal("AEAD_AES_256_GCM", Text(envelope["resource"]!["algorithm"]));
        var resource = wire.Resource(notice.Body);
        Assert.Equal(["combine_appid", "combine_mchid", "combine_payer_info", "sub_orders", "combine_out_trade_no"], resource.Select(p => p.Key));
        Assert.Equal((wire.Appid, wire.Mchid, "combine_0001", Openid), (Text(resource["combine_appid"]), Text(resource["combine_mchid"]), Text(resource["combine_out_trade_no"]), Text(resource["combine_payer_info"]!["openid"])));
        var subs = resource["sub_orders"]!.AsArray();
        Assert.Equal(2, subs.Count);
        Assert.All(subs, sub =>
        {
            Assert.Equal(("SUCCESS", "JSAPI", wire.Mchid), (Text(sub!["trade_state"]), Text(sub["trade_type"]), Text(sub["mchid"])));
            Assert.Matches("^[0-9]{28}$", Text(sub["transaction_id"]));
            Assert.EndsWith("+08:00", Text(sub["success_time"]), StringComparison.Ordinal);
        });
        Assert.NotEqual(Text(subs[0]!["transaction_id"]), Text(subs[1]!["transaction_id"]));
        Assert.Equal(("combine_0001_a", "shop=combine_0001_a"), (Text(subs[0]!["out_trade_no"]), Text(subs[0]!["attach"])));
        Assert.Equal("""{"total_amount":234,"payer_amount":234,"currency":"CNY","payer_currency":"CNY"}""", subs[1]!["amount"]!.ToJsonString());

        var paid = (await QueryCombineAsync(wire, "combine_0001")).Json!;
        Assert.Equal(resource.ToJsonString(), paid.ToJsonString());

        // One delivery for the whole 合单; a sub-order is no order of the ordinary query or close.
        await sandbox.RunDueAsync();
        Assert.Equal("delivered", Text(Assert.Single(await sandbox.DeliveriesAsync(paymentId))!["status"]));
        Refused(await CallAsync(wire, wire.Request(HttpMethod.Get, $"/v3/pay/transactions/out-trade-no/combine_0001_a?mchid={wire.Mchid}")), HttpStatusCode.NotFound, "ORDER_NOT_EXIST");
        Refused(await CallAsync(wire, wire.Request(HttpMethod.Get, $"/v3/pay/transactions/id/{Text(subs[0]!["transaction_id"])}?mchid={wire.Mchid}")), HttpStatusCode.NotFound, "ORDER_NOT_EXIST");
        Refused(await CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/pay/transactions/out-trade-no/combine_0001_a/close", new JsonObject { ["mchid"] = wire.Mchid })), HttpStatusCode.NotFound, "ORDER_NOT_EXIST");
        Refused(await QueryCombineAsync(wire, "combine_none"), HttpStatusCode.NotFound, "ORDER_NOT_EXIST");
    }

    [Fact]
    public async Task Native_APP_and_H5_combines_answer_as_their_single_order_routes_and_are_paid_through_their_client_steps()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var wire = await WireAsync(sandbox);
        await using var receiver = await Receiver.StartAsync("/wechatpay/notify");

        var (native, nativeId) = await PlaceAsync(sandbox, wire, "native", TwoShops(wire, "native", "combine_n", receiver.Url));
        Assert.Matches("^weixin://wxpay/bizpayurl\\?pr=[0-9A-Za-z]{7}$", Text(native["code_url"]));
        Assert.Equal(Text(native["code_url"]), Text((await sandbox.GetJsonAsync("/control/payments/" + nativeId))["qr_code"]));

        var (app, appId) = await PlaceAsync(sandbox, wire, "app", TwoShops(wire, "app", "combine_a", receiver.Url));
        var (opened, sheet) = await WeChatPayTradeTypeTests.RequestPaymentAsync(wire, wire.AppPayParameters(Text(app["prepay_id"])));
        Assert.Equal(HttpStatusCode.OK, opened);
        Assert.Equal("APP", Text(sheet["trade_type"]));
        Assert.EndsWith("/pay/" + appId, Text(sheet["pay_url"]), StringComparison.Ordinal);

        var (h5, h5Id) = await PlaceAsync(sandbox, wire, "h5", TwoShops(wire, "h5", "combine_h", receiver.Url));
        var (redirect, location) = await WeChatPayTradeTypeTests.OpenAsync(wire, Text(h5["h5_url"]) + "&redirect_url=" + Uri.EscapeDataString("https://shop.example/done"));
        Assert.Equal(HttpStatusCode.Redirect, redirect);
        Assert.Equal(sandbox.Server.ControlBaseUrl + "/pay/" + h5Id, location);
        Assert.Equal("https://shop.example/done", await sandbox.ActAsync(h5Id, "pay"));
        var h5Paid = wire.Resource((await receiver.NextAsync()).Body);
        Assert.Equal("MWEB", Text(h5Paid["sub_orders"]![0]!["trade_type"]));
        Assert.Equal("POS1:1", Text(h5Paid["scene_info"]!["device_id"]));
        Assert.NotEmpty(Text(h5Paid["combine_payer_info"]!["openid"]));

        // The same request again answers the same; another under the same combine_out_trade_no is refused.
        var (_, _, again) = await CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/combine-transactions/app", TwoShops(wire, "app", "combine_a", receiver.Url)));
        Assert.Equal(Text(app["prepay_id"]), Text(again!["prepay_id"]));
        Refused(await CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/combine-transactions/native", TwoShops(wire, "native", "combine_a", receiver.Url))), HttpStatusCode.BadRequest, "INVALID_REQUEST");
        Refused(await CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/combine-transactions/h5", TwoShops(wire, "h5", "combine_h", receiver.Url))), HttpStatusCode.Forbidden, "ORDERPAID");
        Assert.Equal("open", Text((await sandbox.GetJsonAsync("/control/payments/" + nativeId))["status"]));
    }

    [Fact]
    public async Task A_sub_order_is_refunded_as_an_order_by_out_trade_no_or_transaction_id_and_the_combine_shows_it()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var wire = await WireAsync(sandbox);
        await using var receiver = await Receiver.StartAsync("/wechatpay/notify");
        var (_, paymentId) = await PlaceAsync(sandbox, wire, "native", TwoShops(wire, "native", "combine_r", receiver.Url));
        Refused(await RefundAsync(wire, RefundOf("combine_r_a", "refund_early", 100, 1000)), HttpStatusCode.BadRequest, "INVALID_REQUEST");
        await sandbox.ActAsync(paymentId, "pay");
        var subs = wire.Resource((await receiver.NextAsync()).Body)["sub_orders"]!.AsArray();

        var (status, body, refund) = await RefundAsync(wire, RefundOf("combine_r_a", "refund_r1", 400, 1000));
        Assert.True(status == HttpStatusCode.OK, body);
        Assert.Equal(Text(subs[0]!["transaction_id"]), Text(refund!["transaction_id"]));
        Assert.Equal(400, refund["amount"]!["refund"]!.GetValue<long>());
        var byId = RefundOf("ignored", "refund_r2", 234, 234);
        byId.Remove("out_trade_no");
        byId["transaction_id"] = Text(subs[1]!["transaction_id"]);
        Assert.Equal(HttpStatusCode.OK, (await RefundAsync(wire, byId)).Status);

        // What is left of each, and the sub-order's own total, bound the next refunds.
        Refused(await RefundAsync(wire, RefundOf("combine_r_a", "refund_r3", 601, 1000)), HttpStatusCode.BadRequest, "INVALID_REQUEST");
        Refused(await RefundAsync(wire, RefundOf("combine_r_a", "refund_r4", 100, 1234)), HttpStatusCode.BadRequest, "INVALID_REQUEST");
        var queried = (await QueryCombineAsync(wire, "combine_r")).Json!["sub_orders"]!.AsArray();
        Assert.Equal(["REFUND", "REFUND"], queried.Select(s => Text(s!["trade_state"])));
        var (_, _, refundQuery) = await CallAsync(wire, wire.Request(HttpMethod.Get, "/v3/refund/domestic/refunds/refund_r1"));
        Assert.Equal("combine_r_a", Text(refundQuery!["out_trade_no"]));
    }

    internal static JsonObject RefundOf(string outTradeNo, string outRefundNo, long refund, long total) => new()
    {
        ["out_trade_no"] = outTradeNo,
        ["out_refund_no"] = outRefundNo,
        ["amount"] = new JsonObject { ["refund"] = refund, ["total"] = total, ["currency"] = "CNY" },
    };

    [Fact]
    public async Task Closing_names_exactly_the_sub_orders_placed_ends_every_sub_order_and_a_paid_combine_is_refused()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var wire = await WireAsync(sandbox);
        var (_, paymentId) = await PlaceAsync(sandbox, wire, "native", TwoShops(wire, "native", "combine_c", "https://merchant.example/notify"));
        JsonObject Close(params string[] outTradeNos) => new()
        {
            ["combine_appid"] = wire.Appid,
            ["sub_orders"] = new JsonArray([.. outTradeNos.Select(no => (JsonNode)new JsonObject { ["mchid"] = wire.Mchid, ["out_trade_no"] = no })]),
        };

        Refused(await CloseCombineAsync(wire, "combine_c", Close("combine_c_a")), HttpStatusCode.BadRequest, "INVALID_REQUEST");
        Refused(await CloseCombineAsync(wire, "combine_c", Close("combine_c_a", "combine_c_x")), HttpStatusCode.BadRequest, "INVALID_REQUEST");
        var wrongApp = Close("combine_c_a", "combine_c_b");
        wrongApp["combine_appid"] = "wx0000000000000000";
        Refused(await CloseCombineAsync(wire, "combine_c", wrongApp), HttpStatusCode.BadRequest, "APPID_MCHID_NOT_MATCH");
        Refused(await CloseCombineAsync(wire, "combine_c", new JsonObject { ["combine_appid"] = wire.Appid }), HttpStatusCode.BadRequest, "PARAM_ERROR", "sub_orders");
        Refused(await CloseCombineAsync(wire, "combine_none", Close("combine_c_a", "combine_c_b")), HttpStatusCode.NotFound, "ORDER_NOT_EXIST");

        Assert.Equal(HttpStatusCode.NoContent, (await CloseCombineAsync(wire, "combine_c", Close("combine_c_b", "combine_c_a"))).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await CloseCombineAsync(wire, "combine_c", Close("combine_c_a", "combine_c_b"))).Status);
        Assert.Equal(["CLOSED", "CLOSED"], (await QueryCombineAsync(wire, "combine_c")).Json!["sub_orders"]!.AsArray().Select(s => Text(s!["trade_state"])));
        Assert.Equal("canceled", Text((await sandbox.GetJsonAsync("/control/payments/" + paymentId))["status"]));
        Refused(await CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/combine-transactions/native", TwoShops(wire, "native", "combine_c", "https://merchant.example/notify"))), HttpStatusCode.BadRequest, "ORDER_CLOSED");

        var (_, paidId) = await PlaceAsync(sandbox, wire, "native", TwoShops(wire, "native", "combine_p", "https://merchant.example/notify"));
        await sandbox.ActAsync(paidId, "pay");
        var paid = await CloseCombineAsync(wire, "combine_p", Close("combine_p_a", "combine_p_b"));
        Refused(paid, HttpStatusCode.Forbidden, "ORDERPAID");
        Assert.Equal(["SUCCESS", "SUCCESS"], (await QueryCombineAsync(wire, "combine_p")).Json!["sub_orders"]!.AsArray().Select(s => Text(s!["trade_state"])));
    }

    [Fact]
    public async Task An_out_trade_no_is_the_merchants_once_across_combines_and_orders_placed_alone()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var wire = await WireAsync(sandbox);
        await PlaceAsync(sandbox, wire, "native", TwoShops(wire, "native", "combine_u", "https://merchant.example/notify"));
        var alone = Order(wire, "combine_u_a", "https://merchant.example/notify");
        Refused(await CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/pay/transactions/native", alone)), HttpStatusCode.BadRequest, "INVALID_REQUEST");

        await WeChatPayTests.PlaceAsync(sandbox, wire, Order(wire, "single_0001", "https://merchant.example/notify"));
        var reused = Combine(wire, "native", "combine_v", "https://merchant.example/notify", Sub(wire.Mchid, "combine_v_a", 100), Sub(wire.Mchid, "single_0001", 100));
        Refused(await CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/combine-transactions/native", reused)), HttpStatusCode.Forbidden, "OUT_TRADE_NO_USED");
        Refused(await QueryCombineAsync(wire, "combine_v"), HttpStatusCode.NotFound, "ORDER_NOT_EXIST");
    }
}
