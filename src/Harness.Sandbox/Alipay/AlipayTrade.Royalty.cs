using Harness.Storage;

namespace Harness.Sandbox.Alipay;

/// <summary>A trade's 分账 state: whether its money is frozen for 分账, what left it to receivers, and whether 分账 is finished.</summary>
public sealed partial class AlipayTrade
{
    /// <summary>
    /// Created with <c>extend_params.royalty_freeze=true</c>: once paid its money stays frozen in the merchant's balance
    /// until settled to receivers or unfrozen by <c>royalty_finish</c>.
    /// </summary>
    public bool RoyaltyFreeze { get; set; }

    /// <summary>What settles moved to receivers, less what refunds took back from them, in fen.</summary>
    public long SettledFen { get; set; }

    /// <summary><c>sync</c> or <c>async</c> once the trade was first settled: Alipay does not mix the two on one trade.</summary>
    public string RoyaltyMode { get; set; } = "";

    /// <summary>A settle carried <c>royalty_finish=true</c>: the rest was unfrozen and no further settle is taken.</summary>
    public bool RoyaltyFinished { get; set; }

    /// <summary>Money taken back from receivers by refunds (<c>refund_royalty_parameters</c>), as transfer_refund details.</summary>
    public List<AlipayRoyaltyDetail> RoyaltyReturns { get; set; } = [];

    /// <summary>When Alipay unfroze what the merchant still held, 30 days after payment without royalty_finish; null before.</summary>
    public DateTime? RoyaltyUnfrozenAt { get; set; }

    /// <summary>While frozen for 分账, not finished and not unfrozen by time, the trade's money moves in the frozen part of the balance.</summary>
    public bool HoldsFrozen => RoyaltyFreeze && !RoyaltyFinished && RoyaltyUnfrozenAt is null;

    /// <summary>Due order of the automatic unfreeze (indexed), for the scheduler: a paid trade still holding frozen money.</summary>
    public string? UnfreezeOrder => HoldsFrozen && GmtPayment is { } paid ? OrderKeys.Time(paid + AutoUnfreezeAfter, Id) : null;

    /// <summary>Alipay unfreezes a frozen trade's money 30 days after it froze (at payment) when the platform did not.</summary>
    public static readonly TimeSpan AutoUnfreezeAfter = TimeSpan.FromDays(30);

    /// <summary>What is paid and still with the merchant: neither refunded nor settled to receivers.</summary>
    public long UnsettledFen => GmtPayment is null ? 0 : AmountFen - RefundedFen - SettledFen;
}
