using System.Globalization;
using Harness.Conformance.Running;

namespace Harness.Conformance.Reports;

/// <summary>Progress while running (one line per scenario), then failures in full and the summary tables.</summary>
public sealed class ConsoleReporter(TextWriter output)
{
    public void Started(string target, int scenarios) =>
        output.WriteLine($"Running {scenarios} scenario(s) against {target}");

    public void Finished(ScenarioResult result)
    {
        var mark = result.Status switch
        {
            ScenarioStatus.Passed => "PASS",
            ScenarioStatus.Failed => "FAIL",
            ScenarioStatus.NotRun => "SKIP",
            _ => "UNDEF",
        };
        var reason = result.Status == ScenarioStatus.NotRun ? "  (" + result.Message + ")" : "";
        output.WriteLine($"  {mark,-5} {result.Scenario.DisplayName}  {result.Duration.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms{reason}");
        output.Flush();
    }

    public void Summary(RunResult run, IEnumerable<string> files)
    {
        foreach (var failed in run.Scenarios.Where(s => s.Status is ScenarioStatus.Failed or ScenarioStatus.Undefined or ScenarioStatus.Ambiguous))
        {
            output.WriteLine();
            output.WriteLine(failed.Report());
        }

        output.WriteLine();
        Table("Feature", RunSummary.ByFeature(run));
        output.WriteLine();
        Table("Tag", RunSummary.ByTag(run));
        output.WriteLine();
        foreach (var file in files)
        {
            output.WriteLine("Report: " + file);
        }

        var total = RunSummary.Total(run);
        output.WriteLine(
            $"{total.Total} scenarios: {total.Passed} passed, {total.Failed} failed, {total.NotRun} not run, {total.Undefined} undefined " +
            $"({run.Duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s)");
    }

    private void Table(string heading, IReadOnlyList<SummaryRow> rows)
    {
        var width = Math.Max(heading.Length, rows.Count == 0 ? 0 : rows.Max(r => r.Name.Length));
        output.WriteLine($"{heading.PadRight(width)}  passed  failed  not run  undefined");
        foreach (var row in rows)
        {
            output.WriteLine($"{row.Name.PadRight(width)}  {row.Passed,6}  {row.Failed,6}  {row.NotRun,7}  {row.Undefined,9}");
        }
    }
}
