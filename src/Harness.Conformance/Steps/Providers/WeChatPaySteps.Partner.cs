using System.Net;
using System.Text.Json.Nodes;
using Harness.Conformance.Binding;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// 服务商 (partner) mode: the published merchant acting for its sub-merchants at <c>/v3/pay/partner/transactions/…</c>,
/// signed with its own key like every request.
/// </summary>
public sealed partial class WeChatPaySteps
{
    [When("the merchant places a partner Native order of {int} fen for sub-merchant {string} as {string}")]
    public async Task PlacePartner(int fen, string subMchid, string outTradeNo) =>
        _world.LastReply = await CallAsync(HttpMethod.Post, "/v3/pay/partner/transactions/native", PartnerOrder(outTradeNo, fen, subMchid));

    [Given("a partner Native order of {int} fen placed for sub-merchant {string} as {string} and paid")]
    public async Task PlacedPartnerAndPaid(int fen, string subMchid, string outTradeNo)
    {
        _world.PaymentId = await PlacePartnerAsync("native", PartnerOrder(outTradeNo, fen, subMchid));
        await _world.ClickAsync("pay");
    }

    [Given("a partner JSAPI order of {int} fen placed for sub-merchant {string} as {string} by sub_openid {string} of {string}")]
    public async Task PlacedPartnerJsapi(int fen, string subMchid, string outTradeNo, string subOpenid, string subAppid)
    {
        var order = PartnerOrder(outTradeNo, fen, subMchid);
        order["sub_appid"] = subAppid;
        order["payer"] = new JsonObject { ["sub_openid"] = subOpenid };
        _world.PaymentId = await PlacePartnerAsync("jsapi", order);
    }

    [Then("its resource decrypts to sp_mchid and sp_appid the merchant's, sub_mchid {string}, sub_appid {string} and payer.sub_openid {string}, without mchid or appid")]
    public async Task PartnerTransaction(string subMchid, string subAppid, string subOpenid)
    {
        var transaction = await ResourceAsync("TRANSACTION.SUCCESS");
        Check.Equal(Wire.Mchid, (string?)transaction["sp_mchid"], "sp_mchid");
        Check.Equal(Wire.Appid, (string?)transaction["sp_appid"], "sp_appid");
        Check.Equal(subMchid, (string?)transaction["sub_mchid"], "sub_mchid");
        Check.Equal(subAppid, (string?)transaction["sub_appid"], "sub_appid");
        Check.Equal(subOpenid, (string?)transaction["payer"]?["sub_openid"], "payer.sub_openid");
        Check.That(transaction["mchid"] is null && transaction["appid"] is null, "a partner transaction names mchid or appid");
    }

    [Then("querying partner order {string} of sub-merchant {string} shows trade_state {string}")]
    public async Task PartnerQueried(string outTradeNo, string subMchid, string state)
    {
        var reply = await PartnerQueryAsync(outTradeNo, subMchid);
        Check.Equal(HttpStatusCode.OK, reply.Status, $"querying {outTradeNo} of {subMchid} ({reply.Body})");
        Check.Equal(state, ApiReply.Text(ApiReply.Field(reply.Json, "trade_state")), "trade_state");
        Check.Equal(subMchid, ApiReply.Text(ApiReply.Field(reply.Json, "sub_mchid")), "sub_mchid");
    }

    [Then("querying partner order {string} of sub-merchant {string} is refused with {int} {string}")]
    public async Task PartnerQueryRefused(string outTradeNo, string subMchid, int status, string code)
    {
        _world.LastReply = await PartnerQueryAsync(outTradeNo, subMchid);
        ErrorAnswer(status, code);
    }

    [When("the merchant refunds {int} fen of partner order {string} of sub-merchant {string} as {string}")]
    public async Task PartnerRefund(int fen, string outTradeNo, string subMchid, string outRefundNo)
    {
        var order = await PartnerQueryAsync(outTradeNo, subMchid);
        Check.Equal(HttpStatusCode.OK, order.Status, $"querying {outTradeNo} ({order.Body})");
        _world.LastReply = await CallAsync(HttpMethod.Post, "/v3/refund/domestic/refunds", new JsonObject
        {
            ["sub_mchid"] = subMchid,
            ["out_trade_no"] = outTradeNo,
            ["out_refund_no"] = outRefundNo,
            ["notify_url"] = _world.Receiver.Url,
            ["amount"] = new JsonObject { ["refund"] = fen, ["total"] = ApiReply.Path(order.Json, "amount.total").GetInt64(), ["currency"] = "CNY" },
        });
    }

    [Then("the {string} resource names sp_mchid the merchant's and sub_mchid {string}, without mchid")]
    public async Task PartnerRefundNotice(string eventType, string subMchid)
    {
        var notice = await ResourceAsync(eventType);
        Check.Equal(Wire.Mchid, (string?)notice["sp_mchid"], "sp_mchid");
        Check.Equal(subMchid, (string?)notice["sub_mchid"], "sub_mchid");
        Check.That(notice["mchid"] is null, "a partner refund notification names mchid");
    }

    private JsonObject PartnerOrder(string outTradeNo, long fen, string subMchid)
    {
        var order = Order(outTradeNo, fen, attach: null);
        order.Remove("appid");
        order.Remove("mchid");
        order["sp_appid"] = Wire.Appid;
        order["sp_mchid"] = Wire.Mchid;
        order["sub_mchid"] = subMchid;
        return order;
    }

    private async Task<string> PlacePartnerAsync(string path, JsonObject order)
    {
        var outTradeNo = (string)order["out_trade_no"]!;
        var reply = await CallAsync(HttpMethod.Post, "/v3/pay/partner/transactions/" + path, order);
        Check.Equal(HttpStatusCode.OK, reply.Status, $"placing {outTradeNo} ({reply.Body})");
        _world.LastReply = reply;
        return await PaymentOfAsync(outTradeNo);
    }

    private Task<WireReply> PartnerQueryAsync(string outTradeNo, string subMchid) =>
        CallAsync(HttpMethod.Get, $"/v3/pay/partner/transactions/out-trade-no/{outTradeNo}?sp_mchid={Wire.Mchid}&sub_mchid={subMchid}");
}
