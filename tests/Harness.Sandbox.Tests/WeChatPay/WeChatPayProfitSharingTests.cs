using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Harness.Conformance.Steps.Providers;
using Harness.Sandbox.Tests.Support;
using static Harness.Sandbox.Tests.WeChatPay.WeChatPayTests;

namespace Harness.Sandbox.Tests.WeChatPay;

/// <summary>
/// 分账: receivers, sharing a paid order placed with <c>settle_info.profit_sharing</c> (PROCESSING, then FINISHED),
/// the merchant's maximum ratio, the test receivers that close, the amount left and unfreezing it.
/// </summary>
public sealed class WeChatPayProfitSharingTests
{
    internal const long Total = 1000;

    internal const string Partner = "1900000200";

    internal const string Person = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";

    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    /// <summary>A sandbox with a paid order of <see cref="Total"/> fen placed for 分账 and two receivers added: a merchant and a person.</summary>
    internal sealed class SharedOrder : IAsyncDisposable
    {
        public required TestSandbox Sandbox { get; init; }

        public required WeChatPayWire Wire { get; init; }

        public required Receiver Receiver { get; init; }

        public required string TransactionId { get; init; }

        public static async Task<SharedOrder> StartAsync(bool profitSharing = true, TestSandbox? sandbox = null, string outTradeNo = "order_shared")
        {
            sandbox ??= await TestSandbox.StartAsync();
            var wire = await WireAsync(sandbox);
            var receiver = await Receiver.StartAsync("/wechatpay/notify");
            var order = Order(wire, outTradeNo, receiver.Url, total: Total);
            order["settle_info"] = new JsonObject { ["profit_sharing"] = profitSharing };
            await sandbox.ActAsync(await PlaceAsync(sandbox, wire, order), "pay");
            var transactionId = wire.Resource((await receiver.NextAsync()).Body)["transaction_id"]!.GetValue<string>();
            var shared = new SharedOrder { Sandbox = sandbox, Wire = wire, Receiver = receiver, TransactionId = transactionId };
            Assert.Equal(HttpStatusCode.OK, (await shared.AddReceiverAsync("MERCHANT_ID", Partner, "示例合作商户有限公司")).Status);
            Assert.Equal(HttpStatusCode.OK, (await shared.AddReceiverAsync("PERSONAL_OPENID", Person, null)).Status);
            return shared;
        }

        public Task<(HttpStatusCode Status, string Body, JsonObject? Json)> AddReceiverAsync(string type, string account, string? name, string relation = "PARTNER") =>
            PostAsync("/v3/profitsharing/receivers/add", new JsonObject
            {
                ["appid"] = Wire.Appid,
                ["type"] = type,
                ["account"] = account,
                ["name"] = name is null ? null : Wire.EncryptSensitive(name),
                ["relation_type"] = relation,
            });

        public static JsonObject Line(string type, string account, long amount) =>
            new() { ["type"] = type, ["account"] = account, ["amount"] = amount, ["description"] = "分给合作方" };

        public Task<(HttpStatusCode Status, string Body, JsonObject? Json)> ShareAsync(string outOrderNo, bool unfreezeRest, params JsonObject[] lines) =>
            PostAsync("/v3/profitsharing/orders", new JsonObject
            {
                ["appid"] = Wire.Appid,
                ["transaction_id"] = TransactionId,
                ["out_order_no"] = outOrderNo,
                ["receivers"] = new JsonArray(lines),
                ["unfreeze_unsplit"] = unfreezeRest,
            });

        public Task<(HttpStatusCode Status, string Body, JsonObject? Json)> UnfreezeAsync(string outOrderNo) =>
            PostAsync("/v3/profitsharing/orders/unfreeze", new JsonObject
            {
                ["transaction_id"] = TransactionId, ["out_order_no"] = outOrderNo, ["description"] = "解冻全部剩余资金",
            });

