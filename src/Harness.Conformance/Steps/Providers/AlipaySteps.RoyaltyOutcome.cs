using Harness.Conformance.Binding;

namespace Harness.Conformance.Steps.Providers;

/// <summary>分账 after the call: an asynchronous settle whose detail processes and then ends, read through alipay.trade.order.settle.query.</summary>
public sealed partial class AlipaySteps
{
    [When("the merchant settles {string} of the trade asynchronously to Alipay user {string} with out_request_no {string}")]
    public Task SettleAsynchronously(string amount, string userId, string requestNo)
    {
        var share = new Dictionary<string, string> { ["royalty_type"] = "transfer", ["trans_in_type"] = "userId", ["trans_in"] = userId, ["amount"] = amount, ["desc"] = "Harness 分账" };
        return CallAsync("alipay.trade.order.settle", new() { ["out_request_no"] = requestNo, ["trade_no"] = _world.ThePayment, ["royalty_parameters"] = new[] { share }, ["royalty_mode"] = "async" });
    }

    /// <summary>royalty_finish with no receiver: what the merchant still holds of the trade is unfrozen.</summary>
    [When("the merchant finishes 分账 of the trade asynchronously with out_request_no {string}")]
    public Task FinishAsynchronously(string requestNo) => CallAsync("alipay.trade.order.settle", new()
    {
        ["out_request_no"] = requestNo,
        ["trade_no"] = _world.ThePayment,
        ["royalty_parameters"] = Array.Empty<object>(),
        ["royalty_mode"] = "async",
        ["extend_params"] = new Dictionary<string, string> { ["royalty_finish"] = "true" },
    });

    [Then("alipay.trade.order.settle.query for {string} reports its detail {string}")]
    public Task QueriedDetailState(string requestNo, string state) => QueriedDetailAsync(requestNo, state, errorCode: null);

    [Then("alipay.trade.order.settle.query for {string} reports its detail {string} with error_code {string}")]
    public Task QueriedDetailFailure(string requestNo, string state, string errorCode) => QueriedDetailAsync(requestNo, state, errorCode);

    private async Task QueriedDetailAsync(string requestNo, string state, string? errorCode)
    {
        await CallAsync("alipay.trade.order.settle.query", new() { ["out_request_no"] = requestNo, ["trade_no"] = _world.ThePayment });
        await AnswersCode("10000");
        var detail = ApiReply.Field(Response, "royalty_detail_list")[0];
        Check.Equal(state, ApiReply.Text(ApiReply.Field(detail, "state")), "state");
        if (errorCode is not null)
        {
            Check.Equal(errorCode, ApiReply.Text(ApiReply.Field(detail, "error_code")), "error_code");
        }
    }
}
