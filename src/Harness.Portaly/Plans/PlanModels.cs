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

/// <summary>
/// A plan write. On update, fields left out keep their value; <c>billingPeriod</c> and <c>pricingType</c> may only be
/// sent unchanged (else 422 <c>PLAN_FIELD_LOCKED</c>) and the amount is checked against the plan's pricing type.
/// A new plan also follows <see cref="CreationRules"/>.
/// </summary>
public sealed record PlanRequest(
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
    /// <summary>The rules of every write, for the fields sent.</summary>
    public void Validate(Validator validator) => validator
        .Require(Name is null || Name.Trim().Length > 0, "name must not be empty")
        .MaxLength(Name, "name", 100)
        .MaxLength(Description, "description", 20_000)
        .Between(Amount, "amount", 0, PlanValues.MaxAmount)
        .Currency(Currency, "currency")
        .Between(ListPrice, "listPrice", 0, PlanValues.MaxAmount)
        .OneOf(BillingPeriod, "billingPeriod", PlanValues.BillingPeriods)
        .OneOf(PricingType, "pricingType", PlanValues.PricingTypes)
        .OneOf(Status, "status", PlanValues.Statuses)
        .MaxLength(MerchantPlanId, "merchantPlanId", 100)
        .Require(ExternalInformationUrl is null || !string.IsNullOrWhiteSpace(ExternalInformationUrl.Url), "externalInformationUrl.url is required")
        .AbsoluteUrl(ExternalInformationUrl?.Url, "externalInformationUrl.url")
        .Require(ExternalInformationUrl is null || !string.IsNullOrWhiteSpace(ExternalInformationUrl.Text), "externalInformationUrl.text is required")
        .MaxLength(ExternalInformationUrl?.Text, "externalInformationUrl.text", 100);

    /// <summary>
    /// A new plan: <c>name</c> and <c>billingPeriod</c> required (<c>pricingType</c> fixed, <c>currency</c> TWD,
    /// <c>status</c> active and <c>collectPhone</c> true by default). A fixed plan needs a positive amount; a dynamic
    /// one is one-time and has none (0 or left out).
    /// </summary>
    public void CreationRules(Validator validator)
    {
        var dynamic = PricingType == PlanValues.Dynamic;
        validator
            .Required(Name, "name")
            .Required(BillingPeriod, "billingPeriod")
            .Require(!dynamic || BillingPeriod == PlanValues.OneTime, "a dynamic plan must have billingPeriod one-time")
            .Require(!dynamic || Amount is null or 0, "a dynamic plan has no amount: each checkout session names it")
            .Require(dynamic || Amount is > 0, "amount must be a positive whole number for a fixed plan");
    }
}
