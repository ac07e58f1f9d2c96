using System.Globalization;
using System.Text.Json;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// Epay V2's merchant APIs (<c>/api/merchant/info|orders</c>) and transfers (<c>/api/transfer/*</c>). The sandbox's merchant
/// is shared by every scenario of a run, so counts and balances are checked as changes from what the scenario read first.
/// </summary>
public sealed partial class EpayV2Steps
{
    private JsonElement? _account;
    private decimal? _available;
    private string? _outBizNo;
    private string? _bizNo;

    [When("the merchant reads its account through \\/api\\/merchant\\/info")]
    public async Task ReadAccount()
    {
        await CallAsync("/api/merchant/info", []);
        _account = _world.Last.Json.Clone();
    }

    [Then("\\/api\\/merchant\\/info counts {int} more order(s) and a balance {string} higher")]
    public async Task AccountMoved(int orders, string money)
    {
        var before = _account ?? throw new AssertionException("the scenario has not read the account yet");
        await CallAsync("/api/merchant/info", []);
        await SignedAnswer();
        var now = _world.Last.Json;
        Check.Equal(orders, ApiReply.Field(now, "order_num").GetInt32() - ApiReply.Field(before, "order_num").GetInt32(), "order_num's change");
        Check.Equal(Yuan(money), Yuan(ApiReply.Text(ApiReply.Field(now, "money"))) - Yuan(ApiReply.Text(ApiReply.Field(before, "money"))), "money's change");
    }

    /// <summary>
    /// Orders made in the same second (the test sandbox's clock may stand still) have no order among themselves, as at
    /// 彩虹易支付, so the order is looked for on the first page, and the page is checked to be newest first.
    /// </summary>
    [Then("\\/api\\/merchant\\/orders with status {int} lists the order, newest first, with money {string}")]
    public async Task OrdersListed(int status, string money)
    {
        await CallAsync("/api/merchant/orders", new() { ["offset"] = "0", ["limit"] = "50", ["status"] = status.ToString(CultureInfo.InvariantCulture) });
        await SignedAnswer();
        var listed = ApiReply.Field(_world.Last.Json, "data").EnumerateArray().ToList();
        var added = listed.Select(o => ApiReply.Text(ApiReply.Field(o, "addtime"))).ToList();
        Check.That(added.SequenceEqual(added.OrderDescending(StringComparer.Ordinal)), $"the orders are newest first: {string.Join(", ", added)}");
        var mine = listed.FirstOrDefault(o => ApiReply.Text(ApiReply.Field(o, "trade_no")) == _world.ThePayment);
        Check.That(mine.ValueKind == JsonValueKind.Object, $"order {_world.ThePayment} is on the first page: {_world.Last.Body}");
        Check.Equal(money, ApiReply.Text(ApiReply.Field(mine, "money")), "money");
        Check.Equal(status, ApiReply.Field(mine, "status").GetInt32(), "status");
        Check.That(listed.All(o => ApiReply.Field(o, "status").GetInt32() == status), $"every order listed has status {status}");
    }

    [When("the merchant lists its orders through \\/api\\/merchant\\/orders with limit {int}")]
    public Task ListOrders(int limit) =>
        CallAsync("/api/merchant/orders", new() { ["offset"] = "0", ["limit"] = limit.ToString(CultureInfo.InvariantCulture) });

    [Given("the Epay transfer outcome is {string}")]
    public Task TransferOutcome(string outcome) => _world.ConfigureAsync("epay", new Dictionary<string, string?> { ["transfer_outcome"] = outcome });

    [When("the merchant reads its balance through \\/api\\/transfer\\/balance")]
    public async Task ReadBalance() => _available = await AvailableAsync();

    [When("the merchant transfers {string} to the {word} account {string} through \\/api\\/transfer\\/submit")]
    public Task Transfer(string money, string type, string account)
    {
        _outBizNo = context.Unique("tr" + money.Replace(".", "", StringComparison.Ordinal));
        return SubmitAsync(money, type, account);
    }

    [When("the merchant transfers {string} again with the same out_biz_no")]
    public Task TransferAgain(string money) => SubmitAsync(money, "alipay", "payee@example.com");

    [When("the merchant transfers {string} more than the available balance")]
    public async Task TransferBeyond(string money)
    {
        var available = await AvailableAsync();
        _outBizNo = context.Unique("beyond");
        await SubmitAsync((available + Yuan(money)).ToString("0.00", CultureInfo.InvariantCulture), "alipay", "payee@example.com");
    }

    [Then("the answer has code 0, transfer status {int} and the platform's signature")]
    public async Task Transferred(int status)
    {
        await SignedAnswer();
        Check.Equal(status, ApiReply.Field(_world.Last.Json, "status").GetInt32(), "status");
        Check.Equal(_outBizNo, ApiReply.Text(ApiReply.Field(_world.Last.Json, "out_biz_no")), "out_biz_no");
        _bizNo = ApiReply.Text(ApiReply.Field(_world.Last.Json, "biz_no"));
    }

    [Then("\\/api\\/transfer\\/query reports transfer status {int} in a signed answer")]
    public async Task TransferQueried(int status)
    {
        await CallAsync("/api/transfer/query", new() { ["out_biz_no"] = _outBizNo ?? throw new AssertionException("the scenario has made no transfer") });
        await SignedAnswer();
        Check.Equal(status, ApiReply.Field(_world.Last.Json, "status").GetInt32(), "status");
        Check.Equal(_bizNo, ApiReply.Text(ApiReply.Field(_world.Last.Json, "biz_no")), "biz_no");
    }

    [Then("\\/api\\/transfer\\/query reports transfer status {int} in a signed answer, with errmsg {string}")]
    public async Task TransferFailed(int status, string errmsg)
    {
        await TransferQueried(status);
        Check.Equal(errmsg, ApiReply.Text(ApiReply.Field(_world.Last.Json, "errmsg")), "errmsg");
    }

    [Then("\\/api\\/transfer\\/balance shows {string} less available")]
    public async Task BalanceMoved(string money)
    {
        var before = _available ?? throw new AssertionException("the scenario has not read the balance yet");
        Check.Equal(Yuan(money), before - await AvailableAsync(), "available_money's fall");
    }

    [When("the operator fails the transfer with errmsg {string}")]
    public Task FailTransfer(string errmsg) =>
        _world.ControlAsync(HttpMethod.Post, $"/control/epay/transfers/{_bizNo ?? throw new AssertionException("the scenario has no transfer yet")}/outcome", new { status = "failed", errmsg });

    private async Task SubmitAsync(string money, string type, string account) => await CallAsync("/api/transfer/submit", new()
    {
        ["type"] = type,
        ["account"] = account,
        ["name"] = "张三",
        ["money"] = money,
        ["out_biz_no"] = _outBizNo ?? throw new AssertionException("the scenario has made no transfer"),
        ["remark"] = "Harness payout",
    });

    private async Task<decimal> AvailableAsync()
    {
        await CallAsync("/api/transfer/balance", []);
        await SignedAnswer();
        return Yuan(ApiReply.Text(ApiReply.Field(_world.Last.Json, "available_money")));
    }

    private static decimal Yuan(string text) => decimal.Parse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
}
