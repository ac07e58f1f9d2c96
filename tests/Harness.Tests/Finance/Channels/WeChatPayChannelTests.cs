using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Harness.Finance.Payments.Channels;
using Harness.Finance.Payments.Channels.WeChatPay;
using Harness.Security;
using Harness.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Harness.Tests.Finance.Channels;

/// <summary>
/// The backend's WeChat Pay v3 client against the provider sandbox on the real wire: signed requests, verified
/// answers, and notifications genuine (delivered by the sandbox) or forged with its published platform key.
/// </summary>
public sealed class WeChatPayChannelTests(WeChatPaySandboxFixture fixture) : IClassFixture<WeChatPaySandboxFixture>
{
    /// <summary>ChannelSandbox starts the sandbox clock here; orders must expire after it.</summary>
    private static readonly DateTimeOffset ExpireAt = new(2026, 11, 23, 14, 0, 0, TimeSpan.Zero);

    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private readonly ChannelSandbox _sandbox = fixture.Sandbox;
    private readonly WeChatPayForge _forge = fixture.Forge;
    private readonly ChannelHttp _http = fixture.Http;

    /// <summary>A new channel each time: its own platform certificate cache, so no test sees another's downloads.</summary>
    private WeChatPayChannel Channel(ChannelSettings? settings = null, TimeProvider? clock = null) =>
        new(settings ?? _sandbox.Settings, new ChannelClock(clock ?? TimeProvider.System), _http);

    private static ChannelOrderRequest Order(string outTradeNo, long amount = 100, string notifyUrl = "http://127.0.0.1:9/api/payment/notify/wechat") =>
        new(outTradeNo, amount, "Harness 金币 · 100 coins", ExpireAt, notifyUrl);

    private async Task PayAsync(string outTradeNo) =>
        await _sandbox.ActAsync((await _sandbox.PaymentOfAsync("wechatpay", outTradeNo))["id"]!.GetValue<string>());

    [Fact]
    public async Task An_order_is_placed_with_a_weixin_code_url_and_queried_unpaid_then_paid_with_amount_and_transaction_id()
    {
        var channel = Channel();
        Assert.Equal("wechat", channel.Name);

        var order = await channel.PlaceAsync(Order("wx_order_1", 1234), Ct);
        Assert.StartsWith("weixin://wxpay/bizpayurl?pr=", order.CodeUrl, StringComparison.Ordinal);
        Assert.Null(order.PayUrl);
        var placed = await _sandbox.PaymentOfAsync("wechatpay", "wx_order_1");
        Assert.Equal(1234, placed["amount"]!.GetValue<long>());

        var unpaid = await channel.QueryAsync("wx_order_1", Ct);
        Assert.Equal(new ChannelTrade("wx_order_1", ChannelTradeState.NotPaid, 1234, null, null), unpaid);

        await PayAsync("wx_order_1");
        var paid = await channel.QueryAsync("wx_order_1", Ct);
        Assert.Equal(ChannelTradeState.Paid, paid.State);
        Assert.Equal(1234, paid.Amount);
        Assert.Matches("^4200[0-9]{24}$", paid.ChannelTradeNo!);
        Assert.Equal(TimeSpan.FromHours(8), paid.PaidAt!.Value.Offset);
    }

    [Fact]
    public async Task An_unpaid_order_closes_and_then_queries_closed_but_a_paid_order_cannot_be_closed()
    {
        var channel = Channel();
        await channel.PlaceAsync(Order("wx_close_1"), Ct);
        await channel.CloseAsync("wx_close_1", Ct);
        Assert.Equal(ChannelTradeState.Closed, (await channel.QueryAsync("wx_close_1", Ct)).State);
        await channel.CloseAsync("wx_close_1", Ct);

        await channel.PlaceAsync(Order("wx_close_paid"), Ct);
        await PayAsync("wx_close_paid");
        var refused = await Assert.ThrowsAsync<ChannelException>(() => channel.CloseAsync("wx_close_paid", Ct));
        Assert.Contains("ORDERPAID", refused.Message, StringComparison.Ordinal);
        Assert.Equal(ChannelTradeState.Paid, (await channel.QueryAsync("wx_close_paid", Ct)).State);
    }

    [Fact]
    public async Task An_order_the_channel_never_saw_is_not_found_and_counts_as_closed()
    {
        var channel = Channel();
        Assert.Equal(new ChannelTrade("wx_never_placed", ChannelTradeState.NotFound, null, null, null), await channel.QueryAsync("wx_never_placed", Ct));
        await channel.CloseAsync("wx_never_placed", Ct);
    }

