using System.Net;
using System.Text.Json.Nodes;
using Harness.Conformance.Steps.Providers;
using Harness.Sandbox.Tests.Support;
using static Harness.Sandbox.Tests.WeChatPay.WeChatPayPartnerTests;
using static Harness.Sandbox.Tests.WeChatPay.WeChatPayProfitSharingTests;
using static Harness.Sandbox.Tests.WeChatPay.WeChatPayTests;

namespace Harness.Sandbox.Tests.WeChatPay;

/// <summary>
/// 分账 in 服务商 mode: the 服务商 shares a sub-merchant's partner order placed with <c>settle_info.profit_sharing</c>
/// through the same routes with <c>sub_mchid</c>: receivers per sub-merchant (PERSONAL_SUB_OPENID included), shares,
/// their query, unfreezing to the sub-merchant, returns, the maximum-ratio query, refunds that wait for the unsplit
/// amount; unbound sub-merchants refused and partner and direct sharing kept apart.
/// </summary>
public sealed class WeChatPayPartnerProfitSharingTests
{
    private const string SubPerson = "oSubUser_Sharing0000000001";

    /// <summary>A paid partner order of <see cref="WeChatPayProfitSharingTests.Total"/> fen for a sub-merchant, placed for 分账.</summary>
    private sealed class PartnerOrder : IAsyncDisposable
    {
        public required TestSandbox Sandbox { get; init; }

        public required WeChatPayWire Wire { get; init; }

        public required Receiver Receiver { get; init; }

        public required string TransactionId { get; init; }

        public static async Task<PartnerOrder> StartAsync(TestSandbox? sandbox = null, string subMchid = SubMchid)
        {
            sandbox ??= await TestSandbox.StartAsync();
            var wire = await WireAsync(sandbox);
            var receiver = await Receiver.StartAsync("/wechatpay/notify");
            var order = WeChatPayPartnerTests.PartnerOrder(wire, "partner_shared", receiver.Url, subMchid, Total);
            order["settle_info"] = new JsonObject { ["profit_sharing"] = true };
            var (_, paymentId) = await PlaceAsync(sandbox, wire, "native", order);
            await sandbox.ActAsync(paymentId, "pay");
            var transactionId = wire.Resource((await receiver.NextAsync()).Body)["transaction_id"]!.GetValue<string>();
            return new PartnerOrder { Sandbox = sandbox, Wire = wire, Receiver = receiver, TransactionId = transactionId };
        }

        public Task<(HttpStatusCode Status, string Body, JsonObject? Json)> AddReceiverAsync(string type, string account, string? name, string? subMchid = SubMchid, string? subAppid = null) =>
            PostAsync("/v3/profitsharing/receivers/add", new JsonObject
            {
                ["sub_mchid"] = subMchid,
                ["appid"] = Wire.Appid,
                ["sub_appid"] = subAppid,
                ["type"] = type,
                ["account"] = account,
                ["name"] = name is null ? null : Wire.EncryptSensitive(name),
                ["relation_type"] = "PARTNER",
            });

        public Task<(HttpStatusCode Status, string Body, JsonObject? Json)> ShareAsAsync(string? subMchid, string outOrderNo, JsonObject extra, params JsonObject[] lines)
        {
            var body = new JsonObject
            {
                ["sub_mchid"] = subMchid,
                ["transaction_id"] = TransactionId,
                ["out_order_no"] = outOrderNo,
                ["receivers"] = new JsonArray(lines),
                ["unfreeze_unsplit"] = false,
            };
            foreach (var (key, value) in extra)
            {
                body[key] = value?.DeepClone();
            }

            return PostAsync("/v3/profitsharing/orders", body);
        }

        public Task<(HttpStatusCode Status, string Body, JsonObject? Json)> ShareAsync(string outOrderNo, params JsonObject[] lines) =>
            ShareAsAsync(SubMchid, outOrderNo, [], lines);

        public Task<(HttpStatusCode Status, string Body, JsonObject? Json)> GetAsync(string target) =>
            CallAsync(Wire, Wire.Request(HttpMethod.Get, target));

        public async Task<long> UnsplitAsync()
        {
            var (status, body, json) = await GetAsync($"/v3/profitsharing/transactions/{TransactionId}/amounts");
            Assert.True(status == HttpStatusCode.OK, body);
            return json!["unsplit_amount"]!.GetValue<long>();
        }