        public async Task<JsonObject> QueryAsync(string outOrderNo)
        {
            var (status, body, json) = await CallAsync(Wire, Wire.Request(HttpMethod.Get, $"/v3/profitsharing/orders/{outOrderNo}?transaction_id={TransactionId}"));
            Assert.True(status == HttpStatusCode.OK, body);
            return json!;
        }

        public async Task<long> UnsplitAsync()
        {
            var (status, body, json) = await CallAsync(Wire, Wire.Request(HttpMethod.Get, $"/v3/profitsharing/transactions/{TransactionId}/amounts"));
            Assert.True(status == HttpStatusCode.OK, body);
            Assert.Equal(TransactionId, json!["transaction_id"]!.GetValue<string>());
            return json["unsplit_amount"]!.GetValue<long>();
        }

        /// <summary>A signed POST naming the platform certificate in Wechatpay-Serial, as requests with encrypted fields do.</summary>
        public Task<(HttpStatusCode Status, string Body, JsonObject? Json)> PostAsync(string path, JsonObject body, bool withSerial = true)
        {
            var request = Wire.Request(HttpMethod.Post, path, body);
            if (withSerial)
            {
                request.Headers.Add("Wechatpay-Serial", Wire.PlatformSerialNo);
            }

            return CallAsync(Wire, request);
        }

        public async ValueTask DisposeAsync()
        {
            await Receiver.DisposeAsync();
            Wire.Dispose();
            await Sandbox.DisposeAsync();
        }
    }

