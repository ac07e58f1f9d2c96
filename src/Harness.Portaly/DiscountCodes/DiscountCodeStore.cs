using Harness.Portaly.Plans;
using Harness.Security;
using Harness.Storage;

namespace Harness.Portaly.DiscountCodes;

/// <summary>Why a write was refused; <c>Problem</c> carries the words for <see cref="CodeRefusal.Invalid"/>.</summary>
public enum CodeRefusal
{
    None,
    NotFound,
    Duplicate,
    Invalid,
}

public sealed record CodeOutcome(DiscountCode? Code, CodeRefusal Refusal, string? Problem = null)
{
    public static CodeOutcome Refused(CodeRefusal refusal, string? problem = null) => new(null, refusal, problem);
}

/// <summary>A profile's discount codes. A code string is claimed per profile before its code is written, so two creations cannot both win.</summary>
public sealed class DiscountCodeStore(IDocumentStore store, PlanStore plans, IKeyedLock locks, TimeProvider clock, CreationTimes creationTimes)
{
    private readonly IDocumentCollection<DiscountCode> _codes = store.Collection<DiscountCode>("discount_codes", nameof(DiscountCode.ProfileId));
    private readonly IDocumentCollection<CodeClaim> _claims = store.Collection<CodeClaim>("discount_code_claims");

    /// <summary>The profile's codes with <paramref name="status"/>, newest first (id breaks ties), the order cursors walk.</summary>
    public IReadOnlyList<DiscountCode> Of(string profileId, string status) =>
        [.. _codes.FindBy(nameof(DiscountCode.ProfileId), profileId)
            .Where(c => c.Status == status)
            .OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id, StringComparer.Ordinal)];

    /// <summary>The profile's code by id; another profile's is not found.</summary>
    public DiscountCode? Find(string profileId, string id) => _codes.Get(id) is { } code && code.ProfileId == profileId ? code : null;

    /// <summary>A code by id, whatever its profile (checkouts hold the id of the code they applied).</summary>
    public DiscountCode? Get(string id) => _codes.Get(id);

    /// <summary>One more redemption in <c>timesRedeemed</c>; the caller holds the code's lock (a completion does, in its unit of work).</summary>
    public void CountRedemption(string id)
    {
        if (_codes.Get(id) is { } code)
        {
            _codes.Upsert(code with { TimesRedeemed = code.TimesRedeemed + 1 });
        }
    }

    /// <summary>The profile's code by its string, in any case.</summary>
    public DiscountCode? Lookup(string profileId, string code) =>
        _claims.Get(CodeClaim.IdOf(profileId, code)) is { } claim ? Find(profileId, claim.CodeId) : null;

    public CodeOutcome Create(string profileId, CreateDiscountCodeRequest r)
    {
        if (UnknownPlan(profileId, r.Rules!) is { } unknown)
        {
            return CodeOutcome.Refused(CodeRefusal.Invalid, unknown);
        }

        var now = creationTimes.Next();
        var code = new DiscountCode(
            "dc_" + Secrets.RandomHex(12),
            profileId,
            r.Code!.ToUpperInvariant(),
            Normalised(r.Rules!),
            r.RedeemFrom,
            r.RedeemBy,
            r.MaxRedemptions,
            r.MaxRedemptionsPerCustomer,
            0,
            r.Status ?? CodeValues.Active,
            now,
            now);
        if (!_claims.TryInsert(new CodeClaim(CodeClaim.IdOf(profileId, code.Code), code.Id)))
        {
            return CodeOutcome.Refused(CodeRefusal.Duplicate);
        }

        _codes.Upsert(code);
        return new CodeOutcome(code, CodeRefusal.None);
    }

    public async Task<CodeOutcome> UpdateAsync(string profileId, string id, UpdateDiscountCodeRequest r)
    {
        // A write reads the code and writes it back whole: one at a time per code.
        using var held = await locks.AcquireAsync("portaly-code/" + id);
        if (Find(profileId, id) is not { } code)
        {
            return CodeOutcome.Refused(CodeRefusal.NotFound);
        }

        var updated = code with
        {
            Rules = r.Rules is null ? code.Rules : Normalised(r.Rules),
            RedeemFrom = r.RedeemFrom ?? code.RedeemFrom,
            RedeemBy = r.RedeemBy ?? code.RedeemBy,
            MaxRedemptions = r.MaxRedemptions ?? code.MaxRedemptions,
            MaxRedemptionsPerCustomer = r.MaxRedemptionsPerCustomer ?? code.MaxRedemptionsPerCustomer,
            Status = r.Status ?? code.Status,
            UpdatedAt = clock.GetUtcNow(),
        };
        if (updated.RedeemFrom >= updated.RedeemBy)
        {
            return CodeOutcome.Refused(CodeRefusal.Invalid, "redeemFrom must be before redeemBy");
        }

        if (r.Rules is not null && UnknownPlan(profileId, r.Rules) is { } unknown)
        {
            return CodeOutcome.Refused(CodeRefusal.Invalid, unknown);
        }

        _codes.Upsert(updated);
        return new CodeOutcome(updated, CodeRefusal.None);
    }

    /// <summary>Soft delete: the code is disabled, kept (its string stays taken) and hidden from the default listing.</summary>
    public async Task<CodeOutcome> DisableAsync(string profileId, string id)
    {
        using var held = await locks.AcquireAsync("portaly-code/" + id);
        if (Find(profileId, id) is not { } code)
        {
            return CodeOutcome.Refused(CodeRefusal.NotFound);
        }

        var disabled = code with { Status = CodeValues.Disabled, UpdatedAt = clock.GetUtcNow() };
        _codes.Upsert(disabled);
        return new CodeOutcome(disabled, CodeRefusal.None);
    }

    /// <summary>A rule may only name the profile's own plans.</summary>
    private string? UnknownPlan(string profileId, IReadOnlyList<DiscountRule> rules)
    {
        var missing = rules.SelectMany(rule => rule.AppliesTo?.PlanIds ?? [])
            .FirstOrDefault(planId => plans.Find(planId) is not { } plan || plan.ProfileId != profileId);
        return missing is null ? null : $"plan {missing} is not a plan of this profile";
    }

    /// <summary>The defaults filled in: one cycle when no duration is given, TWD for a fixed discount without currency.</summary>
    private static List<DiscountRule> Normalised(IReadOnlyList<DiscountRule> rules) =>
    [
        .. rules.Select(rule => rule with
        {
            AppliesTo = rule.AppliesTo! with { PlanIds = rule.AppliesTo.Type == CodeValues.All ? null : rule.AppliesTo.PlanIds },
            Discount = rule.Discount!.Type == CodeValues.Fixed
                ? rule.Discount with { Currency = (rule.Discount.Currency ?? PlanValues.DefaultCurrency).ToUpperInvariant() }
                : rule.Discount,
            Duration = rule.Duration?.Type == CodeValues.Forever
                ? rule.Duration
                : new Duration(CodeValues.Repeating, rule.Duration?.Cycles ?? 1),
        }),
    ];
}
