using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Harness.Conformance.Steps.Providers;
using Harness.Sandbox.Tests.Support;
using static Harness.Sandbox.Tests.WeChatPay.WeChatPayBillTests;
using static Harness.Sandbox.Tests.WeChatPay.WeChatPayPartnerTests;
using static Harness.Sandbox.Tests.WeChatPay.WeChatPayProfitSharingTests;

namespace Harness.Sandbox.Tests.WeChatPay;

/// <summary>
/// 申请单个子商户资金账单 (<c>/v3/bill/sub-merchant-fundflowbill</c>): one sub-merchant's basic-account flows in the
/// fund-flow bill's rows, the file AEAD_AES_256_GCM encrypted under a key the merchant's private key opens.
/// </summary>
public sealed class WeChatPaySubMerchantFundFlowBillTests
{
    private const string FundHeader = "记账时间,微信支付业务单号,资金流水单号,业务名称,业务类型,收支类型,收支金额(元),账户结余(元),资金变更提交申请人,备注,业务凭证号";

    private const string Query = "/v3/bill/sub-merchant-fundflowbill?sub_mchid=1900000110&bill_date=2026-11-23&account_type=BASIC&algorithm=AEAD_AES_256_GCM";

    /// <summary>
    /// On 2026-11-23 from 09:00: the merchant's own order 100.00, sub-merchant 1900000110's 50.00, 1900000111's 20.00,
    /// five minutes apart, then 1900000110's refunded 10.00; the clock left at 10:00 the next day.
    /// </summary>
    private static async Task<(TestSandbox Sandbox, WeChatPayWire Wire)> DayAsync()
    {
        var sandbox = await TestSandbox.StartAsync(Morning);
        var wire = await WeChatPayTests.WireAsync(sandbox);
        await sandbox.ActAsync(await WeChatPayTests.PlaceAsync(sandbox, wire, WeChatPayTests.Order(wire, "own_order", "https://merchant.example/notify", 10000)), "pay");
        foreach (var (outTradeNo, subMchid, total) in new[] { ("sub_p1", SubMchid, 5000L), ("sub_p2", OtherSubMchid, 2000L) })
        {
            await sandbox.AdvanceAsync(TimeSpan.FromMinutes(5));
            var (_, paymentId) = await PlaceAsync(sandbox, wire, "native", PartnerOrder(wire, outTradeNo, "https://merchant.example/notify", subMchid, total));
            await sandbox.ActAsync(paymentId, "pay");
        }

        await sandbox.AdvanceAsync(TimeSpan.FromMinutes(5));
        var (status, body, _) = await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Post, "/v3/refund/domestic/refunds", new JsonObject
        {
            ["sub_mchid"] = SubMchid, ["out_trade_no"] = "sub_p1", ["out_refund_no"] = "refund_p1",
            ["amount"] = new JsonObject { ["refund"] = 1000, ["total"] = 5000, ["currency"] = "CNY" },
        }));
        Assert.True(status == HttpStatusCode.OK, body);
        await sandbox.AdvanceAsync(TimeSpan.FromHours(25) - TimeSpan.FromMinutes(15));
        return (sandbox, wire);
    }

    /// <summary>Applies, checks the answer's shape and downloads the one encrypted file.</summary>
    private static async Task<(JsonObject Entry, byte[] File)> ApplyEncryptedAsync(WeChatPayWire wire, string target)
    {
        var (status, body, json) = await WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Get, target));
        Assert.True(status == HttpStatusCode.OK, body);
        Assert.Equal(1, json!["download_bill_count"]!.GetValue<int>());
        var entry = json["download_bill_list"]!.AsArray().Single()!.AsObject();
        Assert.Equal((1, "SHA1"), (entry["bill_sequence"]!.GetValue<int>(), entry["hash_type"]!.GetValue<string>()));
        Assert.Matches("^[0-9a-f]{12}$", entry["nonce"]!.GetValue<string>());
        return (entry, await DownloadAsync(wire, entry));
    }

#pragma warning disable CA5350 // SHA1 is the hash_type WeChat announces
    private static string Sha1(byte[] file) => Convert.ToHexStringLower(SHA1.HashData(file));
