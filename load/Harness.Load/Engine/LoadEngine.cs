using System.Diagnostics;
using System.Globalization;
using HdrHistogram;

namespace Harness.Load.Engine;

/// <summary>
/// Runs one scenario under one load simulation: a warm-up whose figures are dropped, then the
/// measurement. In the open model an iteration's first step is timed from when it was <i>due</i>, not
/// from when it was sent, so a target that stalls the generator still pays for every request it delayed
/// (the coordinated-omission correction wrk2 made common).
/// <para>
/// Every <paramref name="sampleEvery"/> (a second unless a soak asks for longer) it prints the interval's
/// figures and hands each measured interval to <paramref name="onSample"/> when one is given.
/// </para>
/// </summary>
public sealed class LoadEngine(TextWriter console, TimeSpan? sampleEvery = null, Func<IntervalSample, Task>? onSample = null)
{
    private readonly TimeSpan _sampleEvery = sampleEvery ?? TimeSpan.FromSeconds(1);

    public async Task<ScenarioResult> RunAsync(Scenario scenario, LoadSimulation simulation, TimeSpan warmup, CancellationToken cancellationToken)
    {
        var run = new ScenarioRun(scenario);
        await MeasureAsync(run, simulation, warmup, simulation.Duration, cancellationToken);
        return run.Finish(simulation);
    }

    /// <summary>
    /// Measures <paramref name="run"/> for one slice of <paramref name="slice"/> (after a warm-up when
    /// one is given). A scenario measured in several slices adds them up, which lets scenarios take
    /// turns (<c>--rounds</c>) so a box whose speed drifts slows them all alike.
    /// </summary>
    public async Task MeasureAsync(ScenarioRun run, LoadSimulation simulation, TimeSpan warmup, TimeSpan slice, CancellationToken cancellationToken)
    {
        if (warmup > TimeSpan.Zero)
        {
            run.StartWarmUp();
            await SampledAsync(run, RunPhaseAsync(run, simulation.Truncated(warmup), cancellationToken));
        }

        run.StartMeasuring();
        try
        {
            // Sampled from the start of the measurement, so a soak's samples fall on whole intervals of it.
            await SampledAsync(run, RunPhaseAsync(run, simulation.Truncated(slice), cancellationToken));
        }
        finally
        {
            // The slice's last partial interval: printed and observed when it is at least half an interval long (a
            // slice no longer than one interval may end before the sampler's first tick).
            if (run.StopMeasuring() is { } last && last.IntervalSeconds >= _sampleEvery.TotalSeconds / 2)
            {
                Report(run, last);
                if (onSample is not null)
                {
                    await onSample(last);
                }
            }
        }
    }

    /// <summary>Samples <paramref name="run"/> while <paramref name="phase"/> runs.</summary>
    private async Task SampledAsync(ScenarioRun run, Task phase)
    {
        using var stopSampling = new CancellationTokenSource();
        var sampler = SampleAsync(run, stopSampling.Token);
        try
        {
            await phase;
        }
        finally
        {
            await stopSampling.CancelAsync();
            await sampler;
        }
    }

    private static Task RunPhaseAsync(ScenarioRun run, LoadSimulation simulation, CancellationToken cancellationToken) => simulation switch
    {
        InjectRate open => RunOpenAsync(run, open, cancellationToken),
        KeepConcurrency closed => RunClosedAsync(run, closed, cancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(simulation), simulation, "Unknown load simulation."),
    };

