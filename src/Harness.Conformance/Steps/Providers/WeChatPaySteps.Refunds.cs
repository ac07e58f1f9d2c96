using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Harness.Conformance.Binding;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// Refunds that do not simply succeed, as a merchant meets them: ABNORMAL or CLOSED (the sandbox's
/// <c>refund_outcome</c> setting plays the bank), and 发起异常退款 with the buyer's card encrypted for WeChat Pay.
/// </summary>
public sealed partial class WeChatPaySteps
{
    [Given("WeChat Pay ends the merchant's refunds {string}")]
    public Task RefundsEnd(string outcome) =>
        _world.ConfigureAsync("wechatpay", new Dictionary<string, string?> { ["refund_outcome"] = outcome });

    [When("the merchant refunds {int} fen of {string} as {string}")]
    public async Task RefundOf(int fen, string outTradeNo, string outRefundNo)
    {
        var total = ApiReply.Field(ApiReply.Field(await TransactionAsync(outTradeNo, "SUCCESS"), "amount"), "total").GetInt64();
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
}
