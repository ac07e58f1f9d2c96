using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Harness.Finance.Payments.Channels;
using Harness.Finance.Payments.Channels.WeChatPay;
using Harness.Security;
using Harness.Security.Signing;
using Harness.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

namespace Harness.Tests.Finance.Channels;

/// <summary>The backend's WeChat Pay client against the sandbox, on the wire: signed requests, verified answers and notifications.</summary>
public sealed class WeChatPayChannelTests : IAsyncLifetime
{
    private ChannelSandbox _sandbox = null!;
    private ChannelHttp _http = null!;

    public async ValueTask InitializeAsync()
    {
        _sandbox = await ChannelSandbox.StartAsync();
        _http = new ChannelHttp();
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _sandbox.DisposeAsync();
    }

    [Fact]
    public async Task An_order_is_placed_paid_queried_and_a_paid_order_cannot_be_closed()
    {
        using var channel = Channel();
        var outTradeNo = NewOrderNo();

        var order = await channel.PlaceAsync(Order(outTradeNo, 660), Ct);
        Assert.StartsWith("weixin://wxpay/bizpayurl?pr=", order.CodeUrl, StringComparison.Ordinal);
        Assert.Equal(ChannelTradeState.NotPaid, (await channel.QueryAsync(outTradeNo, Ct)).State);

        await _sandbox.ActAsync((await _sandbox.PaymentOfAsync("wechatpay", outTradeNo))["id"]!.GetValue<string>());
        var paid = await channel.QueryAsync(outTradeNo, Ct);
        Assert.Equal((ChannelTradeState.Paid, 660L), (paid.State, paid.Amount));
        Assert.False(string.IsNullOrEmpty(paid.ChannelTradeNo));
        Assert.NotNull(paid.PaidAt);

        await Assert.ThrowsAsync<ChannelException>(() => channel.CloseAsync(outTradeNo, Ct));
    }

    [Fact]
    public async Task An_unpaid_order_closes_and_an_unknown_one_is_not_found()
    {
        using var channel = Channel();
        var outTradeNo = NewOrderNo();
        await channel.PlaceAsync(Order(outTradeNo, 100), Ct);

        await channel.CloseAsync(outTradeNo, Ct);

        Assert.Equal(ChannelTradeState.Closed, (await channel.QueryAsync(outTradeNo, Ct)).State);
        Assert.Equal(ChannelTradeState.NotFound, (await channel.QueryAsync("NEVER" + outTradeNo, Ct)).State);
        await channel.CloseAsync("NEVER" + outTradeNo, Ct);
    }

