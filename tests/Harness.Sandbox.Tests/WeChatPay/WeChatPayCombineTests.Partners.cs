using System.Net;
using System.Text.Json.Nodes;
using Harness.Conformance.Steps.Providers;
using Harness.Sandbox.Tests.Support;
using static Harness.Sandbox.Tests.WeChatPay.WeChatPayPartnerTests;
using static Harness.Sandbox.Tests.WeChatPay.WeChatPayTests;

namespace Harness.Sandbox.Tests.WeChatPay;

/// <summary>
/// 合单 across merchants: 服务商 mode with bound sub-merchants (sub_mchid, sub_appid), direct mode with a second merchant
/// bound to combine_appid, 分账 of a sub-order placed with profit_sharing, the trade bill, and the refusals.
/// </summary>
public sealed partial class WeChatPayCombineTests
{
    [Fact]
    public async Task A_partner_combine_pays_bound_sub_merchants_and_each_sub_order_is_refunded_under_its_sub_mchid()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var wire = await WireAsync(sandbox);
        await using var receiver = await Receiver.StartAsync("/wechatpay/notify");
        var first = Sub(wire.Mchid, "partner_c_a", 500, SubMchid);
        first["sub_appid"] = SubAppid;
        var combine = Combine(wire, "jsapi", "partner_c", receiver.Url, first, Sub(wire.Mchid, "partner_c_b", 300, OtherSubMchid));
        var (_, paymentId) = await PlaceAsync(sandbox, wire, "jsapi", combine);

        await sandbox.ActAsync(paymentId, "pay");
        var subs = wire.Resource((await receiver.NextAsync()).Body)["sub_orders"]!.AsArray();
        Assert.Equal((SubMchid, SubAppid), (Text(subs[0]!["sub_mchid"]), Text(subs[0]!["sub_appid"])));
        Assert.NotEmpty(Text(subs[0]!["sub_openid"]));
        Assert.Equal(OtherSubMchid, Text(subs[1]!["sub_mchid"]));
        Assert.Null(subs[1]!["sub_appid"]);
        Assert.All(subs, sub => Assert.Equal(wire.Mchid, Text(sub!["mchid"])));

        // Refunded by the 服务商 under the sub-merchant's sub_mchid, as a partner order is; not found under another.
        var refund = RefundOf("partner_c_a", "partner_refund_1", 500, 500);
        refund["sub_mchid"] = SubMchid;
        var (status, body, refunded) = await RefundAsync(wire, refund);
        Assert.True(status == HttpStatusCode.OK, body);
        Assert.Equal(Text(subs[0]!["transaction_id"]), Text(refunded!["transaction_id"]));
        var elsewhere = RefundOf("partner_c_b", "partner_refund_2", 300, 300);
        Refused(await RefundAsync(wire, elsewhere), HttpStatusCode.NotFound, "RESOURCE_NOT_EXISTS");
        elsewhere["sub_mchid"] = SubMchid;
        Refused(await RefundAsync(wire, elsewhere), HttpStatusCode.NotFound, "RESOURCE_NOT_EXISTS");
        Refused(await CallAsync(wire, wire.Request(HttpMethod.Get, $"/v3/pay/partner/transactions/out-trade-no/partner_c_a?sp_mchid={wire.Mchid}&sub_mchid={SubMchid}")), HttpStatusCode.NotFound, "ORDER_NOT_EXIST");
        Assert.Equal(["REFUND", "SUCCESS"], (await QueryCombineAsync(wire, "partner_c")).Json!["sub_orders"]!.AsArray().Select(s => Text(s!["trade_state"])));

