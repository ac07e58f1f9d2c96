using Harness.Storage;

namespace Harness.Finance.Payments;

/// <summary>The WeChat Pay trade states the Payment API answers for both channels (docs/finance.md, "Payment statuses").</summary>
public static class PaymentStatus
{
    public const string NotPay = "NOTPAY";
    public const string Success = "SUCCESS";
    public const string Closed = "CLOSED";
}

/// <summary>Why an order was closed: by its owner, by the clock, by the channel, or because the channel refused it.</summary>
public static class CloseReason
{
    public const string Closed = "closed";
    public const string Expired = "expired";
    public const string ChannelFailed = "channel_failed";
}

/// <summary>
/// A payment order at a channel, keyed by its <c>outTradeNo</c>. A recharge is one of these with its
/// <see cref="Recharge"/> terms: recharge order and payment order are one document, so their states cannot disagree.
/// </summary>
public sealed class PaymentOrder : IDocument
{
    /// <summary>The <c>outTradeNo</c> the channel knows the order by.</summary>
    public string Id { get; set; } = "";

    public string UserId { get; set; } = "";

    /// <summary><c>RECHARGE</c> for recharges, else the caller's business type.</summary>
    public string BizType { get; set; } = "";

    /// <summary>The recharge's <c>orderNo</c>, else the caller's business order number.</summary>
    public string BizOrderNo { get; set; } = "";

    public string Channel { get; set; } = "";

    /// <summary>Integer fen.</summary>
    public long Amount { get; set; }

    public string Description { get; set; } = "";

    public string Status { get; set; } = PaymentStatus.NotPay;

    public string? CloseReason { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>On the backend's clock: after it, an unpaid order is closed as expired.</summary>
    public DateTime ExpireAt { get; set; }

    /// <summary>When the backend applied the payment (its clock, like the ledger entry's).</summary>
    public DateTime? PaidAt { get; set; }

    /// <summary>When the channel says the buyer paid.</summary>
    public DateTime? ChannelPaidAt { get; set; }

    public DateTime? ClosedAt { get; set; }

    public string? CodeUrl { get; set; }

    public string? PayUrl { get; set; }

    /// <summary>WeChat's <c>transaction_id</c>, Alipay's <c>trade_no</c>.</summary>
    public string? ChannelTradeNo { get; set; }

    /// <summary>What the channel says was paid, in fen.</summary>
    public long? PaidAmount { get; set; }

    public RechargeTerms? Recharge { get; set; }

    /// <summary>Set, durably, before the ledger credit is posted: a restart that finds it without a ledger entry id looks the entry up.</summary>
    public DateTime? CreditStartedAt { get; set; }

    /// <summary>The ledger entry that credited the recharge's coins.</summary>
    public long? LedgerEntryId { get; set; }
}

/// <summary>What a recharge credits once paid, fixed from its plan when the order was made.</summary>
public sealed class RechargeTerms
{
    public string PlanId { get; set; } = "";

    public string PlanName { get; set; } = "";

    public long Coins { get; set; }

    public long BonusCoins { get; set; }

    public long TotalCoins() => Coins + BonusCoins;
}
