using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Harness.Sandbox.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Harness.Sandbox.Tests.Alipay;

/// <summary>
/// <c>alipay.data.dataservice.bill.downloadurl.query</c>: trades paid and refunded on one China day, the clock moved to
/// the next morning; the signed answer's link serves a zip of GBK CSV files whose rows, totals and comment lines are
/// checked, by day and by month, and every refusal in Alipay's words.
/// </summary>
public sealed class AlipayBillTests
{
    private const string Method = "alipay.data.dataservice.bill.downloadurl.query";
    private const string Account = "20881021770000010156";

    private const string TradeColumns =
        "支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注";

    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    /// <summary>09:00 China time on 2026-11-23.</summary>
    internal static readonly DateTimeOffset Morning = new(2026, 11, 23, 1, 0, 0, TimeSpan.Zero);

    private static readonly Encoding Gbk = CodePagesEncodingProvider.Instance.GetEncoding(936)!;

    private static async Task<string> PaidAsync(TestSandbox sandbox, AlipayClient alipay, string outTradeNo, string amount)
    {
        var tradeNo = await AlipayTests.PrecreateAsync(alipay, outTradeNo, "https://merchant.example/alipay/notify", amount);
        await AlipayTests.ScanAsync(sandbox, tradeNo);
        await sandbox.ActAsync(tradeNo, "pay");
        return tradeNo;
    }

    private static async Task RefundAsync(AlipayClient alipay, string outTradeNo, string amount, string requestNo) =>
        Assert.Equal("10000", (await alipay.CallAsync("alipay.trade.refund", new { out_trade_no = outTradeNo, refund_amount = amount, out_request_no = requestNo })).Code);

    /// <summary>Asks for the link (the answer's signature checked) and downloads the zip: its entries by name, decoded from GBK.</summary>
    internal static async Task<Dictionary<string, string[]>> BillAsync(AlipayClient alipay, string billType, string billDate, string fileDate)
    {
        var reply = await alipay.CallAsync(Method, new { bill_type = billType, bill_date = billDate });
        Assert.True(reply.SignatureValid, reply.Body);
        Assert.True(reply.Code == "10000", reply.Body);
        var url = reply.Field("bill_download_url");
        var origin = alipay.Gateway[..alipay.Gateway.IndexOf("/gateway.do", StringComparison.Ordinal)];
        Assert.StartsWith(
            $"{origin}/downloadBillFile.resource?bizType={billType}&userId={Account}&fileType=csv.zip&bizDates={fileDate}&downloadFileName={Account}_{fileDate}.csv.zip&fileId=",
            url,
            StringComparison.Ordinal);

        using var http = new HttpClient();
        using var response = await http.GetAsync(url, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/zip", response.Content.Headers.ContentType!.MediaType);
        using var zip = new ZipArchive(new MemoryStream(await response.Content.ReadAsByteArrayAsync(Ct)), ZipArchiveMode.Read, false, Gbk);
        var files = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var entry in zip.Entries)
        {
            using var reader = new StreamReader(entry.Open(), Gbk);
            var text = await reader.ReadToEndAsync(Ct);
            Assert.EndsWith("\r\n", text, StringComparison.Ordinal);
            files[entry.FullName] = text[..^2].Split("\r\n");
        }

        return files;
    }

