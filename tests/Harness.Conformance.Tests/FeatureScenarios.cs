using Harness.Conformance.Running;
using Harness.Conformance.Tests.Support;

namespace Harness.Conformance.Tests;

/// <summary>
/// Every scenario of the features the reference backend serves, one test each, named
/// <c>Feature › Scenario [example]</c>, with each Gherkin tag as trait <c>tag</c> (so
/// <c>--filter-trait "tag=idempotency"</c> and <c>./run-harness.sh test --tags @idempotency</c> select them).
/// </summary>
public sealed class FeatureScenarios(FeatureScenarios.Backend backend) : IClassFixture<FeatureScenarios.Backend>
{
    private static readonly ScenarioRunner Runner = new(Suite.Registry);

    public static IEnumerable<TheoryDataRow<string>> Scenarios() =>
        Features.InProcess.Select(scenario =>
        {
            // The pickle id (feature path and line) is the serializable argument; the name is for people.
            var row = new TheoryDataRow<string>(scenario.Id).WithTestDisplayName(scenario.DisplayName).WithTrait("feature", scenario.Feature.Name);
            foreach (var tag in scenario.Tags)
            {
                row.WithTrait("tag", tag);
            }

            return row;
        });

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task Scenario(string id)
    {
        var result = await Runner.RunAsync(Features.All[id], backend.Target, TestContext.Current.CancellationToken);

        Assert.True(result.Passed, result.Report());
    }

    /// <summary>One backend for every scenario: each scenario signs up its own users, so they stay independent.</summary>
    public sealed class Backend : IAsyncDisposable
    {
        public ReferenceBackendTarget Target { get; } = new();

        public ValueTask DisposeAsync() => Target.DisposeAsync();
    }
}
