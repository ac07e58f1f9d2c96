using System.Text.RegularExpressions;
using Harness.Http;
using Harness.Portaly.Plans;

namespace Harness.Portaly.DiscountCodes;

/// <summary>
/// A new code: 3–40 characters of <c>[A-Z0-9_-]</c> (sent in any case, stored upper-case), at least one rule,
/// an optional redemption window and caps.
/// </summary>
public sealed record CreateDiscountCodeRequest(
    string? Code,
    IReadOnlyList<DiscountRule>? Rules,
    DateTimeOffset? RedeemFrom,
    DateTimeOffset? RedeemBy,
    int? MaxRedemptions,
    int? MaxRedemptionsPerCustomer,
    string? Status) : IValidatable
{
    public void Validate(Validator validator) => validator
        .Required(Code, "code")
        .Require(Code is null || DiscountCodeRules.IsCode(Code), "code must be 3-40 characters of A-Z, 0-9, _ and -")
        .Rules(Rules, required: true)
        .Window(RedeemFrom, RedeemBy)
        .Caps(MaxRedemptions, MaxRedemptionsPerCustomer)
        .OneOf(Status, "status", CodeValues.Statuses);
}

/// <summary>
/// Any of the mutable fields; <c>code</c> is immutable (400 <c>CODE_IMMUTABLE</c>, answered by the handler before
/// anything else). The window is checked again against the stored bounds.
/// </summary>
public sealed record UpdateDiscountCodeRequest(
    string? Code,
    IReadOnlyList<DiscountRule>? Rules,
    DateTimeOffset? RedeemFrom,
    DateTimeOffset? RedeemBy,
    int? MaxRedemptions,
    int? MaxRedemptionsPerCustomer,
    string? Status) : IValidatable
{
    public void Validate(Validator validator)
    {
        if (Code is not null)
        {
            return;
        }

        validator
            .Rules(Rules, required: false)
            .Window(RedeemFrom, RedeemBy)
            .Caps(MaxRedemptions, MaxRedemptionsPerCustomer)
            .OneOf(Status, "status", CodeValues.Statuses);
    }
}

/// <summary>The rules of a code's fields, in the order the client is told the first problem.</summary>
public static partial class DiscountCodeRules
{
    public const int MaxRules = 50;
    public const int MaxCycles = 60;

    public static bool IsCode(string code) => CodePattern().IsMatch(code);

    public static Validator Window(this Validator validator, DateTimeOffset? from, DateTimeOffset? by) =>
        validator.Require(from is null || by is null || from < by, "redeemFrom must be before redeemBy");

    public static Validator Caps(this Validator validator, int? total, int? perCustomer) => validator
        .Between(total, "maxRedemptions", 1, int.MaxValue)
        .Between(perCustomer, "maxRedemptionsPerCustomer", 1, int.MaxValue);

    public static Validator Rules(this Validator validator, IReadOnlyList<DiscountRule>? rules, bool required)
    {
        if (rules is null)
        {
            return validator.Require(!required, "rules is required (at least one rule)");
        }

        validator.Require(rules.Count is > 0 and <= MaxRules, $"rules must hold 1 to {MaxRules} rules");
        var plansSeen = new HashSet<string>(StringComparer.Ordinal);
        var allRules = 0;
        for (var i = 0; i < rules.Count && validator.IsValid; i++)
        {
            var rule = rules[i];
            var at = $"rules[{i}]";
            if (rule is null)
            {
                return validator.Check($"{at} must be an object");
            }

            validator.AppliesTo(rule.AppliesTo, at, plansSeen).Discount(rule.Discount, at).Duration(rule.Duration, at);
            allRules += rule.AppliesTo?.Type == CodeValues.All ? 1 : 0;
            validator.Require(allRules <= 1, "at most one rule may apply to all plans");
        }

        return validator;
    }

    private static Validator AppliesTo(this Validator validator, AppliesTo? appliesTo, string at, HashSet<string> plansSeen)
    {
        validator
            .Require(appliesTo is not null, $"{at}.appliesTo is required")
            .OneOf(appliesTo?.Type ?? "", $"{at}.appliesTo.type", CodeValues.All, CodeValues.Specific);
        if (!validator.IsValid)
        {
            return validator;
        }

        if (appliesTo!.Type == CodeValues.All)
        {
            return validator.Require(appliesTo.PlanIds is null || appliesTo.PlanIds.Count == 0, $"{at}.appliesTo.planIds is only for a specific rule");
        }

        validator.Require(appliesTo.PlanIds is { Count: > 0 }, $"{at}.appliesTo.planIds must name at least one plan");
        foreach (var planId in appliesTo.PlanIds ?? [])
        {
            validator
                .Require(!string.IsNullOrEmpty(planId), $"{at}.appliesTo.planIds must not hold an empty id")
                .Require(string.IsNullOrEmpty(planId) || plansSeen.Add(planId), $"plan {planId} appears more than once in the rules");
        }

        return validator;
    }

    private static Validator Discount(this Validator validator, Discount? discount, string at)
    {
        validator
            .Require(discount is not null, $"{at}.discount is required")
            .OneOf(discount?.Type ?? "", $"{at}.discount.type", CodeValues.Fixed, CodeValues.Percent, CodeValues.Free);
        return discount?.Type switch
        {
            CodeValues.Fixed => validator
                .Require(discount.Value is > 0, $"{at}.discount.value must be a positive whole number for a fixed discount")
                .Between(discount.Value, $"{at}.discount.value", 1, PlanValues.MaxAmount)
                .Currency(discount.Currency, $"{at}.discount.currency"),
            CodeValues.Percent => validator
                .Require(discount.Value is not null, $"{at}.discount.value is required for a percent discount")
                .Between(discount.Value, $"{at}.discount.value", 1, 100)
                .Require(discount.Currency is null, $"{at}.discount.currency is only for a fixed discount"),
            CodeValues.Free => validator.Require(discount.Value is null && discount.Currency is null, $"{at}.discount of type free takes no value or currency"),
            _ => validator,
        };
    }

    /// <summary>Left out, a duration is one cycle (the seed's default); so is a repeating one without <c>cycles</c>.</summary>
    private static Validator Duration(this Validator validator, Duration? duration, string at) =>
        duration is null
            ? validator
            : validator
                .OneOf(duration.Type ?? "", $"{at}.duration.type", CodeValues.Repeating, CodeValues.Forever)
                .Between(duration.Type == CodeValues.Repeating ? duration.Cycles : null, $"{at}.duration.cycles", 1, MaxCycles)
                .Require(duration.Type != CodeValues.Forever || duration.Cycles is null, $"{at}.duration.cycles is only for a repeating duration");

    [GeneratedRegex("^[A-Za-z0-9_-]{3,40}$")]
    private static partial Regex CodePattern();
}
