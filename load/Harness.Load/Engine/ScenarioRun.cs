using System.Diagnostics;
using System.Runtime.ExceptionServices;
using HdrHistogram;

namespace Harness.Load.Engine;

/// <summary>The state of one scenario while it runs.</summary>
public sealed class ScenarioRun(Scenario scenario)
{
    private readonly StepStats[] _stats = [.. scenario.Steps.Select(s => new StepStats(s.Name))];
    private readonly List<IntervalSample> _samples = [];
    private readonly Lock _sampling = new();
    private long _iterations;
    private long _inFlight;
    private long _phaseStart = Stopwatch.GetTimestamp();
    private long _lastSample = Stopwatch.GetTimestamp();
    private long _lastSampleUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    private long _okAtLastSample;
    private long _failedAtLastSample;
    private TimeSpan _runnerPauseAtLastSample = GC.GetTotalPauseDuration();
    private HostCpuCounters? _hostAtLastSample = HostCpu.Read();
    private long _maxLaunchLag;
    private TaskCompletionSource? _drained;
    private Exception? _fault;
    private bool _measuring;
    private bool _measuredBefore;
    private long _measuredTicks;
    private DateTimeOffset _measureStartedAt;

    public Scenario Scenario { get; } = scenario;

    /// <summary>Whether any slice has been measured (an aborted run reports only those).</summary>
    public bool HasMeasured => _measuredBefore;

    public long InFlight => Interlocked.Read(ref _inFlight);

    /// <summary>How late the open model's pacer launched an iteration (stopwatch ticks); the worst of each interval is reported.</summary>
    public void LaunchedLate(long ticks)
    {
        var worst = Interlocked.Read(ref _maxLaunchLag);
        while (ticks > worst)
        {
            var seen = Interlocked.CompareExchange(ref _maxLaunchLag, ticks, worst);
            if (seen == worst)
            {
                return;
            }

            worst = seen;
        }
    }

    /// <summary>Whether an iteration failed in a way no step accounts for (a bug, not the target): the phase stops and rethrows it.</summary>
    public bool Faulted => Volatile.Read(ref _fault) is not null;

    /// <summary>
    /// Starts an iteration without keeping its task (the open model). Kept until the end of a phase,
    /// thousands of finished tasks a second outlived the runner's youngest generation, and each
    /// collection then copied them and paused the runner — which the open model charges to the target.
    /// <see cref="DrainedAsync"/> waits for the ones in flight instead.
    /// </summary>
    public void Launch(long intendedStart, CancellationToken cancellationToken) => _ = IterateAsync(intendedStart, cancellationToken);

    /// <summary>Completes once no iteration is in flight.</summary>
    public Task DrainedAsync()
    {
        var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref _drained, drained); // a full fence: an iteration ending now sees it, or this sees the count at 0
        if (Interlocked.Read(ref _inFlight) == 0)
        {
            drained.TrySetResult();
        }

