using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace Harness.Sandbox.Alipay;

/// <summary>
/// Alipay's offline statements as the download link serves them (providers.md §3; docs/sandbox/alipay.md "Bills"): a zip of
/// two GBK-encoded CSV files named <c>{account}_{date}_业务明细.csv</c> and <c>…_业务明细(汇总).csv</c> for the
/// <c>trade</c> bill (账务明细 for <c>signcustomer</c>), each framed by <c>#</c> comment lines: the title, the account,
/// the period, the list's start and end markers, the totals and the export time. The entry names are GBK too, without
/// zip's UTF-8 flag, as Alipay's are. Detail rows pad identifiers with a tab so spreadsheets keep them as text.
/// </summary>
public static class AlipayBills
{
    public const string Trade = "trade";
    public const string SignCustomer = "signcustomer";

    private const string Rule = "#-----------------------------------------";

    private const string TradeColumns =
        "支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注";

    private const string TradeSummaryColumns =
        "门店编号,门店名称,交易订单总笔数,退款订单总笔数,订单金额（元）,商家实收（元）,支付宝优惠（元）,商家优惠（元）,卡消费金额（元）,服务费（元）,分润（元）,实收净额（元）";

    private const string AccountColumns = "账务流水号,业务流水号,商户订单号,商品名称,发生时间,对方账号,收入金额（+元）,支出金额（-元）,账户余额（元）,交易渠道,业务类型,备注";

    private const string AccountSummaryColumns = "业务类型,收入笔数,收入金额（+元）,支出笔数,支出金额（-元）";

    /// <summary>GBK (code page 936) from the shared framework's code-page provider, without registering it process-wide.</summary>
    public static readonly Encoding Gbk = CodePagesEncodingProvider.Instance.GetEncoding(936)!;

    /// <summary>The account Alipay names bills by: the seller's PID and <c>0156</c>.</summary>
    public static string Account => AlipayProvider.SellerId + "0156";