    [Fact]
    public async Task A_refused_order_is_a_ChannelException_with_WeChats_code_and_message()
    {
        var channel = Channel();
        await channel.PlaceAsync(Order("wx_refused"), Ct);
        var changed = await Assert.ThrowsAsync<ChannelException>(() => channel.PlaceAsync(Order("wx_refused", amount: 999), Ct));
        Assert.Contains("INVALID_REQUEST", changed.Message, StringComparison.Ordinal);
        Assert.Contains("商户订单号重复", changed.Message, StringComparison.Ordinal);

        var badNumber = await Assert.ThrowsAsync<ChannelException>(() => channel.PlaceAsync(Order("no"), Ct));
        Assert.Contains("PARAM_ERROR", badNumber.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_sandboxs_own_notification_verifies_with_the_paid_trade_and_is_acknowledged_with_204()
    {
        var channel = Channel();
        await using var receiver = await NotifyReceiver.StartAsync(channel);
        await channel.PlaceAsync(Order("wx_notified", 4321, receiver.Url), Ct);
        await PayAsync("wx_notified");

        var notification = await receiver.NextAsync();
        Assert.Null(notification.Refusal);
        Assert.StartsWith("EV-", notification.NotificationId, StringComparison.Ordinal);
        Assert.Equal(await channel.QueryAsync("wx_notified", Ct), notification.Trade);
        Assert.Equal(4321, notification.Trade!.Amount);

        var paymentId = (await _sandbox.PaymentOfAsync("wechatpay", "wx_notified"))["id"]!.GetValue<string>();
        var delivery = await DeliveryAsync(paymentId);
        Assert.Equal("delivered", delivery["status"]!.GetValue<string>());
        Assert.Equal(204, delivery["attempts"]![0]!["response_status"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_notification_built_like_the_sandboxs_verifies_and_other_trade_states_map()
    {
        var channel = Channel();
        var paid = await channel.ReadNotificationAsync(_forge.Signed(_forge.Envelope(WeChatPayForge.Transaction("wx_forged", total: 500))), Ct);
        Assert.Null(paid.Refusal);
        Assert.Equal("EV-2026112320000512345678", paid.NotificationId);
        Assert.Equal(
            new ChannelTrade("wx_forged", ChannelTradeState.Paid, 500, WeChatPayForge.TransactionId, new DateTimeOffset(2026, 11, 23, 20, 0, 5, TimeSpan.FromHours(8))),
            paid.Trade);

        // payer_total is what the buyer paid (a coupon paid the rest); total stands in when it is absent.
        var couponed = WeChatPayForge.Transaction("wx_coupon", total: 500);
        couponed["amount"]!["payer_total"] = 450;
        Assert.Equal(450, (await channel.ReadNotificationAsync(_forge.Signed(_forge.Envelope(couponed)), Ct)).Trade!.Amount);
        var totalOnly = WeChatPayForge.Transaction("wx_total", total: 500);
        totalOnly["amount"]!.AsObject().Remove("payer_total");
        Assert.Equal(500, (await channel.ReadNotificationAsync(_forge.Signed(_forge.Envelope(totalOnly)), Ct)).Trade!.Amount);

        foreach (var (tradeState, expected) in new[] { ("REFUND", ChannelTradeState.Refunded), ("CLOSED", ChannelTradeState.Closed), ("PAYERROR", ChannelTradeState.PayError) })
        {
            var other = await channel.ReadNotificationAsync(_forge.Signed(_forge.Envelope(WeChatPayForge.Transaction("wx_state", tradeState))), Ct);
            Assert.Equal(expected, other.Trade?.State);
        }
    }

    [Fact]
    public async Task Tampered_bodies_wrong_signatures_probes_and_unknown_serials_are_refused()
    {
        var channel = Channel();
        var body = _forge.Envelope(WeChatPayForge.Transaction("wx_spoiled"));
        var headers = _forge.Headers(body);

        var tampered = body.Replace("TRANSACTION.SUCCESS", "TRANSACTION.SUCCESs", StringComparison.Ordinal);
        AssertRefused("signature does not verify", await channel.ReadNotificationAsync(WeChatPayForge.Request(tampered, headers), Ct));

        using var otherKey = RsaKeys.Create();
        AssertRefused("signature does not verify", await channel.ReadNotificationAsync(WeChatPayForge.Request(body, _forge.Headers(body, key: otherKey)), Ct));

        var probe = new Dictionary<string, string>(headers) { ["Wechatpay-Signature"] = "WECHATPAY/SIGNTEST/" + headers["Wechatpay-Signature"] };
        AssertRefused("signature does not verify", await channel.ReadNotificationAsync(WeChatPayForge.Request(body, probe), Ct));

        var garbled = new Dictionary<string, string>(headers) { ["Wechatpay-Signature"] = "%%% not base64 %%%" };
        AssertRefused("signature does not verify", await channel.ReadNotificationAsync(WeChatPayForge.Request(body, garbled), Ct));

        // An unknown serial downloads the certificates once; the forger's own key is not among them.
        AssertRefused("no platform certificate", await channel.ReadNotificationAsync(WeChatPayForge.Request(body, _forge.Headers(body, key: otherKey, serial: "5157F09EFDC096DE15EBE81A47057A72")), Ct));
    }

    [Fact]
    public async Task A_timestamp_more_than_five_minutes_off_the_channel_clock_is_refused_either_way()
    {
        var body = _forge.Envelope(WeChatPayForge.Transaction("wx_stale"));
        var channel = Channel();
        var stale = await channel.ReadNotificationAsync(_forge.Signed(body, DateTimeOffset.UtcNow.AddMinutes(-6)), Ct);
        Assert.Matches("^timestamp [0-9]+ is outside the 5-minute window$", stale.Refusal);
        AssertRefused("outside the 5-minute window", await channel.ReadNotificationAsync(_forge.Signed(body, DateTimeOffset.UtcNow.AddMinutes(6)), Ct));
        Assert.NotNull((await channel.ReadNotificationAsync(_forge.Signed(body, DateTimeOffset.UtcNow.AddMinutes(-4)), Ct)).Trade);

        // Signed just now, read by a channel whose clock is six minutes on: a replay of an old notification.
        var later = Channel(clock: new FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(6)));
        AssertRefused("outside the 5-minute window", await later.ReadNotificationAsync(_forge.Signed(body), Ct));
    }

    [Fact]
    public async Task Undecryptable_resources_and_transactions_of_another_merchant_are_refused()
    {
        var channel = Channel();
        var otherKey = Secrets.RandomHex(16);
        AssertRefused("does not decrypt with the APIv3 key", await channel.ReadNotificationAsync(_forge.Signed(_forge.Envelope(WeChatPayForge.Transaction("wx_key"), apiV3Key: otherKey)), Ct));

        var otherMerchant = WeChatPayForge.Transaction("wx_mchid");
        otherMerchant["mchid"] = "1900000110";
        AssertRefused("not this merchant", await channel.ReadNotificationAsync(_forge.Signed(_forge.Envelope(otherMerchant)), Ct));

        var otherApp = WeChatPayForge.Transaction("wx_appid");
        otherApp["appid"] = "wx0000000000000000";
        AssertRefused("not this merchant", await channel.ReadNotificationAsync(_forge.Signed(_forge.Envelope(otherApp)), Ct));

        AssertRefused("not about a transaction", await channel.ReadNotificationAsync(_forge.Signed(_forge.Envelope(WeChatPayForge.Transaction("wx_refund"), eventType: "REFUND.SUCCESS", originalType: "refund")), Ct));
    }

    public static TheoryData<string, string> SpoiledTransactions => new()
    {
        { """{"appid":"wxd678efh567hg6787","mchid":"1900000109","out_trade_no":"wx_big","transaction_id":"4200","trade_state":"SUCCESS","amount":{"total":100000000000000000000000,"payer_total":100000000000000000000000}}""", "not a whole number of fen" },
        { """{"appid":"wxd678efh567hg6787","mchid":"1900000109","out_trade_no":"wx_neg","transaction_id":"4200","trade_state":"SUCCESS","amount":{"total":-5}}""", "not a whole number of fen" },
        { """{"appid":"wxd678efh567hg6787","mchid":"1900000109","out_trade_no":"wx_frac","transaction_id":"4200","trade_state":"SUCCESS","amount":{"payer_total":1.5}}""", "not a whole number of fen" },
        { """{"appid":"wxd678efh567hg6787","mchid":"1900000109","out_trade_no":"wx_text","transaction_id":"4200","trade_state":"SUCCESS","amount":{"total":"100"}}""", "not a whole number of fen" },
        { """{"appid":"wxd678efh567hg6787","mchid":"1900000109","out_trade_no":"wx_noamt","transaction_id":"4200","trade_state":"SUCCESS"}""", "must carry its amount and transaction_id" },
        { """{"appid":"wxd678efh567hg6787","mchid":"1900000109","out_trade_no":"wx_state","trade_state":"WHATEVER","amount":{"total":1}}""", "is not one WeChat Pay defines" },
        { """{"appid":"wxd678efh567hg6787","mchid":"1900000109","out_trade_no":7,"trade_state":"SUCCESS"}""", "no out_trade_no" },
        { """{"appid":"wxd678efh567hg6787","mchid":"1900000109","out_trade_no":"wx_time","transaction_id":"4200","trade_state":"SUCCESS","success_time":"yesterday","amount":{"total":1}}""", "not an RFC 3339 time" },
        { """{"appid":"wxd678efh567hg6787","mchid":"1900000109","out_trade_no":"wx_dup","out_trade_no":"wx_other","trade_state":"NOTPAY"}""", "not well-formed JSON" },
        { """{"appid":"wxd678efh567hg6787","mchid":"1900000109","out_trade_no":"\ud800","trade_state":"NOTPAY"}""", "not well-formed JSON" },
        { "[1,2,3]", "not this merchant" },
        { "not json at all", "not well-formed JSON" },
    };

    [Theory]
    [MemberData(nameof(SpoiledTransactions))]
    public async Task A_genuinely_signed_notification_whose_transaction_is_malformed_is_refused(string transactionJson, string reason)
    {
        var (ciphertext, nonce) = Harness.Security.Signing.AesGcmText.Encrypt(_forge.ApiV3Key, "transaction", transactionJson);
        var body = $$$"""{"id":"EV-1","event_type":"TRANSACTION.SUCCESS","resource_type":"encrypt-resource","resource":{"original_type":"transaction","algorithm":"AEAD_AES_256_GCM","ciphertext":"{{{ciphertext}}}","associated_data":"transaction","nonce":"{{{nonce}}}"}}""";
        AssertRefused(reason, await Channel().ReadNotificationAsync(_forge.Signed(body), Ct));
    }

    public static TheoryData<string, string> GarbageBodies => new()
    {
        { "", "body is missing" },
        { "not json", "not well-formed JSON" },
        { "[]", "not a JSON object" },
        { "null", "not a JSON object" },
        { "{}", "no resource object" },
        { """{"resource":"AAAA"}""", "no resource object" },
        { """{"event_type":"TRANSACTION.SUCCESS","resource":{"original_type":"transaction","algorithm":"AES_128_CBC"}}""", "is not AEAD_AES_256_GCM" },
        { """{"event_type":"TRANSACTION.SUCCESS","resource":{"original_type":"transaction","algorithm":"AEAD_AES_256_GCM","ciphertext":"!!not base64!!","nonce":"123456789012","associated_data":"transaction"}}""", "does not decrypt" },
        { """{"event_type":"TRANSACTION.SUCCESS","resource":{"original_type":"transaction","algorithm":"AEAD_AES_256_GCM","ciphertext":"AAAA","nonce":"short","associated_data":"transaction"}}""", "does not decrypt" },
        { """{"event_type":"TRANSACTION.SUCCESS","resource":{"original_type":"transaction","algorithm":"AEAD_AES_256_GCM","ciphertext":12,"nonce":[],"associated_data":{}}}""", "does not decrypt" },
        { """{"event_type":7,"resource":{"original_type":"transaction","algorithm":"AEAD_AES_256_GCM"}}""", "not about a transaction" },
        { """{"event_type":"TRANSACTION.SUCCESS","resource":{"original_type":"\udc00","algorithm":"AEAD_AES_256_GCM"}}""", "not well-formed JSON" },
        { new string('[', 200) + new string(']', 200), "not well-formed JSON" },
        { "{\"id\":\"" + new string('x', 70 * 1024) + "\"}", "larger than 64 KB" },
    };

    [Theory]
    [MemberData(nameof(GarbageBodies))]
    public async Task Genuinely_signed_garbage_is_refused_with_a_reason_never_an_exception(string body, string reason) =>
        AssertRefused(reason, await Channel().ReadNotificationAsync(_forge.Signed(body), Ct));

    [Fact]
    public async Task Missing_repeated_or_malformed_signature_headers_are_refused()
    {
        var channel = Channel();
        var body = _forge.Envelope(WeChatPayForge.Transaction("wx_headers"));
        foreach (var name in new[] { "Wechatpay-Timestamp", "Wechatpay-Nonce", "Wechatpay-Signature", "Wechatpay-Serial" })
        {
            var headers = _forge.Headers(body);
            headers.Remove(name);
            AssertRefused($"the {name} header is missing", await channel.ReadNotificationAsync(WeChatPayForge.Request(body, headers), Ct));
        }

        var repeated = _forge.Signed(body);
        repeated.Headers["Wechatpay-Serial"] = new[] { "A", "B" };
        AssertRefused("missing or repeated", await channel.ReadNotificationAsync(repeated, Ct));

        foreach (var timestamp in new[] { "soon", "-5", "99999999999999999999999", "253402300800" })
        {
            var headers = _forge.Headers(body);
            headers["Wechatpay-Timestamp"] = timestamp;
            AssertRefused("is not unix seconds", await channel.ReadNotificationAsync(WeChatPayForge.Request(body, headers), Ct));
        }
    }

    [Fact]
    public async Task A_refusal_over_the_wire_is_a_400_with_a_FAIL_body_and_an_acknowledgement_a_204()
    {
        var channel = Channel();
        await using var receiver = await NotifyReceiver.StartAsync(channel);
        using var client = new HttpClient();

        async Task<HttpResponseMessage> PostAsync(string body, DateTimeOffset at)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, receiver.Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            foreach (var (name, value) in _forge.Headers(body, at))
            {
                request.Headers.Add(name, value);
            }

            return await client.SendAsync(request, Ct);
        }

        var body = _forge.Envelope(WeChatPayForge.Transaction("wx_wire"));
        using var refused = await PostAsync(body, DateTimeOffset.UtcNow.AddMinutes(-10));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var answer = JsonNode.Parse(await refused.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal("FAIL", answer["code"]!.GetValue<string>());
        Assert.Contains("outside the 5-minute window", answer["message"]!.GetValue<string>(), StringComparison.Ordinal);

        using var acknowledged = await PostAsync(body, DateTimeOffset.UtcNow);
        Assert.Equal(HttpStatusCode.NoContent, acknowledged.StatusCode);
        Assert.Empty(await acknowledged.Content.ReadAsByteArrayAsync(Ct));
    }

    [Fact]
    public async Task A_wrong_merchant_key_is_refused_by_WeChat_and_surfaces_as_a_ChannelException()
    {
        using var otherKey = RsaKeys.Create();
        var channel = Channel(_sandbox.SettingsWith(new Dictionary<string, string?> { ["WECHAT_PAY_PRIVATE_KEY"] = RsaKeys.PrivateKeyPem(otherKey) }));
        var refused = await Assert.ThrowsAsync<ChannelException>(() => channel.PlaceAsync(Order("wx_wrong_key"), Ct));
        Assert.Contains("SIGN_ERROR", refused.Message, StringComparison.Ordinal);

        var notAKey = Channel(_sandbox.SettingsWith(new Dictionary<string, string?> { ["WECHAT_PAY_PRIVATE_KEY"] = "not a pem" }));
        await Assert.ThrowsAsync<ChannelException>(() => notAKey.PlaceAsync(Order("wx_no_key"), Ct));
    }

    [Fact]
    public async Task With_a_wrong_APIv3_key_no_platform_certificate_is_trusted_so_answers_and_notifications_are_refused()
    {
        var channel = Channel(_sandbox.SettingsWith(new Dictionary<string, string?> { ["WECHAT_PAY_API_V3_KEY"] = Secrets.RandomHex(16) }));
        var untrusted = await Assert.ThrowsAsync<ChannelException>(() => channel.PlaceAsync(Order("wx_wrong_apiv3"), Ct));
        Assert.Contains("APIv3 key", untrusted.Message, StringComparison.Ordinal);

        // The order did reach WeChat; what came back could not be verified, so the code URL was not used.
        Assert.NotNull(await _sandbox.PaymentOfAsync("wechatpay", "wx_wrong_apiv3"));
        var notification = await channel.ReadNotificationAsync(_forge.Signed(_forge.Envelope(WeChatPayForge.Transaction("wx_wrong_apiv3"))), Ct);
        AssertRefused("no platform certificate", notification);
    }

    [Theory]
    [InlineData(AnswerSigning.OtherKey, "its signature does not verify")]
    [InlineData(AnswerSigning.NoSignature, "no Wechatpay-* signature headers")]
    [InlineData(AnswerSigning.TenMinutesOld, "outside the 5-minute window")]
    public async Task An_answer_not_signed_by_the_platform_now_is_never_trusted(AnswerSigning signing, string reason)
    {
        await using var genuine = await FakeWeChatPay.StartAsync(_forge, AnswerSigning.Genuine);
        var trusting = Channel(_sandbox.SettingsWith(new Dictionary<string, string?> { ["WECHAT_PAY_BASE_URL"] = genuine.BaseUrl }));
        Assert.Equal(FakeWeChatPay.CodeUrl, (await trusting.PlaceAsync(Order("wx_fake"), Ct)).CodeUrl);

        await using var forged = await FakeWeChatPay.StartAsync(_forge, signing);
        var channel = Channel(_sandbox.SettingsWith(new Dictionary<string, string?> { ["WECHAT_PAY_BASE_URL"] = forged.BaseUrl }));
        var untrusted = await Assert.ThrowsAsync<ChannelException>(() => channel.PlaceAsync(Order("wx_fake"), Ct));
        Assert.Contains("not trusted", untrusted.Message, StringComparison.Ordinal);
        Assert.Contains(reason, untrusted.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unconfigured_or_unreachable_WeChat_is_a_ChannelException_and_a_notification_refusal()
    {
        var unconfigured = Channel(_sandbox.SettingsWith(new Dictionary<string, string?> { ["Harness:Payments:SandboxKeys"] = Path.Combine(Path.GetTempPath(), "no-such-keys-" + Guid.NewGuid().ToString("N")) }));
        var notConfigured = await Assert.ThrowsAsync<ChannelException>(() => unconfigured.PlaceAsync(Order("wx_unconfigured"), Ct));
        Assert.Contains("not configured", notConfigured.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ChannelException>(() => unconfigured.QueryAsync("wx_unconfigured", Ct));
        await Assert.ThrowsAsync<ChannelException>(() => unconfigured.CloseAsync("wx_unconfigured", Ct));
        AssertRefused("not configured", await unconfigured.ReadNotificationAsync(_forge.Signed(_forge.Envelope(WeChatPayForge.Transaction("wx_unconfigured"))), Ct));

        var unreachable = Channel(_sandbox.SettingsWith(new Dictionary<string, string?> { ["WECHAT_PAY_BASE_URL"] = "http://127.0.0.1:9" }));
        var down = await Assert.ThrowsAsync<ChannelException>(() => unreachable.QueryAsync("wx_down", Ct));
        Assert.Contains("could not be reached", down.Message, StringComparison.Ordinal);
    }

    private async Task<JsonObject> DeliveryAsync(string paymentId)
    {
        // The sandbox logs the attempt just after the receiver has answered it.
        for (var wait = 0; ; wait++)
        {
            var deliveries = (JsonArray)JsonNode.Parse(await _sandbox.Control.GetStringAsync($"/control/deliveries?payment_id={paymentId}", Ct))!;
            if (deliveries.SingleOrDefault() is JsonObject { } delivery && (delivery["status"]!.GetValue<string>() != "pending" || wait == 100))
            {
                return delivery;
            }

            await Task.Delay(50, Ct);
        }
    }

    private static void AssertRefused(string reason, ChannelNotification notification)
    {
        Assert.Null(notification.Trade);
        Assert.NotNull(notification.Refusal);
        Assert.Contains(reason, notification.Refusal, StringComparison.Ordinal);
    }
}

/// <summary>One sandbox for the class (every test uses its own order numbers), with its forge and the shared HTTP client.</summary>
public sealed class WeChatPaySandboxFixture : IAsyncLifetime
{
    public ChannelSandbox Sandbox { get; private set; } = null!;

    internal WeChatPayForge Forge { get; private set; } = null!;

    public ChannelHttp Http { get; } = new();

    public async ValueTask InitializeAsync()
    {
        Sandbox = await ChannelSandbox.StartAsync();
        Forge = new WeChatPayForge(Sandbox.Server.Options.DataDirectory);
    }

    public async ValueTask DisposeAsync()
    {
        Forge.Dispose();
        Http.Dispose();
        await Sandbox.DisposeAsync();
    }
}
