using Harness.Conformance.Gherkin;

namespace Harness.Conformance.Tests.Support;

/// <summary>The repository's features, parsed once per test run.</summary>
public static class Features
{
    private static readonly Lazy<FeatureCatalog> Catalog = new(() => FeatureCatalog.Load(FeatureCatalog.DefaultRoot()));

    public static FeatureCatalog All => Catalog.Value;

    /// <summary>The scenarios the in-process reference backend serves.</summary>
    public static IEnumerable<Scenario> InProcess => All.Scenarios.Where(s => ReferenceBackendTarget.Surfaces.Contains(s.Surface));
}
