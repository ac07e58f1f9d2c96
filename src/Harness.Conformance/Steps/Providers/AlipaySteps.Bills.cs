using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Text;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// <c>alipay.data.dataservice.bill.downloadurl.query</c> as a merchant reconciles with it: the signed answer's link,
/// the zip it serves, its GBK entries read by Alipay's layout.
/// </summary>
public sealed partial class AlipaySteps
{
    private const string BillMethod = "alipay.data.dataservice.bill.downloadurl.query";

    /// <summary>GBK, from the shared framework's code pages, as Alipay writes its bills.</summary>
    private static readonly Encoding Gbk = CodePagesEncodingProvider.Instance.GetEncoding(936)!;

    private Dictionary<string, string[]>? _billFiles;

    [When("the merchant asks for the {string} bill of that day")]
    public Task BillOfThatDay(string billType) => BillOf(billType, _world.TheBillDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));

    [When("the merchant asks for the {string} bill of today")]
    public async Task BillOfToday(string billType) =>
        await BillOf(billType, SandboxSteps.ChinaDay(await _world.NowAsync()).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));

    [When("the merchant asks for the {string} bill of {string}")]
    public Task BillOf(string billType, string billDate) =>
        CallAsync(BillMethod, new() { ["bill_type"] = billType, ["bill_date"] = billDate });

    [Then("Alipay answers code {string} with a bill_download_url on the sandbox's host")]
    public async Task BillLink(string code)
    {
        await AnswersCode(code);
        var url = ApiReply.Text(ApiReply.Field(Response, "bill_download_url"));
        Check.That(url.StartsWith(await _world.BaseUrlAsync("alipay") + "/downloadBillFile.resource?", StringComparison.Ordinal), $"bill_download_url on the host called: {url}");
    }

    [When("the merchant downloads the bill from that link")]
    public async Task DownloadBill()
    {
        // The link is open (no signature); the zip is binary, so it is read as bytes, not as a text reply.
        using var http = new HttpClient();
        using var response = await http.GetAsync(ApiReply.Text(ApiReply.Field(Response, "bill_download_url")));
        Check.Equal(HttpStatusCode.OK, response.StatusCode, "download status");
        Check.Equal("application/zip", response.Content.Headers.ContentType?.MediaType, "download content type");
        using var zip = new ZipArchive(new MemoryStream(await response.Content.ReadAsByteArrayAsync()), ZipArchiveMode.Read, false, Gbk);
        _billFiles = [];
        foreach (var entry in zip.Entries)
        {
            using var reader = new StreamReader(entry.Open(), Gbk);
            _billFiles[entry.FullName] = (await reader.ReadToEndAsync()).TrimEnd('\r', '\n').Split("\r\n");
        }
    }

    [Then("the zip holds the {string} and {string} files of that day, named and written in GBK")]
    public async Task BillFiles(string detail, string summary)
    {
        var prefix = $"{await _world.CredentialAsync("alipay", "seller_id")}0156_{_world.TheBillDay.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}_";
        Check.Equal($"{prefix}{detail}.csv | {prefix}{summary}.csv", string.Join(" | ", BillFilesRead.Keys), "the zip's entries");
        Check.Equal("#支付宝业务汇总查询", BillFilesRead[$"{prefix}{summary}.csv"][0], "the summary's title");
    }

    [Then("the detail file lists the trade's payment of {string} and its refund {string} of {string} between Alipay's {string} lines")]
    public async Task BillRows(string amount, string requestNo, string refunded, string comment)
    {
        var lines = BillFilesRead.Single(f => f.Key.EndsWith("_业务明细.csv", StringComparison.Ordinal)).Value;
        Check.Equal("#支付宝业务明细查询", lines[0], "title");
        Check.Equal($"#账号：[{await _world.CredentialAsync("alipay", "seller_id")}0156]", lines[1], "account");
        Check.That(lines[2].StartsWith("#起始日期：[", StringComparison.Ordinal) && lines[3].StartsWith(comment + "---", StringComparison.Ordinal), $"period and list start: {lines[2]} {lines[3]}");
        Check.That(lines[4].StartsWith("支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,", StringComparison.Ordinal), $"columns: {lines[4]}");
        var rows = lines.Where(l => !l.StartsWith(comment, StringComparison.Ordinal)).Skip(1).Select(l => l.Split(',')).Where(c => c[1] == OutTradeNo + "\t").ToList();
        Check.Equal($"交易\t {amount} | 退款\t {refunded} {requestNo}\t", string.Join(" | ", rows.Select(c => c[2] == "交易\t" ? $"{c[2]} {c[11]}" : $"{c[2]} {c[11]} {c[21]}")), "the trade's rows");
        Check.That(lines[^4].Contains("业务明细列表结束", StringComparison.Ordinal) && lines[^3].StartsWith("#交易合计：", StringComparison.Ordinal)
            && lines[^2].StartsWith("#退款合计：", StringComparison.Ordinal) && lines[^1].StartsWith("#导出时间：[", StringComparison.Ordinal), $"the closing lines: {string.Join(" / ", lines[^4..])}");
    }

    private Dictionary<string, string[]> BillFilesRead => _billFiles ?? throw new AssertionException("no bill has been downloaded");
}