        public Task<(HttpStatusCode Status, string Body, JsonObject? Json)> PostAsync(string path, JsonObject body)
        {
            var request = Wire.Request(HttpMethod.Post, path, body);
            request.Headers.Add("Wechatpay-Serial", Wire.PlatformSerialNo);
            return CallAsync(Wire, request);
        }

        public async ValueTask DisposeAsync()
        {
            await Receiver.DisposeAsync();
            Wire.Dispose();
            await Sandbox.DisposeAsync();
        }
    }

    private static string Str(JsonNode? node, string name) => node![name]!.GetValue<string>();

    [Fact]
    public async Task A_sub_merchants_share_names_it_finishes_and_unfreezing_gives_it_the_rest()
    {
        await using var order = await PartnerOrder.StartAsync();
        var (added, addedBody, receiver) = await order.AddReceiverAsync("MERCHANT_ID", Partner, "示例合作商户有限公司");
        Assert.True(added == HttpStatusCode.OK, addedBody);
        Assert.Equal(["sub_mchid", "type", "account", "name", "relation_type"], receiver!.Select(p => p.Key));
        Assert.Equal(SubMchid, Str(receiver, "sub_mchid"));
        Assert.Equal(HttpStatusCode.OK, (await order.AddReceiverAsync("PERSONAL_SUB_OPENID", SubPerson, null, subAppid: SubAppid)).Status);
        Refused(await order.AddReceiverAsync("PERSONAL_SUB_OPENID", SubPerson, null), HttpStatusCode.BadRequest, "PARAM_ERROR", "sub_appid");

        // A PERSONAL_SUB_OPENID share needs the sub_appid, a PERSONAL_OPENID one the 服务商's appid; neither needs the other.
        JsonObject SubLine() => SharedOrder.Line("PERSONAL_SUB_OPENID", SubPerson, 100);
        Refused(await order.ShareAsAsync(SubMchid, "p_share_noapp", [], SubLine()), HttpStatusCode.BadRequest, "PARAM_ERROR", "sub_appid");
        Refused(await order.ShareAsync("p_share_person", SharedOrder.Line("PERSONAL_OPENID", Person, 10)), HttpStatusCode.BadRequest, "PARAM_ERROR", "appid");
        var (status, body, accepted) = await order.ShareAsAsync(SubMchid, "p_share_1", new JsonObject { ["sub_appid"] = SubAppid }, SharedOrder.Line("MERCHANT_ID", Partner, 200), SubLine());
        Assert.True(status == HttpStatusCode.OK, body);
        Assert.Equal(["sub_mchid", "transaction_id", "out_order_no", "order_id", "state", "receivers"], accepted!.Select(p => p.Key));
        Assert.Equal((SubMchid, "PROCESSING", order.TransactionId), (Str(accepted, "sub_mchid"), Str(accepted, "state"), Str(accepted, "transaction_id")));

        var (found, _, finished) = await order.GetAsync($"/v3/profitsharing/orders/p_share_1?sub_mchid={SubMchid}&transaction_id={order.TransactionId}");
        Assert.Equal((HttpStatusCode.OK, "FINISHED", SubMchid), (found, Str(finished, "state"), Str(finished, "sub_mchid")));
        Assert.All(finished!["receivers"]!.AsArray(), l => Assert.Equal("SUCCESS", Str(l, "result")));
        Assert.Equal(700, await order.UnsplitAsync());

        // The sub-merchant allows 30%: one fen more is over; the sub-merchant itself may be shared to without being added.
        Refused(await order.ShareAsync("p_share_over", SharedOrder.Line("MERCHANT_ID", SubMchid, 1)), HttpStatusCode.BadRequest, "INVALID_REQUEST", "分账金额超出最大分账比例");

        var (unfrozen, unfrozenBody, unfreezing) = await order.PostAsync("/v3/profitsharing/orders/unfreeze", new JsonObject
        {
            ["sub_mchid"] = SubMchid, ["transaction_id"] = order.TransactionId, ["out_order_no"] = "p_unfreeze_1", ["description"] = "解冻全部剩余资金",
        });
        Assert.True(unfrozen == HttpStatusCode.OK, unfrozenBody);
        Assert.Equal(SubMchid, Str(unfreezing, "sub_mchid"));
        var (_, _, rest) = await order.GetAsync($"/v3/profitsharing/orders/p_unfreeze_1?sub_mchid={SubMchid}&transaction_id={order.TransactionId}");
        var line = Assert.Single(rest!["receivers"]!.AsArray());
        Assert.Equal(("MERCHANT_ID", SubMchid, 700L, "解冻给分账方"), (Str(line, "type"), Str(line, "account"), line!["amount"]!.GetValue<long>(), Str(line, "description")));
        Assert.Equal(0, await order.UnsplitAsync());
    }

