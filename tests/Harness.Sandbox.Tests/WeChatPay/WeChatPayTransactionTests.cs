using System.Text.Json.Nodes;
using Harness.Conformance.Steps.Providers;
using Harness.Sandbox.Tests.Support;
using Harness.Sandbox.WeChatPay;

namespace Harness.Sandbox.Tests.WeChatPay;

/// <summary>The Transaction object's scene and promotion fields (providers.md §2.2), Native code URLs, and the 5-second acknowledgement deadline (§2.5).</summary>
public sealed class WeChatPayTransactionTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_order_requests_device_id_comes_back_in_scene_info_and_a_paid_transaction_lists_no_promotions()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var wire = await WeChatPayTests.WireAsync(sandbox);
        await using var receiver = await Receiver.StartAsync("/wechatpay/notify");
        var order = WeChatPayTests.Order(wire, "scene_0001", receiver.Url);
        order["scene_info"] = new JsonObject { ["payer_client_ip"] = "203.0.113.7", ["device_id"] = "POS-013" };
        var paymentId = await WeChatPayTests.PlaceAsync(sandbox, wire, order);

        var unpaid = await QueryAsync(wire, "scene_0001");
        Assert.Equal("""{"device_id":"POS-013"}""", unpaid["scene_info"]!.ToJsonString());
        Assert.Null(unpaid["promotion_detail"]);

        await sandbox.ActAsync(paymentId, "pay");
        var notified = wire.Resource((await receiver.NextAsync()).Body);
        var queried = await QueryAsync(wire, "scene_0001");
        foreach (var transaction in new[] { notified, queried })
        {
            Assert.Equal("""{"device_id":"POS-013"}""", transaction["scene_info"]!.ToJsonString());
            Assert.Equal("[]", transaction["promotion_detail"]!.ToJsonString());
        }
    }

    [Fact]
    public async Task An_order_without_a_device_id_has_no_scene_info()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var wire = await WeChatPayTests.WireAsync(sandbox);
        var order = WeChatPayTests.Order(wire, "scene_0002", "https://merchant.example/notify");
        order["scene_info"] = new JsonObject { ["payer_client_ip"] = "203.0.113.7" };
        var paymentId = await WeChatPayTests.PlaceAsync(sandbox, wire, order);
        await sandbox.ActAsync(paymentId, "pay");

        var paid = await QueryAsync(wire, "scene_0002");
        Assert.Equal("SUCCESS", paid["trade_state"]!.GetValue<string>());
        Assert.Null(paid["scene_info"]);
    }

    [Fact]
    public void Every_code_url_carries_seven_letters_or_digits()
    {
        // The earlier generator sliced 7 characters out of what was left of 11 random base64url ones after dropping
        // '-' and '_', and threw about once in 130,000 orders; drawing the characters directly cannot run short.
        var codes = Enumerable.Range(0, 200_000).Select(_ => WeChatPayOrder.NewCodeUrl()).ToList();

        Assert.All(codes, code => Assert.Matches("^weixin://wxpay/bizpayurl\\?pr=[0-9A-Za-z]{7}$", code));
        Assert.True(codes.Distinct(StringComparer.Ordinal).Count() > 199_000, "code URLs repeat far more than 62^7 allows");
    }

    [Fact]
    public async Task A_notification_answered_after_five_seconds_is_a_failure_retried_on_schedule()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var wire = await WeChatPayTests.WireAsync(sandbox);
        await using var receiver = await Receiver.StartAsync("/wechatpay/notify");
        receiver.Delay = TimeSpan.FromSeconds(8); // within the sandbox's general 10 s, beyond WeChat's 5 s
        var paymentId = await WeChatPayTests.PlaceAsync(sandbox, wire, WeChatPayTests.Order(wire, "late_0001", receiver.Url));

        await sandbox.ActAsync(paymentId, "pay");
        await sandbox.RunDueAsync();

        var delivery = (await sandbox.DeliveriesAsync(paymentId)).Single()!;
        Assert.Equal("pending", delivery["status"]!.GetValue<string>());
        var attempt = delivery["attempts"]!.AsArray().Single()!;
        Assert.Equal("no response within 5 s", attempt["error"]!.GetValue<string>());
        Assert.False(attempt["acknowledged"]!.GetValue<bool>());

        receiver.Delay = TimeSpan.Zero;
        await sandbox.AdvanceAsync(WeChatPayProvider.RetryDelays[0]);
        var retried = (await sandbox.DeliveriesAsync(paymentId)).Single()!;
        Assert.Equal("delivered", retried["status"]!.GetValue<string>());
        Assert.Equal(2, retried["attempts"]!.AsArray().Count);
    }

    private static async Task<JsonObject> QueryAsync(WeChatPayWire wire, string outTradeNo)
    {
        var (_, body, json) = await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Get, $"/v3/pay/transactions/out-trade-no/{outTradeNo}?mchid={wire.Mchid}"));
        return json ?? throw new InvalidOperationException(body);
    }
}
