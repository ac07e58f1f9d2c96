using HdrHistogram;
using Harness.Load.Audit;
using Harness.Load.Engine;
using Harness.Load.Reports;

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
        var report = new LoadReport("run", "target", "cmd", DateTimeOffset.UnixEpoch, [open, closed], new AuditReport([], 0, 0, 0, 0, 0, null, []), []);

        var rows = ReportTables.RunnerHealth(report).Rows;

        Assert.Equal(["consume-unique", "5.0", "10.0", "7.3"], rows[0]);
        Assert.Equal(["baseline", "2.0", "2.0", "—"], rows[1]);
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

    private static ScenarioResult Result(string name, long okCount, long failed, long latencyMs, double seconds)
    {
        var latency = new LongHistogram(StepStats.HighestLatency, 3);
        latency.RecordValueWithCount(latencyMs * 1000, Math.Max(1, okCount));
        var step = new StepResult("consume", okCount, failed, new Dictionary<string, long>(), latency, latency);
        return new ScenarioResult(new Scenario(name, name, []), "closed 8 concurrent", false, DateTimeOffset.UnixEpoch, seconds, [step], []);
    }
}
