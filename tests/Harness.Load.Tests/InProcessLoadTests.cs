using System.Text.RegularExpressions;
using Harness.Ledger;
using Harness.Load.Reports;
using Harness.Load.Scenarios;
using Harness.Load.Target;
using Harness.Load.Tests.Support;
using HdrHistogram;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Harness.Load.Tests;

/// <summary>Short, light runs against the reference backend in-process: the audit passes it and catches a double-charging one.</summary>
public sealed class InProcessLoadTests : IAsyncDisposable
{
    private readonly FinanceTestApp _factory = new();

    public async ValueTask DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task A_run_of_every_consume_scenario_is_acknowledged_and_passes_the_audit()
    {
        var report = await RunAsync(_factory.CreateClient(), [.. ScenarioCatalog.Names]);

        Assert.True(report.Audit.Passed, string.Join(Environment.NewLine, report.Audit.Findings));
        Assert.True(report.Passed);
        Assert.All(report.Scenarios, s => Assert.True(s.Main.Ok > 0, $"{s.Name} made no successful call"));
        Assert.All(report.Scenarios, s => Assert.Equal(0, s.Main.Failed));
        Assert.Equal(report.Audit.Keys, report.Audit.AcknowledgedKeys);
        Assert.Equal(report.Audit.AcknowledgedKeys, report.Audit.ChargedRecords);
        Assert.NotNull(report.Audit.LedgerAccountsChecked);
        Assert.Equal(3, report.Scenarios.Single(s => s.Name == ScenarioCatalog.Mixed).Steps.Count);
    }

