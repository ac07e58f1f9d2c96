using Harness.Storage;

namespace Harness.Sandbox.Epay;

/// <summary>A refund made through V2's <c>/api/pay/refund</c>, what <c>/api/pay/refundquery</c> answers from.</summary>
public sealed class EpayRefund : IDocument
{
    /// <summary>The platform refund number (<c>refund_no</c>).</summary>
    public string Id { get; set; } = "";

    public string Pid { get; set; } = "";

    /// <summary>The merchant's refund number; empty when the request had none.</summary>
    public string OutRefundNo { get; set; } = "";

    public string TradeNo { get; set; } = "";

    public string OutTradeNo { get; set; } = "";

    public long AmountFen { get; set; }

    public DateTime AddTime { get; set; }
}
