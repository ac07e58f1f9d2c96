using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Harness.Conformance.Binding;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// Refunds that do not simply succeed, as a merchant meets them: ABNORMAL or CLOSED (the sandbox's
/// <c>refund_outcome</c> setting plays the bank), 发起异常退款 with the buyer's card encrypted for WeChat Pay, and
/// refunds that stay PROCESSING a while (<c>refund_processing_seconds</c>) or that the operator ends one by one.
/// </summary>
public sealed partial class WeChatPaySteps
{
    [Given("WeChat Pay ends the merchant's refunds {string}")]
    public Task RefundsEnd(string outcome) =>
        _world.ConfigureAsync("wechatpay", new Dictionary<string, string?> { ["refund_outcome"] = outcome });

    [When("the merchant refunds {int} fen of {string} as {string}")]
    public async Task RefundOf(int fen, string outTradeNo, string outRefundNo)
    {
        // Paid, or already partly refunded (trade_state REFUND): the refund names the order's total.
        var order = await QueryAsync(outTradeNo);
        Check.Equal(HttpStatusCode.OK, order.Status, $"querying {outTradeNo} ({order.Body})");
        var total = ApiReply.Path(order.Json, "amount.total").GetInt64();
        _world.LastReply = await CallAsync(HttpMethod.Post, "/v3/refund/domestic/refunds", new JsonObject
        {
            ["out_trade_no"] = outTradeNo,
            ["out_refund_no"] = outRefundNo,
            ["notify_url"] = _world.Receiver.Url,
            ["amount"] = new JsonObject { ["refund"] = fen, ["total"] = total, ["currency"] = "CNY" },
        });
    }

    /// <summary>发起异常退款 to the buyer's debit card: account and name encrypted with the platform certificate's key, named by <c>Wechatpay-Serial</c>.</summary>
    [When("the merchant applies for an abnormal refund of {string} to the buyer's {string} card {string}, encrypted for the platform certificate")]
    public async Task ApplyAbnormal(string outRefundNo, string bankType, string account)
    {
        var refund = await CallAsync(HttpMethod.Get, $"/v3/refund/domestic/refunds/{outRefundNo}");
        Check.Equal(HttpStatusCode.OK, refund.Status, $"querying refund {outRefundNo} ({refund.Body})");
        var target = $"/v3/refund/domestic/refunds/{ApiReply.Text(ApiReply.Field(refund.Json, "refund_id"))}/apply-abnormal-refund";
        var text = new JsonObject
        {
            ["out_refund_no"] = outRefundNo,
            ["type"] = "USER_BANK_CARD",
            ["bank_type"] = bankType,
            ["bank_account"] = Wire.EncryptSensitive(account),
            ["real_name"] = Wire.EncryptSensitive("张三"),
        }.ToJsonString();
        _world.LastReply = SignedAnswer(await _world.SendAsync(
            HttpMethod.Post,
            Wire.BaseUrl + target,
            new StringContent(text, Encoding.UTF8, "application/json"),
            [new("Authorization", Wire.Authorization("POST", target, text)), new("Accept", "application/json"), new("Wechatpay-Serial", Wire.PlatformSerialNo)]));
    }

    [Then("the answer is 200 with refund status {string} received by {string}")]
    public void RefundReceivedBy(string status, string account)
    {
        Check.Equal(HttpStatusCode.OK, _world.Last.Status, $"status ({_world.Last.Body})");
        Check.Equal(status, ApiReply.Text(ApiReply.Field(_world.Last.Json, "status")), "status");
        Check.Equal(account, ApiReply.Text(ApiReply.Field(_world.Last.Json, "user_received_account")), "user_received_account");
    }

    [Given("WeChat Pay keeps the merchant's refunds PROCESSING for {int} seconds")]
    public Task RefundsProcessFor(int seconds) =>
        _world.ConfigureAsync("wechatpay", new Dictionary<string, string?> { ["refund_processing_seconds"] = seconds.ToString(CultureInfo.InvariantCulture) });

    [Then("querying refund {string} shows status {string} without success_time")]
    public async Task RefundQueriedUnfinished(string outRefundNo, string status)
    {
        var reply = await CallAsync(HttpMethod.Get, $"/v3/refund/domestic/refunds/{outRefundNo}");
        Check.Equal(HttpStatusCode.OK, reply.Status, $"status ({reply.Body})");
        Check.Equal(status, ApiReply.Text(ApiReply.Field(reply.Json, "status")), "status");
        Check.That(!reply.Json.TryGetProperty("success_time", out _), $"the refund has a success_time: {reply.Body}");
    }

    [Then("no refund notification has reached the notify URL")]
    public async Task NoRefundNotification()
    {
        var refunds = (await _world.ReceivedAsync()).Select(SandboxWorld.EventType).Where(t => t.StartsWith("REFUND.", StringComparison.Ordinal)).ToList();
        Check.Equal(0, refunds.Count, $"refund notifications ({string.Join(", ", refunds)})");
    }

    /// <summary>The control API plays the bank for one refund: <c>POST /control/wechatpay/refunds/{out_refund_no}/outcome</c>.</summary>
    [When("the operator ends refund {string} as {string} through the control API")]
    public async Task EndRefund(string outRefundNo, string status) => _world.LastReply = await EndRefundAsync(outRefundNo, status);

    [Then("the control API answers 200 with refund {string} {string}")]
    public void RefundEnded(string outRefundNo, string status)
    {
        Check.Equal(HttpStatusCode.OK, _world.Last.Status, $"status ({_world.Last.Body})");
        Check.Equal(outRefundNo, ApiReply.Text(ApiReply.Field(_world.Last.Json, "out_refund_no")), "out_refund_no");
        Check.Equal(status, ApiReply.Text(ApiReply.Field(_world.Last.Json, "status")), "status");
    }

    [Then("ending refund {string} as {string} through the control API is refused with {int}")]
    public async Task EndingRefused(string outRefundNo, string status, int expected)
    {
        var reply = await EndRefundAsync(outRefundNo, status);
        Check.Equal(expected, (int)reply.Status, $"status ({reply.Body})");
        Check.That(ApiReply.Text(ApiReply.Field(reply.Json, "error")).Length > 0, $"no error message: {reply.Body}");
    }

    private Task<WireReply> EndRefundAsync(string outRefundNo, string status) => _world.SendAsync(
        HttpMethod.Post,
        $"{_world.ControlUrl}/control/wechatpay/refunds/{Uri.EscapeDataString(outRefundNo)}/outcome",
        new StringContent(new JsonObject { ["status"] = status }.ToJsonString(), Encoding.UTF8, "application/json"));
}