        var close = new JsonObject
        {
            ["combine_appid"] = wire.Appid,
            ["sub_orders"] = new JsonArray(
                new JsonObject { ["mchid"] = wire.Mchid, ["out_trade_no"] = "partner_c_a", ["sub_mchid"] = SubMchid },
                new JsonObject { ["mchid"] = wire.Mchid, ["out_trade_no"] = "partner_c_b" }),
        };
        Refused(await CloseCombineAsync(wire, "partner_c", close), HttpStatusCode.BadRequest, "INVALID_REQUEST");
        close["sub_orders"]![1]!["sub_mchid"] = OtherSubMchid;
        Refused(await CloseCombineAsync(wire, "partner_c", close), HttpStatusCode.Forbidden, "ORDERPAID");
    }

    [Fact]
    public async Task A_direct_combine_takes_a_second_merchant_bound_to_combine_appid_which_refunds_its_own_sub_order()
    {
        const string OwnMchid = "1612345678";
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync("/wechatpay/notify");
        var credentials = (await sandbox.GetJsonAsync("/control/providers/wechatpay"))["credentials"]!.AsObject()
            .ToDictionary(c => c.Key, c => c.Value!.GetValue<string>());
        using var wire = new WeChatPayWire(sandbox.BaseUrl("wechatpay"), credentials);
        credentials["mchid"] = OwnMchid;
        using var own = new WeChatPayWire(sandbox.BaseUrl("wechatpay"), credentials);
        var combine = Combine(wire, "native", "two_shops", receiver.Url, Sub(wire.Mchid, "two_shops_a", 700), Sub(OwnMchid, "two_shops_b", 300));
        Refused(await CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/combine-transactions/native", combine)), HttpStatusCode.BadRequest, "MCH_NOT_EXISTS");

        // Registered with an appid of its own, the second merchant is not bound to the published combine_appid.
        (await sandbox.PutSettingsAsync("wechatpay", new { mchid = OwnMchid, appid = "wx0123456789abcdef" })).EnsureSuccessStatusCode();
        Refused(await CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/combine-transactions/native", combine)), HttpStatusCode.BadRequest, "APPID_MCHID_NOT_MATCH");
        (await sandbox.PutSettingsAsync("wechatpay", new { appid = "" })).EnsureSuccessStatusCode();
        var (_, paymentId) = await PlaceAsync(sandbox, wire, "native", combine);
        await sandbox.ActAsync(paymentId, "pay");
        var subs = wire.Resource((await receiver.NextAsync()).Body)["sub_orders"]!.AsArray();
        Assert.Equal([wire.Mchid, OwnMchid], subs.Select(s => Text(s!["mchid"])));

        // The sub-order is the second merchant's: it refunds it; the 合单's merchant finds no such order of its own.
        Refused(await RefundAsync(wire, RefundOf("two_shops_b", "own_refund_1", 300, 300)), HttpStatusCode.NotFound, "RESOURCE_NOT_EXISTS");
        var (status, body, refunded) = await RefundAsync(own, RefundOf("two_shops_b", "own_refund_1", 300, 300));
        Assert.True(status == HttpStatusCode.OK, body);
        Assert.Equal(Text(subs[1]!["transaction_id"]), Text(refunded!["transaction_id"]));
        Refused(await QueryCombineAsync(own, "two_shops"), HttpStatusCode.NotFound, "ORDER_NOT_EXIST");
    }

    [Fact]
    public async Task A_sub_order_placed_with_profit_sharing_is_shared_and_the_trade_bill_lists_every_sub_order()
    {
        await using var sandbox = await TestSandbox.StartAsync(WeChatPayBillTests.Morning);
        using var wire = await WireAsync(sandbox);
        await using var receiver = await Receiver.StartAsync("/wechatpay/notify");
        var combine = Combine(wire, "native", "shared_c", receiver.Url, Sub(wire.Mchid, "shared_c_a", 1000, profitSharing: true), Sub(wire.Mchid, "shared_c_b", 500));
        var (_, paymentId) = await PlaceAsync(sandbox, wire, "native", combine);
        await sandbox.ActAsync(paymentId, "pay");
        var subs = wire.Resource((await receiver.NextAsync()).Body)["sub_orders"]!.AsArray();

        var (added, addedBody, _) = await PostWithSerialAsync(wire, "/v3/profitsharing/receivers/add", new JsonObject
        {
            ["appid"] = wire.Appid, ["type"] = "MERCHANT_ID", ["account"] = WeChatPayProfitSharingTests.Partner,
            ["name"] = wire.EncryptSensitive("示例合作商户有限公司"), ["relation_type"] = "PARTNER",
        });
        Assert.True(added == HttpStatusCode.OK, addedBody);
        JsonObject Share(JsonNode? transactionId, string outOrderNo) => new()
        {
            ["appid"] = wire.Appid,
            ["transaction_id"] = Text(transactionId),
            ["out_order_no"] = outOrderNo,
            ["receivers"] = new JsonArray(WeChatPayProfitSharingTests.SharedOrder.Line("MERCHANT_ID", WeChatPayProfitSharingTests.Partner, 200)),
            ["unfreeze_unsplit"] = false,
        };
        var (shared, sharedBody, _) = await PostWithSerialAsync(wire, "/v3/profitsharing/orders", Share(subs[0]!["transaction_id"], "share_c_1"));
        Assert.True(shared == HttpStatusCode.OK, sharedBody);
        var (_, _, amounts) = await CallAsync(wire, wire.Request(HttpMethod.Get, $"/v3/profitsharing/transactions/{Text(subs[0]!["transaction_id"])}/amounts"));
        Assert.Equal(800, amounts!["unsplit_amount"]!.GetValue<long>());
        var notShared = await PostWithSerialAsync(wire, "/v3/profitsharing/orders", Share(subs[1]!["transaction_id"], "share_c_2"));
        Refused(notShared, HttpStatusCode.BadRequest, "INVALID_REQUEST");
        Assert.Equal("非分账订单不支持分账", Text(notShared.Json!["message"]));

        // The next morning's trade bill has one row per sub-order, under its own out_trade_no and transaction_id.
        await sandbox.AdvanceAsync(TimeSpan.FromHours(34));
        var lines = WeChatPayBillTests.Lines(await WeChatPayBillTests.DownloadAsync(wire, await WeChatPayBillTests.ApplyAsync(wire, "/v3/bill/tradebill?bill_date=2026-11-23")));
        var rows = lines[1..^2].Select(WeChatPayBillTests.Cells).ToList();
        Assert.Equal(["shared_c_a", "shared_c_b"], rows.Select(r => r[6]).Order(StringComparer.Ordinal));
        Assert.Equal(subs.Select(s => Text(s!["transaction_id"])), rows.OrderBy(r => r[6], StringComparer.Ordinal).Select(r => r[5]));
    }

    private static Task<(HttpStatusCode Status, string Body, JsonObject? Json)> PostWithSerialAsync(WeChatPayWire wire, string path, JsonObject body)
    {
        var request = wire.Request(HttpMethod.Post, path, body);
        request.Headers.Add("Wechatpay-Serial", wire.PlatformSerialNo);
        return CallAsync(wire, request);
    }

    public static TheoryData<string, string, HttpStatusCode, string, string?> Refusals => new()
    {
        { """{"combine_mchid":"1900000999"}""", "{}", HttpStatusCode.BadRequest, "INVALID_REQUEST", null },
        { """{"combine_appid":"wx0000000000000000"}""", "{}", HttpStatusCode.BadRequest, "APPID_MCHID_NOT_MATCH", null },
        { """{"combine_out_trade_no":"x"}""", "{}", HttpStatusCode.BadRequest, "PARAM_ERROR", "combine_out_trade_no" },
        { """{"sub_orders":null}""", "{}", HttpStatusCode.BadRequest, "PARAM_ERROR", "sub_orders" },
        { """{"sub_orders":[]}""", "{}", HttpStatusCode.BadRequest, "PARAM_ERROR", "sub_orders" },
        { """{"sub_orders":[{"mchid":"1900000109"},"x"]}""", "{}", HttpStatusCode.BadRequest, "PARAM_ERROR", "sub_orders[0].attach" },
        { """{"combine_payer_info":null}""", "{}", HttpStatusCode.BadRequest, "PARAM_ERROR", "combine_payer_info" },
        { """{"notify_url":"https://merchant.example/notify?x=1"}""", "{}", HttpStatusCode.BadRequest, "PARAM_ERROR", "notify_url" },
        { """{"time_expire":"tomorrow"}""", "{}", HttpStatusCode.BadRequest, "PARAM_ERROR", "time_expire" },
        { """{"time_start":"2026-13-01T00:00:00+08:00"}""", "{}", HttpStatusCode.BadRequest, "PARAM_ERROR", "time_start" },
        { """{"scene_info":{"device_id":"POS1:1"}}""", "{}", HttpStatusCode.BadRequest, "PARAM_ERROR", "scene_info.payer_client_ip" },
        { "{}", """{"amount":{"total_amount":0,"currency":"CNY"}}""", HttpStatusCode.BadRequest, "PARAM_ERROR", "sub_orders[1].amount.total_amount" },
        { "{}", """{"amount":{"total_amount":100,"currency":"USD"}}""", HttpStatusCode.BadRequest, "PARAM_ERROR", "sub_orders[1].amount.currency" },
        { "{}", """{"amount":{"total_amount":100}}""", HttpStatusCode.BadRequest, "PARAM_ERROR", "sub_orders[1].amount.currency" },
        { "{}", """{"description":null}""", HttpStatusCode.BadRequest, "PARAM_ERROR", "sub_orders[1].description" },
        { "{}", """{"out_trade_no":"refused_c_a"}""", HttpStatusCode.BadRequest, "PARAM_ERROR", "sub_orders" },
        { "{}", """{"mchid":"1900000999"}""", HttpStatusCode.BadRequest, "MCH_NOT_EXISTS", null },
        { "{}", """{"sub_mchid":"1900009999"}""", HttpStatusCode.Forbidden, "NO_AUTH", null },
        { "{}", """{"sub_mchid":"1900000110","mchid":"1612345678"}""", HttpStatusCode.BadRequest, "INVALID_REQUEST", null },
        { "{}", """{"sub_appid":"wx8888888888888888"}""", HttpStatusCode.BadRequest, "PARAM_ERROR", "sub_orders[1].sub_appid" },
        { "{}", """{"settle_info":{"subsidy_amount":5}}""", HttpStatusCode.BadRequest, "PARAM_ERROR", "sub_orders[1].settle_info.subsidy_amount" },
        { "{}", """{"settle_info":{"profit_sharing":"yes"}}""", HttpStatusCode.BadRequest, "PARAM_ERROR", "sub_orders[1].settle_info.profit_sharing" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_combine_is_refused_as_WeChat_refuses_it_and_makes_no_payment(string changes, string subChanges, HttpStatusCode status, string code, string? field)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var wire = await WireAsync(sandbox);
        var combine = TwoShops(wire, "jsapi", "refused_c", "https://merchant.example/notify");
        foreach (var (key, value) in JsonNode.Parse(changes)!.AsObject())
        {
            combine[key] = value?.DeepClone();
        }

        foreach (var (key, value) in JsonNode.Parse(subChanges)!.AsObject())
        {
            combine["sub_orders"]![1]![key] = value?.DeepClone();
        }

        Refused(await CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/combine-transactions/jsapi", combine)), status, code, field);
        Assert.Empty(await sandbox.GetArrayAsync("/control/payments?provider=wechatpay"));
    }

    [Fact]
    public async Task A_combine_takes_at_most_fifty_sub_orders()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var wire = await WireAsync(sandbox);
        JsonObject[] Subs(int count) => [.. Enumerable.Range(1, count).Select(i => Sub(wire.Mchid, $"many_{count}_{i:00}", 1))];
        Refused(await CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/combine-transactions/native", Combine(wire, "native", "many_51", "https://merchant.example/notify", Subs(51)))), HttpStatusCode.BadRequest, "PARAM_ERROR", "sub_orders");
        var (_, paymentId) = await PlaceAsync(sandbox, wire, "native", Combine(wire, "native", "many_50", "https://merchant.example/notify", Subs(50)));
        Assert.Equal(50, (await sandbox.GetJsonAsync("/control/payments/" + paymentId))["amount"]!.GetValue<long>());
        Assert.Equal(50, (await QueryCombineAsync(wire, "many_50")).Json!["sub_orders"]!.AsArray().Count);
    }
}
