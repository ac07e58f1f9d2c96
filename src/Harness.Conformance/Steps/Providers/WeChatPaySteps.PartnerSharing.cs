using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Harness.Conformance.Binding;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// 分账 and the trade bill in 服务商 mode: the published merchant shares its sub-merchants' partner orders through the
/// same <c>/v3/profitsharing/…</c> routes with <c>sub_mchid</c>, and asks for one sub-merchant's trade bill.
/// </summary>
public sealed partial class WeChatPaySteps
{
    [Given("a partner Native order of {int} fen placed for sub-merchant {string} for profit sharing as {string} and paid")]
    public async Task PlacedPartnerForSharing(int fen, string subMchid, string outTradeNo)
    {
        var order = PartnerOrder(outTradeNo, fen, subMchid);
        order["settle_info"] = new JsonObject { ["profit_sharing"] = true };
        _world.PaymentId = await PlacePartnerAsync("native", order);
        await _world.ClickAsync("pay");
    }

    [Given("the merchant adds the merchant receiver {string} named {string} for sub-merchant {string}")]
    public async Task PartnerReceiverAdded(string account, string name, string subMchid)
    {
        var reply = await SensitiveCallAsync("/v3/profitsharing/receivers/add", new JsonObject
        {
            ["sub_mchid"] = subMchid,
            ["appid"] = Wire.Appid,
            ["type"] = "MERCHANT_ID",
            ["account"] = account,
            ["name"] = Wire.EncryptSensitive(name),
            ["relation_type"] = "PARTNER",
        });
        Check.Equal(HttpStatusCode.OK, reply.Status, $"adding receiver {account} for {subMchid} ({reply.Body})");
        Check.Equal(subMchid, ApiReply.Text(ApiReply.Field(reply.Json, "sub_mchid")), "sub_mchid");
    }

    [When("the merchant shares {int} fen of partner order {string} of sub-merchant {string} to receiver {string} as {string}")]
    public async Task PartnerShare(int fen, string outTradeNo, string subMchid, string account, string outOrderNo) =>
        _world.LastReply = await CallAsync(HttpMethod.Post, "/v3/profitsharing/orders", new JsonObject
        {
            ["sub_mchid"] = subMchid,
            ["transaction_id"] = await PartnerTransactionIdAsync(outTradeNo, subMchid),
            ["out_order_no"] = outOrderNo,
            ["receivers"] = new JsonArray(new JsonObject
            {
                ["type"] = "MERCHANT_ID", ["account"] = account, ["amount"] = fen, ["description"] = "分给合作方",
            }),
            ["unfreeze_unsplit"] = false,
        });

    [When("the merchant unfreezes the rest of partner order {string} of sub-merchant {string} as {string}")]
    public async Task PartnerUnfreeze(string outTradeNo, string subMchid, string outOrderNo) =>
        _world.LastReply = await CallAsync(HttpMethod.Post, "/v3/profitsharing/orders/unfreeze", new JsonObject
        {
            ["sub_mchid"] = subMchid, ["transaction_id"] = await PartnerTransactionIdAsync(outTradeNo, subMchid),
            ["out_order_no"] = outOrderNo, ["description"] = "解冻全部剩余资金",
        });

    [Then("the answer names sub_mchid {string}")]
    public void AnswerNamesSubMchid(string subMchid) =>
        Check.Equal(subMchid, ApiReply.Text(ApiReply.Field(_world.Last.Json, "sub_mchid")), $"sub_mchid ({_world.Last.Body})");

    [Then("querying sharing {string} of partner order {string} of sub-merchant {string} shows state {string} and receiver {string} {string}")]
    public async Task PartnerSharingQueried(string outOrderNo, string outTradeNo, string subMchid, string state, string account, string result)
    {
        var transactionId = await PartnerTransactionIdAsync(outTradeNo, subMchid);
        var reply = await CallAsync(HttpMethod.Get, $"/v3/profitsharing/orders/{outOrderNo}?sub_mchid={subMchid}&transaction_id={transactionId}");
        Check.Equal(HttpStatusCode.OK, reply.Status, $"status ({reply.Body})");
        Check.Equal(state, ApiReply.Text(ApiReply.Field(reply.Json, "state")), "state");
        var line = ApiReply.Field(reply.Json, "receivers").EnumerateArray().FirstOrDefault(r => ApiReply.Text(ApiReply.Field(r, "account")) == account);
        Check.That(line.ValueKind != JsonValueKind.Undefined, $"no receiver {account}: {reply.Body}");
        Check.Equal(result, ApiReply.Text(ApiReply.Field(line, "result")), "result");
    }

    [Then("the unsplit amount of partner order {string} of sub-merchant {string} is {int}")]
    public async Task PartnerUnsplit(string outTradeNo, string subMchid, int fen)
    {
        var reply = await CallAsync(HttpMethod.Get, $"/v3/profitsharing/transactions/{await PartnerTransactionIdAsync(outTradeNo, subMchid)}/amounts");
        Check.Equal(HttpStatusCode.OK, reply.Status, $"status ({reply.Body})");
        Check.Equal((long)fen, ApiReply.Field(reply.Json, "unsplit_amount").GetInt64(), "unsplit_amount");
    }

    [When("the merchant queries the maximum sharing ratio of sub-merchant {string}")]
    public async Task MaximumRatio(string subMchid) =>
        _world.LastReply = await CallAsync(HttpMethod.Get, $"/v3/profitsharing/merchant-configs/{subMchid}");

    [Then("the answer is 200 with sub_mchid {string} and max_ratio {int}")]
    public void MaximumRatioAnswered(string subMchid, int ratio)
    {
        Check.Equal(HttpStatusCode.OK, _world.Last.Status, $"status ({_world.Last.Body})");
        Check.Equal(subMchid, ApiReply.Text(ApiReply.Field(_world.Last.Json, "sub_mchid")), "sub_mchid");
        Check.Equal((long)ratio, ApiReply.Field(_world.Last.Json, "max_ratio").GetInt64(), "max_ratio");
    }

    [When("the merchant applies for the {string} trade bill of that day for sub-merchant {string}")]
    public async Task PartnerTradeBill(string billType, string subMchid) =>
        _world.LastReply = await CallAsync(HttpMethod.Get, $"/v3/bill/tradebill?bill_date={BillDate}&bill_type={billType}&sub_mchid={subMchid}");

    [Then("every row of the bill names sub-merchant {string} as its 特约商户号")]
    public void BillRowsOfSubMerchant(string subMchid)
    {
        var rows = BillLines()[1..^2].Select(BillCells).ToList();
        Check.That(rows.Count > 0, $"the bill has no rows: {Bill}");
        Check.That(rows.All(cells => cells[3] == subMchid && cells[2] == Wire.Mchid), $"a row of another merchant: {Bill}");
    }

    private async Task<string> PartnerTransactionIdAsync(string outTradeNo, string subMchid)
    {
        var reply = await PartnerQueryAsync(outTradeNo, subMchid);
        Check.Equal(HttpStatusCode.OK, reply.Status, $"querying {outTradeNo} of {subMchid} ({reply.Body})");
        return ApiReply.Text(ApiReply.Field(reply.Json, "transaction_id"));
    }
}
