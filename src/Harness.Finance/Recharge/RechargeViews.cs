using System.Globalization;
using System.Text.Json.Serialization;
using Harness.Finance.Payments;
using Harness.Http;

namespace Harness.Finance.Recharge;

/// <summary>The recharge statuses of the documented lifecycle.</summary>
public static class RechargeStatus
{
    public const string Pending = "PENDING";
    public const string Paid = "PAID";
    public const string Closed = "CLOSED";
    public const string Expired = "EXPIRED";
    public const string Failed = "FAILED";

    public static readonly string[] All = [Pending, Paid, Closed, Expired, Failed];

    /// <summary>A recharge's status from its payment order's; an unpaid order past its expiry shows as expired.</summary>
    public static string Of(PaymentOrder order, DateTimeOffset now) => order.Status switch
    {
        PaymentStatus.Success => Paid,
        PaymentStatus.NotPay => now >= order.ExpireAt ? Expired : Pending,
        _ => order.CloseReason switch
        {
            CloseReason.Expired => Expired,
            CloseReason.ChannelFailed => Failed,
            _ => Closed,
        },
    };
}

public sealed record RechargePlanView(string Id, string Name, long Coins, long BonusCoins, long TotalCoins, long Price, string Currency, bool Enabled, int Sort, string? Description)
{
    public static RechargePlanView From(RechargePlanDocument p) =>
        new(p.Id, p.Name, p.Coins, p.BonusCoins, p.Coins + p.BonusCoins, p.Price, p.Currency, p.Enabled, p.Sort, p.Description);
}

public sealed record RechargePreview(RechargePlanView Plan, string Channel, long PayAmount, string Currency, long Coins, long BonusCoins, long TotalCoins, long ExpiresInSeconds);

/// <summary>A recharge order: its plan terms, its payment at the channel, and what it credited.</summary>
public sealed record RechargeOrderView(
    string OrderNo,
    string OutTradeNo,
    string UserId,
    string PlanId,
    string PlanName,
    string Channel,
    long PayAmount,
    string Currency,
    long Coins,
    long BonusCoins,
    long TotalCoins,
    string Status,
    string PaymentStatus,
    long CreditedCoins,
    string? RecordId,
    string? CodeUrl,
    string? PayUrl,
    string? ChannelTradeNo,
    DateTime CreatedAt,
    DateTime ExpireAt,
    DateTime? PaidAt,
    DateTime? ClosedAt)
{
    public static RechargeOrderView From(PaymentOrder order, DateTimeOffset now)
    {
        var terms = order.Recharge!;
        var paid = order.Status == Payments.PaymentStatus.Success;
        return new(
            order.BizOrderNo,
            order.Id,
            order.UserId,
            terms.PlanId,
            terms.PlanName,
            order.Channel,
            order.Amount,
            RechargePlans.Currency,
            terms.Coins,
            terms.BonusCoins,
            terms.TotalCoins(),
            RechargeStatus.Of(order, now),
            order.Status,
            paid ? terms.TotalCoins() : 0,
            paid ? order.LedgerEntryId?.ToString(CultureInfo.InvariantCulture) : null,
            order.CodeUrl,
            order.PayUrl,
            order.ChannelTradeNo,
            order.CreatedAt,
            order.ExpireAt,
            order.PaidAt,
            order.ClosedAt);
    }
}

/// <summary>A new recharge: the order, and the QR code of its <c>codeUrl</c> as a PNG data URL.</summary>
public sealed record CreatedRecharge(
    string OrderNo,
    string OutTradeNo,
    string Channel,
    long PayAmount,
    string Currency,
    long TotalCoins,
    string Status,
    string? CodeUrl,
    string? PayUrl,
    string? QrCodeDataUrl,
    DateTime ExpireAt);

public sealed record CreateRechargeRequest(string? PlanId, string? Channel) : IValidatable
{
    public void Validate(Validator validator) => validator
        .Identifier(PlanId, "planId")
        .PaymentChannel(Channel);
}

/// <summary>Filters of recharge summaries and records: times are ISO 8601, <c>endTime</c> exclusive, on the order's creation.</summary>
public record RechargeFilter : IValidatable
{
    public int? Page { get; init; }

    public int? PageSize { get; init; }

    public string? Status { get; init; }

    public string? Channel { get; init; }

    public DateTimeOffset? StartTime { get; init; }

    public DateTimeOffset? EndTime { get; init; }

    /// <summary>Admin lists only: one user's orders.</summary>
    public string? UserId { get; init; }

    [JsonIgnore]
    public int PageNumber => Page ?? 1;

    [JsonIgnore]
    public int Size => PageSize ?? 20;

    public void Validate(Validator validator) => validator
        .Require(PageNumber >= 1, "page must be 1 or greater")
        .Require(Size is >= 1 and <= 100, "pageSize must be between 1 and 100")
        .Require((long)(PageNumber - 1) * Size <= int.MaxValue, "page is too large")
        .Require(Status is null || RechargeStatus.All.Contains(Status), $"status must be one of {string.Join(", ", RechargeStatus.All)}")
        .Require(Channel is null || Channel is "wechat" or "alipay", "channel must be one of wechat, alipay")
        .OptionalIdentifier(UserId, "userId")
        .Require(!(StartTime > EndTime), "startTime must not be after endTime");

    public bool Matches(PaymentOrder order, DateTimeOffset now) =>
        (Status is null || RechargeStatus.Of(order, now) == Status)
        && (Channel is null || order.Channel == Channel)
        && (UserId is null || order.UserId == UserId)
        && (StartTime is null || order.CreatedAt >= StartTime.Value.UtcDateTime)
        && (EndTime is null || order.CreatedAt < EndTime.Value.UtcDateTime);
}

public sealed record RechargeStatusCount(string Status, long Count);

public sealed record RechargeChannelTotal(string Channel, long Count, long PaidCount, long PaidAmount, long CreditedCoins);

/// <summary>
/// Orders created in the range: how many of each status and channel, and what the paid ones paid and credited.
/// <c>ledgerCredited</c> is the ledger's own sum of recharge credits posted in the same range, for reconciliation.
/// </summary>
public sealed record RechargeSummary(
    long Count,
    long PaidCount,
    long TotalPaidAmount,
    long TotalCreditedCoins,
    long LedgerCreditedCoins,
    string Currency,
    IReadOnlyList<RechargeStatusCount> ByStatus,
    IReadOnlyList<RechargeChannelTotal> ByChannel,
    DateTimeOffset? StartTime,
    DateTimeOffset? EndTime);

public static class PaymentFieldRules
{
    /// <summary><c>wechat</c> or <c>alipay</c>.</summary>
    public static Validator PaymentChannel(this Validator validator, string? channel) => validator.Check(channel switch
    {
        null or "" => "channel is required",
        "wechat" or "alipay" => null,
        _ => $"channel must be one of wechat, alipay (got '{channel}')",
    });
}
