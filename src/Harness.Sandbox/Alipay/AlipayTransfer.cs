using Harness.Storage;

namespace Harness.Sandbox.Alipay;

/// <summary>
/// One 单笔转账 (<c>alipay.fund.trans.uni.transfer</c>) from the merchant's balance to an Alipay account, kept under its
/// <c>order_id</c>; a repeat of its <c>out_biz_no</c> answers from it.
/// </summary>
public sealed class AlipayTransfer : IDocument
{
    public const string Success = "SUCCESS";
    public const string Dealing = "DEALING";
    public const string Fail = "FAIL";
    public const string Refund = "REFUND";

    /// <summary>Alipay's <c>order_id</c> (支付宝转账订单号).</summary>
    public string Id { get; set; } = "";

    public string OutBizNo { get; set; } = "";

    /// <summary>支付宝支付资金流水号: absent from answers about a failed transfer.</summary>
    public string PayFundOrderId { get; set; } = "";

    public long AmountFen { get; set; }

    public string IdentityType { get; set; } = "";

    public string Identity { get; set; } = "";

    public string PayeeName { get; set; } = "";

    public string OrderTitle { get; set; } = "";

    public string Remark { get; set; } = "";

    public string Status { get; set; } = "";

    /// <summary>UTC; when Alipay accepted it (trans_date).</summary>
    public DateTime CreatedAt { get; set; }

    /// <summary>UTC; when the money reached the payee (pay_date), null until it has.</summary>
    public DateTime? PaidAt { get; set; }

    /// <summary>Why a FAIL or REFUND transfer ended so: <c>error_code</c> and <c>fail_reason</c> in the query.</summary>
    public string ErrorCode { get; set; } = "";

    public string FailReason { get; set; } = "";

    /// <summary>Money that has left the balance or is held for the payee: a SUCCESS or DEALING transfer's.</summary>
    public bool Holds => Status is Success or Dealing;
}
