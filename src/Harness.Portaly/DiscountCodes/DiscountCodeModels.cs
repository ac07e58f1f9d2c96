using Harness.Storage;

namespace Harness.Portaly.DiscountCodes;

/// <summary><c>{type:"all"}</c>, the fallback, or <c>{type:"specific", planIds:[…]}</c>.</summary>
public sealed record AppliesTo(string? Type, IReadOnlyList<string>? PlanIds);

/// <summary><c>fixed</c> (value off, in <c>currency</c>), <c>percent</c> (1–100) or <c>free</c>.</summary>
public sealed record Discount(string? Type, long? Value, string? Currency);

/// <summary><c>repeating</c> for <c>cycles</c> billing periods (1–60) or <c>forever</c>.</summary>
public sealed record Duration(string? Type, int? Cycles);

public sealed record DiscountRule(AppliesTo? AppliesTo, Discount? Discount, Duration? Duration);

/// <summary>
/// A discount code of a profile, shared by live and test keys. <c>code</c> is stored upper-case and never
/// changes; a deleted code is <c>disabled</c>, not removed.
/// </summary>
public sealed record DiscountCode(
    string Id,
    string ProfileId,
    string Code,
    IReadOnlyList<DiscountRule> Rules,
    DateTimeOffset? RedeemFrom,
    DateTimeOffset? RedeemBy,
    int? MaxRedemptions,
    int? MaxRedemptionsPerCustomer,
    int TimesRedeemed,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt) : IDocument;

/// <summary>The code a profile's code string is unique by: one document per (profile, upper-case code), inserted first.</summary>
internal sealed record CodeClaim(string Id, string CodeId) : IDocument
{
    public static string IdOf(string profileId, string code) => profileId + "/" + code.ToUpperInvariant();
}

public static class CodeValues
{
    public const string Active = "active";
    public const string Disabled = "disabled";
    public const string All = "all";
    public const string Specific = "specific";
    public const string Fixed = "fixed";
    public const string Percent = "percent";
    public const string Free = "free";
    public const string Repeating = "repeating";
    public const string Forever = "forever";
    public static readonly string[] Statuses = [Active, Disabled];
}
