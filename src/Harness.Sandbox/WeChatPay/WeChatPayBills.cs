using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Harness.Sandbox.WeChatPay;

/// <summary>
/// WeChat Pay's daily statements as files (providers.md §2; docs/sandbox/wechatpay.md "Bills"): the trade bill of one China day
/// (ALL, SUCCESS or REFUND) and the fund-flow bill of the basic account. UTF-8 with a byte-order mark, CRLF lines, a
/// header of Chinese column names, every value prefixed with a backtick (so spreadsheets keep long numbers), then the
/// summary header and its row. Amounts are yuan with two decimals, the fee with five as WeChat writes it (its value
/// is whole fen), times China time.
/// </summary>
public static partial class WeChatPayBills
{
    /// <summary>The sandbox's fee: 0.60% of each payment, rounded to the fen (half away from zero).</summary>
    public const string FeeRateText = "0.60%";

    public const string All = "ALL";
    public const string Success = "SUCCESS";
    public const string Refund = "REFUND";

    private const string Head = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额";
    private const string RefundNumbers = "微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态";
    private const string Tail = "商品名称,商户数据包,手续费,费率";
    private const string TradeSummary = "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额";
    private const string FundHeader = "记账时间,微信支付业务单号,资金流水单号,业务名称,业务类型,收支类型,收支金额(元),账户结余(元),资金变更提交申请人,备注,业务凭证号";
    private const string FundSummary = "资金流水总笔数,收入笔数,收入金额,支出笔数,支出金额";

    public static long Fee(long fen) => (long)Math.Round(fen * 0.006m, MidpointRounding.AwayFromZero);

    /// <summary>Whether a payment or refund is a row of the bill type: ALL both, SUCCESS payments, REFUND refunds.</summary>
    public static bool Lists(string billType, BillEntry entry) => billType == All || (billType == Success) == (entry.Refund is null);

    /// <summary>The trade bill of one day from its rows (<see cref="Lists"/>): payments and refunds that succeeded on it, in time order.</summary>
    public static byte[] TradeBill(string billType, IReadOnlyList<BillEntry> rows)
    {
        var header = billType switch
        {
            Success => $"{Head},{Tail},订单金额,费率备注",
            Refund => $"{Head},退款申请时间,退款成功时间,{RefundNumbers},{Tail},订单金额,申请退款金额,费率备注",
            _ => $"{Head},{RefundNumbers},{Tail},订单金额,申请退款金额,费率备注",
        };
        var lines = new List<string> { header };
        long settled = 0, refunded = 0, fees = 0, ordered = 0, applied = 0;
        foreach (var entry in rows)
        {
            var order = entry.Order;
            var refund = entry.Refund;
            var orderTotal = refund is null ? order.Total : 0;
            var refundAmount = refund?.Amount ?? 0;
            settled += orderTotal;
            refunded += refundAmount;
            fees += entry.Fee;
            ordered += orderTotal;
            applied += refundAmount;
            var cells = new List<string>
            {
                Time(order.SuccessTime!.Value), order.Appid, order.Mchid, order.SubMchid ?? "0", order.DeviceId ?? "", order.TransactionId!, order.OutTradeNo,
                order.OpenId ?? "", order.TradeType, refund is null ? "SUCCESS" : "REFUND", "OTHERS", "CNY", Yuan(orderTotal), Yuan(0),
            };
            if (billType == Refund)
            {
                cells.AddRange([Time(refund!.CreateTime), Time(refund.SuccessTime!.Value)]);
            }

            if (billType != Success)
            {
                cells.AddRange(refund is null
                    ? ["0", "0", Yuan(0), Yuan(0), "", ""]
                    : [refund.RefundId, WeChatPayResources.OutRefundNoOf(refund), Yuan(refundAmount), Yuan(0), "ORIGINAL", refund.Status]);
            }

            cells.AddRange([order.Description, order.Attach ?? "", FeeYuan(entry.Fee), FeeRateText, Yuan(orderTotal)]);
            if (billType != Success)
            {
                cells.Add(Yuan(refundAmount));
            }

            cells.Add("");
            lines.Add(Backticked(cells));
        }

        lines.Add(TradeSummary);
        lines.Add(Backticked([rows.Count.ToString(CultureInfo.InvariantCulture), Yuan(settled), Yuan(refunded), Yuan(0), FeeYuan(fees), Yuan(ordered), Yuan(applied)]));
        return File(lines);
    }

    /// <summary>
    /// The basic account's flows of one day with the balance after each, counted from the sandbox's first flow:
    /// each payment credits its amount and debits its fee; a refund debits its amount less the fee it gives back.
    /// </summary>
    public static byte[] FundFlowBill(IEnumerable<FundFlow> flows)
    {
        var lines = new List<string> { FundHeader };
        var list = flows.ToList();
        foreach (var flow in list)
        {
            lines.Add(Backticked(
            [
                Time(flow.At), flow.BusinessNo, flow.FlowNo, flow.BusinessName, flow.BusinessType, flow.Income ? "收入" : "支出",
                Yuan(flow.Amount), Yuan(flow.Balance), flow.Applicant, flow.Memo, flow.Voucher,
            ]));
        }

        var income = list.Where(f => f.Income).ToList();
        var expense = list.Where(f => !f.Income).ToList();
        lines.Add(FundSummary);
        lines.Add(Backticked(
        [
            list.Count.ToString(CultureInfo.InvariantCulture), income.Count.ToString(CultureInfo.InvariantCulture), Yuan(income.Sum(f => f.Amount)),
            expense.Count.ToString(CultureInfo.InvariantCulture), Yuan(expense.Sum(f => f.Amount)),
        ]));
        return File(lines);
    }