    [Fact]
    public async Task Receivers_and_records_are_per_sub_merchant_and_partner_and_direct_sharing_stay_apart()
    {
        await using var order = await PartnerOrder.StartAsync();
        Assert.Equal(HttpStatusCode.OK, (await order.AddReceiverAsync("MERCHANT_ID", Partner, "示例合作商户有限公司")).Status);

        // The 服务商's own receivers are not the sub-merchant's, nor the other way round.
        Assert.Equal(HttpStatusCode.OK, (await order.AddReceiverAsync("MERCHANT_ID", "1900000300", "服务商的接收方", subMchid: null)).Status);
        Refused(await order.ShareAsync("p_share_sp", SharedOrder.Line("MERCHANT_ID", "1900000300", 10)), HttpStatusCode.BadRequest, "INVALID_REQUEST", "分账接收方关系不存在");

        // The partner order cannot be shared by the direct route or under another sub-merchant.
        var direct = new JsonObject { ["appid"] = order.Wire.Appid };
        Refused(await order.ShareAsAsync(null, "p_share_direct", direct, SharedOrder.Line("MERCHANT_ID", "1900000300", 10)), HttpStatusCode.BadRequest, "INVALID_REQUEST", "交易模式不匹配");
        Refused(await order.ShareAsAsync(OtherSubMchid, "p_share_other", [], SharedOrder.Line("MERCHANT_ID", OtherSubMchid, 10)), HttpStatusCode.NotFound, "RESOURCE_NOT_EXISTS", "订单不存在");

        // A direct order placed for sharing cannot be shared by a sub-merchant.
        var plain = Order(order.Wire, "direct_shared", order.Receiver.Url, total: Total);
        plain["settle_info"] = new JsonObject { ["profit_sharing"] = true };
        await order.Sandbox.ActAsync(await PlaceAsync(order.Sandbox, order.Wire, plain), "pay");
        var directTransaction = order.Wire.Resource((await order.Receiver.NextAsync()).Body)["transaction_id"]!.GetValue<string>();
        var crossed = new JsonObject
        {
            ["sub_mchid"] = SubMchid, ["transaction_id"] = directTransaction, ["out_order_no"] = "p_share_cross", ["unfreeze_unsplit"] = false,
            ["receivers"] = new JsonArray(SharedOrder.Line("MERCHANT_ID", Partner, 10)),
        };
        Refused(await order.PostAsync("/v3/profitsharing/orders", crossed), HttpStatusCode.BadRequest, "INVALID_REQUEST", "交易模式不匹配");

        // One out_order_no is the sub-merchant's and the merchant's own at once; each query finds only its own.
        Assert.Equal(HttpStatusCode.OK, (await order.ShareAsync("same_no", SharedOrder.Line("MERCHANT_ID", Partner, 100))).Status);
        crossed["sub_mchid"] = null;
        crossed["appid"] = order.Wire.Appid;
        crossed["out_order_no"] = "same_no";
        crossed["receivers"] = new JsonArray(SharedOrder.Line("MERCHANT_ID", "1900000300", 50));
        Assert.Equal(HttpStatusCode.OK, (await order.PostAsync("/v3/profitsharing/orders", crossed)).Status);
        Refused(await order.GetAsync($"/v3/profitsharing/orders/same_no?transaction_id={order.TransactionId}"), HttpStatusCode.NotFound, "RESOURCE_NOT_EXISTS", "记录不存在");
        Refused(await order.GetAsync($"/v3/profitsharing/orders/same_no?sub_mchid={OtherSubMchid}&transaction_id={order.TransactionId}"), HttpStatusCode.NotFound, "RESOURCE_NOT_EXISTS", "记录不存在");
        var (_, _, mine) = await order.GetAsync($"/v3/profitsharing/orders/same_no?sub_mchid={SubMchid}&transaction_id={order.TransactionId}");
        Assert.Equal(100L, mine!["receivers"]![0]!["amount"]!.GetValue<long>());
        Assert.Equal(900, await order.UnsplitAsync());

        // A sub_mchid the 服务商 is not bound to is refused on every route; an empty one in a query is malformed.
        const string Unbound = "1900009998";
        Refused(await order.AddReceiverAsync("MERCHANT_ID", Partner, "商户", subMchid: Unbound), HttpStatusCode.Forbidden, "NO_AUTH", "受理关系不存在");
        Refused(await order.ShareAsAsync(Unbound, "p_share_unbound", [], SharedOrder.Line("MERCHANT_ID", Partner, 10)), HttpStatusCode.Forbidden, "NO_AUTH", "受理关系不存在");
        Refused(await order.GetAsync($"/v3/profitsharing/orders/same_no?sub_mchid={Unbound}&transaction_id={order.TransactionId}"), HttpStatusCode.Forbidden, "NO_AUTH", "受理关系不存在");
        Refused(await order.GetAsync($"/v3/profitsharing/merchant-configs/{Unbound}"), HttpStatusCode.Forbidden, "NO_AUTH", "受理关系不存在");
        Refused(await order.GetAsync($"/v3/profitsharing/orders/same_no?sub_mchid=&transaction_id={order.TransactionId}"), HttpStatusCode.BadRequest, "PARAM_ERROR", "sub_mchid");
        Refused(await order.AddReceiverAsync("PERSONAL_SUB_OPENID", SubPerson, null, subMchid: null, subAppid: SubAppid), HttpStatusCode.BadRequest, "PARAM_ERROR", "枚举值校验失败");
    }

