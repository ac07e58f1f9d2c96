using Harness.Portaly.DiscountCodes;
using Harness.Storage;

namespace Harness.Portaly.Subscriptions;

public static class SubscriptionStatus
{
    public const string Active = "active";
    public const string PastDue = "past_due";
    public const string Canceled = "canceled";
    public static readonly string[] All = [Active, PastDue, Canceled];

    /// <summary>Consecutive failed renewal charges that cancel a subscription.</summary>
    public const int MaxFailures = 3;
}

/// <summary>
/// The discount frozen at checkout. <c>Cycles</c> is how many charges it applies to (null: forever), counted from the
/// first; <c>endsAt</c> is the end of the last discounted period. Later edits of the code do not touch it.
/// </summary>
public sealed record SubscriptionDiscount(
    string CodeId,
    string Code,
    DiscountRule AppliedRule,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndsAt,
    string Source,
    long OriginalAmount,
    long FinalAmount,
    int? Cycles);

/// <summary>The TapPay card kept for renewals (<c>card_secret</c> of Pay by Prime with <c>remember</c>); never answered.</summary>
public sealed record StoredCard(string CardKey, string CardToken, string? LastFour);

/// <summary>
/// A subscription of one mode; its id is the checkout session's. <c>Amount</c> is the frozen base price; a charge is
/// the base price less the discount while its cycles last. <c>ChargesMade</c> counts successful charges, the first
/// included; period n ends at <c>BillingAnchor</c> plus n billing periods. <c>ChargeUnderWay</c> is the number of a
/// renewal charge sent to TapPay whose outcome is not recorded yet (a crash in between leaves it set).
/// </summary>
public sealed record Subscription(
    string Id,
    string ProfileId,
    string Mode,
    string KeyId,
    string PlanId,
    string PlanName,
    long Amount,
    string Currency,
    string BillingPeriod,
    string Status,
    bool CancelAtPeriodEnd,
    DateTimeOffset BillingAnchor,
    int ChargesMade,
    DateTimeOffset? NextBillingAt,
    string? CustomerName,
    string? CustomerEmail,
    string? CustomerPhone,
    string? CallbackUrl,
    string? SubscriptionCallbackUrl,
    string? MerchantOrderNumber,
    Dictionary<string, string>? Metadata,
    DateTimeOffset? LastChargedAt,
    string? LastPaymentReference,
    int FailureCount,
    string? LastFailureReason,
    DateTimeOffset? LastFailureAt,
    DateTimeOffset? NextRetryAt,
    DateTimeOffset? CancelRequestedAt,
    DateTimeOffset? CancelEffectiveAt,
    DateTimeOffset? CanceledAt,
    string? CancelReason,
    string? CancelReasonNote,
    string? CancelRequestedBy,
    SubscriptionDiscount? Discount,
    StoredCard? Card,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int? ChargeUnderWay = null) : IDocument
{
    public bool Recurring => BillingPeriod is "monthly" or "yearly";

    /// <summary>Where renewal and lifecycle callbacks go: <c>subscriptionCallbackUrl</c>, else the checkout's <c>callbackUrl</c>.</summary>
    public string? LifecycleUrl => string.IsNullOrEmpty(SubscriptionCallbackUrl) ? CallbackUrl : SubscriptionCallbackUrl;

    /// <summary>The end of the period that <paramref name="charges"/> successful charges have paid for.</summary>
    public DateTimeOffset PeriodEnd(int charges) => BillingPeriod == "yearly" ? BillingAnchor.AddYears(charges) : BillingAnchor.AddMonths(charges);

    /// <summary>What the charge numbered <paramref name="chargeNumber"/> (1 = the checkout) costs: discounted while the cycles last.</summary>
    public long AmountOfCharge(int chargeNumber) =>
        Discount is { } d && (d.Cycles is null || chargeNumber <= d.Cycles) ? Pricing.Discounted(Amount, d.AppliedRule.Discount!) : Amount;
}

/// <summary>Discount arithmetic in whole minor units: percentages round the amount off down (the buyer never pays more than the rule says).</summary>
public static class Pricing
{
    public static long Discounted(long amount, Discount discount) => discount.Type switch
    {
        CodeValues.Free => 0,
        CodeValues.Percent => amount - (amount * discount.Value!.Value / 100),
        CodeValues.Fixed => Math.Max(0, amount - discount.Value!.Value),
        _ => amount,
    };
}
