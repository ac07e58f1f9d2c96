using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Harness.Sandbox.Tests.Support;
using static Harness.Sandbox.Tests.WeChatPay.WeChatPayBillTests;
using static Harness.Sandbox.Tests.WeChatPay.WeChatPayPartnerTests;
using static Harness.Sandbox.Tests.WeChatPay.WeChatPayProfitSharingReturnOutcomeTests;
using static Harness.Sandbox.Tests.WeChatPay.WeChatPayProfitSharingTests;
using static Harness.Sandbox.Tests.WeChatPay.WeChatPayTests;

namespace Harness.Sandbox.Tests.WeChatPay;

/// <summary>
/// 申请分账账单 (<c>/v3/profitsharing/bills</c>): the day's successful 分账 lines and returns behind the bill download
/// link, the merchant's own and its sub-merchants' (one sub-merchant's with <c>sub_mchid</c>), gzip on request.
/// </summary>
public sealed class WeChatPayProfitSharingBillTests
{
    private const string Header = "分账发起时间,分账完成时间,分账方,分账接收方类型,分账接收方,微信订单号,微信分账/回退单号,分账明细单号,商户分账/回退单号,业务类型,处理状态,金额(元),分账/回退描述";

    /// <summary>
    /// From 09:00 China time on 2026-11-23: a direct order shares 2.00 to a merchant and 0.50 to a person (and 0.10 to the
    /// abnormal test merchant, which closes); at 09:01 0.80 is returned at once, 0.20 after an hour of processing, 0.10
    /// fails; at 09:02 a sub-merchant's order shares 1.00. The clock is left at 10:02 the next day.
    /// </summary>
    private static async Task<SharedOrder> DayAsync()
    {
        var shared = await SharedOrder.StartAsync(sandbox: await TestSandbox.StartAsync(Morning));
        Assert.Equal(HttpStatusCode.OK, (await shared.AddReceiverAsync("MERCHANT_ID", "1900009999", "异常商户")).Status);
        var (status, body, _) = await shared.ShareAsync("share_o", false,
            SharedOrder.Line("MERCHANT_ID", Partner, 200), SharedOrder.Line("PERSONAL_OPENID", Person, 50), SharedOrder.Line("MERCHANT_ID", "1900009999", 10));
        Assert.True(status == HttpStatusCode.OK, body);
        await shared.Sandbox.AdvanceAsync(TimeSpan.FromMinutes(1));
        Assert.Equal("SUCCESS", (await ReturnAsync(shared, "return_now", 80)).Json!["result"]!.GetValue<string>());
        Assert.Equal("PROCESSING", (await ReturnAsync(shared, "PROCESSING_late", 20)).Json!["result"]!.GetValue<string>());
        Assert.Equal("PROCESSING", (await ReturnAsync(shared, "FAILED_ACCOUNT_ABNORMAL_1", 10)).Json!["result"]!.GetValue<string>());

        await shared.Sandbox.AdvanceAsync(TimeSpan.FromMinutes(1));
        var order = PartnerOrder(shared.Wire, "partner_shared", shared.Receiver.Url, SubMchid, Total);
        order["settle_info"] = new JsonObject { ["profit_sharing"] = true };
        var (_, paymentId) = await PlaceAsync(shared.Sandbox, shared.Wire, "native", order);
        await shared.Sandbox.ActAsync(paymentId, "pay");
        var transactionId = shared.Wire.Resource((await shared.Receiver.NextAsync()).Body)["transaction_id"]!.GetValue<string>();
        var partnerShare = new JsonObject
        {
            ["sub_mchid"] = SubMchid, ["transaction_id"] = transactionId, ["out_order_no"] = "p_share", ["unfreeze_unsplit"] = false,
            ["receivers"] = new JsonArray(SharedOrder.Line("MERCHANT_ID", SubMchid, 100)),
        };
        (status, body, _) = await shared.PostAsync("/v3/profitsharing/orders", partnerShare);
        Assert.True(status == HttpStatusCode.OK, body);
        await shared.Sandbox.AdvanceAsync(TimeSpan.FromHours(25));
        return shared;
    }

