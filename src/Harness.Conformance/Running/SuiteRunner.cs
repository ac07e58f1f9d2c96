using System.Diagnostics;
using Harness.Conformance.Binding;
using Harness.Conformance.Gherkin;
using Harness.Conformance.Targets;

namespace Harness.Conformance.Running;

/// <summary>The results of one run against one target.</summary>
public sealed record RunResult(string TargetName, DateTimeOffset StartedAt, TimeSpan Duration, IReadOnlyList<ScenarioResult> Scenarios)
{
    public int Count(ScenarioStatus status) => Scenarios.Count(s => s.Status == status);

    /// <summary>A run succeeds when nothing failed and no step was left unbound; "not run" is reported, not failed.</summary>
    public bool Success => Scenarios.All(s => s.Status is ScenarioStatus.Passed or ScenarioStatus.NotRun);
}

/// <summary>Runs a selection of scenarios one after another and tells a listener as each one finishes.</summary>
public sealed class SuiteRunner(ScenarioRunner runner)
{
    /// <summary>
    /// The order of a run: scenarios that move the target's clock run after all others of the surfaces, because a
    /// run that lets a week pass outlives the profile's tokens (their <c>exp</c> is 7 days); of those, the ones that
    /// use the profile's credentials (credits, API keys, the standing user) first, while the tokens are still valid.
    /// Then the provider features, which move the sandbox's clock hours and days ahead (retry schedules, expiries): a
    /// channel order placed afterwards on the wall clock would already be past its <c>time_expire</c> there. Then the
    /// scenarios tagged <c>@moves-sandbox-clock</c>, which carry it months ahead. Last of all the scenario that trips
    /// New-API's critical rate limit, which refuses the runner's address afterwards. The scenarios that move the
    /// Portaly target's clock run with the clock-moving ones (other scenarios' checkout sessions would expire under
    /// them). Otherwise the order of the features.
    /// </summary>
    public IEnumerable<Scenario> Order(IEnumerable<Scenario> scenarios) =>
        scenarios.Select((scenario, index) => (scenario, index, needs: runner.NeedsOf(scenario)))
            .OrderBy(s => s.needs.Contains(Need.NewApiRateLimit) ? 5
                : s.scenario.Tags.Contains("moves-sandbox-clock") ? 4
                : s.scenario.Surface == ProviderFeatures ? 3
                : s.needs.Contains(Need.PortalyClock) ? 2
                : !s.needs.Contains(Need.ClockControl) ? 0 : s.needs.Any(UsesProfileCredentials) ? 1 : 2)
            .ThenBy(s => s.index)
            .Select(s => s.scenario);

    public async Task<RunResult> RunAsync(
        IEnumerable<Scenario> scenarios,
        IConformanceTarget target,
        Action<ScenarioResult>? finished = null,
        CancellationToken cancellationToken = default)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var results = new List<ScenarioResult>();
        foreach (var scenario in Order(scenarios))
        {
            var result = target.Serves(scenario)
                ? await runner.RunAsync(scenario, target, cancellationToken)
                : new ScenarioResult(scenario, ScenarioStatus.NotRun, [], DateTimeOffset.UtcNow, TimeSpan.Zero, $"not run: the target does not serve @{scenario.Surface}");
            results.Add(result);
            finished?.Invoke(result);
        }

        return new RunResult(target.Name, startedAt, clock.Elapsed, results);
    }

    /// <summary>The folder of the provider sandbox's own features, their <see cref="Scenario.Surface"/>.</summary>
    private const string ProviderFeatures = "providers";

    private static bool UsesProfileCredentials(Need need) => need is Need.UserJwt or Need.AdminJwt or Need.AnyUser or Need.FinanceApiKey;
}
