using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Harness.Finance.Payments.Channels;
using Harness.Finance.Payments.Channels.Alipay;
using Harness.Security;
using Harness.Security.Signing;
using Harness.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Harness.Tests.Finance.Channels;

/// <summary>One provider sandbox for the whole class: each test uses its own order numbers.</summary>
public sealed class AlipaySandboxFixture : IAsyncLifetime
{
    public ChannelSandbox Sandbox { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Sandbox = await ChannelSandbox.StartAsync();

    public ValueTask DisposeAsync() => Sandbox.DisposeAsync();
}

/// <summary>The backend's Alipay client against the provider sandbox, on the wire.</summary>
public sealed class AlipayChannelTests(AlipaySandboxFixture fixture) : IClassFixture<AlipaySandboxFixture>, IDisposable
{
    /// <summary>The instant the stale-notification tests stand at (the channel's clock is a fake one there).</summary>
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private readonly ChannelHttp _http = new();

    private ChannelSandbox Sandbox => fixture.Sandbox;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Place_answers_the_qr_code_of_a_precreated_trade()
    {
        var order = await Channel().PlaceAsync(Order(100), Cancel);

        Assert.StartsWith(Sandbox.Server.ControlBaseUrl + "/pay/", order.CodeUrl, StringComparison.Ordinal);
        Assert.Null(order.PayUrl);
    }

    [Fact]
    public async Task Query_follows_a_trade_from_unscanned_through_waiting_to_paid()
    {
        var channel = Channel();
        var request = Order(100);
        var order = await channel.PlaceAsync(request, Cancel);
        Assert.Equal(ChannelTradeState.NotFound, (await channel.QueryAsync(request.OutTradeNo, Cancel)).State);

        await ScanAsync(order);
        var waiting = await channel.QueryAsync(request.OutTradeNo, Cancel);
        Assert.Equal((ChannelTradeState.NotPaid, 100L), (waiting.State, waiting.Amount));

        var tradeNo = await PayAsync(request.OutTradeNo);
        var paid = await channel.QueryAsync(request.OutTradeNo, Cancel);
        Assert.Equal(new ChannelTrade(request.OutTradeNo, ChannelTradeState.Paid, 100, tradeNo, Truncated(Sandbox.Server.Options.Clock.GetUtcNow())), paid);
    }

    [Fact]
    public async Task Query_of_an_unknown_trade_is_NotFound()
    {
        var trade = await Channel().QueryAsync("never_placed_" + Guid.NewGuid().ToString("N"), Cancel);

        Assert.Equal(ChannelTradeState.NotFound, trade.State);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(123456)]
    [InlineData(10_000_000_000)]
    public async Task Amounts_in_fen_round_trip_exactly(long fen)
    {
        var channel = Channel();
        var request = Order(fen);
        await channel.PlaceAsync(request, Cancel);
        Assert.Equal(fen, (long)(await Sandbox.PaymentOfAsync("alipay", request.OutTradeNo))["amount"]!);

        await PayAsync(request.OutTradeNo);
        Assert.Equal(fen, (await channel.QueryAsync(request.OutTradeNo, Cancel)).Amount);
    }

    [Fact]
    public async Task Close_of_a_waiting_trade_closes_it_and_may_be_repeated()
    {
        var channel = Channel();
        var request = Order(100);
        await ScanAsync(await channel.PlaceAsync(request, Cancel));

        await channel.CloseAsync(request.OutTradeNo, Cancel);
        await channel.CloseAsync(request.OutTradeNo, Cancel);

        Assert.Equal(ChannelTradeState.Closed, (await channel.QueryAsync(request.OutTradeNo, Cancel)).State);
    }

    [Fact]
    public async Task Close_of_a_trade_Alipay_does_not_have_counts_as_closed()
    {
        var channel = Channel();
        var request = Order(100);
        await channel.PlaceAsync(request, Cancel);

        await channel.CloseAsync(request.OutTradeNo, Cancel); // never scanned: ACQ.TRADE_NOT_EXIST
        await channel.CloseAsync("never_placed_" + Guid.NewGuid().ToString("N"), Cancel);
    }

    [Fact]
    public async Task Close_of_a_paid_trade_throws()
    {
        var channel = Channel();
        var request = Order(100);
        await channel.PlaceAsync(request, Cancel);
        await PayAsync(request.OutTradeNo);

        var refused = await Assert.ThrowsAsync<ChannelException>(() => channel.CloseAsync(request.OutTradeNo, Cancel));
        Assert.Contains("ACQ.TRADE_STATUS_ERROR", refused.Message, StringComparison.Ordinal);
        Assert.Equal(ChannelTradeState.Paid, (await channel.QueryAsync(request.OutTradeNo, Cancel)).State);
    }

