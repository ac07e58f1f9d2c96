using System.Diagnostics;
using System.Text;
using Harness.Conformance.Binding;
using Harness.Conformance.Gherkin;
using Harness.Conformance.Targets;

namespace Harness.Conformance.Running;

/// <summary>Runs one scenario against a target: checks bindings and needs first, then the steps in order.</summary>
public sealed class ScenarioRunner(StepRegistry registry)
{
    /// <summary>Longest a single step may take before it counts as failed (a hung target must not hang the suite).</summary>
    public static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(60);

    public StepRegistry Registry { get; } = registry;

    /// <summary>What a scenario's bound steps need from a target (unbound steps need nothing yet).</summary>
    public IReadOnlyList<Need> NeedsOf(Scenario scenario) =>
        [.. scenario.Steps.Select(Registry.Find).Where(l => l.Only is not null).SelectMany(l => l.Only!.Definition.Needs).Distinct()];

    public async Task<ScenarioResult> RunAsync(Scenario scenario, IConformanceTarget target, CancellationToken cancellationToken = default)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var lookups = scenario.Steps.Select(Registry.Find).ToList();

        if (lookups.Any(l => l.Only is null))
        {
            return Unbound(scenario, lookups, startedAt);
        }

        var missing = lookups.SelectMany(l => l.Only!.Definition.Needs).Distinct().Where(n => !target.Offers(n)).ToList();
        if (missing.Count > 0)
        {
            var message = "not run: needs " + string.Join("; ", missing.Select(Needs.Describe));
            return new ScenarioResult(scenario, ScenarioStatus.NotRun, [.. lookups.Select(l => Skipped(l.Step, l.Only))], startedAt, TimeSpan.Zero, message);
        }

        using var context = new ScenarioContext(scenario, target, cancellationToken);
        var results = new List<StepResult>();
        string? failure = null;
        foreach (var lookup in lookups)
        {
            if (failure is not null)
            {
                results.Add(Skipped(lookup.Step, lookup.Only));
                continue;
            }

            var (result, error) = await RunStepAsync(lookup.Step, lookup.Only!, context, cancellationToken);
            results.Add(result);
            failure = error;
        }

        return new ScenarioResult(
            scenario,
            failure is null ? ScenarioStatus.Passed : ScenarioStatus.Failed,
            results,
            startedAt,
            clock.Elapsed,
            failure);
    }

    private async Task<(StepResult Result, string? Failure)> RunStepAsync(ScenarioStep step, StepMatch match, ScenarioContext context, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var exchangesBefore = context.Exchanges.Count;
        try
        {
            var method = match.Definition.Method;
            var instance = method.IsStatic ? null : context.Get(method.DeclaringType!);
            var returned = StepRegistry.Invoke(method, instance, Registry.Arguments(match, step));
            if (returned is Task task)
            {
                await task.WaitAsync(StepTimeout, cancellationToken);
            }

            return (new StepResult(step, StepStatus.Passed, clock.Elapsed, match, null), null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var error = ex is TimeoutException ? $"the step did not finish within {StepTimeout.TotalSeconds:0} s" : ex.Message;
            var failure = new StringBuilder()
                .Append("Step failed: ").Append(step.Keyword).Append(' ').Append(step.Text)
                .Append(" (").Append(context.Scenario.Feature.Uri).Append(':').Append(step.Line).AppendLine(")")
                .AppendLine(context.Masker.Mask(error));
            var exchanges = context.Exchanges;
            if (exchanges.Count > 0)
            {
                // The exchange the step made, or the one its assertion was about (the last before it).
                failure.AppendLine().AppendLine(exchanges.Count > exchangesBefore ? "HTTP exchange of this step:" : "Last HTTP exchange before this step:")
                    .Append(exchanges[^1].Render(context.Masker));
            }

            if (ex is not AssertionException)
            {
                failure.AppendLine().Append(ex.GetType().Name).Append(" at ").AppendLine(ex.StackTrace?.Split('\n').FirstOrDefault()?.Trim());
            }

            var message = failure.ToString().TrimEnd();
            return (new StepResult(step, StepStatus.Failed, clock.Elapsed, match, message), message);
        }
    }

    private static ScenarioResult Unbound(Scenario scenario, IReadOnlyList<StepLookup> lookups, DateTimeOffset startedAt)
    {
        var message = new StringBuilder();
        var steps = new List<StepResult>();
        foreach (var lookup in lookups)
        {
            switch (lookup.Matches.Count)
            {
                case 0:
                    message.Append("Undefined step: ").Append(lookup.Step).Append(" (").Append(scenario.Feature.Uri).Append(':').Append(lookup.Step.Line)
                        .AppendLine("). Paste this into a [Steps] class:").AppendLine().AppendLine(StepRegistry.Snippet(lookup.Step)).AppendLine();
                    steps.Add(new StepResult(lookup.Step, StepStatus.Undefined, TimeSpan.Zero, null, "undefined"));
                    break;
                case > 1:
                    message.Append("Ambiguous step: ").Append(lookup.Step).AppendLine(" matches:");
                    foreach (var match in lookup.Matches)
                    {
                        message.Append("  ").AppendLine(match.Definition.ToString());
                    }

                    steps.Add(new StepResult(lookup.Step, StepStatus.Ambiguous, TimeSpan.Zero, null, "ambiguous"));
                    break;
                default:
                    steps.Add(Skipped(lookup.Step, lookup.Only));
                    break;
            }
        }

        var status = lookups.Any(l => l.Matches.Count == 0) ? ScenarioStatus.Undefined : ScenarioStatus.Ambiguous;
        return new ScenarioResult(scenario, status, steps, startedAt, TimeSpan.Zero, message.ToString().TrimEnd());
    }

    private static StepResult Skipped(ScenarioStep step, StepMatch? match) => new(step, StepStatus.Skipped, TimeSpan.Zero, match, null);
}

/// <summary>A step's expectation did not hold; its message is the whole explanation (no stack trace needed).</summary>
public sealed class AssertionException(string message) : Exception(message);