        return drained.Task;
    }

    /// <summary>Rethrows the first unexpected failure of an iteration, if any.</summary>
    public void ThrowIfFaulted()
    {
        if (Volatile.Read(ref _fault) is { } fault)
        {
            ExceptionDispatchInfo.Throw(fault);
        }
    }

    /// <summary>Runs the steps of one iteration, timing the first from <paramref name="intendedStart"/>. It never throws: what no step accounts for is kept for <see cref="ThrowIfFaulted"/>.</summary>
    public async Task IterateAsync(long intendedStart, CancellationToken cancellationToken)
    {
        var sent = Stopwatch.GetTimestamp();
        Interlocked.Increment(ref _inFlight);
        var context = new StepContext(Interlocked.Increment(ref _iterations), cancellationToken);
        var stepStart = intendedStart;
        try
        {
            for (var i = 0; i < Scenario.Steps.Count; i++)
            {
                StepOutcome outcome;
                try
                {
                    outcome = await Scenario.Steps[i].Run(context);
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
                {
                    outcome = StepOutcome.Failure(ex is TaskCanceledException ? "timeout" : "connection: " + ex.GetType().Name);
                }

                var now = Stopwatch.GetTimestamp();
                _stats[i].Record(outcome, Microseconds(now - stepStart), Microseconds(now - sent));
                if (!outcome.Ok)
                {
                    return;
                }

                stepStart = sent = now;
            }
        }
        catch (Exception ex)
        {
            Interlocked.CompareExchange(ref _fault, ex, null);
        }
        finally
        {
            if (Interlocked.Decrement(ref _inFlight) == 0)
            {
                Volatile.Read(ref _drained)?.TrySetResult();
            }
        }
    }

    /// <summary>Starts a warm-up: what it records is dropped when measuring starts.</summary>
    public void StartWarmUp()
    {
        lock (_sampling)
        {
            _phaseStart = _lastSample = Stopwatch.GetTimestamp();
        }
    }

    /// <summary>
    /// Starts (or, after <see cref="StopMeasuring"/>, resumes) the measured clock. The first start drops
    /// what warm-up recorded; a resumed one starts from the figures of the slices before it.
    /// </summary>
    public void StartMeasuring()
    {
        lock (_sampling)
        {
            if (!_measuredBefore)
            {
                foreach (var stats in _stats)
                {
                    stats.TakeInterval(keep: false);
                    stats.ResetCounts();
                }

                _okAtLastSample = _failedAtLastSample = 0;
                _measureStartedAt = DateTimeOffset.UtcNow;
                _measuredBefore = true;
            }

            _runnerPauseAtLastSample = GC.GetTotalPauseDuration();
            _hostAtLastSample = HostCpu.Read();
            Interlocked.Exchange(ref _maxLaunchLag, 0);
            _phaseStart = _lastSample = Stopwatch.GetTimestamp();
            _lastSampleUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            _measuring = true;
        }
    }

    /// <summary>Takes the slice's last partial interval and stops the measured clock; returns that interval (null when not measuring).</summary>
    public IntervalSample? StopMeasuring()
    {
        if (!_measuring)
        {
            return null;
        }

        var last = Sample();
        lock (_sampling)
        {
            _measuredTicks += _lastSample - _phaseStart;
            _measuring = false;
        }

        return last;
    }

    /// <summary>One interval of the scenario's main step, for the console and the time series.</summary>
    public IntervalSample Sample()
    {
        lock (_sampling)
        {
            var now = Stopwatch.GetTimestamp();
            var seconds = Math.Max(1e-3, (now - _lastSample) / (double)Stopwatch.Frequency);
            var intervals = _stats.Select(s => s.TakeInterval(keep: _measuring)).ToArray();
            var nowUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var histogram = intervals[Scenario.MainStep];
            (histogram.StartTimeStamp, histogram.EndTimeStamp, histogram.Tag) = (_lastSampleUnixMs, nowUnixMs, Scenario.Name);
            _lastSampleUnixMs = nowUnixMs;
            var main = _stats[Scenario.MainStep];
            var (ok, failed) = (main.Ok, main.Failed);
            var runnerPause = GC.GetTotalPauseDuration();
            var launchLag = Interlocked.Exchange(ref _maxLaunchLag, 0);
            var host = HostCpu.Read();
            var sample = new IntervalSample(
                ((_measuring ? _measuredTicks : 0) + now - _phaseStart) / (double)Stopwatch.Frequency,
                seconds,
                _measuring,
                (ok - _okAtLastSample) / seconds,
                failed - _failedAtLastSample,
                Milliseconds(histogram, 50),
                Milliseconds(histogram, 99),
                histogram,
                (runnerPause - _runnerPauseAtLastSample).TotalMilliseconds,
                launchLag * 1000.0 / Stopwatch.Frequency,
                HostCpu.Between(_hostAtLastSample, host));
            (_okAtLastSample, _failedAtLastSample, _lastSample, _runnerPauseAtLastSample, _hostAtLastSample) = (ok, failed, now, runnerPause, host);
            if (_measuring)
            {
                _samples.Add(sample);
            }

            return sample;
        }
    }

    /// <summary>The measured slices added up: <paramref name="rounds"/> slices of <paramref name="simulation"/> taken in turns with other scenarios.</summary>
    public ScenarioResult Finish(LoadSimulation simulation, int rounds = 1)
    {
        var load = rounds > 1 ? $"{simulation.Describe()}, {rounds} alternating rounds" : simulation.Describe();
        StopMeasuring();
        lock (_sampling)
        {
            var steps = _stats.Select(s => new StepResult(s.Name, s.Ok, s.Failed, new Dictionary<string, long>(s.Errors, StringComparer.Ordinal), s.Total, s.TotalFromSend)).ToList();
            var seconds = Math.Max(1e-3, _measuredTicks / (double)Stopwatch.Frequency);
            return new ScenarioResult(Scenario, load, simulation is InjectRate, _measureStartedAt, seconds, steps, [.. _samples]);
        }
    }

    private static long Microseconds(long ticks) => ticks * 1_000_000 / Stopwatch.Frequency;

    private static double Milliseconds(HistogramBase histogram, double percentile) =>
        histogram.TotalCount == 0 ? 0 : histogram.GetValueAtPercentile(percentile) / 1000.0;
}
