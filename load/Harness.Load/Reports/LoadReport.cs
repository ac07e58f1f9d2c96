using System.Globalization;
using System.Runtime.InteropServices;
using Harness.Load.Audit;
using Harness.Load.Engine;
using Harness.Load.Sandbox;
using Harness.Load.Scenarios;
using Harness.Load.Soak;

namespace Harness.Load.Reports;

/// <summary>Everything one run produced: the figures of each scenario, the ratios, the audit and the threshold verdicts.</summary>
public sealed record LoadReport(
    string RunId,
    string Target,
    string CommandLine,
    DateTimeOffset StartedAt,
    IReadOnlyList<ScenarioResult> Scenarios,
    AuditReport Audit,
    IReadOnlyList<string> ThresholdFailures)
{
    public string Machine { get; init; } = DescribeMachine();

    /// <summary>The soak's samples, for a <c>--soak</c> run.</summary>
    public SoakResult? Soak { get; init; }

    /// <summary>Whether the run loaded a Finance backend and audited its ledger; a sandbox run has no ledger.</summary>
    public bool AuditsLedger { get; init; } = true;

    /// <summary>The webhook figures and delivery audit of a sandbox run with pay-and-deliver.</summary>
    public WebhookFigures? Webhooks { get; init; }

    public bool Passed => Audit.Passed && (Webhooks?.Delivery.Passed ?? true) && ThresholdFailures.Count == 0;

    /// <summary>The scenario the ratios divide by: <c>baseline</c> in a Finance run, <c>sandbox-control</c> in a sandbox run.</summary>
    public string BaselineName => Scenarios.Any(s => s.Name == SandboxScenarios.Control) ? SandboxScenarios.Control : ScenarioCatalog.Baseline;

    /// <summary>
    /// Each scenario's throughput over the baseline's, when the run had a baseline. Only the scenarios
    /// run under the command's own load: a half-rate run's throughput is the rate it was given.
    /// </summary>
    public IReadOnlyList<(string Scenario, double Ratio)> BaselineRatios()
    {
        var baseline = Scenarios.FirstOrDefault(s => s.Name == BaselineName);
        return baseline is null || baseline.OkPerSecond <= 0
            ? []
            : [.. Scenarios.Where(s => s.Name != BaselineName && !ScenarioCatalog.IsVariant(s.Name)).Select(s => (s.Name, s.OkPerSecond / baseline.OkPerSecond))];
    }

    /// <summary>
    /// Each half-rate run beside the baseline run at the same rate in the same rounds (<c>--half-rate</c>
    /// with <c>baseline</c> among the scenarios): the host's own tail at that rate, which no target can beat.
    /// </summary>
    public IReadOnlyList<(ScenarioResult HalfRate, ScenarioResult Floor)> Floors() =>
        [.. Scenarios
            .Select(s => (HalfRate: s, Floor: ScenarioCatalog.FloorOf(s.Name) is { } floor ? Scenarios.FirstOrDefault(f => f.Name == floor) : null))
            .Where(pair => pair.Floor is not null)
            .Select(pair => (pair.HalfRate, pair.Floor!))];

    public static string DescribeMachine()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{Environment.ProcessorCount} logical cores{(cpu is null ? "" : $" ({cpu})")}, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription} {RuntimeInformation.ProcessArchitecture}; load generator and target share the machine when the target is built in");
    }
}

/// <summary>The <c>--max-p99</c>, <c>--min-rps</c> and <c>--max-error-rate</c> checks; the baselines (<c>baseline</c>, its floor runs, <c>sandbox-control</c>) are exempt (they measure the host, not the product).</summary>
public static class Thresholds
{
    public static IReadOnlyList<string> Evaluate(LoadOptions options, IEnumerable<ScenarioResult> results)
    {
        var failures = new List<string>();
        foreach (var result in results.Where(r => ScenarioCatalog.BaseName(r.Name) is not (ScenarioCatalog.Baseline or SandboxScenarios.Control)))
        {
            var p99 = result.Main.PercentileMs(99);
            if (options.MaxP99Ms is { } maxP99 && p99 > maxP99)
            {
                failures.Add(Invariant($"{result.Name} ({result.Load}): p99 {p99:0.00} ms > --max-p99 {maxP99:0.##} ms"));
            }

            if (options.MinRps is { } minRps && result.OkPerSecond < minRps)
            {
                failures.Add(Invariant($"{result.Name} ({result.Load}): {result.OkPerSecond:0} ok/s < --min-rps {minRps:0.##}"));
            }

            var ok = result.Steps.Sum(s => s.Ok);
            var failed = result.Steps.Sum(s => s.Failed);
            var errorRate = ok + failed == 0 ? 0 : failed / (double)(ok + failed);
            if (options.MaxErrorRate is { } maxErrors && errorRate > maxErrors)
            {
                failures.Add(Invariant($"{result.Name} ({result.Load}): error rate {errorRate:P2} > --max-error-rate {maxErrors:P2}"));
            }
        }

        return failures;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
