using Harness.Storage;

namespace Harness.Sandbox.Epay;

/// <summary>A transfer (代付) made through V2's <c>/api/transfer/submit</c>: what <c>/api/transfer/query</c> answers from.</summary>
public sealed class EpayTransfer : IDocument
{
    /// <summary>0 while the channel has it, 1 paid out, 2 failed (its money is back in the balance): the query's <c>status</c>.</summary>
    public const int Processing = 0;

    public const int Succeeded = 1;

    public const int Failed = 2;

    /// <summary>The platform's transfer number (<c>biz_no</c>): the merchant's <c>out_biz_no</c> when it is 19 digits, else drawn.</summary>
    public string Id { get; set; } = "";

    public string Pid { get; set; } = "";

    /// <summary>The merchant's transfer number; the <c>biz_no</c> when the request had none.</summary>
    public string OutBizNo { get; set; } = "";

    /// <summary><c>alipay</c>, <c>wxpay</c>, <c>qqpay</c> or <c>bank</c>.</summary>
    public string Type { get; set; } = "";

    public string Account { get; set; } = "";

    public string Name { get; set; } = "";

    public string Remark { get; set; } = "";

    /// <summary>Fen paid to the payee (<c>amount</c>).</summary>
    public long AmountFen { get; set; }

    /// <summary>Fen taken from the merchant's balance (<c>cost_money</c>): the amount, as the sandbox charges no fee.</summary>
    public long CostFen { get; set; }

    /// <summary>The channel's transfer number (<c>orderid</c>).</summary>
    public string OrderId { get; set; } = "";

    public int Status { get; set; }

    /// <summary>Why it failed (<c>errmsg</c>), once <see cref="Failed"/>.</summary>
    public string ErrMsg { get; set; } = "";

    public DateTime AddTime { get; set; }

    /// <summary>When it was paid out (<c>paydate</c>), once <see cref="Succeeded"/>.</summary>
    public DateTime? PayTime { get; set; }
}
