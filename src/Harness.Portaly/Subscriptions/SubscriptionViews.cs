using Harness.Http;
using Harness.Portaly.DiscountCodes;

namespace Harness.Portaly.Subscriptions;

public static class CancelReasons
{
    public const string CustomerRequested = "customer_requested";
    public const string PaymentFailures = "payment_failures";
    public const string Manual = "manual";
    public const string Other = "other";
    public static readonly string[] All = [CustomerRequested, PaymentFailures, Manual, Other];
}

/// <summary>Who asked for a cancellation: the merchant's API call, the subscriber on the portal page, or the renewals.</summary>
public static class CancelRequesters
{
    public const string Api = "api";
    public const string Subscriber = "subscriber";
    public const string System = "system";
}

/// <summary><c>POST /subscriptions/{id}/cancel</c>: an optional reason and note.</summary>
public sealed record CancelSubscriptionRequest(string? Reason, string? ReasonNote) : IValidatable
{
    public const int MaxNote = 500;

    public void Validate(Validator validator) => validator
        .OneOf(Reason, "reason", CancelReasons.All)
        .MaxLength(ReasonNote, "reasonNote", MaxNote);
}

/// <summary>The discount frozen at checkout as the API answers it (<c>endsAt</c> null: forever).</summary>
public sealed record SubscriptionDiscountView(
    string CodeId,
    string Code,
    DiscountRule AppliedRule,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndsAt,
    string Source,
    long OriginalAmount,
    long FinalAmount)
{
    public static SubscriptionDiscountView? Of(SubscriptionDiscount? d) =>
        d is null ? null : new(d.CodeId, d.Code, d.AppliedRule, d.StartedAt, d.EndsAt, d.Source, d.OriginalAmount, d.FinalAmount);
}

/// <summary>A subscription in the list. <c>amount</c> is the frozen base price, not what a renewal charges.</summary>
public sealed record SubscriptionListItem(
    string Id,
    string ProfileId,
    string PlanId,
    string PlanName,
    long Amount,
    string Currency,
    string BillingPeriod,
    string Status,
    string Mode,
    bool CancelAtPeriodEnd,
    DateTimeOffset? NextBillingAt,
    string? CustomerName,
    string? CustomerEmail,
    DateTimeOffset CreatedAt,
    SubscriptionDiscountView? Discount)
{
    public static SubscriptionListItem Of(Subscription s) => new(
        s.Id, s.ProfileId, s.PlanId, s.PlanName, s.Amount, s.Currency, s.BillingPeriod, s.Status, s.Mode, s.CancelAtPeriodEnd,
        s.NextBillingAt, s.CustomerName, s.CustomerEmail, s.CreatedAt, SubscriptionDiscountView.Of(s.Discount));
}

/// <summary>One subscription with its charge and cancellation history; never its stored card.</summary>
public sealed record SubscriptionView(
    string Id,
    string ProfileId,
    string PlanId,
    string PlanName,
    long Amount,
    string Currency,
    string BillingPeriod,
    string Status,
    string Mode,
    bool CancelAtPeriodEnd,
    DateTimeOffset? NextBillingAt,
    string? CustomerName,
    string? CustomerEmail,
    string? MerchantOrderNumber,
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
    SubscriptionDiscountView? Discount,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static SubscriptionView Of(Subscription s) => new(
        s.Id, s.ProfileId, s.PlanId, s.PlanName, s.Amount, s.Currency, s.BillingPeriod, s.Status, s.Mode, s.CancelAtPeriodEnd,
        s.NextBillingAt, s.CustomerName, s.CustomerEmail, s.MerchantOrderNumber, s.LastChargedAt, s.LastPaymentReference,
        s.FailureCount, s.LastFailureReason, s.LastFailureAt, s.NextRetryAt, s.CancelRequestedAt, s.CancelEffectiveAt, s.CanceledAt,
        s.CancelReason, s.CancelReasonNote, s.CancelRequestedBy, SubscriptionDiscountView.Of(s.Discount), s.CreatedAt, s.UpdatedAt);
}

/// <summary>The answer of cancel and resume: the fields a merchant updates its records with.</summary>
public sealed record SubscriptionLifecycleView(
    string Id,
    string Status,
    bool CancelAtPeriodEnd,
    DateTimeOffset? CancelRequestedAt,
    DateTimeOffset? CancelEffectiveAt,
    DateTimeOffset? CanceledAt,
    DateTimeOffset? NextBillingAt)
{
    public static SubscriptionLifecycleView Of(Subscription s) =>
        new(s.Id, s.Status, s.CancelAtPeriodEnd, s.CancelRequestedAt, s.CancelEffectiveAt, s.CanceledAt, s.NextBillingAt);
}
