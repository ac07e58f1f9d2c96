using Harness.Load.Audit;
using Harness.Load.Engine;
using Harness.Load.Reports;
using HdrHistogram;

namespace Harness.Load.Tests;

/// <summary>--max-p99, --min-rps and --max-error-rate judged on given figures (no timing is measured here).</summary>
public sealed class ThresholdsTests
{
    [Fact]
    public void Each_threshold_fails_the_scenario_that_breaks_it_and_the_baseline_is_exempt()
    {
        var options = new LoadOptions { MaxP99Ms = 5, MinRps = 1000, MaxErrorRate = 0.01 };
        var slow = Result("consume-unique", okCount: 5_000, failed: 0, latencyMs: 8, seconds: 10);
        var erring = Result("consume-duplicates", okCount: 19_000, failed: 1_000, latencyMs: 2, seconds: 10);
        var baseline = Result("baseline", okCount: 10, failed: 10, latencyMs: 50, seconds: 10);

        var failures = Thresholds.Evaluate(options, [slow, erring, baseline]);

        Assert.Equal(3, failures.Count);
        Assert.Contains(failures, f => f.StartsWith("consume-unique", StringComparison.Ordinal) && f.Contains("p99 8.00 ms > --max-p99 5 ms", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("consume-unique", StringComparison.Ordinal) && f.Contains("500 ok/s < --min-rps 1000", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("consume-duplicates", StringComparison.Ordinal) && f.Contains("error rate 5.00 %", StringComparison.Ordinal));
    }

    [Fact]
    public void A_half_rate_run_is_judged_and_the_baselines_floor_run_beside_it_is_exempt()
    {
        var options = new LoadOptions { MaxP99Ms = 5 };
        var halfRate = Result("consume-unique@half", okCount: 5_000, failed: 0, latencyMs: 8, seconds: 10);
        var floor = Result("baseline@floor-consume-unique", okCount: 5_000, failed: 0, latencyMs: 50, seconds: 10);

        var failure = Assert.Single(Thresholds.Evaluate(options, [halfRate, floor]));

        Assert.StartsWith("consume-unique@half", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Ratios_leave_out_half_rate_runs_and_the_floor_table_pairs_each_with_the_baseline_at_its_rate()
    {
        var report = Report(
            Result("baseline", okCount: 300_000, failed: 0, latencyMs: 1, seconds: 10),
            Result("consume-unique", okCount: 180_000, failed: 0, latencyMs: 3, seconds: 10),
            Result("consume-unique@half", okCount: 90_000, failed: 0, latencyMs: 9, seconds: 10),
            Result("baseline@floor-consume-unique", okCount: 90_000, failed: 0, latencyMs: 6, seconds: 10),
            Result("mixed", okCount: 150_000, failed: 0, latencyMs: 4, seconds: 10),
            Result("mixed@half", okCount: 75_000, failed: 0, latencyMs: 5, seconds: 10));

        Assert.Equal([("consume-unique", 0.6), ("mixed", 0.5)], report.BaselineRatios());
        var (halfRate, floor) = Assert.Single(report.Floors()); // mixed@half ran without a floor
        Assert.Equal(("consume-unique@half", "baseline@floor-consume-unique"), (halfRate.Name, floor.Name));
        var table = ReportTables.Floors(report);
        var row = Assert.Single(table.Rows);
        Assert.Equal("9000", row[table.Header.ToList().IndexOf("ok/s")]);
        Assert.Equal("6.00", row[table.Header.ToList().IndexOf("floor p99 ms")]);
        Assert.Equal("3.00", row[table.Header.ToList().IndexOf("p99 above the floor ms")]);
        Assert.Contains("is 3.00 ms above it", ReportTables.FloorVerdict(halfRate, floor), StringComparison.Ordinal);
        Assert.Contains("is not above it: at this rate the tail is the host's", ReportTables.FloorVerdict(floor, halfRate), StringComparison.Ordinal);
        Assert.Contains("Half rate against the host's floor", MarkdownReport.Render(report), StringComparison.Ordinal);
    }

    [Fact]
    public void Without_thresholds_nothing_fails()
    {
        Assert.Empty(Thresholds.Evaluate(new LoadOptions(), [Result("mixed", okCount: 1, failed: 99, latencyMs: 900, seconds: 1)]));
    }

    [Fact]
    public void Runner_health_shows_the_runners_own_pauses_and_the_pacers_lateness_only_for_the_open_model()
    {
        var histogram = new LongHistogram(StepStats.HighestLatency, 3);
        IntervalSample Second(double pauseMs, double lateMs) => new(1, 1, true, 100, 0, 1, 2, histogram, pauseMs, lateMs);
        var open = Result("consume-unique", 100, 0, 1, 3) with { OpenModel = true, Samples = [Second(4, 1.5), Second(10, 7.25), Second(1, 0.5)] };
        var closed = Result("baseline", 100, 0, 1, 1) with { Samples = [Second(2, 0)] };
        var report = Report(open, closed);

        var rows = ReportTables.RunnerHealth(report).Rows;

        Assert.Equal(["consume-unique", "5.0", "10.0", "7.3", "—", "—", "—"], rows[0]);
        Assert.Equal(["baseline", "2.0", "2.0", "—", "—", "—", "—"], rows[1]);
    }

    [Fact]
    public void Runner_health_shows_the_machines_cpu_weighted_by_each_seconds_length()
    {
        var histogram = new LongHistogram(StepStats.HighestLatency, 3);
        IntervalSample Second(double length, HostCpuSample? host) => new(1, length, true, 100, 0, 1, 2, histogram, 0, 0, host);
        var run = Result("consume-unique", 100, 0, 1, 3) with
        {
            OpenModel = true,
            Samples = [Second(1, new(90, 1, 80)), Second(1, new(100, 4, 99)), Second(0.5, new(40, 0, 10)), Second(1, null), Second(0.02, new(100, 50, 100))],
        };
        var noPressure = run with { Samples = [Second(1, new(70, 2, null))] };

        var rows = ReportTables.RunnerHealth(Report(run, noPressure)).Rows;

        // The 20 ms tail sample weighs next to nothing in the means and is no "worst second".
        Assert.Equal(["84", "74 / 99", "4"], rows[0].Skip(4));
        Assert.Equal(["70", "—", "2"], rows[1].Skip(4));
    }

    [Fact]
    public void An_open_model_p99_within_reach_of_the_runners_lateness_carries_a_caveat()
    {
        var histogram = new LongHistogram(StepStats.HighestLatency, 3);
        IntervalSample Second(double lateMs) => new(1, 1, true, 100, 0, 1, 2, histogram, 3, lateMs);
        var late = Result("consume-unique", 100, 0, latencyMs: 8, seconds: 2) with { OpenModel = true, Samples = [Second(1), Second(4.5)] };
        var punctual = late with { Samples = [Second(1), Second(3.5)] };
        var closed = late with { OpenModel = false };

        Assert.Contains("up to 4.5 ms late", late.RunnerCaveat(), StringComparison.Ordinal);
        Assert.Null(punctual.RunnerCaveat()); // 3.5 ms of lateness against a p99 of 8 ms
        Assert.Null(closed.RunnerCaveat());
    }

    private static LoadReport Report(params ScenarioResult[] scenarios) =>
        new("run", "target", "cmd", DateTimeOffset.UnixEpoch, scenarios, new AuditReport([], 0, 0, 0, 0, 0, null, []), []);

    private static ScenarioResult Result(string name, long okCount, long failed, long latencyMs, double seconds)
    {
        var latency = new LongHistogram(StepStats.HighestLatency, 3);
        latency.RecordValueWithCount(latencyMs * 1000, Math.Max(1, okCount));
        var step = new StepResult("consume", okCount, failed, new Dictionary<string, long>(), latency, latency);
        return new ScenarioResult(new Scenario(name, name, []), "closed 8 concurrent", false, DateTimeOffset.UnixEpoch, seconds, [step], []);
    }
}
