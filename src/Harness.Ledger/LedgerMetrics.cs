using System.Diagnostics.Metrics;

namespace Harness.Ledger;

/// <summary>
/// The ledger's own figures, published as .NET metrics (meter <c>Harness.Ledger</c>), so a load
/// run can tell a slow commit from a slow request pipeline: <c>dotnet-counters monitor -p PID --counters
/// Harness.Ledger</c> shows their percentiles live. Recording costs next to nothing while nobody listens.
/// </summary>
internal static class LedgerMetrics
{
    public const string MeterName = "Harness.Ledger";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>One store commit: the write and the sync that make a batch durable.</summary>
    public static readonly Histogram<double> CommitDuration = Meter.CreateHistogram<double>(
        "harness.ledger.commit.duration", "ms", "Time to write and sync one batch to the store.");

    /// <summary>Postings decided together in one commit.</summary>
    public static readonly Histogram<int> BatchSize = Meter.CreateHistogram<int>(
        "harness.ledger.batch.size", "{posting}", "Postings decided in one batch.");

    /// <summary>From a posting's arrival at the ledger to its answer: queueing, deciding and the commit.</summary>
    public static readonly Histogram<double> PostingDuration = Meter.CreateHistogram<double>(
        "harness.ledger.posting.duration", "ms", "Time from a posting's arrival to its acknowledgement.");

    /// <summary>
    /// From the answer to the caller running again: for a posting another thread decided, the hand-off
    /// back to the thread pool, which waits for a free worker and a free CPU (about nothing when the
    /// caller decided its own). Measured only while someone listens (it costs a wrapper task per
    /// posting).
    /// </summary>
    public static readonly Histogram<double> ResumeDelay = Meter.CreateHistogram<double>(
        "harness.ledger.resume.delay", "ms", "Time from a posting's acknowledgement to its caller resuming.");
}
