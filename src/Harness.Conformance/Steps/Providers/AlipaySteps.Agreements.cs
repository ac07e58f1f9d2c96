using System.Globalization;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// 周期扣款: the merchant sends the buyer to the sign page, the buyer signs, the merchant deducts under the agreement and
/// unsigns it. The agreements are weekly from the sandbox's China date, so any day of the month fits the rule.
/// </summary>
public sealed partial class AlipaySteps
{
    private const string AgreementScene = "INDUSTRY|DIGITAL_MEDIA";

    private string? _signPage;
    private string? _agreementNo;
    private string? _firstDeductDate;
    private int _deductions;

    [When("the merchant sends the browser to alipay.user.agreement.page.sign for a weekly agreement of at most {string} from today")]
    public async Task SendToSignPage(string singleAmount)
    {
        _firstDeductDate = (await _world.NowAsync()).ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var biz = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["personal_product_code"] = "CYCLE_PAY_AUTH_P",
            ["product_code"] = "CYCLE_PAY_AUTH",
            ["sign_scene"] = AgreementScene,
            ["external_agreement_no"] = "HARNESS_AG_" + context.RunId,
            ["access_params"] = new Dictionary<string, string> { ["channel"] = "ALIPAYAPP" },
            ["period_rule_params"] = new Dictionary<string, object> { ["period_type"] = "DAY", ["period"] = 7, ["execute_time"] = _firstDeductDate, ["single_amount"] = singleAmount },
        };
        var parameters = await SignedAsync("alipay.user.agreement.page.sign", biz, common: Notify());
        _world.LastReply = await _world.SendAsync(HttpMethod.Get, await GatewayAsync() + "?" + FormText.Encode(parameters));
        _signPage = _world.Last.Location ?? throw new AssertionException($"the gateway answered HTTP {(int)_world.Last.Status}, not a redirect to the sign page: {_world.Last.Body}");
        Check.That(_signPage.StartsWith(await _world.BaseUrlAsync("alipay") + "/sandbox/agreement-sign/", StringComparison.Ordinal), $"the redirect {_signPage} is not to the Alipay sign page");
    }

    [When("the buyer signs on the Alipay sign page")]
    public async Task SignOnPage()
    {
        var page = _signPage ?? throw new AssertionException("the merchant has not sent the buyer to a sign page");
        var shown = await _world.SendAsync(HttpMethod.Get, page);
        Check.That(shown.Status == System.Net.HttpStatusCode.OK && shown.Body.Contains("value=\"sign\"", StringComparison.Ordinal), $"the sign page answered HTTP {(int)shown.Status}: {shown.Body}");
        var signed = await _world.SendAsync(HttpMethod.Post, page, new FormUrlEncodedContent(new Dictionary<string, string> { ["action"] = "sign" }));
        Check.Equal(System.Net.HttpStatusCode.OK, signed.Status, "the sign page's answer to signing");
        _agreementNo = page[(page.LastIndexOf('/') + 1)..];
    }

    [Given("a signed weekly Alipay agreement of at most {string} from today")]
    public async Task SignedAgreement(string singleAmount)
    {
        await SendToSignPage(singleAmount);
        await SignOnPage();
    }

    [Then("the notify URL receives a {word} form POST with status {string} and a valid RSA2 sign")]
    public async Task AgreementNotifyReceived(string notifyType, string status)
    {
        var notify = (await _world.ReceivedAsync()).LastOrDefault(r => r.Parameters.GetValueOrDefault("notify_type") == notifyType)
            ?? throw new AssertionException($"the notify URL got no {notifyType}");
        Check.That(await VerifiesAsync(notify.Parameters), $"the {notifyType} sign does not verify with the Alipay public key");
        Check.Equal(status, notify.Parameters.GetValueOrDefault("status"), "status");
        Check.Equal(Agreement, notify.Parameters.GetValueOrDefault("agreement_no"), "agreement_no");
        Check.Equal("HARNESS_AG_" + context.RunId, notify.Parameters.GetValueOrDefault("external_agreement_no"), "external_agreement_no");
        Check.Equal("CYCLE_PAY_AUTH_P", notify.Parameters.GetValueOrDefault("personal_product_code"), "personal_product_code");
    }

    [Then("alipay.user.agreement.query reports the agreement {string} with its next deduction {int} days after the first")]
    public async Task AgreementQueried(string status, int days)
    {
        await CallAsync("alipay.user.agreement.query", new() { ["agreement_no"] = Agreement });
        await AnswersCode("10000");
        Check.Equal(status, ApiReply.Text(ApiReply.Field(Response, "status")), "status");
        var first = DateOnly.ParseExact(_firstDeductDate!, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        Check.Equal(first.AddDays(days).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), ApiReply.Text(ApiReply.Field(Response, "next_deduct_time")), "next_deduct_time");
    }

    [When("the merchant deducts {string} under the agreement")]
    public async Task Deduct(string amount)
    {
        // Each deduction is an order of its own.
        var order = Order(amount);
        _outTradeNo = $"{_outTradeNo}_{++_deductions}";
        order["out_trade_no"] = _outTradeNo;
        order["product_code"] = "GENERAL_WITHHOLDING";
        order["agreement_params"] = new Dictionary<string, string> { ["agreement_no"] = Agreement };
        await CallAsync("alipay.trade.pay", order, Notify());
        if (_world.Last.Body.Contains("\"code\":\"10000\"", StringComparison.Ordinal))
        {
            _world.PaymentId = ApiReply.Text(ApiReply.Field(Response, "trade_no"));
        }
    }

    [Given("the buyer's balance will not cover the next deduction")]
    public Task BalanceShort() => _world.ControlAsync(HttpMethod.Post, $"/control/alipay/agreements/{Agreement}/decline", new { sub_code = "ACQ.BUYER_BALANCE_NOT_ENOUGH" });

    [When("the merchant unsigns the agreement")]
    public Task UnsignAgreement() => CallAsync("alipay.user.agreement.unsign", new() { ["agreement_no"] = Agreement });

    private string Agreement => _agreementNo ?? throw new AssertionException("the buyer has not signed an agreement");
}
