using Harness.Conformance.Tests.Support;

namespace Harness.Conformance.Tests;

/// <summary>The coverage matrix in docs/conformance.md names every scenario, so it cannot silently fall behind the features.</summary>
public sealed class CoverageMatrixTests
{
    [Fact]
    public void The_coverage_matrix_names_every_scenario_of_the_served_surfaces()
    {
        var matrix = File.ReadAllText(Path.Combine(HarnessProcess.RepositoryRoot(), "docs", "conformance.md"));

        var missing = Features.InProcess.Select(s => s.Name).Distinct(StringComparer.Ordinal)
            .Where(name => !matrix.Contains(name, StringComparison.Ordinal)).ToList();

        Assert.True(missing.Count == 0, "docs/conformance.md does not mention: " + string.Join("; ", missing));
    }
}
