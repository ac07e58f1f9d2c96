using Harness.Conformance.Running;

namespace Harness.Conformance.Reports;

/// <summary>Counts of one group of scenarios (a feature, a tag, or the whole run).</summary>
public sealed record SummaryRow(string Name, int Passed, int Failed, int NotRun, int Undefined)
{
    public int Total => Passed + Failed + NotRun + Undefined;

    public static SummaryRow Of(string name, IEnumerable<ScenarioResult> results)
    {
        var list = results.ToList();
        return new SummaryRow(
            name,
            list.Count(r => r.Status == ScenarioStatus.Passed),
            list.Count(r => r.Status == ScenarioStatus.Failed),
            list.Count(r => r.Status == ScenarioStatus.NotRun),
            list.Count(r => r.Status is ScenarioStatus.Undefined or ScenarioStatus.Ambiguous));
    }
}

/// <summary>The per-feature and per-tag tables shown on the console and in the HTML report.</summary>
public static class RunSummary
{
    public static IReadOnlyList<SummaryRow> ByFeature(RunResult run) =>
        [.. run.Scenarios.GroupBy(s => s.Scenario.Feature).Select(g => SummaryRow.Of($"{g.Key.Name} ({g.Key.Uri})", g))];

    public static IReadOnlyList<SummaryRow> ByTag(RunResult run) =>
        [.. run.Scenarios.SelectMany(s => s.Scenario.Tags.Select(t => (Tag: t, Result: s)))
            .GroupBy(p => p.Tag, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => SummaryRow.Of("@" + g.Key, g.Select(p => p.Result)))];

    public static SummaryRow Total(RunResult run) => SummaryRow.Of("total", run.Scenarios);
}
