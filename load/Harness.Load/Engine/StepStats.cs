using System.Collections.Concurrent;
using HdrHistogram;

namespace Harness.Load.Engine;

/// <summary>
/// Counters and the latency recorder of one step. Latencies are recorded in microseconds for successful
/// calls; failures are counted by kind. The recorder hands out interval histograms once a second, which
/// feed the live console line, the time series and the raw histogram log.
/// </summary>
public sealed class StepStats
{
    /// <summary>One minute, in microseconds: anything slower is recorded as one minute.</summary>
    public const long HighestLatency = 60_000_000;

    private readonly Recorder _recorder = NewRecorder();
    private readonly Recorder _fromSendRecorder = NewRecorder();
    private readonly ConcurrentDictionary<string, long> _errors = new(StringComparer.Ordinal);
    private long _ok;
    private long _failed;

    public StepStats(string name)
    {
        Name = name;
        Total = new LongHistogram(HighestLatency, 3);
        TotalFromSend = new LongHistogram(HighestLatency, 3);
    }

    public string Name { get; }

    /// <summary>Every interval of the measurement added up.</summary>
    public LongHistogram Total { get; }

    /// <summary>
    /// The same calls timed from when the runner made them rather than when they were due: equal to
    /// <see cref="Total"/> in the closed model and for every step after an iteration's first; in the
    /// open model the difference is the runner's own lateness (the uncorrected latency wrk2 also shows).
    /// </summary>
    public LongHistogram TotalFromSend { get; }

    public long Ok => Interlocked.Read(ref _ok);

    public long Failed => Interlocked.Read(ref _failed);

    public IReadOnlyDictionary<string, long> Errors => _errors;

    public void Record(StepOutcome outcome, long latencyMicroseconds, long fromSendMicroseconds)
    {
        if (outcome.Ok)
        {
            Interlocked.Increment(ref _ok);
            _recorder.RecordValue(Math.Clamp(latencyMicroseconds, 1, HighestLatency));
            _fromSendRecorder.RecordValue(Math.Clamp(fromSendMicroseconds, 1, HighestLatency));
        }
        else
        {
            Interlocked.Increment(ref _failed);
            _errors.AddOrUpdate(outcome.Error ?? "error", 1, static (_, n) => n + 1);
        }
    }

    /// <summary>Takes what was recorded since the previous call; when <paramref name="keep"/>, adds it to <see cref="Total"/>.</summary>
    public HistogramBase TakeInterval(bool keep)
    {
        var interval = _recorder.GetIntervalHistogram();
        var fromSend = _fromSendRecorder.GetIntervalHistogram();
        if (keep)
        {
            Total.Add(interval);
            TotalFromSend.Add(fromSend);
        }

        return interval;
    }

    private static Recorder NewRecorder() => new(1, HighestLatency, 3, (id, low, high, digits) => new LongConcurrentHistogram(id, low, high, digits));

    /// <summary>Forgets counts (the end of warm-up).</summary>
    public void ResetCounts()
    {
        Interlocked.Exchange(ref _ok, 0);
        Interlocked.Exchange(ref _failed, 0);
        _errors.Clear();
    }
}
