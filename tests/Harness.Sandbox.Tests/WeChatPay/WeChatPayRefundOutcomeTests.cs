using System.Net;
using System.Text.Json.Nodes;
using Harness.Conformance.Steps.Providers;
using Harness.Sandbox.Tests.Support;
using static Harness.Sandbox.Tests.WeChatPay.WeChatPayTests;

namespace Harness.Sandbox.Tests.WeChatPay;

/// <summary>
/// Refunds that do not simply succeed: the <c>refund_outcome</c> setting makes them ABNORMAL or CLOSED (with
/// REFUND.ABNORMAL / REFUND.CLOSED), and 发起异常退款 sends an abnormal one to a bank card with encrypted fields.
/// </summary>
public sealed class WeChatPayRefundOutcomeTests
{
    internal const long Total = 1000;

    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    /// <summary>A sandbox with a paid order of <see cref="Total"/> fen whose notifications go to the receiver.</summary>
    internal sealed class PaidOrder : IAsyncDisposable
    {
        public required TestSandbox Sandbox { get; init; }

        public required WeChatPayWire Wire { get; init; }

        public required Receiver Receiver { get; init; }

        public required string TransactionId { get; init; }

        public static async Task<PaidOrder> StartAsync(string? refundOutcome = null)
        {
            var sandbox = await TestSandbox.StartAsync();
            if (refundOutcome is not null)
            {
                (await sandbox.PutSettingsAsync("wechatpay", new { refund_outcome = refundOutcome })).EnsureSuccessStatusCode();
            }

            var wire = await WireAsync(sandbox);
            var receiver = await Receiver.StartAsync("/wechatpay/notify");
            var paymentId = await PlaceAsync(sandbox, wire, Order(wire, "order_outcome", receiver.Url, total: Total));
            await sandbox.ActAsync(paymentId, "pay");
            var transactionId = wire.Resource((await receiver.NextAsync()).Body)["transaction_id"]!.GetValue<string>();
            return new PaidOrder { Sandbox = sandbox, Wire = wire, Receiver = receiver, TransactionId = transactionId };
        }

        public Task<(HttpStatusCode Status, string Body, JsonObject? Json)> RefundAsync(string outRefundNo, long amount) =>
            CallAsync(Wire, Wire.Request(HttpMethod.Post, "/v3/refund/domestic/refunds", new JsonObject
            {
                ["transaction_id"] = TransactionId,
                ["out_refund_no"] = outRefundNo,
                ["notify_url"] = Receiver.Url,
                ["amount"] = new JsonObject { ["refund"] = amount, ["total"] = Total, ["currency"] = "CNY" },
            }));

        public async Task<JsonObject> QueryAsync(string outRefundNo) =>
            (await CallAsync(Wire, Wire.Request(HttpMethod.Get, "/v3/refund/domestic/refunds/" + outRefundNo))).Json!;

        /// <summary>The next notification: its event_type and decrypted resource, after checking its signature.</summary>
        public async Task<(string EventType, JsonObject Resource)> NoticeAsync()
        {
            var notice = await Receiver.NextAsync();
            Assert.True(Wire.Verify(notice.Header("Wechatpay-Timestamp"), notice.Header("Wechatpay-Nonce"), notice.Body, notice.Header("Wechatpay-Signature")));
            return (JsonNode.Parse(notice.Body)!["event_type"]!.GetValue<string>(), Wire.Resource(notice.Body));
        }