    /// <summary>
    /// Every flow of the basic account in time order with its running balance: per paid order its credit and its fee;
    /// per refund its debit, which gives back the refund's share of the fee (never more than the order's fee).
    /// </summary>
    public static IReadOnlyList<FundFlow> Flows(IEnumerable<BillEntry> entries)
    {
        var flows = new List<FundFlow>();
        long balance = 0;
        foreach (var entry in entries)
        {
            var order = entry.Order;
            var account = order.SubMchid ?? order.Mchid; // a partner order's money is the sub-merchant's
            if (entry.Refund is not { } refund)
            {
                var at = order.SuccessTime!.Value;
                balance += order.Total;
                flows.Add(new FundFlow(at, order.TransactionId!, FlowNo(account, at, "pay" + order.Id), "交易", "交易", true, order.Total, balance, "system", "", order.OutTradeNo));
                if (entry.Fee > 0)
                {
                    balance -= entry.Fee;
                    flows.Add(new FundFlow(at, order.TransactionId!, FlowNo(account, at, "fee" + order.Id), "交易", "扣除交易手续费", false, entry.Fee, balance, "system", "", order.OutTradeNo));
                }
            }
            else
            {
                var at = refund.SuccessTime!.Value;
                var debit = refund.Amount + entry.Fee; // entry.Fee is the fee given back, negative
                balance -= debit;
                flows.Add(new FundFlow(
                    at, refund.RefundId, FlowNo(account, at, "refund" + refund.Id), "退款", "退款", false, debit, balance, order.Mchid + "API",
                    $"退款总金额{Yuan(refund.Amount)}元;含手续费{Yuan(-entry.Fee)}元", WeChatPayResources.OutRefundNoOf(refund)));
            }
        }

        return flows;
    }

    /// <summary>Payments and refunds in time order, each with its fee (a refund's is the fee given back, negative).</summary>
    public static IReadOnlyList<BillEntry> Entries(IEnumerable<WeChatPayOrder> orders, IEnumerable<WeChatPayRefund> refunds)
    {
        var paid = orders.Where(o => o.SuccessTime is not null && o.TransactionId is not null).ToDictionary(o => o.Id, StringComparer.Ordinal);
        var entries = paid.Values.Select(o => new BillEntry(o.SuccessTime!.Value, o, null, Fee(o.Total))).ToList();
        foreach (var group in refunds.Where(r => r.SuccessTime is not null && paid.ContainsKey(r.OrderId)).GroupBy(r => r.OrderId))
        {
            var order = paid[group.Key];
            var feeLeft = Fee(order.Total);
            foreach (var refund in group.OrderBy(r => r.SuccessTime).ThenBy(r => r.RefundId, StringComparer.Ordinal))
            {
                var back = Math.Min(Fee(refund.Amount), feeLeft);
                feeLeft -= back;
                entries.Add(new BillEntry(refund.SuccessTime!.Value, order, refund, -back));
            }
        }

        return [.. entries.OrderBy(e => e.At).ThenBy(e => e.Refund is null ? 0 : 1).ThenBy(e => e.Refund?.RefundId ?? e.Order.TransactionId, StringComparer.Ordinal)];
    }

    public static DateOnly ChinaDay(DateTime utc) => DateOnly.FromDateTime(utc + WeChatPayResources.ChinaOffset);

    private static string Time(DateTime utc) => (utc + WeChatPayResources.ChinaOffset).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private static string Yuan(long fen) => (fen / 100m).ToString("0.00", CultureInfo.InvariantCulture);

    private static string FeeYuan(long fen) => (fen / 100m).ToString("0.00000", CultureInfo.InvariantCulture);

    /// <summary>A fund-flow number as WeChat writes them: the mchid, the China date, ten digits (derived, so a bill reads the same every time).</summary>
    private static string FlowNo(string mchid, DateTime utc, string source)
    {
        var digits = BitConverter.ToUInt64(SHA256.HashData(Encoding.UTF8.GetBytes(source)), 0) % 10_000_000_000UL;
        return mchid + (utc + WeChatPayResources.ChinaOffset).ToString("yyyyMMdd", CultureInfo.InvariantCulture) + digits.ToString("D10", CultureInfo.InvariantCulture);
    }

    private static string Backticked(IEnumerable<string> cells) => string.Join(',', cells.Select(c => "`" + c.Replace(",", "，", StringComparison.Ordinal)));

    private static byte[] File(List<string> lines) => [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(string.Join("\r\n", lines) + "\r\n")];
}

/// <summary>A payment (no refund) or a refund of a paid order, at the time it succeeded, with its fee in fen.</summary>
public sealed record BillEntry(DateTime At, WeChatPayOrder Order, WeChatPayRefund? Refund, long Fee);

/// <summary>One line of the fund-flow bill; amounts in fen, the balance after it.</summary>
public sealed record FundFlow(
    DateTime At, string BusinessNo, string FlowNo, string BusinessName, string BusinessType, bool Income, long Amount, long Balance,
    string Applicant, string Memo, string Voucher);
