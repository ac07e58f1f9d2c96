using Harness.Storage;

namespace Harness.Finance.Recharge;

/// <summary>A recharge plan: pay <see cref="Price"/> fen, get <see cref="Coins"/> plus <see cref="BonusCoins"/>.</summary>
public sealed class RechargePlanDocument : IDocument
{
    public string Id { get; set; } = "";

    public string Name { get; set; } = "";

    public long Coins { get; set; }

    public long BonusCoins { get; set; }

    /// <summary>Integer fen.</summary>
    public long Price { get; set; }

    public string Currency { get; set; } = RechargePlans.Currency;

    public bool Enabled { get; set; } = true;

    /// <summary>Lower sorts first.</summary>
    public int Sort { get; set; }

    public string? Description { get; set; }
}

/// <summary>The recharge plans, kept in the store; few, so each read goes to it.</summary>
public sealed class RechargePlans(IDocumentStore store)
{
    public const string Currency = "CNY";

    private readonly IDocumentCollection<RechargePlanDocument> _plans = store.Collection<RechargePlanDocument>("recharge_plans");

    public RechargePlanDocument? Find(string id) => _plans.Get(id);

    /// <summary>In display order; the enabled ones only unless <paramref name="includeDisabled"/>.</summary>
    public IReadOnlyList<RechargePlanDocument> List(bool includeDisabled) =>
        [.. _plans.All().Where(p => includeDisabled || p.Enabled).OrderBy(p => p.Sort).ThenBy(p => p.Id, StringComparer.Ordinal)];

    public void Save(RechargePlanDocument plan) => _plans.Upsert(plan);
}