    [Fact]
    public async Task The_maximum_ratio_query_answers_the_ratio_the_sub_merchant_allows_in_ten_thousandths()
    {
        await using var order = await PartnerOrder.StartAsync();
        var (status, body, config) = await order.GetAsync($"/v3/profitsharing/merchant-configs/{SubMchid}");
        Assert.True(status == HttpStatusCode.OK, body);
        Assert.Equal((SubMchid, 3000L), (Str(config, "sub_mchid"), config!["max_ratio"]!.GetValue<long>()));

        (await order.Sandbox.PutSettingsAsync("wechatpay", new { profit_sharing_max_ratio = "10" })).EnsureSuccessStatusCode();
        Assert.Equal(1000L, (await order.GetAsync($"/v3/profitsharing/merchant-configs/{OtherSubMchid}")).Json!["max_ratio"]!.GetValue<long>());
        Assert.Equal(HttpStatusCode.OK, (await order.AddReceiverAsync("MERCHANT_ID", Partner, "示例合作商户有限公司")).Status);
        Refused(await order.ShareAsync("p_share_ratio", SharedOrder.Line("MERCHANT_ID", Partner, 101)), HttpStatusCode.BadRequest, "INVALID_REQUEST", "分账金额超出最大分账比例");
        Assert.Equal(HttpStatusCode.OK, (await order.ShareAsync("p_share_ratio", SharedOrder.Line("MERCHANT_ID", Partner, 100))).Status);
    }

