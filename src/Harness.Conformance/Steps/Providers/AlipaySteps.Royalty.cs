using Harness.Conformance.Binding;

namespace Harness.Conformance.Steps.Providers;

/// <summary>交易分账: binding receivers, a trade frozen for 分账 by royalty_freeze, alipay.trade.order.settle and its queries.</summary>
public sealed partial class AlipaySteps
{
    [Given("the merchant binds Alipay user {string} as a 分账 receiver")]
    public async Task BindReceiver(string userId)
    {
        var receiver = new Dictionary<string, string> { ["type"] = "userId", ["account"] = userId, ["memo"] = "Harness 分账" };
        await CallAsync("alipay.trade.royalty.relation.bind", new() { ["out_request_no"] = "HARNESS_BIND_" + context.RunId, ["receiver_list"] = new[] { receiver } });
        await AnswersCode("10000");
        Check.Equal("SUCCESS", ApiReply.Text(ApiReply.Field(Response, "result_code")), "result_code");
    }

    [When("the cashier scans the buyer's payment code {string} for {string} with royalty_freeze")]
    public async Task ScanPaymentCodeFrozen(string code, string amount)
    {
        var order = Order(amount);
        order["scene"] = "bar_code";
        order["auth_code"] = code;
        order["extend_params"] = new Dictionary<string, string> { ["royalty_freeze"] = "true" };
        await CallAsync("alipay.trade.pay", order, Notify());
        await AnswersCode("10000");
        _world.PaymentId = ApiReply.Text(ApiReply.Field(Response, "trade_no"));
    }

    [When("the merchant settles {string} of the trade to Alipay user {string} with out_request_no {string}")]
    public Task SettleTrade(string amount, string userId, string requestNo) => SettleAsync(amount, userId, requestNo, finish: false);

    [When("the merchant settles {string} of the trade to Alipay user {string} with out_request_no {string} and finishes 分账")]
    public Task SettleAndFinish(string amount, string userId, string requestNo) => SettleAsync(amount, userId, requestNo, finish: true);

    [Then("alipay.trade.order.settle.query for {string} reports {string} settled to Alipay user {string}")]
    public async Task QueriedSettle(string requestNo, string amount, string userId)
    {
        await CallAsync("alipay.trade.order.settle.query", new() { ["out_request_no"] = requestNo, ["trade_no"] = _world.ThePayment });
        await AnswersCode("10000");
        var detail = ApiReply.Field(Response, "royalty_detail_list")[0];
        Check.Equal(amount, ApiReply.Text(ApiReply.Field(detail, "amount")), "amount");
        Check.Equal(userId, ApiReply.Text(ApiReply.Field(detail, "trans_in")), "trans_in");
        Check.Equal("SUCCESS", ApiReply.Text(ApiReply.Field(detail, "state")), "state");
    }

    [Then("alipay.trade.order.onsettle.query reports {string} unsettled")]
    public async Task QueriedUnsettled(string amount)
    {
        await CallAsync("alipay.trade.order.onsettle.query", new() { ["out_request_no"] = "HARNESS_ONSETTLE", ["trade_no"] = _world.ThePayment });
        await AnswersCode("10000");
        Check.Equal(amount, ApiReply.Text(ApiReply.Field(Response, "unsettled_amount")), "unsettled_amount");
    }

    private Task SettleAsync(string amount, string userId, string requestNo, bool finish)
    {
        var share = new Dictionary<string, string> { ["royalty_type"] = "transfer", ["trans_in_type"] = "userId", ["trans_in"] = userId, ["amount"] = amount, ["desc"] = "Harness 分账" };
        var settle = new Dictionary<string, object> { ["out_request_no"] = requestNo, ["trade_no"] = _world.ThePayment, ["royalty_parameters"] = new[] { share } };
        if (finish)
        {
            settle["extend_params"] = new Dictionary<string, string> { ["royalty_finish"] = "true" };
        }

        return CallAsync("alipay.trade.order.settle", settle);
    }
}
