using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Alipay;

/// <summary>
/// <c>alipay.trade.pay</c>, face-to-face barcode payment: the cashier scans the code on the buyer's phone and the trade is
/// paid as the call answers (10000), or, when Alipay asks the buyer for a password, answered 10003 and left waiting: the
/// merchant then polls <c>alipay.trade.query</c> and cancels what stays unpaid. The buyer's code decides which
/// (docs/sandbox/alipay.md, the sandbox's test codes).
/// </summary>
public sealed partial class AlipayProvider
{
    public const string BarcodePay = "alipay.trade.pay";

    /// <summary>A payment code whose last four digits are these asks the buyer for a password: 10003, paid later on the pay page.</summary>
    public const string PasswordCodeSuffix = "1111";

    /// <summary>
    /// The sandbox's test codes for Alipay's refusals of a scan (its trade.pay error table), by the code's last four
    /// digits: what the buyer's account cannot pay, and what Alipay's risk control stops. docs/sandbox/alipay.md says which to retry.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, AlipayFailure> RefusalCodeSuffixes = new Dictionary<string, AlipayFailure>(StringComparer.Ordinal)
    {
        ["2222"] = AlipayFailure.Business("ACQ.BUYER_BALANCE_NOT_ENOUGH", "买家余额不足"),
        ["3333"] = AlipayFailure.Business("ACQ.BUYER_BANKCARD_BALANCE_NOT_ENOUGH", "用户银行卡余额不足"),
        ["4444"] = AlipayFailure.Business("ACQ.PAYMENT_FAIL", "支付失败"),
        ["5555"] = AlipayFailure.Business("ACQ.PAYMENT_REQUEST_HAS_RISK", "支付有风险"),
    };

    private Outcome PayByCode(JsonObject biz, string notifyUrl)
    {
        if (IsDeduction(biz))
        {
            return Deduct(biz, notifyUrl);
        }

        if (Text(biz, "scene") is not ("bar_code" or "security_code"))
        {
            return AlipayFailure.InvalidParameter("scene 必须是 bar_code（条码）或 security_code（声波）");
        }

        // Alipay's payment codes: 16 to 24 digits beginning 25 to 30.
        if (Text(biz, "auth_code") is not { } code || code.Length is < 16 or > 24 || !code.All(char.IsAsciiDigit) || (code[0] - '0') * 10 + code[1] - '0' is < 25 or > 30)
        {
            return AlipayFailure.Business("ACQ.PAYMENT_AUTH_CODE_INVALID", "支付失败，获取顾客账户信息失败，请顾客刷新付款码后重新收款");
        }

        var earlier = Text(biz, "out_trade_no") is { } outTradeNo ? _trades.FindBy(nameof(AlipayTrade.OutTradeNo), outTradeNo) is [var found, ..] ? found : null : null;
        var created = Create(BarcodePay, biz, notifyUrl, "");
        if (created.Failure is not null)
        {
            return created;
        }

        var trade = created.Trade!;
        if (earlier is not null && earlier.Method != BarcodePay)
        {
            return AlipayFailure.Business("ACQ.CONTEXT_INCONSISTENT", $"交易信息被篡改：该 out_trade_no 已用于 {earlier.Method}");
        }

        // The same scan again while the buyer enters the password: still waiting, whatever code came this time.
        // A trade whose last scan was refused takes the fresh code as a new attempt.
        if (earlier is not null && earlier.ScanRefused.Length == 0)
        {
            return new Outcome(PayFields(trade, "10003", "order success pay inprocess"), null, trade);
        }

        trade.ScanRefused = "";
        if (RefusalCodeSuffixes.GetValueOrDefault(code[^4..]) is { } refusal)
        {
            // The trade stays, waiting: the same out_trade_no can be scanned again, or cancelled (docs/sandbox/alipay.md).
            trade.ScanRefused = refusal.SubCode;
            _trades.Upsert(trade);
            return new Outcome(RefusedFields(trade), refusal, trade);
        }

        if (code.EndsWith(PasswordCodeSuffix, StringComparison.Ordinal))
        {
            _trades.Upsert(trade);
            return new Outcome(PayFields(trade, "10003", "order success pay inprocess"), null, trade);
        }

        _context.Payments.TryClose(trade.Id, PaymentStatus.Paid);
        MarkPaid(trade);
        _trades.Upsert(trade);
        SendNotify(trade, refund: null);
        return new Outcome(PayFields(trade, "10000", "Success"), null, trade);
    }

    /// <summary>What a refused scan answers beside its sub code, as Alipay's do: the order (and the trade that stays) and nothing paid.</summary>
    private static JsonObject RefusedFields(AlipayTrade trade) => new()
    {
        ["trade_no"] = trade.Id,
        ["out_trade_no"] = trade.OutTradeNo,
        ["buyer_pay_amount"] = "0.00",
        ["point_amount"] = "0.00",
        ["invoice_amount"] = "0.00",
        ["receipt_amount"] = "0.00",
    };

    /// <summary>The answer's fields: the paid ones (amounts, <c>gmt_payment</c>, funds) once paid; the trade's identity while waiting.</summary>
    private static JsonObject PayFields(AlipayTrade trade, string code, string msg)
    {
        var fields = new JsonObject { ["code"] = code, ["msg"] = msg };
        foreach (var (key, value) in QueryFields(trade))
        {
            if (key is not ("trade_status" or "send_pay_date"))
            {
                fields[key] = value?.DeepClone();
            }
        }

        if (trade.GmtPayment is { } paidAt)
        {
            fields["gmt_payment"] = AlipayTime.Format(paidAt);
        }

        return fields;
    }
}