        public Task<(HttpStatusCode Status, string Body, JsonObject? Json)> ApplyAbnormalAsync(string refundId, JsonObject body, string? serial)
        {
            var request = Wire.Request(HttpMethod.Post, $"/v3/refund/domestic/refunds/{refundId}/apply-abnormal-refund", body);
            if (serial is not null)
            {
                request.Headers.Add("Wechatpay-Serial", serial);
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

    internal static JsonObject ToUserCard(WeChatPayWire wire, string outRefundNo, string account = "6214830100001234", bool withPublicKey = false) => new()
    {
        ["out_refund_no"] = outRefundNo,
        ["type"] = "USER_BANK_CARD",
        ["bank_type"] = "CMB_DEBIT",
        ["bank_account"] = wire.EncryptSensitive(account, withPublicKey),
        ["real_name"] = wire.EncryptSensitive("张三", withPublicKey),
    };

    [Fact]
    public async Task An_abnormal_refund_is_told_by_REFUND_ABNORMAL_and_refunded_to_the_buyers_card_through_apply_abnormal_refund()
    {
        await using var paid = await PaidOrder.StartAsync("ABNORMAL");
        var (status, _, created) = await paid.RefundAsync("refund_abnormal", 400);
        Assert.Equal((HttpStatusCode.OK, "PROCESSING"), (status, created!["status"]!.GetValue<string>()));

        var (eventType, notice) = await paid.NoticeAsync();
        Assert.Equal(("REFUND.ABNORMAL", "ABNORMAL"), (eventType, notice["refund_status"]!.GetValue<string>()));
        Assert.Null(notice["success_time"]);
        var queried = await paid.QueryAsync("refund_abnormal");
        Assert.Equal("ABNORMAL", queried["status"]!.GetValue<string>());
        Assert.Null(queried["success_time"]);

        // The money is still out of the order: only 600 is left to refund.
        var (overStatus, _, over) = await paid.RefundAsync("refund_more", 601);
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_REQUEST"), (overStatus, over!["code"]!.GetValue<string>()));

        var refundId = created["refund_id"]!.GetValue<string>();
        var (applied, _, answer) = await paid.ApplyAbnormalAsync(refundId, ToUserCard(paid.Wire, "refund_abnormal"), paid.Wire.PlatformSerialNo);
        Assert.Equal(HttpStatusCode.OK, applied);
        Assert.Equal(("PROCESSING", "OTHER_BANKCARD", "招商银行借记卡1234"),
            (answer!["status"]!.GetValue<string>(), answer["channel"]!.GetValue<string>(), answer["user_received_account"]!.GetValue<string>()));
        var (successType, success) = await paid.NoticeAsync();
        Assert.Equal(("REFUND.SUCCESS", "SUCCESS", "招商银行借记卡1234"),
            (successType, success["refund_status"]!.GetValue<string>(), success["user_received_account"]!.GetValue<string>()));
        Assert.NotNull(success["success_time"]);
        Assert.Equal("SUCCESS", (await paid.QueryAsync("refund_abnormal"))["status"]!.GetValue<string>());

        var (again, _, refused) = await paid.ApplyAbnormalAsync(refundId, ToUserCard(paid.Wire, "refund_abnormal"), paid.Wire.PlatformSerialNo);
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_REQUEST"), (again, refused!["code"]!.GetValue<string>()));
    }

    [Fact]
    public async Task An_abnormal_refund_can_go_to_the_merchants_bank_account_and_fields_encrypted_with_the_public_key_open()
    {
        await using var paid = await PaidOrder.StartAsync("ABNORMAL");
        var first = (await paid.RefundAsync("refund_to_merchant", 100)).Json!["refund_id"]!.GetValue<string>();
        var second = (await paid.RefundAsync("refund_by_public_key", 100)).Json!["refund_id"]!.GetValue<string>();

        var toMerchant = new JsonObject { ["out_refund_no"] = "refund_to_merchant", ["type"] = "MERCHANT_BANK_CARD" };
        var (status, _, answer) = await paid.ApplyAbnormalAsync(first, toMerchant, null);
        Assert.Equal((HttpStatusCode.OK, "交易商户银行账户"), (status, answer!["user_received_account"]!.GetValue<string>()));

        var (keyStatus, _, byKey) = await paid.ApplyAbnormalAsync(second, ToUserCard(paid.Wire, "refund_by_public_key", "6222020200009876", withPublicKey: true), paid.Wire.PublicKeyId);
        Assert.Equal((HttpStatusCode.OK, "招商银行借记卡9876"), (keyStatus, byKey!["user_received_account"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Bad_abnormal_refund_requests_are_refused_naming_the_field()
    {
        await using var paid = await PaidOrder.StartAsync("ABNORMAL");
        var refundId = (await paid.RefundAsync("refund_bad", 100)).Json!["refund_id"]!.GetValue<string>();
        var wire = paid.Wire;

        async Task RefusedAsync(JsonObject body, string? serial, HttpStatusCode expected, string code, string? field = null)
        {
            var (status, text, json) = await paid.ApplyAbnormalAsync(refundId, body, serial);
            Assert.True(status == expected, text);
            Assert.Equal(code, json!["code"]!.GetValue<string>());
            Assert.Equal(field, json["detail"]?["field"]?.GetValue<string>());
        }

        await RefusedAsync(new JsonObject { ["out_refund_no"] = "refund_bad", ["type"] = "WALLET" }, null, HttpStatusCode.BadRequest, "PARAM_ERROR", "type");
        await RefusedAsync(new JsonObject { ["out_refund_no"] = "refund_bad", ["type"] = "USER_BANK_CARD" }, wire.PlatformSerialNo, HttpStatusCode.BadRequest, "PARAM_ERROR", "bank_type");
        var wrongBank = ToUserCard(wire, "refund_bad");
        wrongBank["bank_type"] = "HSBC_DEBIT";
        await RefusedAsync(wrongBank, wire.PlatformSerialNo, HttpStatusCode.BadRequest, "PARAM_ERROR", "bank_type");
        await RefusedAsync(ToUserCard(wire, "refund_bad"), null, HttpStatusCode.BadRequest, "PARAM_ERROR", "Wechatpay-Serial");
        await RefusedAsync(ToUserCard(wire, "refund_bad"), "ABCDEF0123", HttpStatusCode.BadRequest, "PARAM_ERROR", "Wechatpay-Serial");

        // Encrypted for the platform certificate but sent under the public key's id: it does not open.
        await RefusedAsync(ToUserCard(wire, "refund_bad"), wire.PublicKeyId, HttpStatusCode.BadRequest, "PARAM_ERROR", "bank_account");
        var plain = ToUserCard(wire, "refund_bad");
        plain["real_name"] = "张三";
        await RefusedAsync(plain, wire.PlatformSerialNo, HttpStatusCode.BadRequest, "PARAM_ERROR", "real_name");
        await RefusedAsync(ToUserCard(wire, "refund_bad", account: "62148301"), wire.PlatformSerialNo, HttpStatusCode.BadRequest, "PARAM_ERROR", "bank_account");

        await RefusedAsync(ToUserCard(wire, "refund_other"), wire.PlatformSerialNo, HttpStatusCode.NotFound, "RESOURCE_NOT_EXISTS");
        var (status, _, _) = await paid.ApplyAbnormalAsync("50300000000000000000000000000", ToUserCard(wire, "refund_bad"), wire.PlatformSerialNo);
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("ABNORMAL", (await paid.QueryAsync("refund_bad"))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_closed_refund_is_told_by_REFUND_CLOSED_and_gives_its_amount_back_to_the_order()
    {
        await using var paid = await PaidOrder.StartAsync("CLOSED");
        var (_, _, created) = await paid.RefundAsync("refund_closed", Total);
        Assert.Equal("PROCESSING", created!["status"]!.GetValue<string>());
        var (eventType, notice) = await paid.NoticeAsync();
        Assert.Equal(("REFUND.CLOSED", "CLOSED"), (eventType, notice["refund_status"]!.GetValue<string>()));
        Assert.Equal("CLOSED", (await paid.QueryAsync("refund_closed"))["status"]!.GetValue<string>());

        // Nothing left the order, so the whole amount can be refunded again once refunds succeed.
        (await paid.Sandbox.PutSettingsAsync("wechatpay", new { refund_outcome = "SUCCESS" })).EnsureSuccessStatusCode();
        var (status, _, again) = await paid.RefundAsync("refund_after_close", Total);
        Assert.Equal((HttpStatusCode.OK, Total), (status, again!["amount"]!["refund"]!.GetValue<long>()));
        Assert.Equal("REFUND.SUCCESS", (await paid.NoticeAsync()).EventType);
    }

    [Fact]
    public async Task The_refund_outcome_setting_takes_only_the_three_outcomes()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var refused = await sandbox.PutSettingsAsync("wechatpay", new { refund_outcome = "PROCESSING" });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("refund_outcome must be", await refused.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }
}