    /// <summary>
    /// Launches every iteration at its intended start from a dedicated pacing thread. Timers are too
    /// coarse for this (<c>Task.Delay(1)</c> waits about 5 ms on a small Linux VM, so arrivals would
    /// leave in bursts and every request would be charged the burst's lag), and spinning between
    /// arrivals costs a core: the pacer launches whatever is due, then sleeps until the next arrival
    /// with sub-millisecond precision (<see cref="PreciseSleep"/>), yielding only for the last few
    /// microseconds.
    /// </summary>
    private static async Task RunOpenAsync(ScenarioRun run, InjectRate simulation, CancellationToken cancellationToken)
    {
        var pacer = new Thread(() =>
        {
            PreciseSleep.TightenTimerSlack();
            var start = Stopwatch.GetTimestamp();
            var arrivals = simulation.ArrivalsBy(simulation.Duration);
            for (long launched = 0; launched < arrivals && !cancellationToken.IsCancellationRequested && !run.Faulted; launched++)
            {
                var intended = start + Ticks(simulation.IntendedStart(launched));
                WaitUntil(intended, cancellationToken);
                run.LaunchedLate(Stopwatch.GetTimestamp() - intended);
                run.Launch(intended, cancellationToken);
            }
        })
        { IsBackground = true, Name = "load-pacer" };
        pacer.Start();
        await Task.Run(pacer.Join, CancellationToken.None);
        await run.DrainedAsync();
        run.ThrowIfFaulted();

        static long Ticks(TimeSpan time) => (long)(time.TotalSeconds * Stopwatch.Frequency);

        static void WaitUntil(long timestamp, CancellationToken cancellationToken)
        {
            var spinBelow = Stopwatch.Frequency / 50_000; // 20 µs: less than a wake-up costs
            long now;
            while ((now = Stopwatch.GetTimestamp()) < timestamp && !cancellationToken.IsCancellationRequested)
            {
                if (timestamp - now > spinBelow)
                {
                    PreciseSleep.For(Stopwatch.GetElapsedTime(now, timestamp - spinBelow));
                }
                else
                {
                    Thread.Yield();
                }
            }
        }
    }

    private static async Task RunClosedAsync(ScenarioRun run, KeepConcurrency simulation, CancellationToken cancellationToken)
    {
        var end = Stopwatch.GetTimestamp() + (long)(simulation.Duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, simulation.Copies).Select(_ => Task.Run(
            async () =>
            {
                while (!cancellationToken.IsCancellationRequested && !run.Faulted && Stopwatch.GetTimestamp() < end)
                {
                    await run.IterateAsync(Stopwatch.GetTimestamp(), cancellationToken);
                }
            },
            CancellationToken.None)));
        run.ThrowIfFaulted();
    }

    private async Task SampleAsync(ScenarioRun run, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(_sampleEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var sample = run.Sample();
                Report(run, sample);
                if (onSample is not null && sample.Measuring)
                {
                    await onSample(sample);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // the run is over; its last partial interval is taken by MeasureAsync
        }
    }

    private void Report(ScenarioRun run, IntervalSample sample) => console.WriteLine(string.Create(
        CultureInfo.InvariantCulture,
        $"  {run.Scenario.Name,-20} {(sample.Measuring ? "run" : "warm-up"),-7} {sample.Second,4:0}s  {sample.OkPerSecond,8:0}/s ok  p50 {sample.P50Ms,7:0.00} ms  p99 {sample.P99Ms,7:0.00} ms  errors {sample.Failed,5}  in flight {run.InFlight,5}  runner: gc {sample.RunnerPauseMs,4:0} ms, late {sample.MaxLaunchLagMs,5:0.0} ms{Host(sample.Host)}"));

    private static string Host(HostCpuSample? host) => host is null
        ? ""
        : string.Create(CultureInfo.InvariantCulture, $"  box: busy {host.BusyPercent,3:0} %, steal {host.StealPercent,2:0} %{(host.WaitingPercent is { } waiting ? $", waiting {waiting,3:0} %" : "")}");
}

/// <summary>
/// One interval (about a second; the last one of a run is shorter) of the main step: throughput,
/// failures and latency percentiles, and the runner's own health over it — its garbage-collection
/// pause time and, in the open model, its pacer's worst lateness (how long after its due time an
/// iteration was launched) — because the open model charges the runner's own stalls to the target;
/// and the machine's CPU over it (<see cref="HostCpu"/>, where the system tells).
/// </summary>
public sealed record IntervalSample(double Second, double IntervalSeconds, bool Measuring, double OkPerSecond, long Failed, double P50Ms, double P99Ms, HistogramBase Histogram, double RunnerPauseMs, double MaxLaunchLagMs, HostCpuSample? Host = null);