#pragma warning restore CA5350

    [Fact]
    public async Task The_bill_is_the_sub_merchants_flows_encrypted_under_a_key_only_the_merchants_private_key_opens()
    {
        var (sandbox, wire) = await DayAsync();
        await using var _ = sandbox;
        using var __ = wire;

        var (entry, file) = await ApplyEncryptedAsync(wire, Query);
        var (encryptKey, nonce) = (entry["encrypt_key"]!.GetValue<string>(), entry["nonce"]!.GetValue<string>());
        Assert.DoesNotContain(FundHeader, System.Text.Encoding.UTF8.GetString(file), StringComparison.Ordinal);
        var plain = wire.OpenBill(file, encryptKey, nonce);
        Assert.NotNull(plain);
        Assert.Equal(entry["hash_value"]!.GetValue<string>(), Sha1(plain));

        // Payment 50.00, its fee 0.30, the refund 10.00 less the 0.06 fee given back: the sub-merchant's alone.
        var lines = Lines(plain);
        Assert.Equal(FundHeader, lines[0]);
        Assert.Equal(6, lines.Length);
        Assert.Equal([("交易", "收入", "50.00", "50.00", "sub_p1"), ("扣除交易手续费", "支出", "0.30", "49.70", "sub_p1"), ("退款", "支出", "9.94", "39.76", "refund_p1")],
            lines[1..4].Select(Cells).Select(c => (c[4], c[5], c[6], c[7], c[10])));
        Assert.All(lines[1..4], l => Assert.StartsWith(SubMchid + "20261123", Cells(l)[2], StringComparison.Ordinal));
        Assert.Equal("`3,`1,`50.00,`2,`10.24", lines[^1]);

        // Another nonce, or another merchant's key, does not open it.
        Assert.Null(wire.OpenBill(file, encryptKey, "000000000000"));

        // GZIP: the bill gzipped, then encrypted; the hash is the plain bill's.
        var (gzipEntry, gzipFile) = await ApplyEncryptedAsync(wire, Query + "&tar_type=GZIP");
        Assert.Equal(entry["hash_value"]!.GetValue<string>(), gzipEntry["hash_value"]!.GetValue<string>());
        await using var unzipped = new MemoryStream();
        await using (var gzip = new GZipStream(new MemoryStream(wire.OpenBill(gzipFile, gzipEntry["encrypt_key"]!.GetValue<string>(), gzipEntry["nonce"]!.GetValue<string>())!), CompressionMode.Decompress))
        {
            await gzip.CopyToAsync(unzipped, TestContext.Current.CancellationToken);
        }

        Assert.Equal(plain, unzipped.ToArray());

        // The other sub-merchant's bill holds its own payment only.
        var (other, otherFile) = await ApplyEncryptedAsync(wire, Query.Replace(SubMchid, OtherSubMchid, StringComparison.Ordinal));
        var otherLines = Lines(wire.OpenBill(otherFile, other["encrypt_key"]!.GetValue<string>(), other["nonce"]!.GetValue<string>())!);
        Assert.Equal("`2,`1,`20.00,`1,`0.12", otherLines[^1]);
    }

    [Fact]
    public async Task Missing_or_bad_parameters_an_unbound_sub_merchant_and_accounts_that_never_move_are_refused()
    {
        var (sandbox, wire) = await DayAsync();
        await using var _ = sandbox;
        using var __ = wire;
        Task<(HttpStatusCode Status, string Body, JsonObject? Json)> BillAsync(string target) => WeChatPayTests.CallAsync(wire, wire.Request(HttpMethod.Get, target));

        Refused(await BillAsync(Query.Replace("sub_mchid=1900000110&", "", StringComparison.Ordinal)), HttpStatusCode.BadRequest, "PARAM_ERROR", "sub_mchid");
        Refused(await BillAsync(Query.Replace("&algorithm=AEAD_AES_256_GCM", "", StringComparison.Ordinal)), HttpStatusCode.BadRequest, "PARAM_ERROR", "algorithm");
        Refused(await BillAsync(Query.Replace("AEAD_AES_256_GCM", "SM4_GCM", StringComparison.Ordinal)), HttpStatusCode.BadRequest, "PARAM_ERROR", "not simulated");
        Refused(await BillAsync(Query.Replace("AEAD_AES_256_GCM", "AES", StringComparison.Ordinal)), HttpStatusCode.BadRequest, "PARAM_ERROR", "algorithm");
        Refused(await BillAsync(Query.Replace("&account_type=BASIC", "", StringComparison.Ordinal)), HttpStatusCode.BadRequest, "PARAM_ERROR", "account_type");
        Refused(await BillAsync(Query.Replace("BASIC", "SAVINGS", StringComparison.Ordinal)), HttpStatusCode.BadRequest, "PARAM_ERROR", "account_type");
        Refused(await BillAsync(Query.Replace("2026-11-23", "2026/11/23", StringComparison.Ordinal)), HttpStatusCode.BadRequest, "PARAM_ERROR", "bill_date");
        Refused(await BillAsync(Query + "&tar_type=ZIP"), HttpStatusCode.BadRequest, "PARAM_ERROR", "tar_type");
        Refused(await BillAsync(Query.Replace(SubMchid, "1900009998", StringComparison.Ordinal)), HttpStatusCode.Forbidden, "NO_AUTH", "受理关系不存在");
        Refused(await BillAsync(Query.Replace("BASIC", "OPERATION", StringComparison.Ordinal)), HttpStatusCode.BadRequest, "NO_STATEMENT_EXIST", "请求的账单文件不存在");
        Refused(await BillAsync(Query.Replace("2026-11-23", "2026-11-22", StringComparison.Ordinal)), HttpStatusCode.BadRequest, "NO_STATEMENT_EXIST", "请求的账单文件不存在");
        Refused(await BillAsync(Query.Replace("2026-11-23", "2026-11-24", StringComparison.Ordinal)), HttpStatusCode.BadRequest, "INVALID_REQUEST", "只能申请前一日及更早的账单");
    }
}
