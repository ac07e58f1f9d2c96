using Harness.Sandbox.Tests.Support;
using Harness.Sandbox.WeChatPay;
using static Harness.Sandbox.Tests.WeChatPay.WeChatPayTests;

namespace Harness.Sandbox.Tests.WeChatPay;

/// <summary>Payment notifications: the documented retry schedule, what acknowledges, and each delivery fault.</summary>
public sealed class WeChatPayNotificationTests
{
    [Fact]
    public async Task Notifications_retry_on_the_documented_schedule_until_200_or_204_each_attempt_logged_with_its_bytes()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var wire = await WireAsync(sandbox);
        await using var receiver = await Receiver.StartAsync("/wechatpay/notify");

        // A 201 or a 200 on a "FAIL" body: HTTP status decides, and only 200 or 204 acknowledge.
        receiver.Default = (500, """{"code":"FAIL","message":"失败"}""");
        var paymentId = await PlaceAsync(sandbox, wire, Order(wire, "order_retry", receiver.Url));
        await sandbox.ActAsync(paymentId, "pay");
        await receiver.NextAsync();
        foreach (var delay in WeChatPayProvider.RetryDelays)
        {
            await sandbox.AdvanceAsync(delay);
        }

        var delivery = (await sandbox.DeliveriesAsync(paymentId)).Single()!;
        var attempts = delivery["attempts"]!.AsArray();
        Assert.Equal(WeChatPayProvider.RetryDelays.Count + 1, attempts.Count);
        Assert.Equal("exhausted", delivery["status"]!.GetValue<string>());
        var times = attempts.Select(a => DateTimeOffset.Parse(a!["at"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var gaps = times.Zip(times.Skip(1), (a, b) => b - a).ToList();
        Assert.Equal(WeChatPayProvider.RetryDelays, gaps);
        Assert.Equal(TimeSpan.FromMinutes(24 * 60 + 4), times[^1] - times[0]);
        var bodies = attempts.Select(a => a!["request_body"]!.GetValue<string>()).Distinct().ToList();
        Assert.Single(bodies);
        Assert.All(attempts, a => Assert.NotEmpty(a!["request_headers"]!["Wechatpay-Signature"]!.GetValue<string>()));

        receiver.Script((201, ""), (200, """{"code":"FAIL","message":"失败"}"""));
        var second = await PlaceAsync(sandbox, wire, Order(wire, "order_retry_2", receiver.Url));
        await sandbox.ActAsync(second, "pay");
        await sandbox.AdvanceAsync(TimeSpan.FromMinutes(1));
        var acknowledged = (await sandbox.DeliveriesAsync(second)).Single()!;
        Assert.Equal("delivered", acknowledged["status"]!.GetValue<string>());
        Assert.Equal([false, true], acknowledged["attempts"]!.AsArray().Select(a => a!["acknowledged"]!.GetValue<bool>()));
    }

    [Fact]
    public async Task Notification_faults_tampered_stale_wrong_amount_duplicate_delayed_and_dropped_are_each_observable()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var wire = await WireAsync(sandbox);
        await using var receiver = await Receiver.StartAsync("/wechatpay/notify");

        async Task<Received> PayWithFaultAsync(string kind, string outTradeNo)
        {
            var paymentId = await PlaceAsync(sandbox, wire, Order(wire, outTradeNo, receiver.Url));
            await sandbox.AddFaultAsync(new { kind, provider = "wechatpay", payment_id = paymentId, remaining = 1 });
            await sandbox.ActAsync(paymentId, "pay");
            return await receiver.NextAsync();
        }

        var tampered = await PayWithFaultAsync("tampered_signature", "order_tampered");
        Assert.StartsWith("WECHATPAY/SIGNTEST/", tampered.Header("Wechatpay-Signature"), StringComparison.Ordinal);
        Assert.False(wire.Verify(tampered.Header("Wechatpay-Timestamp"), tampered.Header("Wechatpay-Nonce"), tampered.Body, tampered.Header("Wechatpay-Signature")));

        var stale = await PayWithFaultAsync("stale_timestamp", "order_stale");
        Assert.True(wire.Verify(stale.Header("Wechatpay-Timestamp"), stale.Header("Wechatpay-Nonce"), stale.Body, stale.Header("Wechatpay-Signature")));
        var age = DateTimeOffset.UtcNow - DateTimeOffset.FromUnixTimeSeconds(long.Parse(stale.Header("Wechatpay-Timestamp"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(age > TimeSpan.FromMinutes(5), $"timestamp only {age} old");

        var wrong = await PayWithFaultAsync("wrong_amount", "order_wrong");
        Assert.True(wire.Verify(wrong.Header("Wechatpay-Timestamp"), wrong.Header("Wechatpay-Nonce"), wrong.Body, wrong.Header("Wechatpay-Signature")));
        Assert.Equal(101, wire.Resource(wrong.Body)["amount"]!["total"]!.GetValue<long>());

        var duplicated = await PayWithFaultAsync("duplicate", "order_duplicate");
        var copy = await receiver.NextAsync();
        Assert.Equal(duplicated.Body, copy.Body);

        var delayedId = await PlaceAsync(sandbox, wire, Order(wire, "order_delayed", receiver.Url));
        await sandbox.AddFaultAsync(new { kind = "delayed", provider = "wechatpay", payment_id = delayedId, remaining = 1, seconds = 120 });
        await sandbox.ActAsync(delayedId, "pay");
        await sandbox.AdvanceAsync(TimeSpan.FromSeconds(119));
        Assert.Equal(5, receiver.All.Count);
        await sandbox.AdvanceAsync(TimeSpan.FromSeconds(1));
        Assert.Equal("order_delayed", wire.Resource((await receiver.NextAsync()).Body)["out_trade_no"]!.GetValue<string>());

        var droppedId = await PlaceAsync(sandbox, wire, Order(wire, "order_dropped", receiver.Url));
        await sandbox.AddFaultAsync(new { kind = "dropped", provider = "wechatpay", payment_id = droppedId, remaining = 1 });
        await sandbox.ActAsync(droppedId, "pay");
        await sandbox.AdvanceAsync(TimeSpan.FromHours(25));
        var dropped = (await sandbox.DeliveriesAsync(droppedId)).Single()!;
        Assert.Equal("dropped", dropped["status"]!.GetValue<string>());
        Assert.Empty(dropped["attempts"]!.AsArray());
        Assert.Equal(6, receiver.All.Count);
        await sandbox.PostJsonAsync($"/control/deliveries/{dropped["id"]!.GetValue<string>()}/resend");
        var resent = await receiver.NextAsync();
        Assert.Equal("SUCCESS", wire.Resource(resent.Body)["trade_state"]!.GetValue<string>());
    }
}
