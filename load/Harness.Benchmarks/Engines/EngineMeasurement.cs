using System.Diagnostics;

namespace Harness.Benchmarks.Engines;

/// <summary>One engine's run: fill, a small-batch run, close and reopen, lookups, pages, expiry.</summary>
internal static class EngineMeasurement
{
    private const int LargeBatch = 1024;
    private const int SmallBatch = 64;
    private const int SmallBatches = 256;
    private const int PageSize = 20;
    private static readonly TimeSpan ReadLimit = TimeSpan.FromSeconds(10);

    public static EngineResult Measure(string name, Func<string, IEngineStore> open, string directory, long entries)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        Directory.CreateDirectory(directory);
        var store = open(directory);
        var large = Write(store, 0, entries, LargeBatch);
        var small = Write(store, entries, SmallBatch * SmallBatches, SmallBatch);
        var written = entries + (SmallBatch * SmallBatches);
        var rssWritten = Rss();

        var closing = Stopwatch.StartNew();
        store.Dispose();
        closing.Stop();
        var disk = new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories).Sum(file => file.Length);

        var opening = Stopwatch.StartNew();
        store = open(directory);
        Expect(store.FindClaim(EngineWorkload.Scope(written / 2), EngineWorkload.Key(written / 2)) == written / 2, "the first lookup after reopening");
        opening.Stop();
        var rssOpened = Rss();

        var random = new Random(42);
        var hits = Rate(100_000, () =>
        {
            var id = random.NextInt64(written);
            Expect(store.FindClaim(EngineWorkload.Scope(id), EngineWorkload.Key(id)) == id, "a written key");
        });
        var misses = Rate(100_000, () =>
        {
            var id = written + random.NextInt64(written);
            Expect(store.FindClaim(EngineWorkload.Scope(id), EngineWorkload.Key(id)) is null, "an unwritten key");
        });
        var deepSkip = (int)Math.Min(1000, (written / EngineWorkload.Accounts) - PageSize);
        var firstPages = Rate(20_000, () => Expect(store.Page(EngineWorkload.Account(random.Next(EngineWorkload.Accounts)), 0, PageSize) > 0, "a first page"));
        var deepPages = Rate(2_000, () => Expect(store.Page(EngineWorkload.Account(random.Next(EngineWorkload.Accounts)), deepSkip, PageSize) > 0, "a deep page"));
        var rssRead = Rss();

        var expiring = Stopwatch.StartNew();
        var expired = store.ExpireClaims(EngineWorkload.CreatedAt(written / 2));
        expiring.Stop();
        store.Dispose();
        Directory.Delete(directory, recursive: true); // gigabytes at 2 M entries; the figures are taken
        Console.WriteLine($"{name}: done");

        return new EngineResult
        {
            Engine = name,
            Entries = written,
            EntryBytes = EngineWorkload.Entry(0).Body.Length,
            LargeBatchEntriesPerSecond = large.EntriesPerSecond,
            LargeBatchCommitP50Ms = large.P50Ms,
            LargeBatchCommitP99Ms = large.P99Ms,
            SmallBatchEntriesPerSecond = small.EntriesPerSecond,
            SmallBatchCommitP50Ms = small.P50Ms,
            SmallBatchCommitP99Ms = small.P99Ms,
            RssAfterWritesMb = rssWritten,
            DiskMb = disk / 1048576.0,
            CloseMs = closing.Elapsed.TotalMilliseconds,
            OpenMs = opening.Elapsed.TotalMilliseconds,
            RssAfterOpenMb = rssOpened,
            HitsPerSecond = hits,
            MissesPerSecond = misses,
            FirstPagesPerSecond = firstPages,
            DeepSkip = deepSkip,
            DeepPagesPerSecond = deepPages,
            RssAfterReadsMb = rssRead,
            Expired = expired,
            ExpiryMs = expired is null ? null : expiring.Elapsed.TotalMilliseconds,
        };
    }

    private static (double EntriesPerSecond, double P50Ms, double P99Ms) Write(IEngineStore store, long first, long count, int batchSize)
    {
        var commits = new List<double>();
        var reported = 0L;
        for (var id = first; id < first + count; id += batchSize)
        {
            var batch = EngineWorkload.Batch(id, (int)Math.Min(batchSize, first + count - id));
            var started = Stopwatch.GetTimestamp();
            store.Commit(batch);
            commits.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            if (id - first - reported >= count / 10)
            {
                reported = id - first;
                Console.WriteLine($"  batches of {batchSize}: {reported:N0} of {count:N0} entries, {reported / (commits.Sum() / 1000):N0} entries/s durable so far");
            }
        }

        commits.Sort();
        return (count / (commits.Sum() / 1000), commits[commits.Count / 2], commits[Math.Min(commits.Count - 1, (int)(commits.Count * 0.99))]);
    }

    /// <summary>Operations per second of <paramref name="operation"/>, run up to <paramref name="most"/> times or for <see cref="ReadLimit"/>.</summary>
    private static double Rate(int most, Action operation)
    {
        var watch = Stopwatch.StartNew();
        var done = 0;
        while (done < most && watch.Elapsed < ReadLimit)
        {
            operation();
            done++;
        }

        return done / watch.Elapsed.TotalSeconds;
    }

    private static void Expect(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidDataException($"The engine answered {what} wrongly.");
        }
    }

    /// <summary>
    /// The process's resident memory in MB, from /proc/self/status: all of it, and the anonymous part
    /// (heaps, not pages of mapped files, which the kernel can drop; LMDB reads through such a mapping).
    /// </summary>
    private static MemoryFigure Rss()
    {
        var status = File.ReadLines("/proc/self/status").ToList();
        return new MemoryFigure(Field("VmRSS:"), Field("RssAnon:"));

        double Field(string name) =>
            long.Parse(status.First(line => line.StartsWith(name, StringComparison.Ordinal))[name.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) / 1024.0;
    }
}
