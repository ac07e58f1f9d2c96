using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Harness.Http;
using Harness.Sandbox.Bills;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Harness.Sandbox.Alipay;

/// <summary>
/// <c>alipay.data.dataservice.bill.downloadurl.query</c> (查询对账单下载地址): the link to a day's or a month's bill,
/// <c>trade</c> (业务明细) or <c>signcustomer</c> (账务明细), on the host the merchant called. The link is open (no
/// signature, as Alipay's are) for 30 seconds and serves the zip of <see cref="AlipayBills"/>. A day's bill exists
/// from 09:00 China time the next day, a month's from 09:00 on the 3rd of the next month, on the sandbox clock.
/// </summary>
public sealed partial class AlipayProvider
{
    public const string BillDownloadUrlQuery = "alipay.data.dataservice.bill.downloadurl.query";

    public const string BillDownloadPath = "/downloadBillFile.resource";

    /// <summary>Alipay's earliest bills are of 1 January 2016.</summary>
    private static readonly DateOnly FirstBillDay = new(2016, 1, 1);

    /// <summary>The link's file; a link unknown or expired is a 404 in the listener's error shape (the gateway's <c>error_response</c>).</summary>
    private void MapBills(WebApplication app) => app.MapGet(BillDownloadPath, (HttpRequest request) =>
        _billDownloads.Find(request.Query["token"].ToString()) is { } file
            ? Results.File(file.Bytes, file.ContentType, file.FileName)
            : Errors.Error(ApiErrorKind.NotFound, "下载链接不存在或已过期，请重新查询对账单下载地址"));

    /// <summary>The link to the bill the merchant asked for, or why there is none.</summary>
    private Outcome BillDownloadUrl(JsonObject biz, string origin)
    {
        var billType = Text(biz, "bill_type");
        if (billType is not (AlipayBills.Trade or AlipayBills.SignCustomer))
        {
            return AlipayFailure.Invalid("isv.invalid-parameter", "参数不合法：bill_type 只能是 trade 或 signcustomer");
        }

        var dateText = Text(biz, "bill_date") ?? "";
        var now = _context.Clock.GetUtcNow().ToOffset(AlipayTime.China);
        var today = DateOnly.FromDateTime(now.DateTime);
        DateOnly first, next;
        DateTimeOffset readyAt;
        string fileDate;
        if (DateOnly.TryParseExact(dateText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            (first, next, fileDate) = (day, day.AddDays(1), day.ToString("yyyyMMdd", CultureInfo.InvariantCulture));
            readyAt = ChinaTime(next, 9);
        }
        else if (DateOnly.TryParseExact(dateText + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var month) && dateText.Length == 7)
        {
            (first, next, fileDate) = (month, month.AddMonths(1), month.ToString("yyyyMM", CultureInfo.InvariantCulture));
            readyAt = ChinaTime(next.AddDays(2), 9);
        }
        else
        {
            return AlipayFailure.Invalid("isv.invalid-parameter", "参数不合法：bill_date 须为 yyyy-MM-dd（日账单）或 yyyy-MM（月账单）");
        }

        // Alipay serves no bill of the current day or month, nor of the future, nor from before 2016.
        if (next > today || first < FirstBillDay)
        {
            return AlipayFailure.Invalid("isv.invalid-parameter", "参数不合法：只能查询2016年1月1日起、当日（月账单为当月）之前的账单");
        }

        var period = new BillPeriod(ChinaTime(first, 0), ChinaTime(next, 0), readyAt);
        // The trade bill lists what the trade APIs made (payments, refunds); 分账 moves the balance, so only the account bill shows it.
        var entries = BillEntries()
            .Where(e => e.At >= period.Start.UtcDateTime && e.At < period.End.UtcDateTime && (billType == AlipayBills.SignCustomer || e.Royalty is null))
            .ToList();
        if (now < readyAt || entries.Count == 0)
        {
            return AlipayFailure.Business("isp.bill_not_exist", "账单不存在");
        }

        var zip = AlipayBills.Zip(billType, fileDate, period, entries);
        var fileName = AlipayBills.FileName(fileDate);
        var token = _billDownloads.Issue(new BillFile(zip, "application/zip", fileName));
        var url = QueryHelpers.AddQueryString(origin + BillDownloadPath, new Dictionary<string, string?>
        {
            ["bizType"] = billType,
            ["userId"] = AlipayBills.Account,
            ["fileType"] = "csv.zip",
            ["bizDates"] = fileDate,
            ["downloadFileName"] = fileName,
            ["fileId"] = $"/{billType}/{AlipayBills.Account}/{fileDate}.csv.zip",
            ["timestamp"] = _context.WallClock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            ["token"] = token,
        });
        return new Outcome(new JsonObject { ["bill_download_url"] = url }, null);
    }

    /// <summary>
    /// Every payment and refund the sandbox's trades hold, in time order, with the account's flow number and its
    /// balance after each (counted from the first payment).
    /// </summary>
    private List<AlipayBillEntry> BillEntries()
    {
        var events = new List<AlipayBillEntry>();
        var trades = _trades.All().Where(t => t.GmtPayment is not null).ToDictionary(t => t.Id, StringComparer.Ordinal);
        foreach (var trade in trades.Values)
        {
            events.Add(new AlipayBillEntry(trade.GmtPayment!.Value, trade, null, "", 0));
            events.AddRange(trade.Refunds.Select(r => new AlipayBillEntry(r.At, trade, r, "", 0)));
            events.AddRange(trade.RoyaltyReturns.Select(d => new AlipayBillEntry(d.At, trade, null, "", 0, d)));
        }

        // 分账 reaches the account when its detail succeeds; a PROCESSING or FAIL detail moved nothing to a receiver yet.
        foreach (var settle in _settles.All())
        {
            events.AddRange(settle.Details.Where(d => d.State == AlipayRoyaltyDetail.Success).Select(d => new AlipayBillEntry(d.At, trades[settle.TradeNo], null, "", 0, d)));
        }

        long balance = 0;
        var entries = new List<AlipayBillEntry>();
        foreach (var entry in events.OrderBy(e => e.At).ThenBy(Sequence).ThenBy(e => e.Trade.Id, StringComparer.Ordinal))
        {
            balance += entry.SignedFen;
            var source = entry.Trade.Id + "/" + (entry.Royalty?.DetailId ?? entry.Refund?.OutRequestNo);
            entries.Add(entry with { FlowNo = FlowNo(source), Balance = balance });
        }

        return entries;

        // Within one instant: the payment, money taken back from receivers (退分账), the refund it pays for, then 分账 out.
        static int Sequence(AlipayBillEntry entry) => entry.Royalty is { } royalty
            ? (royalty.OperationType == AlipayRoyaltyDetail.TransferRefund ? 1 : 3)
            : entry.Refund is null ? 0 : 2;
    }

    private static DateTimeOffset ChinaTime(DateOnly day, int hour) => new(day.ToDateTime(new TimeOnly(hour, 0)), AlipayTime.China);

    /// <summary>An account flow number: 2 digits and 16 more, derived so a bill reads the same each time it is fetched.</summary>
    private static string FlowNo(string source) =>
        "20" + (BitConverter.ToUInt64(SHA256.HashData(Encoding.UTF8.GetBytes(source)), 0) % 10_000_000_000_000_000UL).ToString("D16", CultureInfo.InvariantCulture);
}
