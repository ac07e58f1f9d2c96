using System.Globalization;
using System.Text.Json.Nodes;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>TapPay's Record API, trade history and 3-D Secure's redirect and backend notify, as a merchant checks them.</summary>
public sealed partial class TapPaySteps
{
    [Then("the record query shows the trade with record_status {int}")]
    public async Task RecordStatus(int status) =>
        Check.Equal(status, ApiReply.Field(await RecordAsync(), "record_status").GetInt32(), "record_status");

    [Then("the record query shows the trade with record_status {int}, refunded_amount {int} and amount {int}")]
    public async Task RecordRefunded(int status, int refunded, int amount)
    {
        var record = await RecordAsync();
        Check.Equal(status, ApiReply.Field(record, "record_status").GetInt32(), "record_status");
        Check.Equal(refunded, ApiReply.Field(record, "refunded_amount").GetInt32(), "refunded_amount");
        Check.Equal(amount, ApiReply.Field(record, "amount").GetInt32(), "amount");
    }

    [Then("the trade history lists {string}")]
    public async Task History(string actions)
    {
        var reply = await PostAsync("/tpc/transaction/trade-history", await BodyAsync(new JsonObject { ["rec_trade_id"] = RecTradeId }));
        Check.Equal(0, Status(reply), $"trade history ({reply.Body})");
        Check.Equal(actions, string.Join(", ", ApiReply.Field(reply.Json, "trade_history").EnumerateArray().Select(e => ApiReply.Text(ApiReply.Field(e, "action")))), "trade_history actions");
    }

    [Then("querying order number {string} finds one record of amount {int}")]
    public async Task QueryOrder(string orderNumber, int amount)
    {
        var records = await QueryAsync(new JsonObject { ["filters"] = new JsonObject { ["order_number"] = _orderNumbers[orderNumber] } });
        Check.Equal(1, records.Count, "records");
        Check.Equal(amount, ApiReply.Field(records[0], "amount").GetInt32(), "amount");
    }

    [Then("querying {int} records per page from page {int} ordered by amount ascending finds at least {int} records")]
    public async Task QueryPage(int perPage, int page, int atLeast)
    {
        var records = await QueryAsync(new JsonObject { ["records_per_page"] = perPage, ["page"] = page, ["order_by"] = new JsonObject { ["attribute"] = "amount", ["is_descending"] = false } });
        Check.That(records.Count >= atLeast && records.Count <= perPage, $"{records.Count} records on a page of {perPage}");
        var amounts = records.Select(r => ApiReply.Field(r, "amount").GetInt64()).ToList();
        Check.That(amounts.SequenceEqual(amounts.Order()), $"amounts not ascending: {string.Join(", ", amounts)}");
    }

    [Then("querying page {int} answers status 2 with no records")]
    public async Task PastTheEnd(int page)
    {
        var records = await QueryAsync(new JsonObject { ["page"] = page });
        Check.Equal(2, Status(_world.Last), "status past the end");
        Check.Equal(0, records.Count, "records past the end");
    }

    [Then("the answer's payment_url is the sandbox's hosted pay page for its rec_trade_id")]
    public void PaymentUrl() => Check.Equal(_world.PayPageUrl(RecTradeId), ApiReply.Text(ApiReply.Field(ThePayment, "payment_url")), "payment_url");

    [Then("the buyer is redirected to the frontend_redirect_url with rec_trade_id, order_number {string}, bank_transaction_id and status {int}")]
    public void Redirected(string orderNumber, int status)
    {
        var location = _world.PayPage?.Location ?? throw new AssertionException("the pay page did not redirect the buyer");
        Check.That(location.StartsWith(FrontendRedirect + "?", StringComparison.Ordinal), $"the redirect {location} is not to {FrontendRedirect}");
        var parameters = FormText.Dictionary(FormText.Parse(location[(FrontendRedirect.Length + 1)..]));
        Check.Equal(RecTradeId, parameters.GetValueOrDefault("rec_trade_id"), "rec_trade_id");
        Check.Equal(orderNumber, parameters.GetValueOrDefault("order_number"), "order_number");
        Check.Equal(ApiReply.Text(ApiReply.Field(ThePayment, "bank_transaction_id")), parameters.GetValueOrDefault("bank_transaction_id"), "bank_transaction_id");
        Check.Equal(status.ToString(CultureInfo.InvariantCulture), parameters.GetValueOrDefault("status"), "status");
    }

    [Then("the receiver gets an unsigned JSON notify with status {int}, amount {int} and order number {string}")]
    public async Task Notified(int status, int amount, string orderNumber)
    {
        var notify = await _world.FirstReceivedAsync();
        Check.Equal("POST", notify.Method, "notify method");
        var body = SandboxWorld.ParseJson(notify.Body);
        Check.Equal(RecTradeId, ApiReply.Text(ApiReply.Field(body, "rec_trade_id")), "rec_trade_id");
        Check.Equal(status, ApiReply.Field(body, "status").GetInt32(), "status");
        Check.Equal(amount, ApiReply.Field(body, "amount").GetInt32(), "amount");
        Check.Equal(orderNumber, ApiReply.Text(ApiReply.Field(body, "order_number")), "order_number");
    }

    [Then("the notify's pay_info names the method {string}, the masked card {string} and {int} points")]
    public async Task NotifiedPayInfo(string method, string maskedCard, int points)
    {
        var payInfo = ApiReply.Field(SandboxWorld.ParseJson((await _world.FirstReceivedAsync()).Body), "pay_info");
        Check.Equal(method, ApiReply.Text(ApiReply.Field(payInfo, "method")), "pay_info.method");
        Check.Equal(maskedCard, ApiReply.Text(ApiReply.Field(payInfo, "masked_credit_card_number")), "pay_info.masked_credit_card_number");
        Check.Equal(points, ApiReply.Field(payInfo, "point").GetInt32(), "pay_info.point");
    }
}
