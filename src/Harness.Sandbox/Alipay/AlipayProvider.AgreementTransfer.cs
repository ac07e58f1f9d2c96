using System.Globalization;
using System.Text.Json.Nodes;

namespace Harness.Sandbox.Alipay;

/// <summary>
/// <c>alipay.user.agreement.transfer</c> (协议由普通通用代扣协议产品转移到周期扣协议产品): the merchant moves a signed
/// 商家扣款 agreement (GENERAL_WITHHOLDING_P) to 周期扣款 (<c>target_product_code</c> CYCLE_PAY_AUTH_P) under the
/// <c>period_rule_params</c> it sends, checked as page.sign checks them; deductions then keep to that rule.
/// </summary>
public sealed partial class AlipayProvider
{
    public const string AgreementTransfer = "alipay.user.agreement.transfer";

    private Outcome TransferAgreement(JsonObject biz)
    {
        if (Text(biz, "agreement_no") is null)
        {
            return AgreementParameter("agreement_no 不能为空");
        }

        if (Text(biz, "target_product_code") != AlipayAgreement.CyclePay)
        {
            return AgreementParameter($"target_product_code 须为 {AlipayAgreement.CyclePay}：协议只能由商家扣款转为周期扣款");
        }

        var rule = new AlipayAgreement();
        if (PeriodRule(biz, rule) is { } refused)
        {
            return refused;
        }

        var (agreement, failure) = FindAgreement(biz);
        if (failure is not null)
        {
            return failure;
        }

        if (agreement!.Status != AlipayAgreement.Normal)
        {
            return AlipayFailure.Business("AGREEMENT_STATUS_NOT_NORMAL", "只有状态为 NORMAL 的协议可以转移");
        }

        if (agreement.PersonalProductCode != AlipayAgreement.GeneralWithholding)
        {
            return AgreementParameter($"只有商家扣款（{AlipayAgreement.GeneralWithholding}）协议可以转为周期扣款");
        }

        // The moved agreement keeps its external_agreement_no and scene, which a live 周期扣款 agreement may hold already.
        if (agreement.ExternalAgreementNo is { } external && _agreements.FindBy(nameof(AlipayAgreement.ExternalAgreementNo), external)
                .Any(a => a.PersonalProductCode == AlipayAgreement.CyclePay && a.SignScene == agreement.SignScene && a.Status is AlipayAgreement.Normal or AlipayAgreement.Stop))
        {
            return AlipayFailure.Business("AGREEMENT_HAS_EXISTED", "该商户签约号已有生效的周期扣款协议");
        }

        agreement.PersonalProductCode = AlipayAgreement.CyclePay;
        agreement.PeriodType = rule.PeriodType;
        agreement.Period = rule.Period;
        agreement.NextDeductDate = rule.NextDeductDate;
        agreement.SingleAmountFen = rule.SingleAmountFen;
        agreement.TotalAmountFen = rule.TotalAmountFen;
        agreement.TotalPayments = rule.TotalPayments;

        // The new rule's totals count from the transfer: what 商家扣款 took before is no part of them.
        agreement.DeductedFen = 0;
        agreement.Deductions = 0;
        _agreements.Upsert(agreement);

        var fields = new JsonObject
        {
            ["execute_time"] = agreement.NextDeductDate,
            ["period_type"] = agreement.PeriodType,
            ["period"] = agreement.Period.ToString(CultureInfo.InvariantCulture),
            ["amount"] = AlipayTrade.FormatYuan(agreement.SingleAmountFen),
        };
        if (agreement.TotalAmountFen > 0)
        {
            fields["total_amount"] = AlipayTrade.FormatYuan(agreement.TotalAmountFen);
        }

        if (agreement.TotalPayments > 0)
        {
            fields["total_payments"] = agreement.TotalPayments.ToString(CultureInfo.InvariantCulture);
        }

        return new Outcome(fields, null);
    }
}
