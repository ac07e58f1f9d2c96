using Harness.Http;
using Harness.Portaly.DiscountCodes;
using Harness.Storage;

namespace Harness.Portaly.Checkout;

public static class SessionStatus
{
    public const string Ready = "checkout_ready";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Canceled = "canceled";
    public const string Expired = "expired";

    /// <summary>The outcomes a manual completion may record.</summary>
    public static readonly string[] Outcomes = [Completed, Failed, Canceled];
}

/// <summary>
/// A discount applied to a checkout: the rule chosen for the plan, the amounts before and after, and where the code
/// came from (<c>manual</c>: sent by the merchant; <c>ref_code</c>: the buyer's <c>signupRefCode</c>).
/// <c>discountedAmount</c> is the amount taken off.
/// </summary>
public sealed record AppliedDiscount(
    string CodeId,
    string Code,
    DiscountRule Rule,
    long OriginalAmount,
    long DiscountedAmount,
    long FinalAmount,
    string Source);

/// <summary>
/// A checkout session of one key's mode. Its id is also the id of the subscription it creates. The plan's terms
/// are copied in at creation (a plan edited later does not change a checkout in flight).
/// </summary>
public sealed record CheckoutSession(
    string Id,
    string ProfileId,
    string Mode,
    string KeyId,
    string PlanId,
    string PlanName,
    string PlanStatus,
    long PlanAmount,
    string Currency,
    string BillingPeriod,
    string PricingType,
    bool CollectPhone,
    string Status,
    long OriginalAmount,
    long Amount,
    AppliedDiscount? AppliedDiscount,
    string CheckoutToken,
    string? SuccessRedirectUrl,
    string? CancelRedirectUrl,
    string? CallbackUrl,
    string? SubscriptionCallbackUrl,
    string? MerchantOrderNumber,
    Dictionary<string, string>? Metadata,
    string? CustomerName,
    string? CustomerEmail,
    string? CustomerPhone,
    bool EmailVerified,
    string? ProfitSharingId,
    string? PaymentReference,
    string? PaymentMethod,
    string? FailureReason,
    DateTimeOffset? CompletedAt,
    DateTimeOffset? FailedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt) : IDocument
{
    public bool IsOpen => Status == SessionStatus.Ready;

    public bool Recurring => BillingPeriod is "monthly" or "yearly";
}

/// <summary>
/// A new checkout session. <c>amount</c> is required (positive) for a dynamic plan and ignored for a fixed one;
/// URLs must be absolute http(s); <c>metadata</c> maps strings to strings; <c>profitSharingId</c> is 1–64
/// characters when sent (an empty string is refused, not ignored).
/// </summary>
public sealed record CreateCheckoutSessionRequest(
    string? PlanId,
    long? Amount,
    string? SuccessRedirectUrl,
    string? CancelRedirectUrl,
    string? CallbackUrl,
    string? SubscriptionCallbackUrl,
    string? MerchantOrderNumber,
    Dictionary<string, string>? Metadata,
    string? DiscountCode,
    string? CustomerEmail,
    string? CustomerName,
    bool? EmailVerified,
    string? ProfitSharingId) : IValidatable
{
    public const int MaxMetadataEntries = 50;
    public const int MaxMetadataValue = 2000;

    public void Validate(Validator validator) => validator
        .Required(PlanId, "planId")
        .MaxLength(PlanId, "planId", 64)
        .Between(Amount, "amount", 1, Plans.PlanValues.MaxAmount)
        .AbsoluteUrl(SuccessRedirectUrl, "successRedirectUrl")
        .AbsoluteUrl(CancelRedirectUrl, "cancelRedirectUrl")
        .AbsoluteUrl(CallbackUrl, "callbackUrl")
        .AbsoluteUrl(SubscriptionCallbackUrl, "subscriptionCallbackUrl")
        .MaxLength(SuccessRedirectUrl, "successRedirectUrl", 2048)
        .MaxLength(CancelRedirectUrl, "cancelRedirectUrl", 2048)
        .MaxLength(CallbackUrl, "callbackUrl", 2048)
        .MaxLength(SubscriptionCallbackUrl, "subscriptionCallbackUrl", 2048)
        .MaxLength(MerchantOrderNumber, "merchantOrderNumber", 100)
        .Require(Metadata is null || Metadata.Count <= MaxMetadataEntries, $"metadata must have at most {MaxMetadataEntries} keys")
        .Require(Metadata is null || Metadata.All(m => m.Key.Length is > 0 and <= 100), "metadata keys must be 1-100 characters")
        .Require(Metadata is null || Metadata.Values.All(v => v is not null && v.Length <= MaxMetadataValue), $"metadata values must be strings of at most {MaxMetadataValue} characters")
        .MaxLength(DiscountCode, "discountCode", 40)
        .Email(CustomerEmail, "customerEmail")
        .MaxLength(CustomerName, "customerName", 100)
        .Require(ProfitSharingId is null || ProfitSharingId.Length is >= 1 and <= 64, "profitSharingId must be 1-64 characters");
}

/// <summary>The manual (exception) completion: the session's <c>checkoutToken</c> and the outcome to record.</summary>
public sealed record CompleteCheckoutRequest(
    string? CheckoutToken,
    string? CustomerName,
    string? CustomerEmail,
    string? PaymentReference,
    string? PaymentMethod,
    long? PaidAmount,
    string? Status,
    string? FailureReason) : IValidatable
{
    public void Validate(Validator validator) => validator
        .Required(CheckoutToken, "checkoutToken")
        .Required(Status, "status")
        .OneOf(Status, "status", SessionStatus.Outcomes)
        .MaxLength(CustomerName, "customerName", 100)
        .Email(CustomerEmail, "customerEmail")
        .MaxLength(PaymentReference, "paymentReference", 200)
        .MaxLength(PaymentMethod, "paymentMethod", 50)
        .Between(PaidAmount, "paidAmount", 0, Plans.PlanValues.MaxAmount)
        .MaxLength(FailureReason, "failureReason", 500);
}

/// <summary>The answer to session creation.</summary>
public sealed record CheckoutSessionCreated(
    string SessionId,
    string Status,
    string CheckoutUrl,
    string CheckoutToken,
    DateTimeOffset ExpiresAt,
    long Amount,
    AppliedDiscount? AppliedDiscount);

public sealed record SessionCustomer(string? Name, string? Email, string? Phone);

public sealed record SessionPlan(string Id, string Name, long Amount, string Currency, string Status);

/// <summary>The nested session object of <c>GET /checkout-sessions/{id}</c>: no metadata, no completion time.</summary>
public sealed record CheckoutSessionView(
    string Id,
    string SessionId,
    string Mode,
    string Status,
    string? MerchantOrderNumber,
    long Amount,
    string Currency,
    string BillingPeriod,
    AppliedDiscount? AppliedDiscount,
    SessionCustomer Customer,
    bool CollectPhone,
    SessionPlan Plan,
    string? FailureReason,
    DateTimeOffset ExpiresAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static CheckoutSessionView Of(CheckoutSession s) => new(
        s.Id,
        s.Id,
        s.Mode,
        s.Status,
        s.MerchantOrderNumber,
        s.Amount,
        s.Currency,
        s.BillingPeriod,
        s.AppliedDiscount,
        new SessionCustomer(s.CustomerName, s.CustomerEmail, s.CustomerPhone ?? ""),
        s.CollectPhone,
        new SessionPlan(s.PlanId, s.PlanName, s.PlanAmount, s.Currency, s.PlanStatus),
        s.FailureReason,
        s.ExpiresAt,
        s.CreatedAt,
        s.UpdatedAt);
}
