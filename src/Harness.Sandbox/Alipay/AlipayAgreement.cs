using Harness.Storage;

namespace Harness.Sandbox.Alipay;

/// <summary>
/// A buyer's 代扣 agreement with the merchant (周期扣款 or 商家扣款), kept under its <c>agreement_no</c> from the moment
/// <c>alipay.user.agreement.page.sign</c> asks for it: TEMP until the buyer signs on the sign page, then NORMAL, STOP
/// while paused, UNSIGN once ended. Deductions (<c>alipay.trade.pay</c> with <c>agreement_params</c>) read and advance it.
/// </summary>
public sealed class AlipayAgreement : IDocument
{
    public const string Temp = "TEMP";
    public const string Normal = "NORMAL";
    public const string Stop = "STOP";
    public const string Unsign = "UNSIGN";

    public const string CyclePay = "CYCLE_PAY_AUTH_P";
    public const string GeneralWithholding = "GENERAL_WITHHOLDING_P";

    /// <summary>Alipay's <c>agreement_no</c>: 20 digits, the year first.</summary>
    public string Id { get; set; } = "";

    /// <summary>The merchant's 签约号; empty when it sent none (indexed only when set).</summary>
    public string? ExternalAgreementNo { get; set; }

    public string PersonalProductCode { get; set; } = "";

    public string SignScene { get; set; } = "";

    public string Channel { get; set; } = "";

    public string Status { get; set; } = Temp;

    public string NotifyUrl { get; set; } = "";

    public string ReturnUrl { get; set; } = "";

    /// <summary>The trade whose payment signs it (支付并签约); empty when the buyer signs on the sign page.</summary>
    public string SigningTradeNo { get; set; } = "";

    /// <summary>周期扣款's rule: DAY or MONTH and how many of them; empty for 商家扣款, which has no period.</summary>
    public string PeriodType { get; set; } = "";

    public int Period { get; set; }

    /// <summary>The agreed day of the next deduction (China date, yyyy-MM-dd): execute_time, moved on by each deduction and by executionplan.modify.</summary>
    public string NextDeductDate { get; set; } = "";

    /// <summary>The most one deduction may take (single_amount); 0 for no limit.</summary>
    public long SingleAmountFen { get; set; }

    /// <summary>The most all deductions together may take (total_amount); 0 for no limit.</summary>
    public long TotalAmountFen { get; set; }

    /// <summary>How many deductions may succeed (total_payments); 0 for no limit.</summary>
    public int TotalPayments { get; set; }

    public long DeductedFen { get; set; }

    public int Deductions { get; set; }

    public string AlipayUserId { get; set; } = "";

    public string AlipayLogonId { get; set; } = "";

    /// <summary>UTC; when the buyer signed (sign_time and valid_time); null while TEMP.</summary>
    public DateTime? SignedAt { get; set; }

    public DateTime? LastDeductAt { get; set; }

    public DateTime? UnsignedAt { get; set; }

    /// <summary>The refusal the control API set for the next deduction (a buyer whose balance is short); empty for none.</summary>
    public string DeclineNext { get; set; } = "";
}
