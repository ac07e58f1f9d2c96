using System.Globalization;

namespace Harness.Load.Soak;

/// <summary>
/// One soak sample: the interval's latency and errors with the backend's state at its end. The process
/// figures are null where the runner cannot see them (a target by URL), the entry count where the
/// target does not offer <c>GET /api/admin/ledger/stats</c> to the run's admin.
/// </summary>
/// <param name="ElapsedSeconds">Measured time at the end of the interval.</param>
/// <param name="RssBytes">The backend process's resident set (<c>VmRSS</c>).</param>
/// <param name="Entries">The ledger's entry count.</param>
/// <param name="Acknowledged">Consumes acknowledged since the run began.</param>
/// <param name="P50Ms">The interval's median latency.</param>
/// <param name="P99Ms">The interval's 99th percentile.</param>
/// <param name="Errors">Failed consumes in the interval.</param>
/// <param name="DiskBytes">Bytes under the backend's data directory.</param>
/// <param name="RunnerRssBytes">The runner's own resident set: it journals every key for the audit, so a long soak shows what that costs.</param>
public sealed record SoakSample(double ElapsedSeconds, long? RssBytes, long? Entries, long Acknowledged, double P50Ms, double P99Ms, long Errors, long? DiskBytes, long RunnerRssBytes);

/// <summary>A soak's samples, the rate it ran at and why any figure is missing.</summary>
/// <param name="Rate">The arrival rate, per second.</param>
/// <param name="RateSource">How the rate was chosen (given, or half the measured maximum).</param>
/// <param name="SampleEvery">The sample interval.</param>
/// <param name="Samples">One per interval, in order.</param>
/// <param name="Notes">Why figures are n/a, when they are.</param>
public sealed record SoakResult(double Rate, string RateSource, TimeSpan SampleEvery, IReadOnlyList<SoakSample> Samples, IReadOnlyList<string> Notes)
{
    /// <summary>The flatness rule needs this many samples: ten to settle, ten to judge.</summary>
    public const int SamplesForVerdict = 20;

    /// <summary>The last ten samples may differ from the tenth by at most this share.</summary>
    public const double Tolerance = 0.10;

    /// <summary>
    /// Issue #30's rule: RSS is flat when each of the last ten samples is within 10 % of the tenth sample
    /// (the first nine are the warm-up of caches and the heap); judged from twenty samples on, null before
    /// that or when RSS was not read.
    /// </summary>
    public bool? RssFlat => Samples.Count < SamplesForVerdict || Samples.Any(s => s.RssBytes is null) ? null : OutsideTolerance().Count == 0;

    /// <summary>The rule's verdict in words, for the console and the reports.</summary>
    public string RssVerdict()
    {
        if (Samples.Any(s => s.RssBytes is null))
        {
            return "RSS flat: not measured (the backend's process is not visible to the runner)";
        }

        if (RssFlat is not { } flat)
        {
            return $"RSS flat: not enough samples ({Samples.Count} of the {SamplesForVerdict} the rule needs)";
        }

        var tenth = Samples[9].RssBytes!.Value;
        var outside = OutsideTolerance();
        return flat
            ? string.Create(CultureInfo.InvariantCulture, $"RSS flat: yes, the last ten samples are within 10 % of the tenth ({Megabytes(tenth)} MB)")
            : string.Create(CultureInfo.InvariantCulture, $"RSS flat: NO, {outside.Count} of the last ten samples are more than 10 % from the tenth ({Megabytes(tenth)} MB), up to {Megabytes(outside.Max(s => s.RssBytes!.Value))} MB");
    }

    private List<SoakSample> OutsideTolerance()
    {
        var tenth = Samples[9].RssBytes!.Value;
        return [.. Samples.TakeLast(10).Where(s => Math.Abs(s.RssBytes!.Value - tenth) > tenth * Tolerance)];
    }

    public static string Megabytes(long bytes) => (bytes / 1_048_576.0).ToString("0.0", CultureInfo.InvariantCulture);
}
