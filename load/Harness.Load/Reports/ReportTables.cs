using System.Globalization;
using Harness.Load.Engine;
using Harness.Load.Scenarios;

namespace Harness.Load.Reports;

/// <summary>A table of the report, rendered by both the Markdown and the HTML page.</summary>
public sealed record Table(string Title, IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows);

/// <summary>The report's figures as tables, so both renderings show the same numbers.</summary>
public static class ReportTables
{
    public static IReadOnlyList<(string Label, string Value)> Summary(LoadReport report) =>
    [
        ("Run", report.RunId),
        ("Verdict", report.Passed ? "PASSED" : "FAILED"),
        ("Started", report.StartedAt.ToString("u", CultureInfo.InvariantCulture)),
        ("Target", report.Target),
        ("Machine", report.Machine),
        ("Command", report.CommandLine),
    ];

    public static Table Scenarios(LoadReport report) => new(
        "Scenarios (main step; latency of successful calls, open model timed from the intended start; \"from send\" leaves out the runner's own lateness)",
        ["scenario", "load", "seconds", "ok", "failed", "ok/s", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms", "p99 from send ms", "error rate"],
        [.. report.Scenarios.Select(s => (IReadOnlyList<string>)
        [
            s.Name, s.Load, F(s.Seconds, "0.0"), N(s.Main.Ok), N(s.Main.Failed), F(s.OkPerSecond, "0"),
            F(s.Main.PercentileMs(50)), F(s.Main.PercentileMs(90)), F(s.Main.PercentileMs(99)), F(s.Main.PercentileMs(99.9)), F(s.Main.MaxMs),
            s.OpenModel ? F(s.Main.FromSendPercentileMs(99)) : "—",
            s.Main.ErrorRate.ToString("P2", CultureInfo.InvariantCulture),
        ])]);

    public static Table Steps(LoadReport report) => new(
        "Steps",
        ["scenario", "step", "ok", "failed", "p50 ms", "p99 ms", "errors"],
        [.. report.Scenarios.SelectMany(s => s.Steps.Select(step => (IReadOnlyList<string>)
        [
            s.Name, step.Name, N(step.Ok), N(step.Failed), F(step.PercentileMs(50)), F(step.PercentileMs(99)),
            step.Errors.Count == 0 ? "" : string.Join("; ", step.Errors.OrderByDescending(e => e.Value).Select(e => $"{e.Key} × {N(e.Value)}")),
        ]))]);

    /// <summary>
    /// The runner's own stalls per scenario. In the open model every request is timed from when it was
    /// due, so a runner that pauses (its garbage collector, or a descheduled pacer on a busy machine)
    /// charges that pause to the target: read a p99 near these figures as the runner's, not the target's.
    /// The runner's machine is there too: busy, stolen by the hypervisor, and how often a thread that
    /// could run waited for a CPU (Linux only; "—" elsewhere).
    /// </summary>
    public static Table RunnerHealth(LoadReport report) => new(
        "Runner health (its own pauses count against the target in the open model)",
        ["scenario", "runner GC pause ms/s (mean)", "worst second ms", "pacer late, worst ms", "machine busy % (mean)", "a thread waiting for a CPU, % of the time (mean / worst second)", "steal %, worst second"],
        [.. report.Scenarios.Select(s => (IReadOnlyList<string>)
        [
            s.Name,
            F(s.RunnerPauseMsPerSecond, "0.0"),
            F(s.WorstRunnerPauseMs, "0.0"),
            s.OpenModel ? F(s.WorstLaunchLagMs, "0.0") : "—",
            Percent(s.HostBusyPercent),
            s.HostWaitingPercent is null ? "—" : $"{Percent(s.HostWaitingPercent)} / {Percent(s.WorstHostWaitingPercent)}",
            Percent(s.WorstHostStealPercent),
        ])]);

    private static string Percent(double? value) => value is { } v ? F(v, "0") : "—";

    public static Table Ratios(LoadReport report) => new(
        $"Throughput ÷ {report.BaselineName} (same run)",
        ["scenario", "ratio"],
        [.. report.BaselineRatios().Select(r => (IReadOnlyList<string>)[r.Scenario, F(r.Ratio, "0.00")])]);

    public static Table Floors(LoadReport report) => new(
        "Half rate against the host's floor (the baseline at the same rate, in the same rounds: the tail of a request that does no work)",
        ["scenario", "ok/s", "p50 ms", "p99 ms", "p99 from send ms", "floor p50 ms", "floor p99 ms", "floor p99 from send ms", "p99 above the floor ms"],
        [.. report.Floors().Select(f => (IReadOnlyList<string>)
        [
            f.HalfRate.Name, F(f.HalfRate.OkPerSecond, "0"),
            F(f.HalfRate.Main.PercentileMs(50)), F(f.HalfRate.Main.PercentileMs(99)), F(f.HalfRate.Main.FromSendPercentileMs(99)),
            F(f.Floor.Main.PercentileMs(50)), F(f.Floor.Main.PercentileMs(99)), F(f.Floor.Main.FromSendPercentileMs(99)),
            F(f.HalfRate.Main.PercentileMs(99) - f.Floor.Main.PercentileMs(99)),
        ])]);

    /// <summary>One line comparing a half-rate run's p99 with the baseline's at the same rate.</summary>
    public static string FloorVerdict(ScenarioResult halfRate, ScenarioResult floor)
    {
        var p99 = halfRate.Main.PercentileMs(99);
        var floorP99 = floor.Main.PercentileMs(99);
        var comparison = p99 > floorP99
            ? string.Create(CultureInfo.InvariantCulture, $"{halfRate.Name}'s p99 of {p99:0.00} ms is {p99 - floorP99:0.00} ms above it")
            : string.Create(CultureInfo.InvariantCulture, $"{halfRate.Name}'s p99 of {p99:0.00} ms is not above it: at this rate the tail is the host's, not the target's; load from another machine to see the target's");
        return string.Create(CultureInfo.InvariantCulture, $"floor: {ScenarioCatalog.Baseline} at the same rate in the same rounds has a p99 of {floorP99:0.00} ms (from send: {floor.Main.FromSendPercentileMs(99):0.00} ms); {comparison}");
    }

    public static Table AuditUsers(LoadReport report) => new(
        "Audit per user (balance after = balance before − charged)",
        ["user", "balance before", "charged", "balance after", "records"],
        [.. report.Audit.Users.Select(u => (IReadOnlyList<string>)[u.UserId, N(u.BalanceBefore), N(u.Charged), N(u.BalanceAfter), N(u.Records)])]);

    public static string AuditVerdict(LoadReport report)
    {
        var audit = report.Audit;
        var ledger = audit.LedgerAccountsChecked is { } accounts
            ? $"the target's ledger audit checked {N(accounts)} accounts"
            : "the target's ledger audit was not available";
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{(audit.Passed ? "PASSED" : "FAILED")}: {N(audit.Keys)} keys sent, {N(audit.AcknowledgedKeys)} acknowledged, {N(audit.UncertainKeys)} without a definite answer, {N(audit.RefusedKeys)} refused; {N(audit.ChargedRecords)} charges recorded; {ledger}; {N(audit.Findings.Count)} findings.");
    }

    /// <summary>At most this many findings are listed; the count says how many there were.</summary>
    public const int FindingsShown = 50;

    public static Table Findings(LoadReport report) => new(
        "Audit findings",
        ["kind", "detail"],
        [.. report.Audit.Findings.Take(FindingsShown).Select(f => (IReadOnlyList<string>)[f.Kind, f.Detail])]);

    private static string F(double value, string format = "0.00") => value.ToString(format, CultureInfo.InvariantCulture);

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