/// <summary>What one step did over the measurement.</summary>
/// <param name="Name">The step's name, e.g. <c>consume</c>.</param>
/// <param name="Ok">Successful calls.</param>
/// <param name="Failed">Failed calls.</param>
/// <param name="Errors">Failed calls by kind (e.g. <c>HTTP 402 code 402</c>, <c>timeout</c>).</param>
/// <param name="Latency">Successful calls, timed from when they were due (the open model's first step) or sent.</param>
/// <param name="FromSend">The same calls timed from when the runner made them (<see cref="StepStats.TotalFromSend"/>).</param>
public sealed record StepResult(string Name, long Ok, long Failed, IReadOnlyDictionary<string, long> Errors, HistogramBase Latency, HistogramBase FromSend)
{
    public double ErrorRate => Ok + Failed == 0 ? 0 : Failed / (double)(Ok + Failed);

    public double PercentileMs(double percentile) => Latency.TotalCount == 0 ? 0 : Latency.GetValueAtPercentile(percentile) / 1000.0;

    public double FromSendPercentileMs(double percentile) => FromSend.TotalCount == 0 ? 0 : FromSend.GetValueAtPercentile(percentile) / 1000.0;

    public double MaxMs => Latency.TotalCount == 0 ? 0 : Latency.GetMaxValue() / 1000.0;
}

/// <summary>What one scenario did over the measurement.</summary>
public sealed record ScenarioResult(
    Scenario Scenario,
    string Load,
    bool OpenModel,
    DateTimeOffset StartedAt,
    double Seconds,
    IReadOnlyList<StepResult> Steps,
    IReadOnlyList<IntervalSample> Samples)
{
    public string Name => Scenario.Name;

    /// <summary>The step the scenario is about (consume, or health for the baseline).</summary>
    public StepResult Main => Steps[Scenario.MainStep];

    public double OkPerSecond => Main.Ok / Seconds;

    /// <summary>The runner's mean garbage-collection pause per second of measurement.</summary>
    public double RunnerPauseMsPerSecond => Samples.Sum(s => s.RunnerPauseMs) / Math.Max(1e-3, Samples.Sum(s => s.IntervalSeconds));

    public double WorstRunnerPauseMs => Samples.Select(s => s.RunnerPauseMs).DefaultIfEmpty().Max();

    /// <summary>The open model's worst pacer lateness over the measurement (0 in the closed model).</summary>
    public double WorstLaunchLagMs => Samples.Select(s => s.MaxLaunchLagMs).DefaultIfEmpty().Max();

    /// <summary>The machine's mean busy share over the measured seconds; null where it was not read.</summary>
    public double? HostBusyPercent => MeanOf(s => s.Host?.BusyPercent);

    /// <summary>The mean share of time some thread waited for a CPU; null where the kernel does not tell.</summary>
    public double? HostWaitingPercent => MeanOf(s => s.Host?.WaitingPercent);

    /// <summary>The worst second's share of time some thread waited for a CPU.</summary>
    public double? WorstHostWaitingPercent => FullSeconds.Max(s => s.Host?.WaitingPercent);

    /// <summary>The worst second's share of CPU the hypervisor took.</summary>
    public double? WorstHostStealPercent => FullSeconds.Max(s => s.Host?.StealPercent);

    // The short last sample of a slice holds a few of the kernel's 10 ms ticks: one stolen tick of
    // two read as 50 % steal. The worst-second figures take the samples of at least half a second.
    private IEnumerable<IntervalSample> FullSeconds => Samples.Where(s => s.IntervalSeconds >= 0.5);

    private double? MeanOf(Func<IntervalSample, double?> figure)
    {
        var read = Samples.Where(s => figure(s) is not null).ToList();
        return read.Count == 0 ? null : read.Sum(s => figure(s)!.Value * s.IntervalSeconds) / Math.Max(1e-3, read.Sum(s => s.IntervalSeconds));
    }

    /// <summary>
    /// A warning when the open model's p99 is within reach of the runner's own lateness, so nobody
    /// reads the runner's stalls as the target's; null when the runner kept well out of the way.
    /// </summary>
    public string? RunnerCaveat()
    {
        var p99 = Main.PercentileMs(99);
        return OpenModel && p99 > 0 && WorstLaunchLagMs >= p99 / 2
            ? string.Create(CultureInfo.InvariantCulture, $"the runner's pacer was up to {WorstLaunchLagMs:0.0} ms late (GC {RunnerPauseMsPerSecond:0.0} ms/s): a p99 of {p99:0.00} ms is partly the runner's own (timed from the send: {Main.FromSendPercentileMs(99):0.00} ms); load from another machine for the target's")
            : null;
    }
}