    [Fact]
    public async Task A_sub_merchants_share_is_returned_to_it_and_a_refund_of_its_frozen_order_waits_for_the_unsplit_amount()
    {
        await using var order = await PartnerOrder.StartAsync();
        Assert.Equal(HttpStatusCode.OK, (await order.AddReceiverAsync("MERCHANT_ID", Partner, "示例合作商户有限公司")).Status);
        Assert.Equal(HttpStatusCode.OK, (await order.ShareAsync("p_share_r", SharedOrder.Line("MERCHANT_ID", Partner, 300))).Status);

        JsonObject Return(string outReturnNo, long amount, string? subMchid = SubMchid) => new()
        {
            ["sub_mchid"] = subMchid, ["out_order_no"] = "p_share_r", ["out_return_no"] = outReturnNo,
            ["return_mchid"] = Partner, ["amount"] = amount, ["description"] = "用户退款",
        };
        var (status, body, returned) = await order.PostAsync("/v3/profitsharing/return-orders", Return("p_return_1", 150));
        Assert.True(status == HttpStatusCode.OK, body);
        Assert.Equal((SubMchid, "SUCCESS", 150L), (Str(returned, "sub_mchid"), Str(returned, "result"), returned!["amount"]!.GetValue<long>()));
        Refused(await order.PostAsync("/v3/profitsharing/return-orders", Return("p_return_direct", 10, subMchid: null)), HttpStatusCode.NotFound, "RESOURCE_NOT_EXISTS", "分账指令不存在");
        Refused(await order.PostAsync("/v3/profitsharing/return-orders", Return("p_return_2", 151)), HttpStatusCode.BadRequest, "INVALID_REQUEST", "剩余可回退的金额不足");
        var (queried, _, found) = await order.GetAsync($"/v3/profitsharing/return-orders/p_return_1?sub_mchid={SubMchid}&out_order_no=p_share_r");
        Assert.Equal((HttpStatusCode.OK, SubMchid, 150L), (queried, Str(found, "sub_mchid"), found!["amount"]!.GetValue<long>()));
        Refused(await order.GetAsync("/v3/profitsharing/return-orders/p_return_1?out_order_no=p_share_r"), HttpStatusCode.NotFound, "RESOURCE_NOT_EXISTS", "记录不存在");
        Assert.Equal(700, await order.UnsplitAsync());

        // While frozen, a refund of the partner order takes no more than is unsplit, as a direct order's does.
        JsonObject Refund(string outRefundNo, long amount) => new()
        {
            ["sub_mchid"] = SubMchid, ["transaction_id"] = order.TransactionId, ["out_refund_no"] = outRefundNo,
            ["amount"] = new JsonObject { ["refund"] = amount, ["total"] = Total, ["currency"] = "CNY" },
        };
        Refused(await CallAsync(order.Wire, order.Wire.Request(HttpMethod.Post, "/v3/refund/domestic/refunds", Refund("p_refund_over", 701))), HttpStatusCode.Forbidden, "RULE_LIMIT", "申请退款金额大于剩余未分账金额");
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(order.Wire, order.Wire.Request(HttpMethod.Post, "/v3/refund/domestic/refunds", Refund("p_refund", 700)))).Status);
        Assert.Equal(0, await order.UnsplitAsync());
        var unfreeze = new JsonObject { ["sub_mchid"] = SubMchid, ["transaction_id"] = order.TransactionId, ["out_order_no"] = "p_unfreeze_none", ["description"] = "解冻" };
        Refused(await order.PostAsync("/v3/profitsharing/orders/unfreeze", unfreeze), HttpStatusCode.BadRequest, "INVALID_REQUEST", "分账金额不足");
    }

    [Fact]
    public async Task A_sub_merchants_receivers_shares_and_returns_survive_a_restart()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-wechat-partner-sharing-" + Guid.NewGuid().ToString("N"));
        string transactionId;
        await using (var first = await PartnerOrder.StartAsync(await TestSandbox.StartAsync(configure: o => o.DataDirectory = data)))
        {
            transactionId = first.TransactionId;
            Assert.Equal(HttpStatusCode.OK, (await first.AddReceiverAsync("MERCHANT_ID", Partner, "示例合作商户有限公司")).Status);
            Assert.Equal(HttpStatusCode.OK, (await first.ShareAsync("p_share_restart", SharedOrder.Line("MERCHANT_ID", Partner, 250))).Status);
            await first.Sandbox.RunDueAsync();
        }

        await using (var second = await TestSandbox.StartAsync(configure: o => o.DataDirectory = data))
        {
            await using var receiver = await Receiver.StartAsync("/wechatpay/notify");
            var order = new PartnerOrder { Sandbox = second, Wire = await WireAsync(second), Receiver = receiver, TransactionId = transactionId };
            var (_, _, finished) = await order.GetAsync($"/v3/profitsharing/orders/p_share_restart?sub_mchid={SubMchid}&transaction_id={transactionId}");
            Assert.Equal(("FINISHED", SubMchid), (Str(finished, "state"), Str(finished, "sub_mchid")));
            Assert.Equal(750, await order.UnsplitAsync());
            Assert.Equal(HttpStatusCode.OK, (await order.ShareAsync("p_share_more", SharedOrder.Line("MERCHANT_ID", Partner, 50))).Status);
            Refused(await order.ShareAsync("p_share_over", SharedOrder.Line("MERCHANT_ID", Partner, 1)), HttpStatusCode.BadRequest, "INVALID_REQUEST", "分账金额超出最大分账比例");
            order.Wire.Dispose();
        }

        Directory.Delete(data, recursive: true);
    }
}
