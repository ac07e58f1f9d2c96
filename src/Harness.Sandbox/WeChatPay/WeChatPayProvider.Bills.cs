using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Harness.Sandbox.Bills;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.WeChatPay;

/// <summary>
/// The statements (申请交易账单, 申请资金账单, 下载账单): <c>GET /v3/bill/tradebill</c> and <c>/v3/bill/fundflowbill</c>
/// answer the SHA1 of the file and a download link on the host the merchant called; the link, fetched with a signed
/// GET, answers the file (gzip when asked) and, as at WeChat, unsigned. A day's bill exists from 10:00 China time
/// the next day on the sandbox clock, for three months. In 服务商 mode the trade bill takes <c>sub_mchid</c>
/// (WeChatPayProvider.PartnerBills.cs); the 分账 bill and the sub-merchant's encrypted fund-flow bill use the same
/// links (WeChatPayProvider.SharingBills.cs, WeChatPayProvider.SubMerchantBills.cs).
/// </summary>
public sealed partial class WeChatPayProvider
{
    /// <summary>When a day's bills can be fetched: WeChat makes them from 09:00 the next morning and advises 10:00.</summary>
    public static readonly TimeSpan BillReadyAfter = TimeSpan.FromHours(24 + 10);

    public const string BillDownloadPath = "/v3/billdownload/file";

    private static readonly string[] TradeBillTypes = [WeChatPayBills.All, WeChatPayBills.Success, WeChatPayBills.Refund];

    /// <summary>bill_type values WeChat has and the sandbox keeps no such bill for: recharge coupons, personalised bills.</summary>
    private static readonly string[] EmptyTradeBillTypes = ["RECHARGE_REFUND", "ALL_SPECIAL", "SUC_SPECIAL", "REF_SPECIAL"];

    private static readonly string[] AccountTypes = ["BASIC", "OPERATION", "FEES"];

    private void MapBills(WebApplication app)
    {
        app.MapGet("/v3/bill/tradebill", (HttpRequest request) => AuthenticatedAsync(request.HttpContext, (mchid, _) => TradeBill(request.HttpContext, mchid)));
        app.MapGet("/v3/bill/fundflowbill", (HttpRequest request) => AuthenticatedAsync(request.HttpContext, (mchid, _) => FundFlowBill(request.HttpContext, mchid)));
        app.MapGet(BillDownloadPath, (HttpRequest request) => AuthenticatedAsync(request.HttpContext, (_, _) => DownloadBill(request.HttpContext)));
        MapSharingBills(app);
    }

    private IResult TradeBill(HttpContext http, string mchid)
    {
        var query = http.Request.Query;
        var (day, refusal) = BillDay(query["bill_date"].ToString());
        var billType = query["bill_type"].ToString() is { Length: > 0 } type ? type : WeChatPayBills.All;
        refusal ??= !TradeBillTypes.Contains(billType) && !EmptyTradeBillTypes.Contains(billType)
            ? WeChatPayErrors.Param("bill_type", "取值错误：应为ALL、SUCCESS、REFUND、RECHARGE_REFUND、ALL_SPECIAL、SUC_SPECIAL或REF_SPECIAL", billType, "query")
            : null;
        var (gzip, tarRefusal) = TarType(query["tar_type"].ToString());
        var scopeRefusal = TradeBillOrders(http, mchid, out var orders);
        if ((refusal ?? tarRefusal ?? scopeRefusal ?? Availability(day)) is { } refused)
        {
            return refused;
        }

        var entries = DayEntries(orders, day).Where(e => WeChatPayBills.Lists(billType, e)).ToList();
        return entries.Count == 0 || !TradeBillTypes.Contains(billType)
            ? NoStatement()
            : BillLink(http, WeChatPayBills.TradeBill(billType, entries), gzip, $"tradebill_{day:yyyyMMdd}_{billType}");
    }

    private IResult FundFlowBill(HttpContext http, string mchid)
    {
        var query = http.Request.Query;
        var (day, refusal) = BillDay(query["bill_date"].ToString());
        var account = query["account_type"].ToString() is { Length: > 0 } type ? type : "BASIC";
        refusal ??= !AccountTypes.Contains(account) ? WeChatPayErrors.Param("account_type", "取值错误：应为BASIC、OPERATION或FEES", account, "query") : null;
        var (gzip, tarRefusal) = TarType(query["tar_type"].ToString());
        if ((refusal ?? tarRefusal ?? Availability(day)) is { } refused)
        {
            return refused;
        }

        // Payments, fees and refunds all move the basic account; the sandbox's operation and fees accounts never move.
        var flows = WeChatPayBills.Flows(WeChatPayBills.Entries(Merchant(_orders.All(), mchid), _refunds.All()))
            .Where(f => WeChatPayBills.ChinaDay(f.At) == day)
            .ToList();
        return account != "BASIC" || flows.Count == 0
            ? NoStatement()
            : BillLink(http, WeChatPayBills.FundFlowBill(flows), gzip, $"fundflowbill_{day:yyyyMMdd}_{account}");
    }

