using System.Globalization;
using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Alipay;

/// <summary>
/// Deductions under a signed agreement: <c>alipay.trade.pay</c> with <c>product_code</c> GENERAL_WITHHOLDING (or
/// CYCLE_PAY_AUTH) and <c>agreement_params.agreement_no</c> charges the buyer without them, paid as the call answers,
/// within the agreement's limits and, for 周期扣款, in the days up to its agreed date. A refused deduction leaves no trade.
/// </summary>
public sealed partial class AlipayProvider
{
    private const string WithholdingProduct = "GENERAL_WITHHOLDING";
    private const string CyclePayProduct = "CYCLE_PAY_AUTH";

    /// <summary>How many days before its agreed date a 周期扣款 deduction may come (Alipay's documented window).</summary>
    private const int DeductWindowDays = 3;

    private static bool IsDeduction(JsonObject biz) =>
        biz["agreement_params"] is not null || Text(biz, "product_code") is WithholdingProduct or CyclePayProduct;

    private Outcome Deduct(JsonObject biz, string notifyUrl)
    {
        if (Text(biz, "product_code") is not (WithholdingProduct or CyclePayProduct))
        {
            return AlipayFailure.Business("ACQ.PRODUCT_CODE_ERROR", $"产品码不合法：按协议扣款使用 {WithholdingProduct} 或 {CyclePayProduct}");
        }

        if (biz["agreement_params"] is not JsonObject parameters || Text(parameters, "agreement_no") is not { Length: > 0 } number)
        {
            return AlipayFailure.InvalidParameter("agreement_params.agreement_no 不能为空");
        }

        if (Text(biz, "out_trade_no") is { } outTradeNo && _trades.FindBy(nameof(AlipayTrade.OutTradeNo), outTradeNo) is [var earlier, ..])
        {
            // Deductions are paid as they are made, so a repeat answers the paid (or closed) trade's refusal.
            return earlier.AgreementNo == number
                ? Create(BarcodePay, biz, notifyUrl, "")
                : AlipayFailure.Business("ACQ.CONTEXT_INCONSISTENT", "交易信息被篡改：该 out_trade_no 已用于另一笔交易");
        }

        var agreement = IsBizNumber(number) ? _agreements.Get(number) : null;
        if (agreement is not { Status: AlipayAgreement.Normal or AlipayAgreement.Stop })
        {
            return AlipayFailure.Business("ACQ.AGREEMENT_NOT_EXIST", "用户协议不存在或已解约");
        }

        if (agreement.Status == AlipayAgreement.Stop)
        {
            return AlipayFailure.Business("ACQ.AGREEMENT_STATUS_NOT_NORMAL", "用户协议状态非NORMAL");
        }

        if (AlipayTrade.ParseYuan(Text(biz, "total_amount")) is { } fen && Exceeds(agreement, fen) is { } refused)
        {
            return refused;
        }

        if (agreement.DeclineNext.Length > 0)
        {
            var declined = RefusalCodeSuffixes.Values.First(f => f.SubCode == agreement.DeclineNext);
            agreement.DeclineNext = "";
            _agreements.Upsert(agreement);
            return declined;
        }

        var created = Create(BarcodePay, biz, notifyUrl, "");
        if (created.Failure is not null)
        {
            return created;
        }

        var trade = created.Trade!;
        trade.AgreementNo = agreement.Id;
        trade.BuyerId = agreement.AlipayUserId;
        trade.BuyerLogonId = agreement.AlipayLogonId;
        _context.Payments.TryClose(trade.Id, PaymentStatus.Paid);
        MarkPaid(trade);
        _trades.Upsert(trade);
        SendNotify(trade, refund: null);

        agreement.Deductions++;
        agreement.DeductedFen += trade.AmountFen;
        agreement.LastDeductAt = trade.GmtPayment;
        if (agreement.PeriodType.Length > 0)
        {
            var agreed = DateOnly.ParseExact(agreement.NextDeductDate, "yyyy-MM-dd", CultureInfo.InvariantCulture);
            var next = agreement.PeriodType == "DAY" ? agreed.AddDays(agreement.Period) : agreed.AddMonths(agreement.Period);
            agreement.NextDeductDate = next.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }

        _agreements.Upsert(agreement);
        return new Outcome(PayFields(trade, "10000", "Success"), null, trade);
    }

    /// <summary>Why the agreement's rule refuses a deduction of <paramref name="fen"/> today; null when it allows it.</summary>
    private AlipayFailure? Exceeds(AlipayAgreement agreement, long fen)
    {
        if (agreement.SingleAmountFen > 0 && fen > agreement.SingleAmountFen)
        {
            return AlipayFailure.Business("ACQ.CYCLE_PAY_SINGLE_FEE_EXCEED", "周期扣款的单笔金额超过签约时限制");
        }

        if (agreement.TotalAmountFen > 0 && agreement.DeductedFen + fen > agreement.TotalAmountFen)
        {
            return AlipayFailure.Business("ACQ.CYCLE_PAY_TOTAL_FEE_EXCEED", "周期扣款的累计金额超过签约时限制");
        }

        if (agreement.TotalPayments > 0 && agreement.Deductions >= agreement.TotalPayments)
        {
            return AlipayFailure.Business("ACQ.CYCLE_PAY_TOTAL_TIMES_EXCEED", "周期扣款的总次数超过签约时限制");
        }

        if (agreement.PeriodType.Length == 0)
        {
            return null;
        }

        var today = DateOnly.FromDateTime(_context.Clock.GetUtcNow().ToOffset(AlipayTime.China).DateTime);
        var agreed = DateOnly.ParseExact(agreement.NextDeductDate, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        return today < agreed.AddDays(-DeductWindowDays) || today > agreed
            ? AlipayFailure.Business("ACQ.CYCLE_PAY_DATE_NOT_MATCH", "扣款日期不在签约时的允许范围之内")
            : null;
    }
}
