namespace Harness.Load.Engine;

/// <summary>
/// How load is applied, as in NBomber: an open model injects iterations at an arrival rate whatever the
/// target does (so a slow target builds a queue, which the latency must show), a closed model keeps a
/// fixed number of iterations in flight (so a slow target slows the load down).
/// </summary>
public abstract record LoadSimulation(TimeSpan Duration)
{
    /// <summary>A short description for the console and the report, e.g. <c>open 500/s</c>.</summary>
    public abstract string Describe();

    /// <summary>The same shape cut to <paramref name="duration"/> (warm-up runs the start of the load).</summary>
    public abstract LoadSimulation Truncated(TimeSpan duration);
}

/// <summary>Open model: the arrival rate goes linearly from <see cref="From"/> to <see cref="To"/> per second (equal: constant rate).</summary>
public sealed record InjectRate(double From, double To, TimeSpan Duration) : LoadSimulation(Duration)
{
    public static InjectRate Constant(double rate, TimeSpan duration) => new(rate, rate, duration);

    public bool IsConstant => From.Equals(To);

    public override string Describe() => IsConstant ? $"open {From:0.##}/s" : $"open ramp {From:0.##}→{To:0.##}/s";

    public override LoadSimulation Truncated(TimeSpan duration) =>
        duration >= Duration ? this : this with { To = RateAt(duration), Duration = duration };

    public double RateAt(TimeSpan elapsed) => From + ((To - From) * Math.Min(1, elapsed / Duration));

    /// <summary>How many iterations are due by <paramref name="elapsed"/>: the integral of the rate.</summary>
    public long ArrivalsBy(TimeSpan elapsed)
    {
        var t = Math.Min(elapsed.TotalSeconds, Duration.TotalSeconds);
        return (long)Math.Floor((From * t) + ((To - From) * t * t / (2 * Duration.TotalSeconds)));
    }

    /// <summary>When iteration <paramref name="index"/> (0-based) is due: the inverse of <see cref="ArrivalsBy"/>.</summary>
    public TimeSpan IntendedStart(long index)
    {
        var n = index + 1.0;
        var a = (To - From) / (2 * Duration.TotalSeconds);
        var seconds = Math.Abs(a) < 1e-12
            ? n / From
            : (-From + Math.Sqrt((From * From) + (4 * a * n))) / (2 * a);
        return TimeSpan.FromSeconds(seconds);
    }
}

/// <summary>Closed model: <see cref="Copies"/> iterations in flight for the whole duration.</summary>
public sealed record KeepConcurrency(int Copies, TimeSpan Duration) : LoadSimulation(Duration)
{
    public override string Describe() => $"closed {Copies} concurrent";

    public override LoadSimulation Truncated(TimeSpan duration) => duration >= Duration ? this : this with { Duration = duration };
}
