using Harness.Http;
using Harness.Storage;

namespace Harness.Portaly.Plans;

/// <summary>A link the checkout page shows beside the plan.</summary>
public sealed record ExternalLink(string? Url, string? Text);

/// <summary>
/// A plan of a profile, shared by live and test keys, stored and answered as is. A dynamic plan has amount 0: each
/// checkout names its own. <c>imageUrl</c> stays null until image upload is built.
/// </summary>
public sealed record Plan(
    string Id,
    string ProfileId,
    string Name,
    string? Description,
    long Amount,
    string Currency,
    long? ListPrice,
    string BillingPeriod,
    string PricingType,
    string Status,
    string? MerchantPlanId,
    bool CollectPhone,
    ExternalLink? ExternalInformationUrl,
    string? ImageUrl,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt) : IDocument;

public static class PlanValues
{
    public const string Fixed = "fixed";
    public const string Dynamic = "dynamic";
    public const string OneTime = "one-time";
    public const string DefaultCurrency = "TWD";
    public const long MaxAmount = 100_000_000;
    public static readonly string[] BillingPeriods = ["monthly", "yearly", OneTime];
    public static readonly string[] PricingTypes = [Fixed, Dynamic];
    public static readonly string[] Statuses = ["active", "inactive"];
}

/// <summary>The rules both writes share, for the fields sent.</summary>
internal static class PlanRules
{
    public static Validator PlanFields(this Validator validator, string? name, string? description, string? currency, long? listPrice, string? status, string? merchantPlanId, ExternalLink? link) =>
        validator
            .Require(name is null || name.Trim().Length > 0, "name must not be empty")
            .MaxLength(name, "name", 100)
            .MaxLength(description, "description", 20_000)
            .Currency(currency, "currency")
            .Between(listPrice, "listPrice", 0, PlanValues.MaxAmount)
            .OneOf(status, "status", PlanValues.Statuses)
            .MaxLength(merchantPlanId, "merchantPlanId", 100)
            .Require(link is null || !string.IsNullOrWhiteSpace(link.Url), "externalInformationUrl.url is required")
            .AbsoluteUrl(link?.Url, "externalInformationUrl.url")
            .Require(link is null || !string.IsNullOrWhiteSpace(link.Text), "externalInformationUrl.text is required")
            .MaxLength(link?.Text, "externalInformationUrl.text", 100);
}

/// <summary>
/// A new plan: <c>name</c> and <c>billingPeriod</c> required; <c>pricingType</c> fixed, <c>currency</c> TWD,
/// <c>status</c> active and <c>collectPhone</c> true by default. A fixed plan needs a positive amount; a dynamic
/// one is one-time and has none (0 or left out).
/// </summary>
public sealed record CreatePlanRequest(
    string? Name,
    string? Description,
    long? Amount,
    string? Currency,
    long? ListPrice,
    string? BillingPeriod,
    string? PricingType,
    string? Status,
    string? MerchantPlanId,
    bool? CollectPhone,
    ExternalLink? ExternalInformationUrl) : IValidatable
{
    public void Validate(Validator validator)
    {
        var dynamic = PricingType == PlanValues.Dynamic;
        validator
            .Required(Name, "name")
            .PlanFields(Name, Description, Currency, ListPrice, Status, MerchantPlanId, ExternalInformationUrl)
            .Required(BillingPeriod, "billingPeriod")
            .OneOf(BillingPeriod, "billingPeriod", PlanValues.BillingPeriods)
            .OneOf(PricingType, "pricingType", PlanValues.PricingTypes)
            .Require(!dynamic || BillingPeriod == PlanValues.OneTime, "a dynamic plan must have billingPeriod one-time")
            .Require(!dynamic || Amount is null or 0, "a dynamic plan has no amount: each checkout session names it")
            .Require(dynamic || Amount is > 0, "amount must be a positive whole number for a fixed plan")
            .Between(dynamic ? null : Amount, "amount", 1, PlanValues.MaxAmount);
    }
}

/// <summary>
/// A partial update: fields left out keep their value. <c>billingPeriod</c> and <c>pricingType</c> may only be
/// sent unchanged (else 422 <c>PLAN_FIELD_LOCKED</c>); the amount is checked against the plan's pricing type.
/// </summary>
public sealed record UpdatePlanRequest(
    string? Name,
    string? Description,
    long? Amount,
    string? Currency,
    long? ListPrice,
    string? BillingPeriod,
    string? PricingType,
    string? Status,
    string? MerchantPlanId,
    bool? CollectPhone,
    ExternalLink? ExternalInformationUrl) : IValidatable
{
    public void Validate(Validator validator) => validator
        .PlanFields(Name, Description, Currency, ListPrice, Status, MerchantPlanId, ExternalInformationUrl)
        .OneOf(BillingPeriod, "billingPeriod", PlanValues.BillingPeriods)
        .OneOf(PricingType, "pricingType", PlanValues.PricingTypes)
        .Between(Amount, "amount", 0, PlanValues.MaxAmount);
}
