using Harness.Security;
using Harness.Storage;

namespace Harness.Portaly.Plans;

/// <summary>Why an update was refused.</summary>
public enum PlanRefusal
{
    None,
    NotFound,
    OtherProfile,
    FieldLocked,
    AmountNotAllowed,
}

/// <summary>A profile's plans; the description is cleaned on every write.</summary>
public sealed class PlanStore(IDocumentStore store, PlanDescriptions descriptions, IKeyedLock locks, TimeProvider clock, CreationTimes creationTimes)
{
    private readonly IDocumentCollection<Plan> _plans = store.Collection<Plan>("plans", nameof(Plan.ProfileId));

    /// <summary>Newest first (id breaks ties), the order cursors walk.</summary>
    public IReadOnlyList<Plan> Of(string profileId) =>
        [.. _plans.FindBy(nameof(Plan.ProfileId), profileId).OrderByDescending(p => p.CreatedAt).ThenByDescending(p => p.Id, StringComparer.Ordinal)];

    public Plan? Find(string id) => _plans.Get(id);

    public Plan Create(string profileId, PlanRequest r)
    {
        var now = creationTimes.Next();
        var plan = new Plan(
            "plan_" + Secrets.RandomHex(12),
            profileId,
            r.Name!.Trim(),
            descriptions.Clean(r.Description),
            r.Amount ?? 0,
            (r.Currency ?? PlanValues.DefaultCurrency).ToUpperInvariant(),
            r.ListPrice,
            r.BillingPeriod!,
            r.PricingType ?? PlanValues.Fixed,
            r.Status ?? "active",
            r.MerchantPlanId,
            r.CollectPhone ?? true,
            r.ExternalInformationUrl,
            null,
            now,
            now);
        _plans.Upsert(plan);
        return plan;
    }

    /// <summary>Points the plan at its uploaded image.</summary>
    public async Task<Plan> SetImageAsync(string id, string imageUrl)
    {
        using var held = await locks.AcquireAsync("portaly-plan/" + id);
        var updated = _plans.Get(id)! with { ImageUrl = imageUrl, UpdatedAt = clock.GetUtcNow() };
        _plans.Upsert(updated);
        return updated;
    }

    /// <summary>Applies the fields sent, or says why not.</summary>
    public async Task<(Plan? Plan, PlanRefusal Refusal)> UpdateAsync(string profileId, string id, PlanRequest r)
    {
        // Two partial updates at once must both land, not the later one's copy of the earlier state.
        using var held = await locks.AcquireAsync("portaly-plan/" + id);
        if (_plans.Get(id) is not { } plan)
        {
            return (null, PlanRefusal.NotFound);
        }

        if (plan.ProfileId != profileId)
        {
            return (null, PlanRefusal.OtherProfile);
        }

        if ((r.BillingPeriod is not null && r.BillingPeriod != plan.BillingPeriod) || (r.PricingType is not null && r.PricingType != plan.PricingType))
        {
            return (null, PlanRefusal.FieldLocked);
        }

        if (r.Amount is { } amount && (plan.PricingType == PlanValues.Dynamic ? amount != 0 : amount <= 0))
        {
            return (null, PlanRefusal.AmountNotAllowed);
        }

        var updated = plan with
        {
            Name = r.Name?.Trim() ?? plan.Name,
            Description = r.Description is null ? plan.Description : descriptions.Clean(r.Description),
            Amount = r.Amount ?? plan.Amount,
            Currency = r.Currency?.ToUpperInvariant() ?? plan.Currency,
            ListPrice = r.ListPrice ?? plan.ListPrice,
            Status = r.Status ?? plan.Status,
            MerchantPlanId = r.MerchantPlanId ?? plan.MerchantPlanId,
            CollectPhone = r.CollectPhone ?? plan.CollectPhone,
            ExternalInformationUrl = r.ExternalInformationUrl ?? plan.ExternalInformationUrl,
            UpdatedAt = clock.GetUtcNow(),
        };
        _plans.Upsert(updated);
        return (updated, PlanRefusal.None);
    }
}
