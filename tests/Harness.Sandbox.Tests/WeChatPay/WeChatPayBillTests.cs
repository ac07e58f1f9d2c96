using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Harness.Conformance.Steps.Providers;
using Harness.Sandbox.Tests.Support;

namespace Harness.Sandbox.Tests.WeChatPay;

/// <summary>
/// The trade and fund-flow bills (申请交易账单, 申请资金账单, 下载账单): two payments and a partial refund on one China
/// day, a full refund the next; the clock moved to the morning after; links, hashes, rows, totals and fees checked on
/// the files as downloaded, and every refusal in WeChat's words.
/// </summary>
public sealed class WeChatPayBillTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    /// <summary>09:00 China time on 2026-11-23.</summary>
    internal static readonly DateTimeOffset Morning = new(2026, 11, 23, 1, 0, 0, TimeSpan.Zero);

    internal const string AllHeader =
        "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注";

    internal const string SummaryHeader = "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额";

    private sealed record Day(TestSandbox Sandbox, WeChatPayWire Wire, string TransactionA, string TransactionB, string RefundB) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Wire.Dispose();
            await Sandbox.DisposeAsync();
        }
    }

    /// <summary>
    /// On 2026-11-23: order A 100.00 and order B 33.33 paid, B refunded 10.00 (bill_a, bill_b, refund_b1). On 2026-11-24
    /// 09:00, A refunded in full (refund_a1). The clock is left at 10:00 on the 24th: the 23rd's bills are ready.
    /// </summary>
    private static async Task<Day> DayAsync()
    {
        var sandbox = await TestSandbox.StartAsync(Morning);
        var wire = await WeChatPayTests.WireAsync(sandbox);
        var a = await PayAsync(sandbox, wire, "bill_a", 10000);
        await sandbox.AdvanceAsync(TimeSpan.FromMinutes(5));
        var b = await PayAsync(sandbox, wire, "bill_b", 3333);
        await sandbox.AdvanceAsync(TimeSpan.FromMinutes(5));
        var refundB = await RefundAsync(wire, "bill_b", "refund_b1", 1000, 3333);
        await sandbox.AdvanceAsync(TimeSpan.FromDays(1) - TimeSpan.FromMinutes(10));
        await RefundAsync(wire, "bill_a", "refund_a1", 10000, 10000);
        await sandbox.AdvanceAsync(TimeSpan.FromHours(1));
        return new Day(sandbox, wire, a, b, refundB);
    }

    private static async Task<string> PayAsync(TestSandbox sandbox, WeChatPayWire wire, string outTradeNo, long total)
    {
        var paymentId = await WeChatPayTests.PlaceAsync(sandbox, wire, WeChatPayTests.Order(wire, outTradeNo, "https://merchant.example/notify", total, attach: null));
        await sandbox.ActAsync(paymentId, "pay");
        var (_, _, paid) = await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Get, $"/v3/pay/transactions/out-trade-no/{outTradeNo}?mchid={wire.Mchid}"));
        return paid!["transaction_id"]!.GetValue<string>();
    }

    private static async Task<string> RefundAsync(WeChatPayWire wire, string outTradeNo, string outRefundNo, long refund, long total)
    {
        var (status, body, json) = await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/refund/domestic/refunds", new JsonObject
        {
            ["out_trade_no"] = outTradeNo,
            ["out_refund_no"] = outRefundNo,
            ["amount"] = new JsonObject { ["refund"] = refund, ["total"] = total, ["currency"] = "CNY" },
        }));
        Assert.True(status == HttpStatusCode.OK, body);
        return json!["refund_id"]!.GetValue<string>();
    }

    internal static async Task<JsonObject> ApplyAsync(WeChatPayWire wire, string target)
    {
        var (status, body, json) = await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Get, target));
        Assert.True(status == HttpStatusCode.OK, body);
        Assert.Equal("SHA1", json!["hash_type"]!.GetValue<string>());
        Assert.StartsWith(wire.BaseUrl + "/v3/billdownload/file?token=", json["download_url"]!.GetValue<string>(), StringComparison.Ordinal);
        return json;
    }

    /// <summary>Downloads with a signed GET; the answer is the file, without WeChat's signature headers.</summary>
    internal static async Task<byte[]> DownloadAsync(WeChatPayWire wire, JsonObject link)
    {
        using var http = new HttpClient();
        using var response = await http.SendAsync(wire.Request(HttpMethod.Get, new Uri(link["download_url"]!.GetValue<string>()).PathAndQuery), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Wechatpay-Signature"));
        Assert.False(response.Headers.Contains("Wechatpay-Serial"));
        return await response.Content.ReadAsByteArrayAsync(Ct);
    }

    /// <summary>The file's lines after its byte-order mark, split on CRLF, the trailing empty one dropped.</summary>
    internal static string[] Lines(byte[] file)
    {
        Assert.Equal(Encoding.UTF8.GetPreamble(), file[..3]);
        var text = Encoding.UTF8.GetString(file, 3, file.Length - 3);
        Assert.EndsWith("\r\n", text, StringComparison.Ordinal);
        return text[..^2].Split("\r\n");
    }

#pragma warning disable CA5350 // SHA1 is the hash_type WeChat announces
    private static string Sha1(byte[] file) => Convert.ToHexStringLower(SHA1.HashData(file));
#pragma warning restore CA5350

    internal static string[] Cells(string line) => [.. line.Split(',').Select(c => c.TrimStart('`'))];

    [Fact]
    public async Task The_ALL_trade_bill_lists_the_days_payments_and_refunds_with_fees_and_totals_and_its_hash_matches()
    {
        await using var day = await DayAsync();
        var link = await ApplyAsync(day.Wire, "/v3/bill/tradebill?bill_date=2026-11-23&bill_type=ALL");
        var file = await DownloadAsync(day.Wire, link);
        Assert.Equal(link["hash_value"]!.GetValue<string>(), Sha1(file));

        var lines = Lines(file);
        Assert.Equal(AllHeader, lines[0]);
        Assert.Equal(SummaryHeader, lines[^2]);
        Assert.Equal("`3,`133.33,`10.00,`0.00,`0.74000,`133.33,`10.00", lines[^1]);
        Assert.Equal(6, lines.Length);
        Assert.All(lines[1..4], l => Assert.All(l.Split(','), c => Assert.StartsWith("`", c, StringComparison.Ordinal)));

        var a = Cells(lines[1]);
        Assert.Equal(27, a.Length);
        Assert.Equal(["2026-11-23 09:00:00", day.Wire.Appid, day.Wire.Mchid, "0", "", day.TransactionA, "bill_a"], a[..7]);
        Assert.Equal(["NATIVE", "SUCCESS", "OTHERS", "CNY", "100.00", "0.00", "0", "0", "0.00", "0.00", "", ""], a[8..20]);
        Assert.Equal(["Harness 金币 · 100 coins", "", "0.60000", "0.60%", "100.00", "0.00", ""], a[20..]);

        var b = Cells(lines[2]);
        Assert.Equal([day.TransactionB, "bill_b"], b[5..7]);
        Assert.Equal(["33.33", "0.20000", "33.33"], [b[12], b[22], b[24]]);

        // The refund is dated by the payment it refunds, the fee it gives back is 0.60% of it, and its order amounts are 0.
        var refund = Cells(lines[3]);
        Assert.Equal(["2026-11-23 09:05:00", day.TransactionB, "bill_b"], [refund[0], refund[5], refund[6]]);
        Assert.Equal(["REFUND", "0.00", "0.00", day.RefundB, "refund_b1", "10.00", "0.00", "ORIGINAL", "SUCCESS"], refund[9..20].Where((_, i) => i is not (1 or 2)).ToArray());
        Assert.Equal(["-0.06000", "0.60%", "0.00", "10.00"], refund[22..26]);

        // The next day's bill has the full refund of A and nothing of the 23rd; its fee back is all of A's fee.
        await day.Sandbox.AdvanceAsync(TimeSpan.FromDays(1));
        var next = Lines(await DownloadAsync(day.Wire, await ApplyAsync(day.Wire, "/v3/bill/tradebill?bill_date=2026-11-24")));
        Assert.Equal(4, next.Length);
        Assert.Equal(["REFUND", "refund_a1", "100.00", "-0.60000"], Cells(next[1]).Where((_, i) => i is 9 or 15 or 16 or 22).ToArray());
        Assert.Equal("`1,`0.00,`100.00,`0.00,`-0.60000,`0.00,`100.00", next[^1]);
    }

    [Fact]
    public async Task SUCCESS_and_REFUND_bills_have_their_own_columns_and_a_gzip_bill_hashes_as_the_uncompressed_file()
    {
        await using var day = await DayAsync();
        var success = Lines(await DownloadAsync(day.Wire, await ApplyAsync(day.Wire, "/v3/bill/tradebill?bill_date=2026-11-23&bill_type=SUCCESS")));
        Assert.Equal(
            "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,商品名称,商户数据包,手续费,费率,订单金额,费率备注",
            success[0]);
        Assert.Equal(5, success.Length);
        Assert.All(success[1..3], l => Assert.Equal(20, Cells(l).Length));
        Assert.Equal("`2,`133.33,`0.00,`0.00,`0.80000,`133.33,`0.00", success[^1]);

        var refunds = Lines(await DownloadAsync(day.Wire, await ApplyAsync(day.Wire, "/v3/bill/tradebill?bill_date=2026-11-23&bill_type=REFUND")));
        Assert.Equal(
            "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,退款申请时间,退款成功时间,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注",
            refunds[0]);
        var row = Cells(refunds[1]);
        Assert.Equal(29, row.Length);
        Assert.Equal(["2026-11-23 09:10:00", "2026-11-23 09:10:00", day.RefundB, "refund_b1", "10.00"], row[14..19]);
        Assert.Equal("`1,`0.00,`10.00,`0.00,`-0.06000,`0.00,`10.00", refunds[^1]);

        var link = await ApplyAsync(day.Wire, "/v3/bill/tradebill?bill_date=2026-11-23&tar_type=GZIP");
        Assert.EndsWith("&tartype=gzip", link["download_url"]!.GetValue<string>(), StringComparison.Ordinal);
        var compressed = await DownloadAsync(day.Wire, link);
        Assert.Equal([0x1f, 0x8b], compressed[..2]);
        using var gzip = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
        using var plain = new MemoryStream();
        await gzip.CopyToAsync(plain, Ct);
        Assert.Equal(link["hash_value"]!.GetValue<string>(), Sha1(plain.ToArray()));
        Assert.Equal(Lines(await DownloadAsync(day.Wire, await ApplyAsync(day.Wire, "/v3/bill/tradebill?bill_date=2026-11-23"))), Lines(plain.ToArray()));
    }

    [Fact]
    public async Task The_fund_flow_bill_credits_payments_debits_fees_and_refunds_and_keeps_the_balance()
    {
        await using var day = await DayAsync();
        var link = await ApplyAsync(day.Wire, "/v3/bill/fundflowbill?bill_date=2026-11-23");
        var file = await DownloadAsync(day.Wire, link);
        Assert.Equal(link["hash_value"]!.GetValue<string>(), Sha1(file));
        var lines = Lines(file);
        Assert.Equal("记账时间,微信支付业务单号,资金流水单号,业务名称,业务类型,收支类型,收支金额(元),账户结余(元),资金变更提交申请人,备注,业务凭证号", lines[0]);
        string[] Flow(int i) => [.. Cells(lines[i]).Where((_, c) => c is 1 or 3 or 4 or 5 or 6 or 7 or 9 or 10)];
        Assert.Equal([day.TransactionA, "交易", "交易", "收入", "100.00", "100.00", "", "bill_a"], Flow(1));
        Assert.Equal([day.TransactionA, "交易", "扣除交易手续费", "支出", "0.60", "99.40", "", "bill_a"], Flow(2));
        Assert.Equal([day.TransactionB, "交易", "交易", "收入", "33.33", "132.73", "", "bill_b"], Flow(3));
        Assert.Equal([day.TransactionB, "交易", "扣除交易手续费", "支出", "0.20", "132.53", "", "bill_b"], Flow(4));
        Assert.Equal([day.RefundB, "退款", "退款", "支出", "9.94", "122.59", "退款总金额10.00元;含手续费0.06元", "refund_b1"], Flow(5));
        Assert.Matches($"^{day.Wire.Mchid}20261123[0-9]{{10}}$", Cells(lines[1])[2]);
        Assert.Equal("资金流水总笔数,收入笔数,收入金额,支出笔数,支出金额", lines[^2]);
        Assert.Equal("`5,`2,`133.33,`3,`10.74", lines[^1]);

        // Another account has no flows; the same bill asked again is the same file.
        var (status, _, none) = await WeChatPayTests.CallAsync(day.Wire, day.Wire.Request(HttpMethod.Get, "/v3/bill/fundflowbill?bill_date=2026-11-23&account_type=OPERATION"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("NO_STATEMENT_EXIST", none!["code"]!.GetValue<string>());
        Assert.Equal(link["hash_value"]!.GetValue<string>(), (await ApplyAsync(day.Wire, "/v3/bill/fundflowbill?bill_date=2026-11-23&account_type=BASIC"))["hash_value"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("/v3/bill/tradebill?bill_date=2026-11-24", 400, "INVALID_REQUEST", "bill_date参数错误：只能申请前一日及更早的账单")]
    [InlineData("/v3/bill/tradebill?bill_date=2026-12-01", 400, "INVALID_REQUEST", "bill_date参数错误：只能申请前一日及更早的账单")]
    [InlineData("/v3/bill/fundflowbill?bill_date=2026-08-23", 400, "INVALID_REQUEST", "bill_date参数错误：仅支持三个月内的账单下载申请")]
    [InlineData("/v3/bill/tradebill?bill_date=2026-11-22", 400, "NO_STATEMENT_EXIST", "请求的账单文件不存在")]
    [InlineData("/v3/bill/tradebill?bill_date=2026-11-23&bill_type=RECHARGE_REFUND", 400, "NO_STATEMENT_EXIST", "请求的账单文件不存在")]
    [InlineData("/v3/bill/tradebill", 400, "PARAM_ERROR", "输入源“/query/bill_date”映射到字段“bill_date”必填性规则校验失败，此字段为必填项")]
    [InlineData("/v3/bill/tradebill?bill_date=2026-13-01", 400, "PARAM_ERROR", "输入源“/query/bill_date”映射到字段“bill_date”格式错误：应为yyyy-MM-dd格式的日期")]
    [InlineData("/v3/bill/tradebill?bill_date=20261123", 400, "PARAM_ERROR", "输入源“/query/bill_date”映射到字段“bill_date”格式错误：应为yyyy-MM-dd格式的日期")]
    [InlineData("/v3/bill/tradebill?bill_date=2026-11-23&bill_type=WEEKLY", 400, "PARAM_ERROR", "输入源“/query/bill_type”映射到字段“bill_type”取值错误：应为ALL、SUCCESS、REFUND、RECHARGE_REFUND、ALL_SPECIAL、SUC_SPECIAL或REF_SPECIAL")]
    [InlineData("/v3/bill/tradebill?bill_date=2026-11-23&tar_type=ZIP", 400, "PARAM_ERROR", "输入源“/query/tar_type”映射到字段“tar_type”取值错误：应为GZIP")]
    [InlineData("/v3/bill/fundflowbill?bill_date=2026-11-23&account_type=ALL", 400, "PARAM_ERROR", "输入源“/query/account_type”映射到字段“account_type”取值错误：应为BASIC、OPERATION或FEES")]
    [InlineData("/v3/billdownload/file?token=no-such-token", 400, "INVALID_REQUEST", "账单下载地址无效或已过期，请重新调用申请账单接口获取")]
    public async Task Bills_that_do_not_exist_and_bad_parameters_get_WeChats_answers(string target, int status, string code, string message)
    {
        await using var sandbox = await TestSandbox.StartAsync(Morning + TimeSpan.FromDays(1) + TimeSpan.FromHours(1));
        using var wire = await WeChatPayTests.WireAsync(sandbox);
        await PayAsync(sandbox, wire, "bill_today", 100); // today's payments make no bill of today

        var (actual, _, json) = await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Get, target));
        Assert.Equal(status, (int)actual);
        Assert.Equal(code, json!["code"]!.GetValue<string>());
        Assert.Equal(message, json["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_days_bill_is_being_made_until_ten_the_next_morning_and_a_link_serves_only_its_merchant_signed()
    {
        await using var sandbox = await TestSandbox.StartAsync(Morning);
        using var wire = await WeChatPayTests.WireAsync(sandbox);
        await PayAsync(sandbox, wire, "bill_early", 500);
        await sandbox.AdvanceAsync(TimeSpan.FromHours(24 + 0.95));
        var (status, _, creating) = await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Get, "/v3/bill/tradebill?bill_date=2026-11-23"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("STATEMENT_CREATING", creating!["code"]!.GetValue<string>());
        Assert.Equal("账单生成中", creating["message"]!.GetValue<string>());

        await sandbox.AdvanceAsync(TimeSpan.FromMinutes(3));
        var link = await ApplyAsync(wire, "/v3/bill/tradebill?bill_date=2026-11-23");
        var target = new Uri(link["download_url"]!.GetValue<string>()).PathAndQuery;

        using var http = new HttpClient();
        using (var unsigned = await http.GetAsync(wire.BaseUrl + target, Ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
            Assert.Contains("\"code\":\"SIGN_ERROR\"", await unsigned.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        // The sandbox has one merchant: a download signed under another mchid is refused at authentication.
        var credentials = (await sandbox.GetJsonAsync("/control/providers/wechatpay"))["credentials"]!.AsObject()
            .ToDictionary(c => c.Key, c => c.Value!.GetValue<string>());
        credentials["mchid"] = "1900000110";
        using var other = new WeChatPayWire(wire.BaseUrl, credentials);
        var (otherStatus, _, refused) = await WeChatPayTests.CallAsync(other, other.Request(HttpMethod.Get, target));
        Assert.Equal((HttpStatusCode.Unauthorized, "SIGN_ERROR", "mchid"), (otherStatus, refused!["code"]!.GetValue<string>(), refused["detail"]!["field"]!.GetValue<string>()));

        // A fee of 0.60% on 5.00 is 0.03: rounded to the fen.
        var lines = Lines(await DownloadAsync(wire, link));
        Assert.Equal("`1,`5.00,`0.00,`0.00,`0.03000,`5.00,`0.00", lines[^1]);
    }

    [Fact]
    public async Task Only_refunds_that_succeeded_are_in_the_bills_and_an_abnormal_one_is_on_the_day_it_is_sent_on_and_succeeds()
    {
        await using var sandbox = await TestSandbox.StartAsync(Morning);
        using var wire = await WeChatPayTests.WireAsync(sandbox);
        await PayAsync(sandbox, wire, "bill_outcomes", 10000);
        async Task<string> RefundEndingAsync(string outcome, string outRefundNo, long amount)
        {
            (await sandbox.PutSettingsAsync("wechatpay", new { refund_outcome = outcome })).EnsureSuccessStatusCode();
            return await RefundAsync(wire, "bill_outcomes", outRefundNo, amount, 10000);
        }

        var abnormal = await RefundEndingAsync("ABNORMAL", "refund_abnormal", 1000);
        await RefundEndingAsync("CLOSED", "refund_closed", 2000);
        await RefundEndingAsync("SUCCESS", "refund_success", 3000);
        await sandbox.AdvanceAsync(TimeSpan.FromHours(25));

        // The 23rd: the payment and the one refund that succeeded; its fee back is 0.18 of the payment's 0.60.
        var all = Lines(await DownloadAsync(wire, await ApplyAsync(wire, "/v3/bill/tradebill?bill_date=2026-11-23&bill_type=ALL")));
        Assert.Equal(5, all.Length);
        var (payment, refund) = (Cells(all[1]), Cells(all[2]));
        Assert.Equal(["bill_outcomes", "SUCCESS"], [payment[6], payment[9]]);
        Assert.Equal(["REFUND", "refund_success", "30.00", "SUCCESS"], [refund[9], refund[15], refund[16], refund[19]]);
        Assert.Equal("`2,`100.00,`30.00,`0.00,`0.42000,`100.00,`30.00", all[^1]);
        var flows = Lines(await DownloadAsync(wire, await ApplyAsync(wire, "/v3/bill/fundflowbill?bill_date=2026-11-23")));
        Assert.Equal("`3,`1,`100.00,`2,`30.42", flows[^1]);

        // Sent on to the merchant's account on the 24th, the abnormal refund succeeds then: a row of the 24th's bill.
        var (applied, body, _) = await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Post, $"/v3/refund/domestic/refunds/{abnormal}/apply-abnormal-refund",
            new JsonObject { ["out_refund_no"] = "refund_abnormal", ["type"] = "MERCHANT_BANK_CARD" }));
        Assert.True(applied == HttpStatusCode.OK, body);
        await sandbox.AdvanceAsync(TimeSpan.FromDays(1));
        var refunds = Lines(await DownloadAsync(wire, await ApplyAsync(wire, "/v3/bill/tradebill?bill_date=2026-11-24&bill_type=REFUND")));
        Assert.Equal(4, refunds.Length);
        var row = Cells(refunds[1]);
        Assert.Equal(["2026-11-23 09:00:00", "2026-11-24 10:00:00", "refund_abnormal", "10.00", "SUCCESS"], [row[14], row[15], row[17], row[18], row[21]]);
    }

    [Fact]
    public async Task The_official_wechatpay_node_v3_SDK_applies_for_and_downloads_both_bills_and_their_hashes_match()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var run = await NodeScripts.RunAsync("wechatpay-bills.mjs", await WeChatPayTests.NodeEnvironmentAsync(sandbox));

        Assert.True(run.ExitCode == 0, run.Errors);
        var result = JsonNode.Parse(run.Output.Trim().Split('\n')[^1])!;
        Assert.Equal("SHA1", result["hashType"]!.GetValue<string>());
        Assert.True(result["tradeHashMatches"]!.GetValue<bool>(), "the trade bill's SHA1");
        Assert.True(result["fundHashMatches"]!.GetValue<bool>(), "the fund-flow bill's SHA1");
        Assert.Equal(2, result["rows"]!.GetValue<int>());
        Assert.Equal("`2,`25.00,`5.00,`0.00,`0.12000,`25.00,`5.00", result["summary"]!.GetValue<string>());
        Assert.Equal("`3,`1,`25.00,`2,`5.12", result["fundSummary"]!.GetValue<string>());
        Assert.Equal(400, result["oldStatus"]!.GetValue<int>());
    }
}
