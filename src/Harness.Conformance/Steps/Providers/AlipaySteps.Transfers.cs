using System.Globalization;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// 单笔转账 and the merchant's balance, called in certificate mode as Alipay requires; balances are compared with the
/// one read at the start, since scenarios share the sandbox.
/// </summary>
public sealed partial class AlipaySteps
{
    private const string SellerId = "2088102177000001";

    private Dictionary<string, object>? _transfer;
    private string? _orderId;
    private (decimal Available, decimal Frozen)? _balanceBefore;

    [Given("the merchant has read its Alipay balance")]
    public async Task ReadBalance() => _balanceBefore = await BalanceAsync();

    [When("the merchant transfers {string} to Alipay user {string} in certificate mode")]
    public async Task TransferInCertificateMode(string amount, string payee) =>
        await CallAsync("alipay.fund.trans.uni.transfer", NewTransfer(amount, payee), await CertificateSerialsAsync());

    [When("the merchant transfers {string} to Alipay user {string} in public-key mode")]
    public Task TransferInPublicKeyMode(string amount, string payee) => CallAsync("alipay.fund.trans.uni.transfer", NewTransfer(amount, payee));

    [When("the merchant sends the same transfer again")]
    public async Task TransferAgain() =>
        await CallAsync("alipay.fund.trans.uni.transfer", _transfer ?? throw new AssertionException("no transfer has been sent"), await CertificateSerialsAsync());

    [Then("Alipay answers code {string} with transfer status {string}")]
    public async Task AnswersTransfer(string code, string status)
    {
        await AnswersCode(code);
        Check.Equal(status, ApiReply.Text(ApiReply.Field(Response, "status")), "status");
        Check.Equal((string)_transfer!["out_biz_no"], ApiReply.Text(ApiReply.Field(Response, "out_biz_no")), "out_biz_no");
        _orderId = ApiReply.Text(ApiReply.Field(Response, "order_id"));
    }

    [Then("Alipay answers the same order_id with transfer status {string}")]
    public async Task AnswersSameTransfer(string status)
    {
        var before = _orderId;
        await AnswersTransfer("10000", status);
        Check.Equal(before, _orderId, "order_id of the repeated transfer");
    }

    [Then("alipay.fund.trans.common.query reports the transfer {string} for {string}")]
    public async Task QueriedTransfer(string status, string amount)
    {
        await QueryTransferAsync(status);
        Check.Equal(amount, ApiReply.Text(ApiReply.Field(Response, "trans_amount")), "trans_amount");
        Check.That(ApiReply.Text(ApiReply.Field(Response, "pay_date")).Length > 0, "a paid transfer has no pay_date");
    }

    [Then("alipay.fund.trans.common.query reports the transfer {string} with an error_code and a fail_reason")]
    public async Task QueriedFailedTransfer(string status)
    {
        await QueryTransferAsync(status);
        Check.That(ApiReply.Text(ApiReply.Field(Response, "error_code")).Length > 0, "the failed transfer has no error_code");
        Check.That(ApiReply.Text(ApiReply.Field(Response, "fail_reason")).Length > 0, "the failed transfer has no fail_reason");
    }

    [When("the transfer ends as {string} at Alipay")]
    public async Task EndTransfer(string status) =>
        await _world.ControlAsync(HttpMethod.Post, $"/control/alipay/transfers/{_orderId ?? throw new AssertionException("no transfer was accepted")}/outcome", new { status });

    [Then("the Alipay balance has moved by {string} available and {string} frozen")]
    public async Task BalanceMoved(string available, string frozen)
    {
        var before = _balanceBefore ?? throw new AssertionException("the scenario has not read the balance first");
        var now = await BalanceAsync();
        Check.Equal(decimal.Parse(available, CultureInfo.InvariantCulture), now.Available - before.Available, "the change of available_amount");
        Check.Equal(decimal.Parse(frozen, CultureInfo.InvariantCulture), now.Frozen - before.Frozen, "the change of freeze_amount");
    }

    /// <summary>A new transfer with a unique out_biz_no; it becomes the scenario's transfer.</summary>
    private Dictionary<string, object> NewTransfer(string amount, string payee) => _transfer = new(StringComparer.Ordinal)
    {
        ["out_biz_no"] = "HARNESS_TR_" + context.RunId,
        ["trans_amount"] = amount,
        ["product_code"] = "TRANS_ACCOUNT_NO_PWD",
        ["biz_scene"] = "DIRECT_TRANSFER",
        ["order_title"] = "Harness 提现",
        ["payee_info"] = new Dictionary<string, string> { ["identity"] = payee, ["identity_type"] = "ALIPAY_USER_ID" },
    };

    private async Task QueryTransferAsync(string status)
    {
        await CallAsync("alipay.fund.trans.common.query", new() { ["order_id"] = _orderId ?? throw new AssertionException("no transfer was accepted") }, await CertificateSerialsAsync());
        await AnswersCode("10000");
        Check.Equal(status, ApiReply.Text(ApiReply.Field(Response, "status")), "status");
        Check.Equal(_orderId, ApiReply.Text(ApiReply.Field(Response, "order_id")), "order_id");
    }

    private async Task<(decimal Available, decimal Frozen)> BalanceAsync()
    {
        await CallAsync("alipay.fund.account.query", new() { ["alipay_user_id"] = SellerId, ["account_type"] = "ACCTRANS_ACCOUNT" }, await CertificateSerialsAsync());
        await AnswersCode("10000");
        return (decimal.Parse(ApiReply.Text(ApiReply.Field(Response, "available_amount")), CultureInfo.InvariantCulture),
            decimal.Parse(ApiReply.Text(ApiReply.Field(Response, "freeze_amount")), CultureInfo.InvariantCulture));
    }
}