    [Fact]
    public async Task A_wrong_merchant_key_is_refused_by_the_channel()
    {
        using var other = RsaKeys.Create();
        using var channel = Channel(_sandbox.SettingsWith(new Dictionary<string, string?> { ["WECHAT_PAY_PRIVATE_KEY"] = RsaKeys.PrivateKeyPem(other) }));

        var refused = await Assert.ThrowsAsync<ChannelException>(() => channel.PlaceAsync(Order(NewOrderNo(), 100), Ct));
        Assert.Contains("SIGN_ERROR", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Answers_are_refused_when_the_platform_certificates_cannot_be_read()
    {
        using var channel = Channel(_sandbox.SettingsWith(new Dictionary<string, string?> { ["WECHAT_PAY_API_V3_KEY"] = new string('k', 32) }));

        var refused = await Assert.ThrowsAsync<ChannelException>(() => channel.PlaceAsync(Order(NewOrderNo(), 100), Ct));
        Assert.Contains("does not decrypt", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_channel_is_a_channel_exception()
    {
        using var channel = Channel(_sandbox.SettingsWith(new Dictionary<string, string?> { ["WECHAT_PAY_BASE_URL"] = "http://127.0.0.1:1" }));

        await Assert.ThrowsAsync<ChannelException>(() => channel.PlaceAsync(Order(NewOrderNo(), 100), Ct));
    }

    [Fact]
    public async Task A_genuinely_signed_notification_verifies_with_its_trade()
    {
        using var channel = Channel();

        var read = await channel.ReadNotificationAsync(Notification("ORDER-1", 600), Ct);

        Assert.Null(read.Refusal);
        Assert.Equal(("ORDER-1", ChannelTradeState.Paid, 600L), (read.Trade!.OutTradeNo, read.Trade.State, read.Trade.Amount));
        Assert.NotNull(read.NotificationId);
    }

    [Theory]
    [InlineData("signature")]
    [InlineData("body")]
    [InlineData("stale")]
    [InlineData("future")]
    [InlineData("serial")]
    [InlineData("apiv3")]
    [InlineData("mchid")]
    [InlineData("missing-header")]
    [InlineData("garbage")]
    public async Task A_spoiled_notification_is_refused_with_its_reason(string spoil)
    {
        using var channel = Channel();

        var read = await channel.ReadNotificationAsync(Notification("ORDER-2", 600, spoil), Ct);

        Assert.Null(read.Trade);
        Assert.Contains(spoil switch
        {
            "signature" or "body" => "does not verify",
            "stale" or "future" => "outside the 5-minute window",
            "serial" => "no platform certificate",
            "apiv3" => "does not decrypt",
            "mchid" => "not a transaction of this merchant",
            "missing-header" => "header is missing",
            _ => "not JSON",
        }, read.Refusal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stale_notification_is_judged_by_the_channel_clock()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(10));
        using var channel = new WeChatPayChannel(_sandbox.Settings, new ChannelClock(clock), _http);

        var read = await channel.ReadNotificationAsync(Notification("ORDER-3", 600), Ct);

        Assert.Contains("outside the 5-minute window", read.Refusal, StringComparison.Ordinal);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private WeChatPayChannel Channel(ChannelSettings? settings = null) => new(settings ?? _sandbox.Settings, new ChannelClock(TimeProvider.System), _http);

    private static string NewOrderNo() => "T" + Guid.NewGuid().ToString("N")[..20];

    private static ChannelOrderRequest Order(string outTradeNo, long amount) =>
        new(outTradeNo, amount, "Recharge", DateTimeOffset.UtcNow.AddMinutes(15), "http://127.0.0.1:9/api/payment/notify/wechat");

    /// <summary>A notification as WeChat Pay sends it, signed with the sandbox's platform key, spoiled as asked.</summary>
    private HttpRequest Notification(string outTradeNo, long amount, string spoil = "")
    {
        var wechat = _sandbox.Settings.WeChatPay();
        var resource = new JsonObject
        {
            ["mchid"] = spoil == "mchid" ? "1900000999" : wechat.Mchid,
            ["appid"] = wechat.Appid,
            ["out_trade_no"] = outTradeNo,
            ["transaction_id"] = "4200000000202612040000000001",
            ["trade_state"] = "SUCCESS",
            ["success_time"] = "2026-12-04T14:00:00+08:00",
            ["amount"] = new JsonObject { ["total"] = amount, ["payer_total"] = amount, ["currency"] = "CNY" },
        }.ToJsonString();
        var (ciphertext, nonce) = AesGcmText.Encrypt(spoil == "apiv3" ? new string('x', 32) : wechat.ApiV3Key, "transaction", resource);
        var body = spoil == "garbage" ? "not json {" : new JsonObject
        {
            ["id"] = "EV-" + Guid.NewGuid(),
            ["event_type"] = "TRANSACTION.SUCCESS",
            ["resource_type"] = "encrypt-resource",
            ["resource"] = new JsonObject { ["algorithm"] = "AEAD_AES_256_GCM", ["ciphertext"] = ciphertext, ["associated_data"] = "transaction", ["nonce"] = nonce, ["original_type"] = "transaction" },
        }.ToJsonString();
        var now = DateTimeOffset.UtcNow + spoil switch { "stale" => TimeSpan.FromMinutes(-6), "future" => TimeSpan.FromMinutes(6), _ => TimeSpan.Zero };
        var timestamp = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var platform = RsaKeys.ImportPrivate(_sandbox.KeyFile("wechatpay", "platform_key.pem"));
        var signature = RsaSignature.Sign(platform, $"{timestamp}\nNONCE123\n{body}\n");
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(spoil == "body" ? body.Replace("SUCCESS", "SUCCESS ", StringComparison.Ordinal) : body));
        context.Request.Headers["Wechatpay-Timestamp"] = timestamp;
        context.Request.Headers["Wechatpay-Nonce"] = "NONCE123";
        context.Request.Headers["Wechatpay-Signature"] = spoil == "signature" ? Convert.ToBase64String(RandomNumberGenerator.GetBytes(256)) : signature;
        context.Request.Headers["Wechatpay-Serial"] = spoil == "serial" ? "7ABCDEF0123456789" : PlatformSerial();
        if (spoil == "missing-header")
        {
            context.Request.Headers.Remove("Wechatpay-Nonce");
        }

        return context.Request;
    }

    private string PlatformSerial()
    {
        using var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(_sandbox.KeyFile("wechatpay", "platform_cert.pem"));
        return certificate.SerialNumber;
    }
}