    [Fact]
    public async Task Place_refusals_carry_Alipays_codes()
    {
        var refused = await Assert.ThrowsAsync<ChannelException>(() => Channel().PlaceAsync(Order(100) with { OutTradeNo = "not/valid" }, Cancel));

        Assert.Contains("ACQ.INVALID_PARAMETER", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pkcs1-pem")]
    [InlineData("pkcs8-base64")]
    [InlineData("pkcs1-base64")]
    public async Task The_app_key_may_be_given_in_any_of_the_consoles_forms(string form)
    {
        using var key = RsaKeys.ImportPrivate(SandboxKey("app_private_key.pem"));
        var text = form switch
        {
            "pkcs1-pem" => key.ExportRSAPrivateKeyPem(),
            "pkcs8-base64" => Convert.ToBase64String(key.ExportPkcs8PrivateKey()),
            _ => Convert.ToBase64String(key.ExportRSAPrivateKey()),
        };

        var order = await Channel(Sandbox.SettingsWith(new Dictionary<string, string?> { ["ALIPAY_PRIVATE_KEY"] = text })).PlaceAsync(Order(100), Cancel);

        Assert.NotNull(order.CodeUrl);
    }

    [Fact]
    public async Task A_wrong_app_key_is_refused_by_the_gateway()
    {
        var settings = Sandbox.SettingsWith(new Dictionary<string, string?> { ["ALIPAY_PRIVATE_KEY"] = OtherKeyPem() });

        var refused = await Assert.ThrowsAsync<ChannelException>(() => Channel(settings).PlaceAsync(Order(100), Cancel));

        Assert.Contains("isv.invalid-signature", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Answers_that_do_not_verify_with_the_configured_Alipay_key_are_not_trusted()
    {
        using var other = RsaKeys.Create();
        var channel = Channel(Sandbox.SettingsWith(new Dictionary<string, string?> { ["ALIPAY_PUBLIC_KEY"] = RsaKeys.PublicKeyPem(other) }));

        var placing = await Assert.ThrowsAsync<ChannelException>(() => channel.PlaceAsync(Order(100), Cancel));
        var querying = await Assert.ThrowsAsync<ChannelException>(() => channel.QueryAsync("anything", Cancel));

        Assert.Contains("does not verify", placing.Message, StringComparison.Ordinal);
        Assert.Contains("does not verify", querying.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_gateway_or_missing_keys_throw_ChannelException()
    {
        var unreachable = Channel(Sandbox.SettingsWith(new Dictionary<string, string?> { ["ALIPAY_GATEWAY"] = "http://127.0.0.1:1/gateway.do" }));
        var unconfigured = Channel(Sandbox.SettingsWith(new Dictionary<string, string?> { ["Harness:Payments:SandboxKeys"] = Path.Combine(Path.GetTempPath(), "no-keys-" + Guid.NewGuid().ToString("N")) }));

        await Assert.ThrowsAsync<ChannelException>(() => unreachable.QueryAsync("anything", Cancel));
        var missing = await Assert.ThrowsAsync<ChannelException>(() => unconfigured.PlaceAsync(Order(100), Cancel));
        Assert.Contains("ALIPAY_PRIVATE_KEY", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_genuine_notify_from_the_sandbox_verifies_and_is_acknowledged_with_success()
    {
        var channel = Channel();
        await using var receiver = await NotifyReceiver.StartAsync(channel);
        var request = Order(123456, receiver.Url);
        await channel.PlaceAsync(request, Cancel);

        var tradeNo = await PayAsync(request.OutTradeNo);
        var notification = await receiver.NextAsync();

        Assert.Null(notification.Refusal);
        Assert.Equal(new ChannelTrade(request.OutTradeNo, ChannelTradeState.Paid, 123456, tradeNo, Truncated(Sandbox.Server.Options.Clock.GetUtcNow())), notification.Trade);
        Assert.False(string.IsNullOrEmpty(notification.NotificationId));
        var delivery = await DeliveredAsync(tradeNo);
        Assert.Equal("success", (string?)delivery["attempts"]![0]!["response_body"]);
    }

    [Fact]
    public async Task A_notify_within_five_minutes_either_way_verifies_and_is_answered_success_as_text()
    {
        var channel = Channel(clock: new FakeTimeProvider(Now));
        await using var receiver = await NotifyReceiver.StartAsync(channel);

        foreach (var sentAt in new[] { Now.AddMinutes(-4), Now.AddMinutes(4) })
        {
            using var response = await PostAsync(receiver, Form(Signed(Notice("o_1", "12.34", sentAt))));
            var notification = await receiver.NextAsync();

            Assert.Equal(new ChannelTrade("o_1", ChannelTradeState.Paid, 1234, "2026112322001400001234567890", Now.AddMinutes(-5)), notification.Trade);
            Assert.Equal("nid_o_1", notification.NotificationId);
            Assert.Equal((HttpStatusCode.OK, "text/plain", "success"), (response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync(Cancel)));
        }
    }

    [Theory]
    [InlineData("WAIT_BUYER_PAY", ChannelTradeState.NotPaid)]
    [InlineData("TRADE_FINISHED", ChannelTradeState.Paid)]
    [InlineData("TRADE_CLOSED", ChannelTradeState.Closed)]
    public async Task Other_trade_statuses_map_to_their_states(string status, ChannelTradeState state)
    {
        var notice = Notice("o_2", "1.00", Now);
        notice["trade_status"] = status;

        var notification = await ReadAsync(Form(Signed(notice)));

        Assert.Equal(state, notification.Trade?.State);
    }

    [Theory]
    [InlineData("stale", "outside the 5-minute window")]
    [InlineData("future", "outside the 5-minute window")]
    [InlineData("tampered_amount", "does not verify")]
    [InlineData("other_key", "does not verify")]
    [InlineData("other_app", "app_id")]
    [InlineData("missing_sign", "no sign")]
    [InlineData("malformed_amount", "total_amount")]
    [InlineData("unknown_status", "trade_status")]
    public async Task Spoiled_notifies_are_refused_with_fail(string spoil, string reason)
    {
        var notice = Notice("o_3", "100.00", Now);
        notice["notify_time"] = Time(spoil switch { "stale" => Now.AddMinutes(-5).AddSeconds(-1), "future" => Now.AddMinutes(6), _ => Now });
        notice["app_id"] = spoil == "other_app" ? "2021000000009999" : notice["app_id"];
        notice["total_amount"] = spoil == "malformed_amount" ? "1.234" : notice["total_amount"];
        notice["trade_status"] = spoil == "unknown_status" ? "TRADE_PENDING" : notice["trade_status"];
        var signed = Signed(notice, spoil == "other_key" ? OtherKeyPem() : SandboxKey("alipay_private_key.pem"));
        signed["total_amount"] = spoil == "tampered_amount" ? "1000.00" : signed["total_amount"];
        if (spoil == "missing_sign")
        {
            signed.Remove("sign");
        }

        await AssertRefusedAsync(Form(signed), reason);
    }

    [Theory]
    [InlineData("application/json", "{\"trade_status\":\"TRADE_SUCCESS\"}", "content type")]
    [InlineData("multipart/form-data; boundary=x", "--x--", "content type")]
    [InlineData("application/x-www-form-urlencoded; charset=gbk", "a=b", "charset")]
    [InlineData("application/x-www-form-urlencoded", "", "empty")]
    [InlineData("application/x-www-form-urlencoded", "trade_status=%zz&sign=x", "malformed")]
    [InlineData("application/x-www-form-urlencoded", "justtext", "malformed")]
    [InlineData("application/x-www-form-urlencoded", "=nokey", "malformed")]
    [InlineData("application/x-www-form-urlencoded", "sign=a&sign=b", "twice")]
    public async Task Garbage_is_refused_with_a_reason(string contentType, string body, string reason)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        await AssertRefusedAsync(content, reason);
    }

    [Fact]
    public async Task Oversized_and_non_utf8_bodies_are_refused()
    {
        await AssertRefusedAsync(Form(new Dictionary<string, string> { ["body"] = new('x', 70 * 1024) }), "64 KB");
        var latin = new ByteArrayContent([(byte)'a', (byte)'=', 0xFF, 0xFE]);
        latin.Headers.TryAddWithoutValidation("Content-Type", "application/x-www-form-urlencoded");
        await AssertRefusedAsync(latin, "UTF-8");
    }

    [Fact]
    public async Task Notifies_are_refused_when_the_Alipay_key_is_wrong_or_missing()
    {
        using var other = RsaKeys.Create();
        var wrongKey = Channel(Sandbox.SettingsWith(new Dictionary<string, string?> { ["ALIPAY_PUBLIC_KEY"] = RsaKeys.PublicKeyBase64(other) }), new FakeTimeProvider(Now));
        var noKeys = Channel(Sandbox.SettingsWith(new Dictionary<string, string?> { ["Harness:Payments:SandboxKeys"] = Path.Combine(Path.GetTempPath(), "no-keys-" + Guid.NewGuid().ToString("N")) }), new FakeTimeProvider(Now));

        Assert.Contains("does not verify", (await ReadAsync(Form(Signed(Notice("o_4", "1.00", Now))), wrongKey)).Refusal, StringComparison.Ordinal);
        Assert.Contains("not configured", (await ReadAsync(Form(Signed(Notice("o_4", "1.00", Now))), noKeys)).Refusal, StringComparison.Ordinal);
    }

    public void Dispose() => _http.Dispose();

    private AlipayChannel Channel(ChannelSettings? settings = null, TimeProvider? clock = null) =>
        new(settings ?? Sandbox.Settings, new ChannelClock(clock ?? TimeProvider.System), _http);

    /// <summary>An order expiring two hours after the sandbox's (test) clock, which checks time_expire against it.</summary>
    private ChannelOrderRequest Order(long fen, string notifyUrl = "http://127.0.0.1:9/notify") =>
        new("hx_" + Guid.NewGuid().ToString("N"), fen, "Harness coins", Sandbox.Server.Options.Clock.GetUtcNow().AddHours(2), notifyUrl);

    /// <summary>The buyer opens the code (the scan that makes the trade exist at Alipay).</summary>
    private async Task ScanAsync(ChannelOrder order) => (await Sandbox.Control.GetAsync(order.CodeUrl, Cancel)).EnsureSuccessStatusCode();

    /// <summary>Pays as the buyer; returns Alipay's trade_no (the sandbox payment id).</summary>
    private async Task<string> PayAsync(string outTradeNo)
    {
        var paymentId = (string)(await Sandbox.PaymentOfAsync("alipay", outTradeNo))["id"]!;
        await Sandbox.ActAsync(paymentId);
        return paymentId;
    }

    private async Task<JsonNode> DeliveredAsync(string paymentId)
    {
        for (var wait = 0; ; wait++)
        {
            var deliveries = JsonNode.Parse(await Sandbox.Control.GetStringAsync($"/control/deliveries?payment_id={paymentId}", Cancel))!.AsArray();
            if ((deliveries is [{ } delivery] && (string?)delivery["status"] == "delivered") || wait == 100)
            {
                return Assert.Single(deliveries)!;
            }

            await Task.Delay(100, Cancel);
        }
    }

    /// <summary>A paid-trade notify with the fields the sandbox sends, for the sandbox's app.</summary>
    private static Dictionary<string, string> Notice(string outTradeNo, string yuan, DateTimeOffset sentAt) => new(StringComparer.Ordinal)
    {
        ["notify_time"] = Time(sentAt),
        ["notify_type"] = "trade_status_sync",
        ["notify_id"] = "nid_" + outTradeNo,
        ["app_id"] = ChannelSettings.AlipaySandboxAppId,
        ["charset"] = "utf-8",
        ["version"] = "1.0",
        ["trade_no"] = "2026112322001400001234567890",
        ["out_trade_no"] = outTradeNo,
        ["trade_status"] = "TRADE_SUCCESS",
        ["total_amount"] = yuan,
        ["subject"] = "Harness coins & more",
        ["gmt_payment"] = Time(Now.AddMinutes(-5)),
    };

    /// <summary>Signed as Alipay does: RSA2 over the sorted parameters without sign and sign_type.</summary>
    private Dictionary<string, string> Signed(Dictionary<string, string> notice, string? privateKeyPem = null)
    {
        using var key = RsaKeys.ImportPrivate(privateKeyPem ?? SandboxKey("alipay_private_key.pem"));
        return new(notice, StringComparer.Ordinal) { ["sign_type"] = "RSA2", ["sign"] = RsaSignature.Sign(key, AlipaySignContent.Of(notice)) };
    }

    private static FormUrlEncodedContent Form(Dictionary<string, string> parameters) => new(parameters);

    private async Task<ChannelNotification> ReadAsync(HttpContent content, AlipayChannel? channel = null)
    {
        await using var receiver = await NotifyReceiver.StartAsync(channel ?? Channel(clock: new FakeTimeProvider(Now)));
        using var response = await PostAsync(receiver, content);
        return await receiver.NextAsync();
    }

    private async Task AssertRefusedAsync(HttpContent content, string reason)
    {
        await using var receiver = await NotifyReceiver.StartAsync(Channel(clock: new FakeTimeProvider(Now)));
        using var response = await PostAsync(receiver, content);
        var notification = await receiver.NextAsync();

        Assert.Null(notification.Trade);
        Assert.Contains(reason, notification.Refusal, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.BadRequest, "text/plain", "fail"), (response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync(Cancel)));
    }

    private static async Task<HttpResponseMessage> PostAsync(NotifyReceiver receiver, HttpContent content)
    {
        using var client = new HttpClient();
        return await client.PostAsync(receiver.Url, content, Cancel);
    }

    private string SandboxKey(string file) => File.ReadAllText(Path.Combine(Sandbox.Server.Options.DataDirectory, "keys", "alipay", file));

    private static string OtherKeyPem()
    {
        using var key = RsaKeys.Create();
        return RsaKeys.PrivateKeyPem(key);
    }

    private static string Time(DateTimeOffset time) => time.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>Alipay's times have whole seconds.</summary>
    private static DateTimeOffset Truncated(DateTimeOffset time) => new(time.Ticks - (time.Ticks % TimeSpan.TicksPerSecond), time.Offset);
}
