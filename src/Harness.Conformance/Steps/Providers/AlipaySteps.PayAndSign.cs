using System.Globalization;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// 支付并签约: the first trade carries <c>agreement_sign_params</c> and paying it on the cashier signs the agreement; and
/// <c>alipay.user.agreement.transfer</c>, a 商家扣款 agreement moved to a 周期扣款 rule.
/// </summary>
public sealed partial class AlipaySteps
{
    /// <summary>The scenario's 周期扣款 agreement, signed with the first trade: weekly deductions of <paramref name="singleAmount"/>.</summary>
    private Dictionary<string, object> WeeklySignParams(string singleAmount) => new(StringComparer.Ordinal)
    {
        ["personal_product_code"] = "CYCLE_PAY_AUTH_P",
        ["sign_scene"] = AgreementScene,
        ["external_agreement_no"] = "HARNESS_AG_" + context.RunId,
        ["access_params"] = new Dictionary<string, string> { ["channel"] = "ALIPAYAPP" },
        ["period_rule_params"] = WeeklyRule(singleAmount),
    };

    [When("the merchant's page sends the browser to alipay.trade.page.pay for {string} signing a weekly agreement of at most {string} from today")]
    public async Task PagePayAndSign(string amount, string singleAmount)
    {
        _firstDeductDate = await ChinaTodayAsync();
        var order = Order(amount);
        order["product_code"] = "CYCLE_PAY_AUTH";
        order["agreement_sign_params"] = WeeklySignParams(singleAmount);
        var parameters = await SignedAsync("alipay.trade.page.pay", order, common: new() { ["return_url"] = ReturnUrl, ["notify_url"] = _world.Receiver.Url });
        _world.LastReply = await _world.SendAsync(HttpMethod.Get, await GatewayAsync() + "?" + FormText.Encode(parameters));
    }

    [Then("the notify URL receives the trade's {string} notify and a dut_user_sign for the payer, both with a valid RSA2 sign")]
    public async Task PaidAndSigned(string status)
    {
        var received = await _world.ReceivedAsync();
        var paid = received.LastOrDefault(r => r.Parameters.GetValueOrDefault("notify_type") == "trade_status_sync")
            ?? throw new AssertionException("the notify URL got no trade_status_sync");
        var signed = received.LastOrDefault(r => r.Parameters.GetValueOrDefault("notify_type") == "dut_user_sign")
            ?? throw new AssertionException("the notify URL got no dut_user_sign: paying did not sign the agreement");
        Check.That(await VerifiesAsync(paid.Parameters), "the trade notify's sign does not verify with the Alipay public key");
        Check.Equal(status, paid.Parameters.GetValueOrDefault("trade_status"), "trade_status");
        Check.Equal(OutTradeNo, paid.Parameters.GetValueOrDefault("out_trade_no"), "out_trade_no");
        _agreementNo = signed.Parameters.GetValueOrDefault("agreement_no");
        await AgreementNotifyReceived("dut_user_sign", "NORMAL");
        Check.Equal(paid.Parameters.GetValueOrDefault("buyer_id"), signed.Parameters.GetValueOrDefault("alipay_user_id"), "the agreement's alipay_user_id (the buyer who paid)");
    }

    [Given("a signed Alipay 商家扣款 agreement")]
    public async Task SignedGeneralAgreement()
    {
        var biz = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["personal_product_code"] = "GENERAL_WITHHOLDING_P",
            ["product_code"] = "GENERAL_WITHHOLDING",
            ["sign_scene"] = AgreementScene,
            ["external_agreement_no"] = "HARNESS_GW_" + context.RunId,
            ["access_params"] = new Dictionary<string, string> { ["channel"] = "ALIPAYAPP" },
        };
        var parameters = await SignedAsync("alipay.user.agreement.page.sign", biz, common: Notify());
        _world.LastReply = await _world.SendAsync(HttpMethod.Get, await GatewayAsync() + "?" + FormText.Encode(parameters));
        _signPage = _world.Last.Location ?? throw new AssertionException($"the gateway answered HTTP {(int)_world.Last.Status}, not a redirect to the sign page: {_world.Last.Body}");
        await SignOnPage();
    }

    [When("the merchant transfers the agreement to a weekly 周期扣款 rule of at most {string} from today")]
    public async Task TransferAgreement(string singleAmount)
    {
        _firstDeductDate = await ChinaTodayAsync();
        await CallAsync("alipay.user.agreement.transfer", new()
        {
            ["agreement_no"] = Agreement,
            ["target_product_code"] = "CYCLE_PAY_AUTH_P",
            ["period_rule_params"] = WeeklyRule(singleAmount),
        });
    }

    [Then("the answer gives the rule: period_type {string}, period {string}, amount {string}")]
    public void TransferAnswered(string periodType, string period, string amount)
    {
        Check.Equal(periodType, ApiReply.Text(ApiReply.Field(Response, "period_type")), "period_type");
        Check.Equal(period, ApiReply.Text(ApiReply.Field(Response, "period")), "period");
        Check.Equal(amount, ApiReply.Text(ApiReply.Field(Response, "amount")), "amount");
        Check.Equal(_firstDeductDate, ApiReply.Text(ApiReply.Field(Response, "execute_time")), "execute_time");
    }

    private async Task<string> ChinaTodayAsync() =>
        (await _world.NowAsync()).ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private Dictionary<string, object> WeeklyRule(string singleAmount) => new(StringComparer.Ordinal)
    {
        ["period_type"] = "DAY",
        ["period"] = 7,
        ["execute_time"] = _firstDeductDate!,
        ["single_amount"] = singleAmount,
    };
}