    /// <summary>
    /// The file behind a live link, to a signed GET; the answer carries no signature, as WeChat's does not. WeChat
    /// refuses another merchant's download 403 NO_AUTH; the sandbox has one merchant, and a request under any other
    /// mchid is already refused at authentication (401 SIGN_ERROR).
    /// </summary>
    private IResult DownloadBill(HttpContext http)
    {
        if (_billDownloads.Find(http.Request.Query["token"].ToString()) is not { } file)
        {
            return WeChatPayErrors.InvalidRequest("账单下载地址无效或已过期，请重新调用申请账单接口获取");
        }

        WeChatPayResponseSigning.LeaveUnsigned(http);
        return Results.Bytes(file.Bytes, file.ContentType);
    }

    /// <summary>
    /// The hash is of the file itself (gzip or not, WeChat hashes the uncompressed bill); the link carries a token
    /// and is valid for five minutes. The file is served as text, or as bytes when compressed.
    /// </summary>
    private IResult BillLink(HttpContext http, byte[] bill, bool gzip, string name)
    {
        var bytes = gzip ? Gzip(bill) : bill;
        var contentType = gzip ? "application/octet-stream" : "text/plain; charset=utf-8";
        return Json(new JsonObject
        {
            ["hash_type"] = "SHA1",
            ["hash_value"] = BillHash(bill),
            ["download_url"] = DownloadUrl(http, new BillFile(bytes, contentType, name + (gzip ? ".gzip" : ".csv")), gzip),
        });
    }

    /// <summary>A live link to the file on the host the merchant called, <c>&amp;tartype=gzip</c> appended for a compressed one.</summary>
    private string DownloadUrl(HttpContext http, BillFile file, bool gzip) =>
        $"{http.Request.Scheme}://{http.Request.Host}{BillDownloadPath}?token={_billDownloads.Issue(file)}" + (gzip ? "&tartype=gzip" : "");

#pragma warning disable CA5350 // SHA1 is the hash_type WeChat announces; it checks integrity, it protects nothing
    private static string BillHash(byte[] bill) => Convert.ToHexStringLower(SHA1.HashData(bill));
#pragma warning restore CA5350

    private static (DateOnly Day, IResult? Refusal) BillDay(string text)
    {
        if (text.Length == 0)
        {
            return (default, WeChatPayErrors.Missing("bill_date", "query"));
        }

        return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? (day, null)
            : (default, WeChatPayErrors.Param("bill_date", "格式错误：应为yyyy-MM-dd格式的日期", text[..Math.Min(text.Length, 64)], "query"));
    }

    private static (bool Gzip, IResult? Refusal) TarType(string text) => text switch
    {
        "" => (false, null),
        "GZIP" => (true, null),
        _ => (false, WeChatPayErrors.Param("tar_type", "取值错误：应为GZIP", text[..Math.Min(text.Length, 64)], "query")),
    };

    /// <summary>Today or later, or more than three months back: refused; yesterday before 10:00: still being made.</summary>
    private IResult? Availability(DateOnly day)
    {
        var now = _context.Clock.GetUtcNow().UtcDateTime;
        var today = WeChatPayBills.ChinaDay(now);
        if (day >= today)
        {
            return WeChatPayErrors.InvalidRequest("bill_date参数错误：只能申请前一日及更早的账单");
        }

        if (day < today.AddMonths(-3))
        {
            return WeChatPayErrors.InvalidRequest("bill_date参数错误：仅支持三个月内的账单下载申请");
        }

        var readyAt = day.ToDateTime(TimeOnly.MinValue) + BillReadyAfter - WeChatPayResources.ChinaOffset;
        return now < readyAt ? WeChatPayErrors.Of(400, "STATEMENT_CREATING", "账单生成中") : null;
    }

    private List<BillEntry> DayEntries(IEnumerable<WeChatPayOrder> orders, DateOnly day) =>
        [.. WeChatPayBills.Entries(orders, _refunds.All()).Where(e => WeChatPayBills.ChinaDay(e.At) == day)];

    /// <summary>The merchant's own orders: the fund-flow bill is its basic account, where its sub-merchants' payments never land.</summary>
    private static IEnumerable<WeChatPayOrder> Merchant(IEnumerable<WeChatPayOrder> orders, string mchid) => orders.Where(o => o.Mchid == mchid && o.SubMchid is null);

    private static IResult NoStatement() => WeChatPayErrors.Of(400, "NO_STATEMENT_EXIST", "请求的账单文件不存在");

    private static byte[] Gzip(byte[] bytes)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(bytes);
        }

        return buffer.ToArray();
    }
}
