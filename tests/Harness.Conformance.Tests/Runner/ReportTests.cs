using Harness.Conformance.Running;
using Harness.Conformance.Targets;
using Harness.Conformance.Tests.Support;

namespace Harness.Conformance.Tests.Runner;

/// <summary>The reports of a run where something went wrong: each outcome lands where its reader looks for it.</summary>
public sealed class ReportTests : IDisposable
{
    private readonly Sample _sample = new();
    private readonly string _out = TempDirectory.Create("reports");

    public void Dispose()
    {
        _sample.Dispose();
        TempDirectory.TryDelete(_out);
    }

    [Fact]
    public async Task Failed_undefined_and_not_run_scenarios_are_reported_in_all_three_files_and_on_the_console()
    {
        var catalog = _sample.Write("shop/outcomes.feature", """
            @shop
            Feature: Outcomes
              Scenario: Passes
                Given a basket with 1 apple
                Then the basket holds 1 item

              @slow
              Scenario: Fails
                Given a basket with 1 apple
                Then the basket holds 5 items

              Scenario: Has an undefined step
                Given a basket that sings

              Scenario: Needs the admin
                Given a step that needs the admin
            """);
        using var console = new StringWriter();

        var run = await ConformanceCommand.RunAndReportAsync(
            catalog, new Sample.OfflineTarget(new TargetProfile()), TagExpression.Everything, Sample.Registry, _out, console, TestContext.Current.CancellationToken);

        Assert.False(run.Success);
        var output = console.ToString();
        Assert.Contains("  FAIL  Outcomes › Fails", output, StringComparison.Ordinal);
        Assert.Contains("(not run: needs adminJwt; financeApiKey)", output, StringComparison.Ordinal);
        Assert.Contains("[Given(\"a basket that sings\")]", output, StringComparison.Ordinal);
        Assert.Matches(@"@slow\s+0\s+1\s+0\s+0\n", output);
        Assert.Contains("4 scenarios: 1 passed, 1 failed, 1 not run, 1 undefined (", output, StringComparison.Ordinal);

        var junit = ReportFiles.JUnit(Path.Combine(_out, ConformanceCommand.JUnitFile));
        var cases = junit.Descendants("testcase").ToDictionary(c => c.Attribute("name")!.Value);
        Assert.Empty(cases["Outcomes › Passes"].Elements());
        Assert.Contains("items in the basket: expected 5, got 1", cases["Outcomes › Fails"].Element("failure")!.Value, StringComparison.Ordinal);
        Assert.Equal("undefined", cases["Outcomes › Has an undefined step"].Element("error")!.Attribute("type")!.Value);
        Assert.Equal("not run: needs adminJwt; financeApiKey", cases["Outcomes › Needs the admin"].Element("skipped")!.Attribute("message")!.Value);

        var envelopes = ReportFiles.Messages(Path.Combine(_out, ConformanceCommand.MessagesFile));
        Assert.Equal(["PASSED", "PASSED", "PASSED", "FAILED", "UNDEFINED", "SKIPPED"], ReportFiles.StepStatuses(envelopes));
        Assert.False(envelopes[^1].GetProperty("testRunFinished").GetProperty("success").GetBoolean());

        var html = ReportFiles.Html(Path.Combine(_out, ConformanceCommand.HtmlFile));
        var opened = html.Descendants("details").Where(d => d.Attribute("open") is not null).Select(d => d.Attribute("class")!.Value);
        Assert.Equal(["failed", "undefined", "notrun"], opened);
    }
}
