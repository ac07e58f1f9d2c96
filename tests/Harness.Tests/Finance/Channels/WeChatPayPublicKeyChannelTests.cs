using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Harness.Finance.Payments.Channels;
using Harness.Finance.Payments.Channels.WeChatPay;
using Harness.Tests.Support;

namespace Harness.Tests.Finance.Channels;

/// <summary>
/// The backend's WeChat Pay client for a merchant WeChat signs for with the WeChat Pay public key (微信支付公钥),
/// and for one being moved to it, against the sandbox in those modes. Each test has its own sandbox: the mode is a
/// merchant setting.
/// </summary>
public sealed class WeChatPayPublicKeyChannelTests
{
    private static readonly DateTimeOffset ExpireAt = new(2026, 11, 23, 14, 0, 0, TimeSpan.Zero);

    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static ChannelOrderRequest Order(string outTradeNo, string notifyUrl = "http://127.0.0.1:9/api/payment/notify/wechat") =>
        new(outTradeNo, 100, "Harness 金币 · 100 coins", ExpireAt, notifyUrl);

    private static async Task<ChannelSandbox> SandboxSigningWithAsync(string platformAuth)
    {
        var sandbox = await ChannelSandbox.StartAsync();
        using var response = await sandbox.Control.PutAsJsonAsync("/control/providers/wechatpay/settings", new { platform_auth = platformAuth }, Ct);
        response.EnsureSuccessStatusCode();
        return sandbox;
    }

    [Theory]
    [InlineData("public_key")]
    [InlineData("switching")]
    public async Task Answers_and_notifications_signed_with_the_public_key_verify_with_the_configured_one(string platformAuth)
    {
        await using var sandbox = await SandboxSigningWithAsync(platformAuth);
        using var http = new ChannelHttp();
        var channel = new WeChatPayChannel(sandbox.Settings, new ChannelClock(TimeProvider.System), http);
        await using var receiver = await NotifyReceiver.StartAsync(channel);

        // Each call's answer is verified before it is believed: switching signs every other one each way.
        await channel.PlaceAsync(Order("wx_pub_1", receiver.Url), Ct);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(ChannelTradeState.NotPaid, (await channel.QueryAsync("wx_pub_1", Ct)).State);
        }

        var paymentId = (await sandbox.PaymentOfAsync("wechatpay", "wx_pub_1"))["id"]!.GetValue<string>();
        await sandbox.ActAsync(paymentId);
        var notification = await receiver.NextAsync();
        Assert.Null(notification.Refusal);
        Assert.Equal(ChannelTradeState.Paid, notification.Trade!.State);
        Assert.Equal(ChannelTradeState.Paid, (await channel.QueryAsync("wx_pub_1", Ct)).State);

        // Public-key mode names the key in every notification; switching alternates, which the sandbox's own tests show.
        var serials = await SerialsSeenAsync(sandbox, paymentId);
        Assert.NotEmpty(serials);
        if (platformAuth == "public_key")
        {
            Assert.All(serials, s => Assert.StartsWith("PUB_KEY_ID_", s, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task An_answer_signed_with_a_public_key_the_merchant_has_not_configured_is_not_believed()
    {
        await using var sandbox = await SandboxSigningWithAsync("public_key");
        using var http = new ChannelHttp();
        var settings = sandbox.SettingsWith(new Dictionary<string, string?> { ["WECHAT_PAY_PUBLIC_KEY_ID"] = "PUB_KEY_ID_0000000000000000000000000000" });
        var channel = new WeChatPayChannel(settings, new ChannelClock(TimeProvider.System), http);

        var refused = await Assert.ThrowsAsync<ChannelException>(() => channel.QueryAsync("wx_pub_unknown", Ct));
        Assert.Contains("PUB_KEY_ID_", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>The Wechatpay-Serial of every attempt the sandbox logged for the payment's notification.</summary>
    private static async Task<List<string>> SerialsSeenAsync(ChannelSandbox sandbox, string paymentId)
    {
        for (var wait = 0; ; wait++)
        {
            var deliveries = (JsonArray)JsonNode.Parse(await sandbox.Control.GetStringAsync($"/control/deliveries?payment_id={paymentId}", Ct))!;
            var attempts = deliveries.OfType<JsonObject>().SelectMany(d => d["attempts"]!.AsArray()).OfType<JsonObject>().ToList();
            if (attempts.Count > 0 || wait == 100)
            {
                return [.. attempts.Select(a => a["request_headers"]?["Wechatpay-Serial"]?.GetValue<string>() ?? "")];
            }

            await Task.Delay(50, Ct);
        }
    }
}
