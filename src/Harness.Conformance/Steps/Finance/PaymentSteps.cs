using System.Text.Json;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Finance;

/// <summary>The payment API of other businesses: create (one order per business order), status, close.</summary>
[Steps]
public sealed class PaymentSteps(ScenarioContext context)
{
    private readonly RechargeWorld _world = context.Get<RechargeWorld>();

    private FinanceWorld Finance => _world.Finance;

    /// <summary><paramref name="label"/> is made unique to the scenario, like idempotency keys.</summary>
    [When("the user creates a {word} payment of {int} fen on {word} for business order {string}")]
    public async Task Create(string bizType, int fen, string channel, string label)
    {
        var reply = await _world.PostAsync("/api/payment/create", new { bizType, bizOrderNo = Finance.Key(label), channel, amount = fen, description = "Conformance " + bizType });
        if (reply.IsSuccess)
        {
            _world.Current = new OrderUnderTest(ApiReply.Text(ApiReply.Field(reply.Data, "outTradeNo")), channel, fen, null, 0);
        }
    }

    [Given("the user has created a {word} payment of {int} fen on {word} for business order {string}")]
    [Needs(Need.Sandbox)]
    public async Task Created(string bizType, int fen, string channel, string label)
    {
        await Create(bizType, fen, channel, label);
        Finance.Last.EnsureSuccess($"creating a {bizType} payment");
    }

    [Then("the payment is NOTPAY for {int} fen on {word}, with a code to pay")]
    [Needs(Need.Sandbox)]
    public void CreatedUnpaid(int fen, string channel)
    {
        var data = Finance.Last.EnsureSuccess("creating the payment").Data;
        Check.Equal("NOTPAY", ApiReply.Text(ApiReply.Field(data, "status")), "status");
        Check.Equal(fen, ApiReply.Field(data, "amount").GetInt64(), "amount");
        Check.Equal(channel, ApiReply.Text(ApiReply.Field(data, "channel")), "channel");
        Check.That(ApiReply.Field(data, "codeUrl") is { ValueKind: JsonValueKind.String } code && code.GetString()!.Length > 0, "the payment has no codeUrl to pay");
    }

    [Then("the answer is the same payment order")]
    public void SameOrder()
    {
        var data = Finance.Last.EnsureSuccess("creating the payment again").Data;
        Check.Equal(_world.Order.OutTradeNo, ApiReply.Text(ApiReply.Field(data, "outTradeNo")), "outTradeNo");
    }

    [Then("the payment status is {word}")]
    public async Task StatusIs(string status) =>
        Check.Equal(status, ApiReply.Text(ApiReply.Field(await _world.PaymentStatusAsync(), "status")), "payment status");

    [When("the user closes the order")]
    public Task Close() => _world.CloseAsync();

    [Then("the close answers the order CLOSED")]
    public void ClosedAnswer()
    {
        var data = Finance.Last.EnsureSuccess("closing the order").Data;
        Check.Equal("CLOSED", ApiReply.Text(ApiReply.Field(data, "status")), "status");
        Check.Equal(_world.Order.OutTradeNo, ApiReply.Text(ApiReply.Field(data, "outTradeNo")), "outTradeNo");
    }

    [Then("the payment is SUCCESS with the amount paid and the channel's trade number")]
    public async Task Paid()
    {
        var status = await _world.PaymentStatusAsync();
        Check.Equal("SUCCESS", ApiReply.Text(ApiReply.Field(status, "status")), "status");
        Check.Equal(_world.Order.Fen, ApiReply.Field(status, "paidAmount").GetInt64(), "paidAmount");
        Check.That(ApiReply.Text(ApiReply.Field(status, "channelTradeNo")) is { Length: > 0 } number && number != "null", "a paid order has no channelTradeNo");
    }
}
