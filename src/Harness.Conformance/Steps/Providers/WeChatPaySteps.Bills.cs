using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// WeChat Pay's bills as a merchant reconciles with them: apply for the trade or fund-flow bill of a day, download it
/// with a signed GET, check the SHA1 and read the rows by WeChat's column order.
/// </summary>
public sealed partial class WeChatPaySteps
{
    private readonly Dictionary<string, string> _refundIds = new(StringComparer.Ordinal);
    private string? _billText;

    private string BillDate => _world.TheBillDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    [Given("the merchant has refunded {int} fen of {string} as {string}")]
    public async Task Refunded(int fen, string outTradeNo, string outRefundNo)
    {
        // Paid, or already partly refunded (trade_state REFUND): the refund names the order's total.
        var order = await QueryAsync(outTradeNo);
        Check.Equal(HttpStatusCode.OK, order.Status, $"querying {outTradeNo} ({order.Body})");
        var total = ApiReply.Path(order.Json, "amount.total").GetInt64();
        var reply = await CallAsync(HttpMethod.Post, "/v3/refund/domestic/refunds", new JsonObject
        {
            ["out_trade_no"] = outTradeNo,
            ["out_refund_no"] = outRefundNo,
            ["amount"] = new JsonObject { ["refund"] = fen, ["total"] = total, ["currency"] = "CNY" },
        });
        Check.Equal(HttpStatusCode.OK, reply.Status, $"refunding {outTradeNo} ({reply.Body})");
        _refundIds[outTradeNo] = ApiReply.Text(ApiReply.Field(reply.Json, "refund_id"));
    }

    [When("the merchant applies for the {string} trade bill of that day")]
    public async Task TradeBill(string billType) =>
        _world.LastReply = await CallAsync(HttpMethod.Get, $"/v3/bill/tradebill?bill_date={BillDate}&bill_type={billType}");

    [When("the merchant applies for the {string} trade bill of today")]
    public async Task TodaysTradeBill(string billType)
    {
        var today = SandboxSteps.ChinaDay(await _world.NowAsync()).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        _world.LastReply = await CallAsync(HttpMethod.Get, $"/v3/bill/tradebill?bill_date={today}&bill_type={billType}");
    }

    [When("the merchant applies for the {string} fund-flow bill of that day")]
    public async Task FundFlowBill(string account) =>
        _world.LastReply = await CallAsync(HttpMethod.Get, $"/v3/bill/fundflowbill?bill_date={BillDate}&account_type={account}");

    [When("the merchant applies for a trade bill with the query {string}")]
    public async Task TradeBillWith(string query) =>
        _world.LastReply = await CallAsync(HttpMethod.Get, "/v3/bill/tradebill" + (query.Length > 0 ? "?" + query : ""));

    [Then("the answer is 200 with hash_type {string} and a download_url on the sandbox's host")]
    public void BillLink(string hashType)
    {
        Check.Equal(HttpStatusCode.OK, _world.Last.Status, $"status ({_world.Last.Body})");
        Check.Equal(hashType, ApiReply.Text(ApiReply.Field(_world.Last.Json, "hash_type")), "hash_type");
        var hash = ApiReply.Text(ApiReply.Field(_world.Last.Json, "hash_value"));
        Check.That(hash.Length == 40 && hash.All(char.IsAsciiHexDigitLower), $"hash_value is 40 lowercase hex digits: {hash}");
        Check.That(ApiReply.Text(ApiReply.Field(_world.Last.Json, "download_url")).StartsWith(Wire.BaseUrl + "/v3/billdownload/file?token=", StringComparison.Ordinal),
            $"download_url on the host called: {_world.Last.Body}");
        _billLink = _world.Last;
    }

    [When("the merchant downloads the bill with a signed GET")]
    public async Task DownloadBill()
    {
        var target = new Uri(ApiReply.Text(ApiReply.Field(BillLinkReply.Json, "download_url"))).PathAndQuery;
        _world.LastReply = await _world.SendAsync(HttpMethod.Get, Wire.BaseUrl + target, null, [new("Authorization", Wire.Authorization("GET", target, ""))]);
        Check.Equal(HttpStatusCode.OK, _world.Last.Status, $"download ({_world.Last.Body})");
        _billText = _world.Last.Body;
    }

    /// <summary>The body is read as text, which drops the file's byte-order mark: the hash is over the file with it.</summary>
    [Then("the file comes without WeChat's signature headers, and its SHA1 is the announced hash_value")]
    public void BillHash()
    {
        Check.Equal("", _world.Last.Header("Wechatpay-Signature"), "Wechatpay-Signature of the download");
        Check.Equal("", _world.Last.Header("Wechatpay-Serial"), "Wechatpay-Serial of the download");
        byte[] file = [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(Bill)];
#pragma warning disable CA5350 // SHA1 is the hash_type WeChat announces
        var sha1 = Convert.ToHexStringLower(SHA1.HashData(file));
#pragma warning restore CA5350
        Check.Equal(ApiReply.Text(ApiReply.Field(BillLinkReply.Json, "hash_value")), sha1, "SHA1 of the file with its byte-order mark");
    }

