using Harness.Conformance.Binding;

namespace Harness.Conformance.Steps.Providers;

/// <summary><c>alipay.trade.create</c>: a JSAPI (mini-program) trade for a buyer the merchant names, paid with <c>my.tradePay</c>.</summary>
public sealed partial class AlipaySteps
{
    [When("the merchant creates a JSAPI trade of {string} for buyer {string}")]
    public async Task CreateForBuyer(string amount, string buyerId)
    {
        var order = Order(amount);
        order["product_code"] = "JSAPI_PAY";
        order["buyer_id"] = buyerId;
        await CallAsync("alipay.trade.create", order, Notify());
        if (Response.TryGetProperty("trade_no", out var tradeNo))
        {
            _world.PaymentId = tradeNo.GetString();
        }
    }

    [Then("Alipay answers code {string} with the trade_no and the trade is the buyer {string}'s")]
    public async Task AnswersCreated(string code, string buyerId)
    {
        await AnswersCode(code);
        Check.Equal(OutTradeNo, ApiReply.Text(ApiReply.Field(Response, "out_trade_no")), "out_trade_no");
        var tradeNo = ApiReply.Text(ApiReply.Field(Response, "trade_no"));
        await CallAsync("alipay.trade.query", new() { ["trade_no"] = tradeNo });
        await AnswersCode("10000");
        Check.Equal(buyerId, ApiReply.Text(ApiReply.Field(Response, "buyer_user_id")), "buyer_user_id");
    }
}
