using System.Text.Json.Nodes;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>TapPay's Refund Cancel and Cap Cancel, as a merchant undoes a refund or a capture the bank has not been sent.</summary>
public sealed partial class TapPaySteps
{
    [When("the merchant cancels that refund")]
    public async Task CancelRefund()
    {
        var refundId = _refundId ?? throw new AssertionException("no refund was made");
        await PostAsync("/tpc/transaction/refund/cancel", await BodyAsync(new JsonObject { ["rec_trade_id"] = RecTradeId, ["refund_id"] = refundId }));
    }

    [When("the merchant cancels the capture")]
    public async Task CancelCapture() =>
        await PostAsync("/tpc/transaction/cap/cancel", await BodyAsync(new JsonObject { ["rec_trade_id"] = RecTradeId }));

    [Then("the refund cancel names the refund and its amount {int}")]
    public void RefundCanceled(int amount)
    {
        var result = ApiReply.Field(_world.Last.Json, "result");
        Check.Equal(RecTradeId, ApiReply.Text(ApiReply.Field(_world.Last.Json, "rec_trade_id")), "rec_trade_id");
        Check.Equal(_refundId, ApiReply.Text(ApiReply.Field(result, "refund_id")), "result.refund_id");
        Check.Equal(amount, ApiReply.Field(result, "amount").GetInt32(), "result.amount");
        Check.That(ApiReply.Field(result, "success").GetBoolean(), "result.success is false");
    }
}