    [Fact]
    public async Task A_days_trade_bill_lists_its_payments_and_refunds_in_two_GBK_files_and_the_month_adds_up_the_days()
    {
        await using var sandbox = await TestSandbox.StartAsync(Morning);
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var a = await PaidAsync(sandbox, alipay, "BILL_A", "88.88");
        await sandbox.AdvanceAsync(TimeSpan.FromMinutes(5));
        var b = await PaidAsync(sandbox, alipay, "BILL_B", "10.00");
        await sandbox.AdvanceAsync(TimeSpan.FromMinutes(5));
        await RefundAsync(alipay, "BILL_B", "3.00", "R1");

        // The next morning before nine the bill is not there yet; the rest of B is refunded then, which is the 24th's.
        await sandbox.AdvanceAsync(TimeSpan.FromHours(23.5) - TimeSpan.FromMinutes(10));
        await RefundAsync(alipay, "BILL_B", "7.00", "R2");
        var early = await alipay.CallAsync(Method, new { bill_type = "trade", bill_date = "2026-11-23" });
        Assert.Equal(["40004", "Business Failed", "isp.bill_not_exist", "账单不存在"], [early.Code, early.Field("msg"), early.SubCode!, early.Field("sub_msg")]);
        await sandbox.AdvanceAsync(TimeSpan.FromMinutes(30));

        var files = await BillAsync(alipay, "trade", "2026-11-23", "20261123");
        Assert.Equal([$"{Account}_20261123_业务明细.csv", $"{Account}_20261123_业务明细(汇总).csv"], files.Keys);
        var detail = files[$"{Account}_20261123_业务明细.csv"];
        Assert.Equal(
        [
            "#支付宝业务明细查询",
            $"#账号：[{Account}]",
            "#起始日期：[2026年11月23日 00:00:00]   终止日期：[2026年11月24日 00:00:00]",
            "#-----------------------------------------业务明细列表----------------------------------------",
            TradeColumns,
            $"{a}\t,BILL_A\t,交易\t,Harness 充值,2026-11-23 09:00:00,2026-11-23 09:00:00,\t,\t,\t,\t,sbx***@sandbox.example\t,88.88,88.88,0.00,0.00,0.00,0.00,0.00,,0.00\t,0.00,\t,0.00,0.00,",
            $"{b}\t,BILL_B\t,交易\t,Harness 充值,2026-11-23 09:05:00,2026-11-23 09:05:00,\t,\t,\t,\t,sbx***@sandbox.example\t,10.00,10.00,0.00,0.00,0.00,0.00,0.00,,0.00\t,0.00,\t,0.00,0.00,",
            $"{b}\t,BILL_B\t,退款\t,Harness 充值,2026-11-23 09:05:00,2026-11-23 09:10:00,\t,\t,\t,\t,sbx***@sandbox.example\t,-3.00,-3.00,0.00,0.00,0.00,0.00,0.00,,0.00\t,0.00,R1\t,0.00,0.00,",
            "#-----------------------------------------业务明细列表结束------------------------------------",
            "#交易合计：2笔，商家实收共98.88元，商家优惠共0.00元",
            "#退款合计：1笔，商家实收退款共-3.00元，商家优惠退款共0.00元",
            "#导出时间：[2026年11月24日 09:00:00]",
        ],
        detail);
        var summary = files[$"{Account}_20261123_业务明细(汇总).csv"];
        Assert.Equal("#支付宝业务汇总查询", summary[0]);
        Assert.Equal("#-----------------------------------------业务汇总列表----------------------------------------", summary[3]);
        Assert.Equal("门店编号,门店名称,交易订单总笔数,退款订单总笔数,订单金额（元）,商家实收（元）,支付宝优惠（元）,商家优惠（元）,卡消费金额（元）,服务费（元）,分润（元）,实收净额（元）", summary[4]);
        Assert.Equal("合计,,2,1,95.88,95.88,0.00,0.00,0.00,0.00,0.00,95.88", summary[5]);
        Assert.Equal("#导出时间：[2026年11月24日 09:00:00]", summary[^1]);

        // The account's flows of the day, with the balance after each.
        var account = await BillAsync(alipay, "signcustomer", "2026-11-23", "20261123");
        var flows = account[$"{Account}_20261123_账务明细.csv"];
        Assert.Equal("账务流水号,业务流水号,商户订单号,商品名称,发生时间,对方账号,收入金额（+元）,支出金额（-元）,账户余额（元）,交易渠道,业务类型,备注", flows[4]);
        Assert.Equal([$"{b}\t", "BILL_B\t", "", "-3.00", "95.88", "交易退款"], flows[7].Split(',').Where((_, i) => i is 1 or 2 or 6 or 7 or 8 or 10).ToArray());
        Assert.Equal(["#支出合计：1笔，共-3.00元", "#收入合计：2笔，共98.88元"], flows[^3..^1]);
        Assert.Equal("合计,2,98.88,1,-3.00", account[$"{Account}_20261123_账务明细(汇总).csv"][^3]);

        // November's bill exists from 09:00 on 3 December and holds both days.
        var month = await alipay.CallAsync(Method, new { bill_type = "trade", bill_date = "2026-11" });
        Assert.Equal("isv.invalid-parameter", month.SubCode);
        await sandbox.AdvanceAsync(TimeSpan.FromDays(9));
        var november = (await BillAsync(alipay, "trade", "2026-11", "202611"))[$"{Account}_202611_业务明细.csv"];
        Assert.Equal("#起始日期：[2026年11月01日 00:00:00]   终止日期：[2026年12月01日 00:00:00]", november[2]);
        Assert.Equal("#退款合计：2笔，商家实收退款共-10.00元，商家优惠退款共0.00元", november[^2]);
        Assert.Equal("#导出时间：[2026年12月03日 09:00:00]", november[^1]);
    }