    [Fact]
    public async Task The_audit_fails_a_backend_that_charges_replayed_keys_a_second_time()
    {
        await using var doubling = new FinanceTestApp(configureServices: services => services.Decorate<ILedger>(ledger => new DoubleChargingLedger(ledger)));

        var report = await RunAsync(doubling.CreateClient(), [ScenarioCatalog.ConsumeDuplicates]);

        Assert.False(report.Passed);
        Assert.False(report.Audit.Passed);
        Assert.Contains(report.Audit.Findings, f => f.Kind == "double charge or lost charge" && Regex.IsMatch(f.Detail, "acknowledged, charged [2-9] times"));
        Assert.True(report.Audit.ChargedRecords > report.Audit.AcknowledgedKeys);
        Assert.Contains("FAILED", MarkdownReport.Render(report), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scenarios_measured_in_alternating_rounds_are_each_reported_once_and_audited()
    {
        var console = new StringWriter();

        var report = await RunAsync(_factory.CreateClient(), [ScenarioCatalog.Baseline, ScenarioCatalog.ConsumeUnique], rounds: 2, console);

        var output = console.ToString();
        Assert.True(report.Audit.Passed, string.Join(Environment.NewLine, report.Audit.Findings));
        Assert.Equal([ScenarioCatalog.Baseline, ScenarioCatalog.ConsumeUnique], report.Scenarios.Select(s => s.Name));
        Assert.All(report.Scenarios, s => Assert.EndsWith(", 2 alternating rounds", s.Load, StringComparison.Ordinal));
        Assert.Equal(
            ["baseline (round 1 of 2)", "consume-unique (round 1 of 2)", "baseline (round 2 of 2)", "consume-unique (round 2 of 2)"],
            Regex.Matches(output, @"▶ (\S+ \(round \d of 2\))").Select(m => m.Groups[1].Value));
        Assert.Equal(2, Regex.Count(output, "■ "));
        Assert.All(report.Scenarios, s => Assert.True(s.Main.Ok > 0 && s.Main.Failed == 0, $"{s.Name}: {s.Main.Ok} ok, {s.Main.Failed} failed"));
    }

    [Fact]
    public async Task An_open_model_run_reports_its_latency_from_the_due_time_and_from_the_send()
    {
        var console = new StringWriter();

        var report = await RunAsync(_factory.CreateClient(), [ScenarioCatalog.ConsumeUnique], console: console, rate: 200);

        var scenario = Assert.Single(report.Scenarios);
        Assert.True(scenario.OpenModel);
        Assert.Equal(scenario.Main.Latency.TotalCount, scenario.Main.FromSend.TotalCount);
        Assert.True(scenario.Main.FromSend.GetMaxValue() <= scenario.Main.Latency.GetMaxValue(), "a call is never sent before it is due");
        Assert.Contains("(from send: p50 ", console.ToString(), StringComparison.Ordinal);
        Assert.Contains("consume-unique (from send)", HtmlReport.Render(report), StringComparison.Ordinal);
        var row = Assert.Single(ReportTables.Scenarios(report).Rows);
        Assert.NotEqual("—", row[ReportTables.Scenarios(report).Header.ToList().IndexOf("p99 from send ms")]);
        if (OperatingSystem.IsLinux())
        {
            // the report says how busy the machine was (the run is shorter than a console second)
            Assert.NotNull(scenario.HostBusyPercent);
            Assert.NotEqual("—", Assert.Single(ReportTables.RunnerHealth(report).Rows)[4]);
        }
    }

    [Fact]
    public async Task A_half_rate_run_takes_turns_with_the_baseline_at_the_same_rate_and_is_reported_against_it()
    {
        var console = new StringWriter();

        var report = await RunAsync(_factory.CreateClient(), [ScenarioCatalog.Baseline, ScenarioCatalog.ConsumeUnique], rounds: 2, console, halfRate: true);

        var output = console.ToString();
        Assert.True(report.Audit.Passed, string.Join(Environment.NewLine, report.Audit.Findings));
        Assert.Equal(["baseline", "consume-unique", "consume-unique@half", "baseline@floor-consume-unique"], report.Scenarios.Select(s => s.Name));
        Assert.Equal(
            ["consume-unique@half (round 1 of 2)", "baseline@floor-consume-unique (round 1 of 2)", "consume-unique@half (round 2 of 2)", "baseline@floor-consume-unique (round 2 of 2)"],
            Regex.Matches(output, @"▶ (\S+@\S+ \(round \d of 2\))").Select(m => m.Groups[1].Value));
        var consume = report.Scenarios[1];
        var (halfRate, floor) = Assert.Single(report.Floors());
        Assert.All(new[] { halfRate, floor }, s => Assert.True(s.OpenModel && s.Main.Ok > 0 && s.Main.Failed == 0, $"{s.Name}: {s.Main.Ok} ok, {s.Main.Failed} failed"));
        Assert.Equal(halfRate.Load, floor.Load); // one rate for both
        Assert.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"open {consume.OkPerSecond / 2:0.##}/s"), halfRate.Load, StringComparison.Ordinal);
        Assert.Equal([ScenarioCatalog.ConsumeUnique], report.BaselineRatios().Select(r => r.Scenario));
        Assert.Contains("  floor: baseline at the same rate in the same rounds has a p99 of ", output, StringComparison.Ordinal);
        Assert.Single(ReportTables.Floors(report).Rows);
        Assert.Contains("Half rate against the host&#39;s floor", HtmlReport.Render(report), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_half_rate_run_without_a_baseline_in_the_run_has_no_floor()
    {
        var report = await RunAsync(_factory.CreateClient(), [ScenarioCatalog.ConsumeUnique], halfRate: true);

        Assert.Equal(["consume-unique", "consume-unique@half"], report.Scenarios.Select(s => s.Name));
        Assert.True(report.Scenarios[1].OpenModel && report.Scenarios[1].Main.Ok > 0);
        Assert.Empty(report.Floors());
        Assert.True(report.Audit.Passed, string.Join(Environment.NewLine, report.Audit.Findings));
    }

    private static async Task<LoadReport> RunAsync(HttpClient client, IReadOnlyList<string> scenarios, int rounds = 1, TextWriter? console = null, double? rate = null, bool halfRate = false)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var target = await LoadTarget.ForReferenceClientAsync(client, cancellationToken);
        var options = new LoadOptions
        {
            Scenarios = scenarios,
            Concurrency = rate is null ? 4 : null,
            RateFrom = rate,
            RateTo = rate,
            Duration = TimeSpan.FromMilliseconds(600),
            Warmup = TimeSpan.FromMilliseconds(200),
            Users = 3,
            DuplicateShare = 0.5,
            Rounds = rounds,
            HalfRate = halfRate,
        };
        return await LoadCommand.RunAsync(options, target, "in-process test", console ?? TextWriter.Null, cancellationToken);
    }
}
