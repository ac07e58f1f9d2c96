using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Harness.Sandbox.Tests.Support;
using static Harness.Sandbox.Tests.WeChatPay.WeChatPayRefundOutcomeTests;
using static Harness.Sandbox.Tests.WeChatPay.WeChatPayTests;

namespace Harness.Sandbox.Tests.WeChatPay;

/// <summary>
/// Refunds that take time: <c>refund_processing_seconds</c> keeps them PROCESSING on the sandbox clock, each ends with
/// the <c>refund_outcome</c> set when it was applied for (across a restart too), and the control route ends one now
/// with an outcome of its own.
/// </summary>
public sealed class WeChatPayRefundTimingTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static async Task ProcessingAsync(TestSandbox sandbox, TimeSpan time) =>
        (await sandbox.PutSettingsAsync("wechatpay", new { refund_processing_seconds = ((long)time.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture) })).EnsureSuccessStatusCode();

    private static async Task<string> TradeStateAsync(PaidOrder paid) =>
        (await CallAsync(paid.Wire, paid.Wire.Request(HttpMethod.Get, $"/v3/pay/transactions/out-trade-no/order_outcome?mchid={paid.Wire.Mchid}"))).Json!["trade_state"]!.GetValue<string>();

    [Fact]
    public async Task A_refund_stays_PROCESSING_for_the_set_time_holding_its_amount_then_succeeds_with_REFUND_SUCCESS()
    {
        await using var paid = await PaidOrder.StartAsync();
        await ProcessingAsync(paid.Sandbox, TimeSpan.FromDays(2));
        var (status, _, created) = await paid.RefundAsync("refund_slow", 400);
        Assert.Equal((HttpStatusCode.OK, "PROCESSING"), (status, created!["status"]!.GetValue<string>()));

        await paid.Sandbox.AdvanceAsync(TimeSpan.FromDays(2) - TimeSpan.FromSeconds(1));
        var processing = await paid.QueryAsync("refund_slow");
        Assert.Equal("PROCESSING", processing["status"]!.GetValue<string>());
        Assert.Null(processing["success_time"]);
        Assert.Single(paid.Receiver.All); // the payment's notification, none for the refund yet
        Assert.Equal("REFUND", await TradeStateAsync(paid));

        // The amount being refunded is already out of the order, as at WeChat: 600 is left, not 1000.
        var (overStatus, _, over) = await paid.RefundAsync("refund_over", 601);
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_REQUEST"), (overStatus, over!["code"]!.GetValue<string>()));

        await paid.Sandbox.AdvanceAsync(TimeSpan.FromSeconds(1));
        var (eventType, notice) = await paid.NoticeAsync();
        Assert.Equal(("REFUND.SUCCESS", "SUCCESS", "2026-11-25T20:00:00+08:00"),
            (eventType, notice["refund_status"]!.GetValue<string>(), notice["success_time"]!.GetValue<string>()));
        var ended = await paid.QueryAsync("refund_slow");
        Assert.Equal(("SUCCESS", "2026-11-25T20:00:00+08:00"), (ended["status"]!.GetValue<string>(), ended["success_time"]!.GetValue<string>()));
        Assert.Equal(2, paid.Receiver.All.Count);
    }

    [Fact]
    public async Task Each_refund_ends_with_the_outcome_set_when_it_was_applied_for()
    {
        await using var paid = await PaidOrder.StartAsync("ABNORMAL");
        await ProcessingAsync(paid.Sandbox, TimeSpan.FromMinutes(10));
        await paid.RefundAsync("refund_abnormal_later", 300);
        (await paid.Sandbox.PutSettingsAsync("wechatpay", new { refund_outcome = "CLOSED" })).EnsureSuccessStatusCode();
        await paid.RefundAsync("refund_closed_later", 700);

        // Both are PROCESSING and hold the whole order: nothing is left to refund.
        Assert.Equal(HttpStatusCode.BadRequest, (await paid.RefundAsync("refund_nothing_left", 1)).Status);

        (await paid.Sandbox.PutSettingsAsync("wechatpay", new { refund_outcome = "SUCCESS" })).EnsureSuccessStatusCode();
        await paid.Sandbox.AdvanceAsync(TimeSpan.FromMinutes(10));
        var notices = new[] { await paid.NoticeAsync(), await paid.NoticeAsync() }
            .ToDictionary(n => n.Resource["out_refund_no"]!.GetValue<string>(), n => n.EventType);
        Assert.Equal("REFUND.ABNORMAL", notices["refund_abnormal_later"]);
        Assert.Equal("REFUND.CLOSED", notices["refund_closed_later"]);

        // The closed refund's 700 is back; the abnormal one's 300 stays out until 发起异常退款.
        Assert.Equal(HttpStatusCode.BadRequest, (await paid.RefundAsync("refund_too_much", 701)).Status);
        Assert.Equal(HttpStatusCode.OK, (await paid.RefundAsync("refund_rest", 700)).Status);

        // 发起异常退款 to a bank card takes the processing time too, and succeeds.
        var abnormal = await paid.QueryAsync("refund_abnormal_later");
        var (applied, _, answer) = await paid.ApplyAbnormalAsync(abnormal["refund_id"]!.GetValue<string>(), ToUserCard(paid.Wire, "refund_abnormal_later"), paid.Wire.PlatformSerialNo);
        Assert.Equal((HttpStatusCode.OK, "PROCESSING"), (applied, answer!["status"]!.GetValue<string>()));
        await paid.Sandbox.RunDueAsync();
        Assert.Equal("PROCESSING", (await paid.QueryAsync("refund_abnormal_later"))["status"]!.GetValue<string>());
        await paid.Sandbox.AdvanceAsync(TimeSpan.FromMinutes(10));
        var after = new[] { await paid.NoticeAsync(), await paid.NoticeAsync() }
            .ToDictionary(n => n.Resource["out_refund_no"]!.GetValue<string>(), n => n.EventType);
        Assert.Equal(("REFUND.SUCCESS", "REFUND.SUCCESS"), (after["refund_rest"], after["refund_abnormal_later"]));
    }

    [Fact]
    public async Task The_control_route_ends_one_processing_refund_now_with_the_outcome_chosen()
    {
        await using var paid = await PaidOrder.StartAsync();
        await ProcessingAsync(paid.Sandbox, TimeSpan.FromHours(1));
        await paid.RefundAsync("refund_chosen", 400);
        await paid.RefundAsync("refund_left", 100);

        var ended = await paid.Sandbox.PostJsonAsync("/control/wechatpay/refunds/refund_chosen/outcome", new { status = "CLOSED" });
        Assert.Equal(("refund_chosen", "CLOSED", 400L), (ended["out_refund_no"]!.GetValue<string>(), ended["status"]!.GetValue<string>(), ended["amount"]!.GetValue<long>()));
        var (eventType, notice) = await paid.NoticeAsync();
        Assert.Equal(("REFUND.CLOSED", "refund_chosen"), (eventType, notice["out_refund_no"]!.GetValue<string>()));
        Assert.Equal("CLOSED", (await paid.QueryAsync("refund_chosen"))["status"]!.GetValue<string>());
        Assert.Equal("PROCESSING", (await paid.QueryAsync("refund_left"))["status"]!.GetValue<string>());

        async Task RefusedAsync(string outRefundNo, object body, HttpStatusCode expected, string words)
        {
            using var response = await paid.Sandbox.Control.PostAsJsonAsync($"/control/wechatpay/refunds/{outRefundNo}/outcome", body, Ct);
            var text = await response.Content.ReadAsStringAsync(Ct);
            Assert.True(response.StatusCode == expected, text);
            Assert.Contains(words, JsonNode.Parse(text)!["error"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        await RefusedAsync("refund_chosen", new { status = "SUCCESS" }, HttpStatusCode.BadRequest, "has already ended: CLOSED");
        await RefusedAsync("refund_unknown", new { status = "SUCCESS" }, HttpStatusCode.NotFound, "no WeChat Pay refund 'refund_unknown'");
        await RefusedAsync("refund_left", new { status = "PROCESSING" }, HttpStatusCode.BadRequest, "status must be");
        await RefusedAsync("refund_left", new { }, HttpStatusCode.BadRequest, "status must be");

        // The other refund still ends on time, with the outcome set when it was applied for.
        await paid.Sandbox.AdvanceAsync(TimeSpan.FromHours(1));
        var (laterType, later) = await paid.NoticeAsync();
        Assert.Equal(("REFUND.SUCCESS", "refund_left"), (laterType, later["out_refund_no"]!.GetValue<string>()));
        await RefusedAsync("refund_left", new { status = "CLOSED" }, HttpStatusCode.BadRequest, "has already ended: SUCCESS");

        var openApi = await paid.Sandbox.Control.GetStringAsync("/openapi/v1.json", Ct);
        Assert.Contains("/control/wechatpay/refunds/{outRefundNo}/outcome", openApi, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refund_processing_across_a_restart_ends_after_it_once()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-wechat-refund-" + Guid.NewGuid().ToString("N"));
        await using var receiver = await Receiver.StartAsync("/wechatpay/notify");
        await using (var first = await TestSandbox.StartAsync(configure: o => o.DataDirectory = data))
        {
            await ProcessingAsync(first, TimeSpan.FromHours(1));
            using var wire = await WireAsync(first);
            var paymentId = await PlaceAsync(first, wire, Order(wire, "order_restart", receiver.Url, total: Total));
            await first.ActAsync(paymentId, "pay");
            await receiver.NextAsync();
            var (status, _, created) = await CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/refund/domestic/refunds", new JsonObject
            {
                ["out_trade_no"] = "order_restart",
                ["out_refund_no"] = "refund_restart",
                ["notify_url"] = receiver.Url,
                ["amount"] = new JsonObject { ["refund"] = 250, ["total"] = Total, ["currency"] = "CNY" },
            }));
            Assert.Equal((HttpStatusCode.OK, "PROCESSING"), (status, created!["status"]!.GetValue<string>()));

            // The receiver has answered; wait until the attempt is recorded, or it would be due again after the restart.
            await first.RunDueAsync();
        }

        await using (var second = await TestSandbox.StartAsync(now: Start.AddHours(1), configure: o => o.DataDirectory = data))
        {
            using var wire = await WireAsync(second);
            await second.RunDueAsync();
            var refund = wire.Resource((await receiver.NextAsync()).Body);
            Assert.Equal(("refund_restart", "SUCCESS", "2026-11-23T21:00:00+08:00"),
                (refund["out_refund_no"]!.GetValue<string>(), refund["refund_status"]!.GetValue<string>(), refund["success_time"]!.GetValue<string>()));
            var queried = (await CallAsync(wire, wire.Request(HttpMethod.Get, "/v3/refund/domestic/refunds/refund_restart"))).Json!;
            Assert.Equal("SUCCESS", queried["status"]!.GetValue<string>());
            await second.AdvanceAsync(TimeSpan.FromHours(1));
        }

        Directory.Delete(data, recursive: true);
        Assert.Equal(2, receiver.All.Count);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("2592001")]
    [InlineData("two days")]
    public async Task The_processing_setting_takes_whole_seconds_up_to_thirty_days(string value)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var refused = await sandbox.PutSettingsAsync("wechatpay", new Dictionary<string, string> { ["refund_processing_seconds"] = value });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("refund_processing_seconds must be a whole number of seconds", await refused.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        (await sandbox.PutSettingsAsync("wechatpay", new { refund_processing_seconds = "2592000" })).EnsureSuccessStatusCode();
    }
}
