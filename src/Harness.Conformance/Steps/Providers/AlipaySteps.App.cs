using System.Net;
using System.Text;
using System.Text.Json;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// App payments (the merchant's app hands the Alipay app an order string signed by the merchant's server; the sandbox
/// plays the Alipay app at <c>POST /sandbox/app-pay</c>) and <c>alipay.trade.cancel</c>.
/// </summary>
public sealed partial class AlipaySteps
{
    private const string AppPayPath = "/sandbox/app-pay";
    private const string AppPayResponseKey = "alipay_trade_app_pay_response";

    [When("the merchant's app hands the Alipay app an order string for {string}")]
    public Task HandOrderString(string amount) => HandOrderStringAsync(amount, tamper: false);

    [When("the merchant's app hands the Alipay app an order string for {string} changed after signing")]
    public Task HandTamperedOrderString(string amount) => HandOrderStringAsync(amount, tamper: true);

    [Then("the Alipay app shows the trade and its pay sheet")]
    public void AppShowsTrade()
    {
        Check.Equal(HttpStatusCode.OK, _world.Last.Status, $"HTTP status ({_world.Last.Body})");
        Check.Equal(OutTradeNo, ApiReply.Text(ApiReply.Field(_world.Last.Json, "out_trade_no")), "out_trade_no");
        _world.PaymentId = ApiReply.Text(ApiReply.Field(_world.Last.Json, "trade_no"));
        Check.Equal(_world.PayPageUrl(_world.PaymentId), ApiReply.Text(ApiReply.Field(_world.Last.Json, "pay_url")), "pay_url");
    }

    [Then("the Alipay app refuses it with resultStatus {string} and sub_code {string}")]
    public void AppRefuses(string resultStatus, string subCode)
    {
        Check.Equal(HttpStatusCode.BadRequest, _world.Last.Status, $"HTTP status ({_world.Last.Body})");
        Check.Equal(resultStatus, ApiReply.Text(ApiReply.Field(_world.Last.Json, "resultStatus")), "resultStatus");
        Check.Equal(subCode, ApiReply.Text(ApiReply.Field(_world.Last.Json, "sub_code")), "sub_code");
    }

    [When("the buyer leaves the Alipay app's pay sheet")]
    public async Task LeavePaySheet() =>
        _world.LastReply = await _world.SendAsync(HttpMethod.Get, await _world.BaseUrlAsync("alipay") + AppPayPath + "/result?trade_no=" + Uri.EscapeDataString(_world.ThePayment));

    [Then("the app SDK hands the merchant's app resultStatus {string}")]
    public void AppResultStatus(string resultStatus)
    {
        Check.Equal(HttpStatusCode.OK, _world.Last.Status, $"HTTP status ({_world.Last.Body})");
        Check.Equal(resultStatus, ApiReply.Text(ApiReply.Field(_world.Last.Json, "resultStatus")), "resultStatus");
    }

    /// <summary>What the merchant's server checks before trusting the app's word: the result's sign over its response object.</summary>
    [Then("its result is an alipay_trade_app_pay_response for the trade's {string} with a sign the Alipay public key verifies")]
    public async Task AppResultSigned(string amount)
    {
        var result = ApiReply.Text(ApiReply.Field(_world.Last.Json, "result"));
        using var envelope = JsonDocument.Parse(result);
        var response = ApiReply.Field(envelope.RootElement, AppPayResponseKey);
        Check.Equal("10000", ApiReply.Text(ApiReply.Field(response, "code")), "code");
        Check.Equal((OutTradeNo, _world.ThePayment, amount),
            (ApiReply.Text(ApiReply.Field(response, "out_trade_no")), ApiReply.Text(ApiReply.Field(response, "trade_no")), ApiReply.Text(ApiReply.Field(response, "total_amount"))),
            "out_trade_no, trade_no, total_amount");
        var signType = ApiReply.Text(ApiReply.Field(envelope.RootElement, "sign_type"));
        var content = ProviderSignatures.AlipayResponseContent(result, AppPayResponseKey) ?? throw new AssertionException($"no {AppPayResponseKey} before a sign: {result}");
        Check.That(ProviderSignatures.AlipayVerify(await _world.CredentialAsync("alipay", "alipay_public_key"), content, ApiReply.Text(ApiReply.Field(envelope.RootElement, "sign")), signType),
            $"the result's {signType} sign does not verify with the Alipay public key: {result}");
    }

    [When("the merchant calls alipay.trade.cancel")]
    public Task CancelTrade() => CallAsync("alipay.trade.cancel", new() { ["out_trade_no"] = OutTradeNo });

    [Then("Alipay answers code {string} with action {string}")]
    public async Task AnswersAction(string code, string action)
    {
        await AnswersCode(code);
        Check.Equal(action, ApiReply.Text(ApiReply.Field(Response, "action")), "action (close or refund)");
        Check.Equal("N", ApiReply.Text(ApiReply.Field(Response, "retry_flag")), "retry_flag");
    }

    /// <summary>The order string as alipay-sdk's sdkExecute builds it; tampered, its amount changed after the signature.</summary>
    private async Task HandOrderStringAsync(string amount, bool tamper)
    {
        var parameters = await SignedAsync("alipay.trade.app.pay", Order(amount), common: Notify());
        if (tamper)
        {
            parameters["biz_content"] = parameters["biz_content"].Replace(amount, "0.01", StringComparison.Ordinal);
        }

        var orderString = string.Join('&', parameters.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));
        _world.LastReply = await _world.SendAsync(HttpMethod.Post, await _world.BaseUrlAsync("alipay") + AppPayPath, new StringContent(orderString, Encoding.UTF8, "text/plain"));
    }
}
