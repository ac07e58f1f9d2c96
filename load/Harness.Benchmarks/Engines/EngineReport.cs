using System.Globalization;

namespace Harness.Benchmarks.Engines;

/// <summary>One engine's figures, passed from its process to the parent as a JSON line.</summary>
internal sealed class EngineResult
{
    public string Engine { get; set; } = "";
    public long Entries { get; set; }
    public int EntryBytes { get; set; }
    public double LargeBatchEntriesPerSecond { get; set; }
    public double LargeBatchCommitP50Ms { get; set; }
    public double LargeBatchCommitP99Ms { get; set; }
    public double SmallBatchEntriesPerSecond { get; set; }
    public double SmallBatchCommitP50Ms { get; set; }
    public double SmallBatchCommitP99Ms { get; set; }
    public MemoryFigure RssAfterWritesMb { get; set; } = new(0, 0);
    public double DiskMb { get; set; }
    public double CloseMs { get; set; }
    public double OpenMs { get; set; }
    public MemoryFigure RssAfterOpenMb { get; set; } = new(0, 0);
    public double HitsPerSecond { get; set; }
    public double MissesPerSecond { get; set; }
    public double FirstPagesPerSecond { get; set; }
    public int DeepSkip { get; set; }
    public double DeepPagesPerSecond { get; set; }
    public MemoryFigure RssAfterReadsMb { get; set; } = new(0, 0);
    public long? Expired { get; set; }
    public double? ExpiryMs { get; set; }
}

/// <summary>Resident memory in MB: all of it, and the anonymous part (without pages of mapped files).</summary>
internal sealed record MemoryFigure(double Total, double Anonymous)
{
    public override string ToString() => $"{Total.ToString("N0", CultureInfo.InvariantCulture)} ({Anonymous.ToString("N0", CultureInfo.InvariantCulture)})";
}

/// <summary>The comparison as Markdown tables, ready for docs/performance.md.</summary>
internal static class EngineReport
{
    public static void Print(IReadOnlyList<EngineResult> results)
    {
        if (results.Count == 0)
        {
            return;
        }

        Console.WriteLine();
        Console.WriteLine($"{results[0].Entries:N0} entries of {results[0].EntryBytes} bytes over 1,000 accounts");
        Table(results, "durable commit | batch 1024: entries/s | commit p50 / p99 ms | batch 64: entries/s | commit p50 / p99 ms",
            r => [N(r.LargeBatchEntriesPerSecond), $"{F(r.LargeBatchCommitP50Ms)} / {F(r.LargeBatchCommitP99Ms)}", N(r.SmallBatchEntriesPerSecond), $"{F(r.SmallBatchCommitP50Ms)} / {F(r.SmallBatchCommitP99Ms)}"]);
        Table(results, "claim lookup | hits/s | misses/s", r => [N(r.HitsPerSecond), N(r.MissesPerSecond)]);
        Table(results, $"newest-first page of 20 | skip 0: pages/s | skip {results[0].DeepSkip}: pages/s", r => [N(r.FirstPagesPerSecond), N(r.DeepPagesPerSecond)]);
        Table(results, "memory and disk | RSS (anonymous) after writes MB | on disk MB | bytes on disk per entry | close ms | reopen + first lookup ms | RSS (anonymous) after reopen MB | RSS (anonymous) after reads MB",
            r => [r.RssAfterWritesMb.ToString(), N(r.DiskMb), N(r.DiskMb * 1048576 / r.Entries), N(r.CloseMs), F(r.OpenMs), r.RssAfterOpenMb.ToString(), r.RssAfterReadsMb.ToString()]);
        Table(results, "claim expiry (older half) | claims deleted | ms", r => [r.Expired?.ToString("N0", CultureInfo.InvariantCulture) ?? "not offered", r.ExpiryMs is { } ms ? N(ms) : "—"]);
    }

    private static void Table(IReadOnlyList<EngineResult> results, string header, Func<EngineResult, string[]> cells)
    {
        var columns = header.Split(" | ");
        Console.WriteLine();
        Console.WriteLine("| " + string.Join(" | ", columns) + " |");
        Console.WriteLine("| --- |" + string.Concat(Enumerable.Repeat(" ---: |", columns.Length - 1)));
        foreach (var result in results)
        {
            Console.WriteLine($"| {result.Engine} | {string.Join(" | ", cells(result))} |");
        }
    }

    private static string N(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string F(double value) => value.ToString("0.0#", CultureInfo.InvariantCulture);
}
