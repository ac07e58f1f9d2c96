using System.Globalization;

namespace Harness.Sandbox.WeChatPay;

/// <summary>
/// The 分账账单 of one China day: one row per 分账 receiver line and per 分账回退 that succeeded on it (WeChat lists no
/// share that did not succeed), in time order, then the summary. WeChat documents the file's layout (detail rows,
/// then a summary header and row, every value behind a backtick, amounts in yuan) but not its column names; these
/// are the sandbox's (docs/sandbox/wechatpay.md "分账账单").
/// </summary>
public static partial class WeChatPayBills
{
    private const string SharingHeader = "分账发起时间,分账完成时间,分账方,分账接收方类型,分账接收方,微信订单号,微信分账/回退单号,分账明细单号,商户分账/回退单号,业务类型,处理状态,金额(元),分账/回退描述";
    private const string SharingSummary = "分账总笔数,分账总金额,回退总笔数,回退总金额";

    public const string ShareType = "分账";
    public const string UnfreezeType = "解冻给分账方";
    public const string ReturnType = "分账回退";

    public static byte[] SharingBill(IReadOnlyList<SharingBillRow> rows)
    {
        var lines = new List<string> { SharingHeader };
        foreach (var row in rows)
        {
            lines.Add(Backticked(
            [
                Time(row.Requested), Time(row.Finished), row.Payer, row.ReceiverType, row.Receiver, row.TransactionId, row.WeChatNo, row.DetailId,
                row.MerchantNo, row.Kind, "SUCCESS", Yuan(row.Amount), row.Description,
            ]));
        }

        var shares = rows.Where(r => r.Kind != ReturnType).ToList();
        var returns = rows.Where(r => r.Kind == ReturnType).ToList();
        lines.Add(SharingSummary);
        lines.Add(Backticked(
        [
            shares.Count.ToString(CultureInfo.InvariantCulture), Yuan(shares.Sum(r => r.Amount)),
            returns.Count.ToString(CultureInfo.InvariantCulture), Yuan(returns.Sum(r => r.Amount)),
        ]));
        return File(lines);
    }
}

/// <summary>One row of the 分账账单: a receiver's line of a 分账单 or a return, amounts in fen, times UTC.</summary>
public sealed record SharingBillRow(
    DateTime Requested, DateTime Finished, string Payer, string ReceiverType, string Receiver, string TransactionId, string WeChatNo, string DetailId,
    string MerchantNo, string Kind, long Amount, string Description);