    [Fact]
    public async Task The_bill_lists_each_successful_share_line_and_return_of_the_day_with_totals_and_a_sub_merchants_alone()
    {
        await using var shared = await DayAsync();
        var link = await ApplyAsync(shared.Wire, "/v3/profitsharing/bills?bill_date=2026-11-23");
        var file = await DownloadAsync(shared.Wire, link);
#pragma warning disable CA5350 // SHA1 is the hash_type WeChat announces
        Assert.Equal(Convert.ToHexStringLower(SHA1.HashData(file)), link["hash_value"]!.GetValue<string>());
#pragma warning restore CA5350
        var lines = Lines(file);
        Assert.Equal(Header, lines[0]);
        Assert.Equal(8, lines.Length);

        // The closed share and the failed return are not listed; the late return is, when it succeeded (10:01).
        var rows = lines[1..5].Select(Cells).ToList();
        Assert.Equal(
            [("分账", Partner, "2.00", "share_o"), ("分账", Person, "0.50", "share_o"), ("分账回退", Partner, "0.80", "return_now"), ("分账", SubMchid, "1.00", "p_share")],
            rows.Select(c => (c[9], c[4], c[11], c[8])));
        Assert.All(rows[..3], c => Assert.Equal((shared.Wire.Mchid, shared.TransactionId, "SUCCESS"), (c[2], c[5], c[10])));
        Assert.Equal(SubMchid, rows[3][2]);
        var late = Cells(lines[5]);
        Assert.Equal(["2026-11-23 10:01:00", "分账回退", "PROCESSING_late", "0.20"], [late[1], late[9], late[8], late[11]]);
        Assert.Equal("分账总笔数,分账总金额,回退总笔数,回退总金额", lines[^2]);
        Assert.Equal("`3,`3.50,`2,`1.00", lines[^1]);

        // One sub-merchant's sharing only; gzip is the same file compressed, with the same hash.
        var partner = Lines(await DownloadAsync(shared.Wire, await ApplyAsync(shared.Wire, $"/v3/profitsharing/bills?bill_date=2026-11-23&sub_mchid={SubMchid}")));
        Assert.Equal(4, partner.Length);
        Assert.Equal("`1,`1.00,`0,`0.00", partner[^1]);
        var gzipLink = await ApplyAsync(shared.Wire, "/v3/profitsharing/bills?bill_date=2026-11-23&tar_type=GZIP");
        Assert.EndsWith("&tartype=gzip", gzipLink["download_url"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(link["hash_value"]!.GetValue<string>(), gzipLink["hash_value"]!.GetValue<string>());
        await using var unzipped = new MemoryStream();
        await using (var gzip = new GZipStream(new MemoryStream(await DownloadAsync(shared.Wire, gzipLink)), CompressionMode.Decompress))
        {
            await gzip.CopyToAsync(unzipped, TestContext.Current.CancellationToken);
        }

        Assert.Equal(file, unzipped.ToArray());
    }

    [Fact]
    public async Task Bad_parameters_an_unbound_sub_merchant_an_unready_day_and_a_day_without_sharing_are_refused()
    {
        await using var shared = await SharedOrder.StartAsync(sandbox: await TestSandbox.StartAsync(Morning));
        await shared.ShareAsync("share_o", false, SharedOrder.Line("MERCHANT_ID", Partner, 100));
        Task<(HttpStatusCode Status, string Body, JsonObject? Json)> BillAsync(string query) =>
            CallAsync(shared.Wire, shared.Wire.Request(HttpMethod.Get, "/v3/profitsharing/bills?" + query));

        Refused(await BillAsync("bill_date=2026-11-23"), HttpStatusCode.BadRequest, "INVALID_REQUEST", "只能申请前一日及更早的账单");
        await shared.Sandbox.AdvanceAsync(TimeSpan.FromHours(24));
        Refused(await BillAsync("bill_date=2026-11-23"), HttpStatusCode.BadRequest, "STATEMENT_CREATING", "账单生成中");
        await shared.Sandbox.AdvanceAsync(TimeSpan.FromHours(1));
        Assert.Equal(HttpStatusCode.OK, (await BillAsync("bill_date=2026-11-23")).Status);
        Refused(await BillAsync(""), HttpStatusCode.BadRequest, "PARAM_ERROR", "bill_date");
        Refused(await BillAsync("bill_date=23-11-2026"), HttpStatusCode.BadRequest, "PARAM_ERROR", "bill_date");
        Refused(await BillAsync("bill_date=2026-11-23&tar_type=ZIP"), HttpStatusCode.BadRequest, "PARAM_ERROR", "tar_type");
        Refused(await BillAsync("bill_date=2026-11-23&sub_mchid="), HttpStatusCode.BadRequest, "PARAM_ERROR", "sub_mchid");
        Refused(await BillAsync("bill_date=2026-11-23&sub_mchid=1900009998"), HttpStatusCode.Forbidden, "NO_AUTH", "受理关系不存在");
        Refused(await BillAsync($"bill_date=2026-11-23&sub_mchid={SubMchid}"), HttpStatusCode.BadRequest, "NO_STATEMENT_EXIST", "请求的账单文件不存在");
        Refused(await BillAsync("bill_date=2026-11-22"), HttpStatusCode.BadRequest, "NO_STATEMENT_EXIST", "请求的账单文件不存在");
    }
}