    [Theory]
    [InlineData("trade", "2026-11-24", "40002", "isv.invalid-parameter", "参数不合法：只能查询2016年1月1日起、当日（月账单为当月）之前的账单")]
    [InlineData("trade", "2027-01-01", "40002", "isv.invalid-parameter", "参数不合法：只能查询2016年1月1日起、当日（月账单为当月）之前的账单")]
    [InlineData("trade", "2015-12-31", "40002", "isv.invalid-parameter", "参数不合法：只能查询2016年1月1日起、当日（月账单为当月）之前的账单")]
    [InlineData("trade", "2026/11/23", "40002", "isv.invalid-parameter", "参数不合法：bill_date 须为 yyyy-MM-dd（日账单）或 yyyy-MM（月账单）")]
    [InlineData("trade", "2026-11-3", "40002", "isv.invalid-parameter", "参数不合法：bill_date 须为 yyyy-MM-dd（日账单）或 yyyy-MM（月账单）")]
    [InlineData("fund", "2026-11-23", "40002", "isv.invalid-parameter", "参数不合法：bill_type 只能是 trade 或 signcustomer")]
    [InlineData("trade", "2026-11-22", "40004", "isp.bill_not_exist", "账单不存在")]
    [InlineData("signcustomer", "2026-10", "40004", "isp.bill_not_exist", "账单不存在")]
    public async Task Bad_dates_and_days_without_a_bill_get_Alipays_sub_codes(string billType, string billDate, string code, string subCode, string subMsg)
    {
        await using var sandbox = await TestSandbox.StartAsync(Morning + TimeSpan.FromDays(1));
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        await PaidAsync(sandbox, alipay, "BILL_TODAY", "1.00");

        var reply = await alipay.CallAsync(Method, new { bill_type = billType, bill_date = billDate });
        Assert.True(reply.SignatureValid, reply.Body);
        Assert.Equal([code, subCode, subMsg], [reply.Code, reply.SubCode!, reply.Field("sub_msg")]);
    }

    [Fact]
    public async Task A_bill_link_works_for_thirty_seconds_of_real_time()
    {
        var wallClock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var sandbox = await TestSandbox.StartAsync(Morning, wallClock);
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        await PaidAsync(sandbox, alipay, "BILL_LINK", "1.00");
        await sandbox.AdvanceAsync(TimeSpan.FromDays(1));
        var url = (await alipay.CallAsync(Method, new { bill_type = "trade", bill_date = "2026-11-23" })).Field("bill_download_url");

        using var http = new HttpClient();
        wallClock.Advance(TimeSpan.FromSeconds(29));
        using (var live = await http.GetAsync(url, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }

        wallClock.Advance(TimeSpan.FromSeconds(2));
        using var expired = await http.GetAsync(url, Ct);
        Assert.Equal(HttpStatusCode.NotFound, expired.StatusCode);
        var refused = JsonNode.Parse(await expired.Content.ReadAsStringAsync(Ct))!["error_response"]!;
        Assert.Equal(["40002", "isv.invalid-path", "下载链接不存在或已过期，请重新查询对账单下载地址"], [refused["code"]!.GetValue<string>(), refused["sub_code"]!.GetValue<string>(), refused["sub_msg"]!.GetValue<string>()]);
    }

    [Fact]
    public async Task The_official_alipay_npm_SDK_gets_the_link_by_exec_and_by_the_v3_route_and_the_zip_reads_as_GBK()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var run = await NodeScripts.RunAsync("alipay-bills.mjs", await AlipaySdkVariantTests.SdkEnvironmentAsync(sandbox));

        Assert.True(run.ExitCode == 0, run.Errors);
        var result = JsonNode.Parse(run.Output.Trim().Split('\n')[^1])!;
        Assert.Equal([$"{Account}_20261123_业务明细.csv", $"{Account}_20261123_业务明细(汇总).csv"], result["names"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal("#支付宝业务明细查询", result["title"]!.GetValue<string>());
        Assert.Equal(2, result["rows"]!.GetValue<int>());
        Assert.Equal(
            ["#交易合计：1笔，商家实收共12.34元，商家优惠共0.00元", "#退款合计：1笔，商家实收退款共-2.34元，商家优惠退款共0.00元"],
            result["totals"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(200, result["v3Status"]!.GetValue<int>());
        Assert.True(result["v3Url"]!.GetValue<bool>());
        Assert.Equal("isp.bill_not_exist", result["missing"]!.GetValue<string>());
    }
}
