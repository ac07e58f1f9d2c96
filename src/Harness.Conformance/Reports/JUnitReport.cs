using System.Globalization;
using System.Xml.Linq;
using Harness.Conformance.Running;

namespace Harness.Conformance.Reports;

/// <summary>
/// JUnit XML (the Jenkins/Ant schema CI systems read): one suite per feature, one case per scenario; a
/// scenario that did not run is <c>skipped</c> with the reason, an unbound step is an <c>error</c>.
/// </summary>
public static class JUnitReport
{
    public static XDocument Build(RunResult run)
    {
        var suites = run.Scenarios.GroupBy(s => s.Scenario.Feature).Select(feature => new XElement(
            "testsuite",
            new XAttribute("name", feature.Key.Name),
            new XAttribute("tests", feature.Count()),
            new XAttribute("failures", feature.Count(IsFailure)),
            new XAttribute("errors", feature.Count(IsError)),
            new XAttribute("skipped", feature.Count(s => s.Status == ScenarioStatus.NotRun)),
            new XAttribute("time", Seconds(new TimeSpan(feature.Sum(s => s.Duration.Ticks)))),
            new XAttribute("timestamp", feature.First().StartedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture)),
            feature.Select(Case)));
        return new XDocument(new XElement(
            "testsuites",
            new XAttribute("name", "Harness conformance: " + run.TargetName),
            new XAttribute("tests", run.Scenarios.Count),
            new XAttribute("failures", run.Scenarios.Count(IsFailure)),
            new XAttribute("errors", run.Scenarios.Count(IsError)),
            new XAttribute("time", Seconds(run.Duration)),
            suites));
    }

    public static void Write(RunResult run, string path) => Build(run).Save(path);

    private static XElement Case(ScenarioResult result)
    {
        var element = new XElement(
            "testcase",
            new XAttribute("name", result.Scenario.DisplayName),
            new XAttribute("classname", result.Scenario.Feature.Uri),
            new XAttribute("file", result.Scenario.Feature.Uri),
            new XAttribute("line", result.Scenario.Pickle.Location.Line),
            new XAttribute("time", Seconds(result.Duration)));
        var body = result.Report();
        switch (result.Status)
        {
            case ScenarioStatus.Failed:
                element.Add(new XElement("failure", new XAttribute("message", FirstLine(result.Message)), new XAttribute("type", "failed"), body));
                break;
            case ScenarioStatus.Undefined or ScenarioStatus.Ambiguous:
                element.Add(new XElement("error", new XAttribute("message", FirstLine(result.Message)), new XAttribute("type", result.Status.ToString().ToLowerInvariant()), body));
                break;
            case ScenarioStatus.NotRun:
                element.Add(new XElement("skipped", new XAttribute("message", result.Message ?? "not run")));
                break;
        }

        return element;
    }

    private static bool IsFailure(ScenarioResult s) => s.Status == ScenarioStatus.Failed;

    private static bool IsError(ScenarioResult s) => s.Status is ScenarioStatus.Undefined or ScenarioStatus.Ambiguous;

    private static string FirstLine(string? text) => text?.Split('\n')[0] ?? "";

    private static string Seconds(TimeSpan time) => time.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture);
}
