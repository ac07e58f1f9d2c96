using System.Collections.Concurrent;
using Harness.Storage;

namespace Harness.Finance.ServicePlans;

/// <summary>
/// A tier of a service and how it is billed: <see cref="Rate"/> is coins per 1,000 tokens (TOKEN),
/// per started minute (DURATION) or per call (FIXED).
/// </summary>
public sealed class ServicePlanDocument : IDocument
{
    public string Id { get; set; } = "";

    public string ServiceCode { get; set; } = "";

    public string Name { get; set; } = "";

    public string Tier { get; set; } = "";

    public string ConsumeType { get; set; } = "";

    public long Rate { get; set; }

    public bool Enabled { get; set; } = true;

    /// <summary>FIXED plans only: the request may name its own <c>amount</c> instead of the rate.</summary>
    public bool AllowCustomAmount { get; set; }

    public string? Description { get; set; }

    /// <summary>Lower sorts first; the first enabled plan of a service and type is its default.</summary>
    public int Sort { get; set; }
}

public sealed class ServicePlanCatalog
{
    private readonly IDocumentCollection<ServicePlanDocument> _plans;
    private readonly ConcurrentDictionary<string, ServicePlanDocument> _cache = new(StringComparer.Ordinal);
    private readonly Lock _saving = new();

    // Every plan in display order, replaced whole on each save: consumes price from it without sorting.
    private ServicePlanDocument[] _ordered;

    public ServicePlanCatalog(IDocumentStore store)
    {
        _plans = store.Collection<ServicePlanDocument>("service_plans");
        foreach (var plan in _plans.All())
        {
            _cache[plan.Id] = plan;
        }

        _ordered = Ordered();
    }

    public ServicePlanDocument? Find(string id) => _cache.GetValueOrDefault(id);

    /// <summary>Plans in display order, all of them or those of one service.</summary>
    public IReadOnlyList<ServicePlanDocument> List(string? serviceCode)
    {
        var ordered = Volatile.Read(ref _ordered);
        return serviceCode is null ? ordered : [.. ordered.Where(p => p.ServiceCode == serviceCode)];
    }

    /// <summary>The plan a consumption without <c>planId</c> is billed on.</summary>
    public ServicePlanDocument? DefaultFor(string serviceCode, string consumeType)
    {
        foreach (var plan in Volatile.Read(ref _ordered))
        {
            if (plan.Enabled && plan.ServiceCode == serviceCode && plan.ConsumeType == consumeType)
            {
                return plan;
            }
        }

        return null;
    }

    public void Save(ServicePlanDocument plan)
    {
        lock (_saving)
        {
            _plans.Upsert(plan);
            _cache[plan.Id] = plan;
            Volatile.Write(ref _ordered, Ordered());
        }
    }

    private ServicePlanDocument[] Ordered() =>
        [.. _cache.Values
            .OrderBy(p => p.ServiceCode, StringComparer.Ordinal)
            .ThenBy(p => p.Sort)
            .ThenBy(p => p.Id, StringComparer.Ordinal)];
}