    internal static void Refused((HttpStatusCode Status, string Body, JsonObject? Json) answer, HttpStatusCode status, string code, string words)
    {
        Assert.True(answer.Status == status, answer.Body);
        Assert.Equal(code, answer.Json!["code"]!.GetValue<string>());
        Assert.Contains(words, answer.Json["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Receivers_are_added_with_the_name_encrypted_both_ways_deleted_and_refused_when_malformed()
    {
        await using var shared = await SharedOrder.StartAsync();
        var (status, body, added) = await shared.AddReceiverAsync("MERCHANT_ID", "1900000300", "第二合作商户", relation: "SUPPLIER");
        Assert.True(status == HttpStatusCode.OK, body);
        Assert.Equal(("MERCHANT_ID", "1900000300", "SUPPLIER"), (added!["type"]!.GetValue<string>(), added["account"]!.GetValue<string>(), added["relation_type"]!.GetValue<string>()));

        // The answer's name is encrypted for the merchant's certificate: its private key opens it.
        var credentials = (await shared.Sandbox.GetJsonAsync("/control/providers/wechatpay"))["credentials"]!;
        using var merchantKey = RSA.Create();
        merchantKey.ImportFromPem(credentials["merchant_private_key"]!.GetValue<string>());
        Assert.Equal("第二合作商户", Encoding.UTF8.GetString(merchantKey.Decrypt(Convert.FromBase64String(added["name"]!.GetValue<string>()), RSAEncryptionPadding.OaepSHA1)));

        Refused(await shared.AddReceiverAsync("MERCHANT_ID", "1900000301", null), HttpStatusCode.BadRequest, "PARAM_ERROR", "name");
        Refused(await shared.AddReceiverAsync("PERSONAL_SUB_OPENID", Person, null), HttpStatusCode.BadRequest, "PARAM_ERROR", "枚举值校验失败");
        Refused(await shared.AddReceiverAsync("PERSONAL_OPENID", Person, null, relation: "FRIEND"), HttpStatusCode.BadRequest, "PARAM_ERROR", "relation_type");
        Refused(await shared.AddReceiverAsync("PERSONAL_OPENID", Person, null, relation: "CUSTOM"), HttpStatusCode.BadRequest, "PARAM_ERROR", "custom_relation");
        Refused(await shared.AddReceiverAsync("MERCHANT_ID", "19000-0301", "商户"), HttpStatusCode.BadRequest, "PARAM_ERROR", "account");
        var plainName = new JsonObject { ["appid"] = shared.Wire.Appid, ["type"] = "MERCHANT_ID", ["account"] = "1900000301", ["name"] = "商户", ["relation_type"] = "STORE" };
        Refused(await shared.PostAsync("/v3/profitsharing/receivers/add", plainName), HttpStatusCode.BadRequest, "PARAM_ERROR", "解密失败");
        plainName["name"] = shared.Wire.EncryptSensitive("商户");
        Refused(await shared.PostAsync("/v3/profitsharing/receivers/add", plainName, withSerial: false), HttpStatusCode.BadRequest, "PARAM_ERROR", "Wechatpay-Serial");
        plainName["appid"] = "wx0000000000000000";
        Refused(await shared.PostAsync("/v3/profitsharing/receivers/add", plainName), HttpStatusCode.BadRequest, "INVALID_REQUEST", "appid");

        // A receiver deleted can no longer be shared to; deleting it again answers the same.
        var deletion = new JsonObject { ["appid"] = shared.Wire.Appid, ["type"] = "MERCHANT_ID", ["account"] = Partner };
        var (deleted, _, gone) = await shared.PostAsync("/v3/profitsharing/receivers/delete", deletion);
        Assert.Equal((HttpStatusCode.OK, Partner), (deleted, gone!["account"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.OK, (await shared.PostAsync("/v3/profitsharing/receivers/delete", deletion)).Status);
        Refused(await shared.ShareAsync("share_deleted", false, SharedOrder.Line("MERCHANT_ID", Partner, 100)), HttpStatusCode.BadRequest, "INVALID_REQUEST", "分账接收方关系不存在");
        Assert.Equal(Total, await shared.UnsplitAsync());
    }

    [Fact]
    public async Task A_share_is_accepted_PROCESSING_then_FINISHED_within_the_ratio_and_repeats_as_the_same_order()
    {
        await using var shared = await SharedOrder.StartAsync();
        Assert.Equal(Total, await shared.UnsplitAsync());
        var (status, body, accepted) = await shared.ShareAsync("share_1", false, SharedOrder.Line("MERCHANT_ID", Partner, 200), SharedOrder.Line("PERSONAL_OPENID", Person, 100));
        Assert.True(status == HttpStatusCode.OK, body);
        Assert.Equal(("PROCESSING", shared.TransactionId, "share_1"),
            (accepted!["state"]!.GetValue<string>(), accepted["transaction_id"]!.GetValue<string>(), accepted["out_order_no"]!.GetValue<string>()));
        Assert.Matches("^3008[0-9]{24}$", accepted["order_id"]!.GetValue<string>());
        Assert.All(accepted["receivers"]!.AsArray(), r => Assert.Equal("PENDING", r!["result"]!.GetValue<string>()));

        var finished = await shared.QueryAsync("share_1");
        Assert.Equal(("FINISHED", accepted["order_id"]!.GetValue<string>()), (finished["state"]!.GetValue<string>(), finished["order_id"]!.GetValue<string>()));
        var lines = finished["receivers"]!.AsArray();
        Assert.Equal([("MERCHANT_ID", Partner, 200L, "SUCCESS"), ("PERSONAL_OPENID", Person, 100L, "SUCCESS")],
            lines.Select(l => (l!["type"]!.GetValue<string>(), l["account"]!.GetValue<string>(), l["amount"]!.GetValue<long>(), l["result"]!.GetValue<string>())));
        Assert.All(lines, l => Assert.Equal("2026-11-23T20:00:00+08:00", l!["finish_time"]!.GetValue<string>()));
        Assert.All(lines, l => Assert.Matches("^3600[0-9]{25}$", l!["detail_id"]!.GetValue<string>()));
        Assert.Equal(700, await shared.UnsplitAsync());

        // 30% of 1000 is shared: one fen more is over the merchant's maximum ratio.
        Refused(await shared.ShareAsync("share_2", false, SharedOrder.Line("PERSONAL_OPENID", Person, 1)), HttpStatusCode.BadRequest, "INVALID_REQUEST", "分账金额超出最大分账比例");

        // The same out_order_no and body is the same 分账单, shared once; another body under it is refused.
        var (again, _, repeated) = await shared.ShareAsync("share_1", false, SharedOrder.Line("MERCHANT_ID", Partner, 200), SharedOrder.Line("PERSONAL_OPENID", Person, 100));
        Assert.Equal((HttpStatusCode.OK, accepted["order_id"]!.GetValue<string>(), "FINISHED"), (again, repeated!["order_id"]!.GetValue<string>(), repeated["state"]!.GetValue<string>()));
        Refused(await shared.ShareAsync("share_1", false, SharedOrder.Line("MERCHANT_ID", Partner, 100)), HttpStatusCode.BadRequest, "INVALID_REQUEST", "商户分账单号已存在");
        Assert.Equal(700, await shared.UnsplitAsync());

        var (missing, _, notFound) = await CallAsync(shared.Wire, shared.Wire.Request(HttpMethod.Get, $"/v3/profitsharing/orders/share_none?transaction_id={shared.TransactionId}"));
        Assert.Equal((HttpStatusCode.NotFound, "RESOURCE_NOT_EXISTS"), (missing, notFound!["code"]!.GetValue<string>()));
        Refused(await CallAsync(shared.Wire, shared.Wire.Request(HttpMethod.Get, "/v3/profitsharing/orders/share_1")), HttpStatusCode.BadRequest, "PARAM_ERROR", "transaction_id");
    }

    [Fact]
    public async Task The_ratio_is_a_setting_and_shares_are_refused_on_orders_not_placed_for_sharing_or_over_what_is_left()
    {
        await using var shared = await SharedOrder.StartAsync();
        (await shared.Sandbox.PutSettingsAsync("wechatpay", new { profit_sharing_max_ratio = "10" })).EnsureSuccessStatusCode();
        Refused(await shared.ShareAsync("share_over", false, SharedOrder.Line("MERCHANT_ID", Partner, 101)), HttpStatusCode.BadRequest, "INVALID_REQUEST", "分账金额超出最大分账比例");
        Assert.Equal(HttpStatusCode.OK, (await shared.ShareAsync("share_ten", false, SharedOrder.Line("MERCHANT_ID", Partner, 100))).Status);
        foreach (var value in new[] { "0", "31", "ten" })
        {
            using var refused = await shared.Sandbox.PutSettingsAsync("wechatpay", new Dictionary<string, string> { ["profit_sharing_max_ratio"] = value });
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("profit_sharing_max_ratio must be a whole percent from 1 to 30", await refused.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        // Shared lines must be whole fen; the list holds 1 to 50.
        Refused(await shared.ShareAsync("share_bad", false, SharedOrder.Line("MERCHANT_ID", Partner, 0)), HttpStatusCode.BadRequest, "PARAM_ERROR", "receivers.amount");
        Refused(await shared.ShareAsync("share_empty", false), HttpStatusCode.BadRequest, "PARAM_ERROR", "receivers");

        await using var plain = await SharedOrder.StartAsync(profitSharing: false);
        Refused(await plain.ShareAsync("share_plain", false, SharedOrder.Line("MERCHANT_ID", Partner, 1)), HttpStatusCode.BadRequest, "INVALID_REQUEST", "非分账订单不支持分账");
        var unknown = plain.Wire.Request(HttpMethod.Get, "/v3/profitsharing/transactions/4200000000000000000000000000/amounts");
        Refused(await CallAsync(plain.Wire, unknown), HttpStatusCode.NotFound, "RESOURCE_NOT_EXISTS", "订单不存在");
    }

    [Fact]
    public async Task A_test_receiver_closes_with_ACCOUNT_ABNORMAL_and_its_amount_stays_frozen()
    {
        await using var shared = await SharedOrder.StartAsync();
        Assert.Equal(HttpStatusCode.OK, (await shared.AddReceiverAsync("MERCHANT_ID", "1900009999", "异常商户")).Status);
        Assert.Equal(HttpStatusCode.OK, (await shared.ShareAsync("share_abnormal", false, SharedOrder.Line("MERCHANT_ID", "1900009999", 250), SharedOrder.Line("MERCHANT_ID", Partner, 50))).Status);
        var lines = (await shared.QueryAsync("share_abnormal"))["receivers"]!.AsArray();
        Assert.Equal(("CLOSED", "ACCOUNT_ABNORMAL"), (lines[0]!["result"]!.GetValue<string>(), lines[0]!["fail_reason"]!.GetValue<string>()));
        Assert.Equal("SUCCESS", lines[1]!["result"]!.GetValue<string>());
        Assert.Null(lines[1]!["fail_reason"]);
        Assert.Equal(950, await shared.UnsplitAsync());

        // The closed 250 counts neither against the ratio nor as shared.
        Assert.Equal(HttpStatusCode.OK, (await shared.ShareAsync("share_rest", false, SharedOrder.Line("PERSONAL_OPENID", Person, 250))).Status);
        Assert.Equal(700, await shared.UnsplitAsync());
    }

    [Fact]
    public async Task Unfreezing_gives_the_rest_to_the_merchant_and_ends_sharing()
    {
        await using var shared = await SharedOrder.StartAsync();
        await shared.ShareAsync("share_first", false, SharedOrder.Line("MERCHANT_ID", Partner, 120));
        var (status, body, accepted) = await shared.UnfreezeAsync("unfreeze_1");
        Assert.True(status == HttpStatusCode.OK, body);
        Assert.Equal("PROCESSING", accepted!["state"]!.GetValue<string>());
        var finished = await shared.QueryAsync("unfreeze_1");
        var line = Assert.Single(finished["receivers"]!.AsArray())!;
        Assert.Equal(("FINISHED", "MERCHANT_ID", shared.Wire.Mchid, 880L, "解冻给分账方", "SUCCESS"),
            (finished["state"]!.GetValue<string>(), line["type"]!.GetValue<string>(), line["account"]!.GetValue<string>(), line["amount"]!.GetValue<long>(), line["description"]!.GetValue<string>(), line["result"]!.GetValue<string>()));
        Assert.Equal(0, await shared.UnsplitAsync());

        Refused(await shared.ShareAsync("share_late", false, SharedOrder.Line("PERSONAL_OPENID", Person, 10)), HttpStatusCode.BadRequest, "INVALID_REQUEST", "分账金额不足");
        Refused(await shared.UnfreezeAsync("unfreeze_2"), HttpStatusCode.BadRequest, "INVALID_REQUEST", "分账金额不足");
        Assert.Equal(HttpStatusCode.OK, (await shared.UnfreezeAsync("unfreeze_1")).Status);

        // unfreeze_unsplit on a share does the same in one request.
        await using var once = await SharedOrder.StartAsync();
        var (_, _, single) = await once.ShareAsync("share_once", true, SharedOrder.Line("PERSONAL_OPENID", Person, 300));
        Assert.Equal(2, single!["receivers"]!.AsArray().Count);
        var rest = (await once.QueryAsync("share_once"))["receivers"]![1]!;
        Assert.Equal((700L, "解冻给分账方"), (rest["amount"]!.GetValue<long>(), rest["description"]!.GetValue<string>()));
        Assert.Equal(0, await once.UnsplitAsync());
    }

    [Fact]
    public async Task After_the_thirty_day_frozen_period_nothing_is_left_to_share()
    {
        await using var shared = await SharedOrder.StartAsync();
        await shared.Sandbox.AdvanceAsync(TimeSpan.FromDays(30) - TimeSpan.FromSeconds(1));
        Assert.Equal(Total, await shared.UnsplitAsync());
        await shared.Sandbox.AdvanceAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(0, await shared.UnsplitAsync());
        Refused(await shared.ShareAsync("share_expired", false, SharedOrder.Line("MERCHANT_ID", Partner, 10)), HttpStatusCode.BadRequest, "INVALID_REQUEST", "分账金额不足");
    }
}