    /// <summary>The zip for one period, <paramref name="dateText"/> being <c>yyyyMMdd</c> or <c>yyyyMM</c>.</summary>
    public static byte[] Zip(string billType, string dateText, BillPeriod period, IReadOnlyList<AlipayBillEntry> entries)
    {
        var (detailName, detail, summary) = billType == Trade
            ? ("业务明细", TradeDetail(period, entries), TradeSummary(period, entries))
            : ("账务明细", AccountDetail(period, entries), AccountSummary(period, entries));
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: Gbk))
        {
            Add(zip, $"{Account}_{dateText}_{detailName}.csv", detail, period.ExportedAt);
            Add(zip, $"{Account}_{dateText}_{detailName}(汇总).csv", summary, period.ExportedAt);
        }

        return buffer.ToArray();
    }

    public static string FileName(string dateText) => $"{Account}_{dateText}.csv.zip";

    private static List<string> TradeDetail(BillPeriod period, IReadOnlyList<AlipayBillEntry> entries)
    {
        var lines = Head("#支付宝业务明细查询", period, "业务明细列表");
        lines.Add(TradeColumns);
        foreach (var entry in entries)
        {
            var trade = entry.Trade;
            var fen = entry.Refund is { } refund ? -refund.AmountFen : trade.AmountFen;
            lines.Add(string.Join(',',
                Tab(trade.Id), Tab(trade.OutTradeNo), Tab(entry.Refund is null ? "交易" : "退款"), Clean(trade.Subject),
                AlipayTime.Format(trade.GmtCreate!.Value), AlipayTime.Format(entry.At), Tab(""), Tab(""), Tab(""), Tab(""), Tab(trade.BuyerLogonId),
                Yuan(fen), Yuan(fen), Yuan(0), Yuan(0), Yuan(0), Yuan(0), Yuan(0), "", Tab(Yuan(0)), Yuan(0),
                Tab(entry.Refund?.OutRequestNo ?? ""), Yuan(0), Yuan(0), Clean(trade.Body)));
        }

        var paid = entries.Where(e => e.Refund is null).ToList();
        var refunds = entries.Where(e => e.Refund is not null).ToList();
        lines.Add(Rule + "业务明细列表结束------------------------------------");
        lines.Add($"#交易合计：{paid.Count}笔，商家实收共{Yuan(paid.Sum(e => e.Trade.AmountFen))}元，商家优惠共0.00元");
        lines.Add($"#退款合计：{refunds.Count}笔，商家实收退款共{Yuan(-refunds.Sum(e => e.Refund!.AmountFen))}元，商家优惠退款共0.00元");
        lines.Add(Exported(period));
        return lines;
    }

    private static List<string> TradeSummary(BillPeriod period, IReadOnlyList<AlipayBillEntry> entries)
    {
        var net = Yuan(entries.Sum(e => e.Refund is { } refund ? -refund.AmountFen : e.Trade.AmountFen));
        var lines = Head("#支付宝业务汇总查询", period, "业务汇总列表");
        lines.Add(TradeSummaryColumns);
        lines.Add(string.Join(',',
            "合计", "", entries.Count(e => e.Refund is null).ToString(CultureInfo.InvariantCulture), entries.Count(e => e.Refund is not null).ToString(CultureInfo.InvariantCulture),
            net, net, Yuan(0), Yuan(0), Yuan(0), Yuan(0), Yuan(0), net));
        lines.Add(Rule + "业务汇总列表结束------------------------------------");
        lines.Add(Exported(period));
        return lines;
    }

    /// <summary>The account's movements: each payment in, each refund and 分账 out (a 退分账 in), with the balance after it.</summary>
    private static List<string> AccountDetail(BillPeriod period, IReadOnlyList<AlipayBillEntry> entries)
    {
        var lines = Head("#支付宝账务明细查询", period, "账务明细列表");
        lines.Add(AccountColumns);
        foreach (var entry in entries)
        {
            var trade = entry.Trade;
            var fen = entry.SignedFen;
            var (counterpart, remark) = entry.Royalty is { } royalty ? (royalty.Receiver, royalty.Desc) : (trade.BuyerLogonId, trade.Body);
            lines.Add(string.Join(',',
                Tab(entry.FlowNo), Tab(trade.Id), Tab(trade.OutTradeNo), Clean(trade.Subject), AlipayTime.Format(entry.At), Tab(counterpart),
                fen >= 0 ? Yuan(fen) : "", fen >= 0 ? "" : Yuan(fen), Yuan(entry.Balance), "支付宝", entry.AccountType, Clean(remark)));
        }

        var income = entries.Where(e => e.SignedFen >= 0).ToList();
        var spent = entries.Where(e => e.SignedFen < 0).ToList();
        lines.Add(Rule + "账务明细列表结束------------------------------------");
        lines.Add($"#支出合计：{spent.Count}笔，共{Yuan(spent.Sum(e => e.SignedFen))}元");
        lines.Add($"#收入合计：{income.Count}笔，共{Yuan(income.Sum(e => e.SignedFen))}元");
        lines.Add(Exported(period));
        return lines;
    }

    private static List<string> AccountSummary(BillPeriod period, IReadOnlyList<AlipayBillEntry> entries)
    {
        var lines = Head("#支付宝账务汇总查询", period, "账务汇总列表");
        lines.Add(AccountSummaryColumns);
        string Row(string name, IEnumerable<AlipayBillEntry> rows)
        {
            var list = rows.ToList();
            var income = list.Where(e => e.SignedFen >= 0).ToList();
            var spent = list.Where(e => e.SignedFen < 0).ToList();
            return string.Join(',', name, income.Count.ToString(CultureInfo.InvariantCulture), Yuan(income.Sum(e => e.SignedFen)),
                spent.Count.ToString(CultureInfo.InvariantCulture), Yuan(spent.Sum(e => e.SignedFen)));
        }

        lines.Add(Row(AlipayBillEntry.OnlinePayment, entries.Where(e => e.AccountType == AlipayBillEntry.OnlinePayment)));
        lines.Add(Row(AlipayBillEntry.TradeRefund, entries.Where(e => e.AccountType == AlipayBillEntry.TradeRefund)));
        if (entries.Any(e => e.Royalty is not null))
        {
            lines.Add(Row(AlipayBillEntry.TradeRoyalty, entries.Where(e => e.Royalty is not null)));
        }

        lines.Add(Row("合计", entries));
        lines.Add(Rule + "账务汇总列表结束------------------------------------");
        lines.Add(Exported(period));
        return lines;
    }

    private static List<string> Head(string title, BillPeriod period, string list) =>
    [
        title,
        $"#账号：[{Account}]",
        $"#起始日期：[{Chinese(period.Start)}]   终止日期：[{Chinese(period.End)}]",
        Rule + list + "----------------------------------------",
    ];

    private static string Exported(BillPeriod period) => $"#导出时间：[{Chinese(period.ExportedAt)}]";

    private static void Add(ZipArchive zip, string name, List<string> lines, DateTimeOffset at)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
        entry.LastWriteTime = at.ToOffset(AlipayTime.China);
        using var stream = entry.Open();
        stream.Write(Gbk.GetBytes(string.Join("\r\n", lines) + "\r\n"));
    }

    private static string Chinese(DateTimeOffset at) => at.ToOffset(AlipayTime.China).ToString("yyyy年MM月dd日 HH:mm:ss", CultureInfo.InvariantCulture);

    private static string Yuan(long fen) => (fen / 100m).ToString("0.00", CultureInfo.InvariantCulture);

    private static string Tab(string text) => Clean(text) + "\t";

    /// <summary>The CSV has no quoting: a comma or line break in a merchant's text becomes a space.</summary>
    private static string Clean(string text) => text.Replace(',', ' ').Replace('\r', ' ').Replace('\n', ' ');
}

/// <summary>A bill's period in China time ([start, end)) and when the sandbox says it was exported (when it became available).</summary>
public sealed record BillPeriod(DateTimeOffset Start, DateTimeOffset End, DateTimeOffset ExportedAt);

/// <summary>
/// A payment (neither refund nor 分账), a refund, or a 分账 detail of a trade (a SUCCESS transfer out, or a 退分账 back in)
/// at the time it happened; the account's flow number and balance after it.
/// </summary>
public sealed record AlipayBillEntry(DateTime At, AlipayTrade Trade, AlipayRefund? Refund, string FlowNo, long Balance, AlipayRoyaltyDetail? Royalty = null)
{
    public const string OnlinePayment = "在线支付";
    public const string TradeRefund = "交易退款";

    /// <summary>The 业务类型 Alipay's 账务明细 gives a 分账, either way.</summary>
    public const string TradeRoyalty = "交易分账";

    /// <summary>How the entry moved the balance, in fen: in positive, out negative.</summary>
    public long SignedFen => Royalty is { } royalty
        ? (royalty.OperationType == AlipayRoyaltyDetail.Transfer ? -royalty.AmountFen : royalty.AmountFen)
        : Refund is { } refund ? -refund.AmountFen : Trade.AmountFen;

    public string AccountType => Royalty is not null ? TradeRoyalty : Refund is null ? OnlinePayment : TradeRefund;
}
