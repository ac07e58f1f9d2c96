using System.Net;
using System.Text;
using Harness.Conformance.Binding;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// The agreement methods on Alipay's v3 routes (signed as alipay-sdk's <c>curl()</c> signs them, answers verified in
/// <c>alipay-signature</c>), and 支付并签约 on <c>alipay.trade.create</c>, the mini program's <c>my.tradePay</c>.
/// </summary>
public sealed partial class AlipaySteps
{
    [When("the merchant creates a JSAPI trade of {string} for buyer {string} signing a weekly agreement of at most {string} from today")]
    public async Task CreateForBuyerAndSign(string amount, string buyerId, string singleAmount)
    {
        _firstDeductDate = await ChinaTodayAsync();
        var order = Order(amount);
        order["product_code"] = "JSAPI_PAY";
        order["buyer_id"] = buyerId;
        order["agreement_sign_params"] = WeeklySignParams(singleAmount);
        await CallAsync("alipay.trade.create", order, Notify());
        if (Response.TryGetProperty("trade_no", out var tradeNo))
        {
            _world.PaymentId = tradeNo.GetString();
        }
    }

    [When("the merchant queries the agreement on its v3 route, GET \\/v3\\/alipay\\/user\\/agreement\\/query")]
    public Task QueryAgreementV3() => V3Async(HttpMethod.Get, "/v3/alipay/user/agreement/query?agreement_no=" + Agreement, null);

    [When("the merchant unsigns the agreement on its v3 route, POST \\/v3\\/alipay\\/user\\/agreement\\/unsign")]
    public Task UnsignAgreementV3() => V3Async(HttpMethod.Post, "/v3/alipay/user/agreement/unsign", $$"""{"agreement_no":"{{Agreement}}"}""");

    [Then("the v3 answer is HTTP {int}, signed with the Alipay key")]
    public async Task V3Answered(int status)
    {
        Check.Equal((HttpStatusCode)status, _world.Last.Status, $"the v3 answer's status ({_world.Last.Body})");
        var headers = _world.Last.Headers;
        var content = $"{headers.GetValueOrDefault("alipay-timestamp")}\n{headers.GetValueOrDefault("alipay-nonce")}\n{_world.Last.Body}\n";
        Check.That(ProviderSignatures.AlipayRsa2Verify(await _world.CredentialAsync("alipay", "alipay_public_key"), content, headers.GetValueOrDefault("alipay-signature")),
            "alipay-signature does not verify over alipay-timestamp, alipay-nonce and the body with the Alipay public key");
    }

    [Then("the v3 answer is HTTP {int} with status {string}")]
    public async Task V3AnsweredStatus(int status, string agreementStatus)
    {
        await V3Answered(status);
        Check.Equal(agreementStatus, ApiReply.Text(ApiReply.Field(_world.Last.Json, "status")), "status");
        Check.Equal(Agreement, ApiReply.Text(ApiReply.Field(_world.Last.Json, "agreement_no")), "agreement_no");
    }

    [Then("the v3 answer is HTTP {int} with code {string}")]
    public async Task V3AnsweredCode(int status, string code)
    {
        await V3Answered(status);
        Check.Equal(code, ApiReply.Text(ApiReply.Field(_world.Last.Json, "code")), "code");
    }

    private async Task V3Async(HttpMethod method, string pathAndQuery, string? body)
    {
        var authorization = ProviderSignatures.AlipayV3Authorization(
            await _world.CredentialAsync("alipay", "app_id"), await _world.CredentialAsync("alipay", "app_private_key"), method.Method, pathAndQuery, body ?? "");
        _world.LastReply = await _world.SendAsync(method, await _world.BaseUrlAsync("alipay") + pathAndQuery,
            body is null ? null : new StringContent(body, Encoding.UTF8, "application/json"),
            [KeyValuePair.Create("authorization", authorization)]);
    }
}