    [Then("the bill has WeChat's {int} trade columns and ends with the summary header {string}")]
    public void BillShape(int columns, string summaryHeader)
    {
        var lines = BillLines();
        Check.That(lines[0].StartsWith("交易时间,公众账号ID,商户号,", StringComparison.Ordinal), $"header: {lines[0]}");
        Check.Equal(columns, lines[0].Split(',').Length, "header columns");
        Check.Equal(summaryHeader, lines[^2], "summary header");
        Check.Equal(7, BillCells(lines[^1]).Length, $"summary row: {lines[^1]}");
        foreach (var row in lines[1..^2])
        {
            Check.Equal(columns, row.Split(',').Length, $"row: {row}");
            Check.That(row.Split(',').All(c => c.StartsWith('`')), $"every value behind a backtick: {row}");
        }
    }

    [Then("the bill lists {string} as {string} with order amount {string}, fee {string} and rate {string}")]
    public void BillPayment(string outTradeNo, string state, string amount, string fee, string rate)
    {
        var row = BillRow(cells => cells[6] == outTradeNo && cells[15] == "0", $"payment of {outTradeNo}");
        Check.Equal(state, row[9], "交易状态");
        Check.Equal(amount, row[24], "订单金额");
        Check.Equal(amount, row[12], "应结订单金额");
        Check.Equal(fee, row[22], "手续费");
        Check.Equal(rate, row[23], "费率");
    }

    [Then("the bill lists refund {string} of {string} as {string} with refund amount {string} and fee {string}")]
    public async Task BillRefund(string outRefundNo, string outTradeNo, string state, string amount, string fee)
    {
        var row = BillRow(cells => cells[15] == outRefundNo, $"refund {outRefundNo}");
        var refund = await CallAsync(HttpMethod.Get, $"/v3/refund/domestic/refunds/{outRefundNo}");
        Check.Equal(outTradeNo, row[6], "商户订单号");
        Check.Equal(state, row[9], "交易状态");
        Check.Equal(ApiReply.Text(ApiReply.Field(refund.Json, "refund_id")), row[14], "微信退款单号");
        Check.Equal(amount, row[16], "退款金额");
        Check.Equal(amount, row[25], "申请退款金额");
        Check.Equal(fee, row[22], "手续费");
    }

    [Then("the bill lists no refund {string}")]
    public void BillLacksRefund(string outRefundNo) =>
        Check.That(BillLines()[1..^2].Select(BillCells).All(cells => cells[15] != outRefundNo), $"the bill lists refund {outRefundNo}: {Bill}");

    [Then("the fund-flow bill lists for {string} a {string} {string} of {string}, a {string} {string} of {string} and a {string} {string} of {string}")]
    public async Task FundFlows(string outTradeNo, string type1, string direction1, string amount1, string type2, string direction2, string amount2, string type3, string direction3, string amount3)
    {
        var transactionId = ApiReply.Text(ApiReply.Field(await TransactionAsync(outTradeNo, "REFUND"), "transaction_id"));
        var lines = BillLines();
        Check.Equal("记账时间,微信支付业务单号,资金流水单号,业务名称,业务类型,收支类型,收支金额(元),账户结余(元),资金变更提交申请人,备注,业务凭证号", lines[0], "header");
        var flows = lines[1..^2].Select(BillCells).Where(c => c[1] == transactionId || c[1] == _refundIds[outTradeNo]).Select(c => $"{c[4]} {c[5]} {c[6]}").ToList();
        Check.Equal(string.Join(" | ", $"{type1} {direction1} {amount1}", $"{type2} {direction2} {amount2}", $"{type3} {direction3} {amount3}"), string.Join(" | ", flows), "the order's flows");
    }

    private WireReply BillLinkReply => _billLink ?? throw new AssertionException("no bill has been applied for");

    private string Bill => _billText ?? throw new AssertionException("no bill has been downloaded");

    private string[] BillLines()
    {
        Check.That(Bill.EndsWith("\r\n", StringComparison.Ordinal), "the bill ends with CRLF");
        return Bill[..^2].Split("\r\n");
    }

    private string[] BillRow(Func<string[], bool> match, string what) =>
        BillLines()[1..^2].Select(BillCells).FirstOrDefault(match) ?? throw new AssertionException($"the bill has no row for the {what}: {Bill}");

    private static string[] BillCells(string line) => [.. line.Split(',').Select(c => c.TrimStart('`'))];
}
