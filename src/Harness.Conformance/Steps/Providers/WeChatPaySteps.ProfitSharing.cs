using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Harness.Conformance.Binding;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// 分账 as an ordinary merchant meets it: an order placed for sharing, receivers added with the name encrypted for
/// WeChat Pay, shares and their query, the amount left, unfreezing, and returns from a merchant receiver.
/// </summary>
public sealed partial class WeChatPaySteps
{
    [Given("a Native order of {int} fen placed for profit sharing as {string} and paid")]
    public async Task PlacedForSharing(int fen, string outTradeNo)
    {
        var order = Order(outTradeNo, fen, attach: null);
        order["settle_info"] = new JsonObject { ["profit_sharing"] = true };
        var reply = await CallAsync(HttpMethod.Post, "/v3/pay/transactions/native", order);
        Check.Equal(HttpStatusCode.OK, reply.Status, $"placing {outTradeNo} ({reply.Body})");
        _world.PaymentId = await PaymentOfAsync(outTradeNo);
        await _world.ClickAsync("pay");
    }

    /// <summary>The receiver's 全称 encrypted with the platform certificate's key, named by <c>Wechatpay-Serial</c>.</summary>
    [Given("the merchant adds the merchant receiver {string} named {string}, encrypted for the platform certificate")]
    public async Task ReceiverAdded(string account, string name)
    {
        var reply = await SensitiveCallAsync("/v3/profitsharing/receivers/add", new JsonObject
        {
            ["appid"] = Wire.Appid,
            ["type"] = "MERCHANT_ID",
            ["account"] = account,
            ["name"] = Wire.EncryptSensitive(name),
            ["relation_type"] = "PARTNER",
        });
        Check.Equal(HttpStatusCode.OK, reply.Status, $"adding receiver {account} ({reply.Body})");
        Check.Equal(account, ApiReply.Text(ApiReply.Field(reply.Json, "account")), "account");
    }

    [When("the merchant shares {int} fen of {string} to receiver {string} as {string}")]
    public async Task Share(int fen, string outTradeNo, string account, string outOrderNo) =>
        _world.LastReply = await CallAsync(HttpMethod.Post, "/v3/profitsharing/orders", new JsonObject
        {
            ["appid"] = Wire.Appid,
            ["transaction_id"] = await TransactionIdAsync(outTradeNo),
            ["out_order_no"] = outOrderNo,
            ["receivers"] = new JsonArray(new JsonObject
            {
                ["type"] = "MERCHANT_ID", ["account"] = account, ["amount"] = fen, ["description"] = "分给合作方",
            }),
            ["unfreeze_unsplit"] = false,
        });

    [When("the merchant unfreezes the rest of {string} as {string}")]
    public async Task Unfreeze(string outTradeNo, string outOrderNo) =>
        _world.LastReply = await CallAsync(HttpMethod.Post, "/v3/profitsharing/orders/unfreeze", new JsonObject
        {
            ["transaction_id"] = await TransactionIdAsync(outTradeNo), ["out_order_no"] = outOrderNo, ["description"] = "解冻全部剩余资金",
        });

    [Then("the answer is 200 with sharing state {string} and every receiver {string}")]
    public void SharingAccepted(string state, string result)
    {
        Check.Equal(HttpStatusCode.OK, _world.Last.Status, $"status ({_world.Last.Body})");
        Check.Equal(state, ApiReply.Text(ApiReply.Field(_world.Last.Json, "state")), "state");
        var receivers = ApiReply.Field(_world.Last.Json, "receivers").EnumerateArray().ToList();
        Check.That(receivers.Count > 0, $"no receivers: {_world.Last.Body}");
        Check.That(receivers.All(r => ApiReply.Text(ApiReply.Field(r, "result")) == result), $"not every receiver is {result}: {_world.Last.Body}");
    }

    [Then("querying sharing {string} of {string} shows state {string} and receiver {string} {string}")]
    public async Task SharingQueried(string outOrderNo, string outTradeNo, string state, string account, string result)
    {
        var reply = await CallAsync(HttpMethod.Get, $"/v3/profitsharing/orders/{outOrderNo}?transaction_id={await TransactionIdAsync(outTradeNo)}");
        Check.Equal(HttpStatusCode.OK, reply.Status, $"status ({reply.Body})");
        Check.Equal(state, ApiReply.Text(ApiReply.Field(reply.Json, "state")), "state");
        var line = ApiReply.Field(reply.Json, "receivers").EnumerateArray().FirstOrDefault(r => ApiReply.Text(ApiReply.Field(r, "account")) == account);
        Check.That(line.ValueKind != JsonValueKind.Undefined, $"no receiver {account}: {reply.Body}");
        Check.Equal(result, ApiReply.Text(ApiReply.Field(line, "result")), "result");
    }

    [Then("the unsplit amount of {string} is {int}")]
    public async Task Unsplit(string outTradeNo, int fen)
    {
        var reply = await CallAsync(HttpMethod.Get, $"/v3/profitsharing/transactions/{await TransactionIdAsync(outTradeNo)}/amounts");
        Check.Equal(HttpStatusCode.OK, reply.Status, $"status ({reply.Body})");
        Check.Equal((long)fen, ApiReply.Field(reply.Json, "unsplit_amount").GetInt64(), "unsplit_amount");
    }

    [When("the merchant returns {int} fen of sharing {string} from {string} as {string}")]
    public async Task ReturnShare(int fen, string outOrderNo, string returnMchid, string outReturnNo) =>
        _world.LastReply = await CallAsync(HttpMethod.Post, "/v3/profitsharing/return-orders", new JsonObject
        {
            ["out_order_no"] = outOrderNo, ["out_return_no"] = outReturnNo, ["return_mchid"] = returnMchid, ["amount"] = fen, ["description"] = "用户退款",
        });

    [Then("the answer is 200 with return result {string} and amount {int}")]
    public void Returned(string result, int fen)
    {
        Check.Equal(HttpStatusCode.OK, _world.Last.Status, $"status ({_world.Last.Body})");
        Check.Equal(result, ApiReply.Text(ApiReply.Field(_world.Last.Json, "result")), "result");
        Check.Equal((long)fen, ApiReply.Field(_world.Last.Json, "amount").GetInt64(), "amount");
    }

    private async Task<string> TransactionIdAsync(string outTradeNo)
    {
        var reply = await QueryAsync(outTradeNo);
        Check.Equal(HttpStatusCode.OK, reply.Status, $"querying {outTradeNo} ({reply.Body})");
        return ApiReply.Text(ApiReply.Field(reply.Json, "transaction_id"));
    }

    /// <summary>A signed POST whose body carries fields encrypted for the platform certificate, named by <c>Wechatpay-Serial</c>.</summary>
    private async Task<WireReply> SensitiveCallAsync(string target, JsonObject body)
    {
        var text = body.ToJsonString();
        return SignedAnswer(await _world.SendAsync(
            HttpMethod.Post,
            Wire.BaseUrl + target,
            new StringContent(text, Encoding.UTF8, "application/json"),
            [new("Authorization", Wire.Authorization("POST", target, text)), new("Accept", "application/json"), new("Wechatpay-Serial", Wire.PlatformSerialNo)]));
    }
}
