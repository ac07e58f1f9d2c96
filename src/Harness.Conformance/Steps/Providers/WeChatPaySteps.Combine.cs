using System.Net;
using System.Text.Json.Nodes;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// 合单支付: the published merchant places a 合单 of two sub-orders at <c>/v3/combine-transactions/{type}</c>, queries
/// and closes it, and refunds a sub-order as an order; in 服务商 mode each sub-order names a sub_mchid.
/// </summary>
public sealed partial class WeChatPaySteps
{
    private string? _combineOutTradeNo;

    [When("the merchant places a {string} 合单 {string} of sub-orders {string} for {int} fen and {string} for {int} fen")]
    public async Task PlaceCombine(string type, string combineOutTradeNo, string first, int firstFen, string second, int secondFen) =>
        _world.LastReply = await CallAsync(HttpMethod.Post, "/v3/combine-transactions/" + type.ToLowerInvariant(),
            Combine(type, combineOutTradeNo, CombineSub(first, firstFen, null), CombineSub(second, secondFen, null)));

    [Given("a Native 合单 {string} of sub-orders {string} for {int} fen and {string} for {int} fen")]
    public async Task PlacedCombine(string combineOutTradeNo, string first, int firstFen, string second, int secondFen)
    {
        await PlaceCombine("Native", combineOutTradeNo, first, firstFen, second, secondFen);
        Check.Equal(HttpStatusCode.OK, _world.Last.Status, $"placing 合单 {combineOutTradeNo} ({_world.Last.Body})");
        _world.PaymentId = await PaymentOfAsync(combineOutTradeNo);
    }

    [When("the merchant places a Native 合单 {string} of sub-order {string} for {int} fen for sub-merchant {string}")]
    public async Task PlacePartnerCombine(string combineOutTradeNo, string outTradeNo, int fen, string subMchid) =>
        _world.LastReply = await CallAsync(HttpMethod.Post, "/v3/combine-transactions/native", Combine("Native", combineOutTradeNo, CombineSub(outTradeNo, fen, subMchid)));

    [Then("the answer is 200 and the 合单 is one payment of {int} fen on the hosted pay page")]
    public async Task CombinePayment(int fen)
    {
        Check.Equal(HttpStatusCode.OK, _world.Last.Status, $"status ({_world.Last.Body})");
        _world.PaymentId = await PaymentOfAsync(_combineOutTradeNo!);
        var payment = await _world.ControlAsync(HttpMethod.Get, "/control/payments/" + _world.PaymentId);
        Check.Equal(fen, ApiReply.Field(payment, "amount").GetInt64(), "the payment's amount");
    }

    [Then("its resource decrypts to 合单 {string} with every sub-order {string} and a transaction_id of its own")]
    public async Task CombineResource(string combineOutTradeNo, string state)
    {
        var resource = await ResourceAsync("TRANSACTION.SUCCESS");
        Check.Equal(combineOutTradeNo, (string?)resource["combine_out_trade_no"], "combine_out_trade_no");
        Check.Equal(Wire.Mchid, (string?)resource["combine_mchid"], "combine_mchid");
        Check.That(resource["combine_payer_info"]?["openid"] is not null, "the 合单 names no combine_payer_info.openid");
        var subs = resource["sub_orders"] as JsonArray ?? throw new AssertionException("the resource has no sub_orders");
        Check.That(subs.All(s => (string?)s?["trade_state"] == state), $"not every sub-order is {state}: {subs.ToJsonString()}");
        var ids = subs.Select(s => (string?)s?["transaction_id"]).ToList();
        Check.That(ids.All(id => id is { Length: 28 }) && ids.Distinct().Count() == ids.Count, $"the sub-orders' transaction_ids are not 28 digits each and distinct: {string.Join(", ", ids)}");
    }

    [Then("querying 合单 {string} shows every sub-order {string}")]
    public async Task CombineQueried(string combineOutTradeNo, string state)
    {
        var reply = await CallAsync(HttpMethod.Get, "/v3/combine-transactions/out-trade-no/" + combineOutTradeNo);
        Check.Equal(HttpStatusCode.OK, reply.Status, $"querying 合单 {combineOutTradeNo} ({reply.Body})");
        var states = ApiReply.Field(reply.Json, "sub_orders").EnumerateArray().Select(s => ApiReply.Text(ApiReply.Field(s, "trade_state"))).ToList();
        Check.That(states.Count > 0 && states.All(s => s == state), $"the sub-orders are {string.Join(", ", states)}, not all {state}");
    }

    [When("the merchant refunds {int} fen of sub-order {string} of {int} fen as {string}")]
    public async Task RefundSubOrder(int fen, string outTradeNo, int total, string outRefundNo) =>
        _world.LastReply = await CallAsync(HttpMethod.Post, "/v3/refund/domestic/refunds", new JsonObject
        {
            ["out_trade_no"] = outTradeNo,
            ["out_refund_no"] = outRefundNo,
            ["notify_url"] = _world.Receiver.Url,
            ["amount"] = new JsonObject { ["refund"] = fen, ["total"] = total, ["currency"] = "CNY" },
        });

    [When("^the merchant closes 合单 \"([^\"]+)\" naming sub-orders? (.+)$")]
    public async Task CloseCombine(string combineOutTradeNo, string named)
    {
        var outTradeNos = named.Split(" and ").Select(n => n.Trim('"'));
        _world.LastReply = await CallAsync(HttpMethod.Post, $"/v3/combine-transactions/out-trade-no/{combineOutTradeNo}/close", new JsonObject
        {
            ["combine_appid"] = Wire.Appid,
            ["sub_orders"] = new JsonArray([.. outTradeNos.Select(no => (JsonNode)new JsonObject { ["mchid"] = Wire.Mchid, ["out_trade_no"] = no })]),
        });
    }

    private JsonObject Combine(string type, string combineOutTradeNo, params JsonObject[] subs)
    {
        _combineOutTradeNo = combineOutTradeNo;
        var combine = new JsonObject
        {
            ["combine_appid"] = Wire.Appid,
            ["combine_mchid"] = Wire.Mchid,
            ["combine_out_trade_no"] = combineOutTradeNo,
            ["sub_orders"] = new JsonArray(subs),
            ["notify_url"] = _world.Receiver.Url,
        };
        if (type == "JSAPI")
        {
            combine["combine_payer_info"] = new JsonObject { ["openid"] = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" };
        }

        return combine;
    }

    private JsonObject CombineSub(string outTradeNo, int fen, string? subMchid)
    {
        var sub = new JsonObject
        {
            ["mchid"] = Wire.Mchid,
            ["attach"] = "conformance",
            ["amount"] = new JsonObject { ["total_amount"] = fen, ["currency"] = "CNY" },
            ["out_trade_no"] = outTradeNo,
            ["description"] = "Harness 合单 · " + outTradeNo,
        };
        if (subMchid is not null)
        {
            sub["sub_mchid"] = subMchid;
        }

        return sub;
    }
}
