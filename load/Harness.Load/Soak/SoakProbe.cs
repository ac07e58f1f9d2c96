using System.Globalization;
using Harness.Load.Audit;
using Harness.Load.Engine;
using Harness.Load.Target;

namespace Harness.Load.Soak;

/// <summary>
/// Reads the backend's state at each soak sample: its process's resident set and its data directory's
/// size (the built-in backend only: a target by URL runs where the runner cannot look), the ledger's
/// entry count (<c>GET /api/admin/ledger/stats</c>, a counter the backend keeps, when the target offers
/// it) and the consumes acknowledged so far; prints one line per sample and keeps it for the report.
/// </summary>
public sealed class SoakProbe(LoadTarget target, ConsumeJournal journal, TextWriter console)
{
    private readonly List<SoakSample> _samples = [];
    private bool _entriesOffered = true;

    public IReadOnlyList<SoakSample> Samples => _samples;

    /// <summary>Why a column is n/a, for the report.</summary>
    public IReadOnlyList<string> Notes()
    {
        var notes = new List<string>();
        if (target.Backend is null)
        {
            notes.Add("Backend RSS and disk n/a: the runner did not start this backend (a target by URL), so its process and data directory are not the runner's to read; watch them on the target's host.");
        }

        if (!_entriesOffered)
        {
            notes.Add(target.AdminToken is null
                ? "entries n/a: no admin token for the target (give adminJwt in the profile)."
                : "entries n/a: the target does not offer GET /api/admin/ledger/stats to the run's admin.");
        }

        return notes;
    }

    /// <summary>Takes one sample at the end of <paramref name="interval"/>.</summary>
    public async Task RecordAsync(IntervalSample interval)
    {
        // Counted before the entries are asked for: consumes keep being acknowledged meanwhile, and every one counted
        // here must already be among the entries the backend reports, so entries ≥ acknowledged in every sample.
        var acknowledged = journal.AcknowledgedKeys;
        var sample = new SoakSample(
            interval.Second,
            target.Backend is { } backend ? ResidentSetBytes(backend.ProcessId) : null,
            await EntriesAsync(),
            acknowledged,
            interval.P50Ms,
            interval.P99Ms,
            interval.Failed,
            target.Backend is { } data ? DirectoryBytes(data.DataDirectory) : null,
            Environment.WorkingSet);
        _samples.Add(sample);
        await console.WriteLineAsync(string.Create(
            CultureInfo.InvariantCulture,
            $"  soak {Elapsed(sample.ElapsedSeconds),8}  rss {Mb(sample.RssBytes),8}  entries {Count(sample.Entries),11}  acknowledged {sample.Acknowledged,11:N0}  p50 {sample.P50Ms,7:0.00} ms  p99 {sample.P99Ms,7:0.00} ms  errors {sample.Errors,5}  disk {Mb(sample.DiskBytes),9}  runner {Mb(sample.RunnerRssBytes),9}"));
    }

    /// <summary>Elapsed time as <c>m:ss</c>.</summary>
    /// <summary>Minutes and seconds, rounded to the second first (59.6 s is 1:00, not 0:60).</summary>
    public static string Elapsed(double seconds)
    {
        var whole = (long)Math.Round(seconds);
        return string.Create(CultureInfo.InvariantCulture, $"{whole / 60}:{whole % 60:00}");
    }

    public static string Mb(long? bytes) => bytes is { } b ? SoakResult.Megabytes(b) + " MB" : "n/a";

    public static string Count(long? count) => count?.ToString("N0", CultureInfo.InvariantCulture) ?? "n/a";

    /// <summary><c>VmRSS</c> of <c>/proc/PID/status</c>, in bytes; null where there is no such file (not Linux, or the process is gone).</summary>
    public static long? ResidentSetBytes(int processId)
    {
        try
        {
            var line = File.ReadLines($"/proc/{processId}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            var kilobytes = line?["VmRSS:".Length..].Trim().Split(' ')[0];
            return long.TryParse(kilobytes, NumberStyles.None, CultureInfo.InvariantCulture, out var kb) ? kb * 1024 : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The bytes of every file under <paramref name="directory"/> (files may come and go while it counts).</summary>
    public static long DirectoryBytes(string directory)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true };
        return new DirectoryInfo(directory).EnumerateFiles("*", options).Sum(f =>
        {
            try
            {
                return f.Length;
            }
            catch (FileNotFoundException)
            {
                return 0L;
            }
        });
    }

    private async Task<long?> EntriesAsync()
    {
        if (!_entriesOffered || target.AdminToken is not { } admin)
        {
            _entriesOffered = false;
            return null;
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var entries = await target.Api.LedgerEntriesAsync(admin, timeout.Token);
            _entriesOffered = entries is not null;
            return entries;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or LoadSetupException)
        {
            return null; // this sample only: a busy or restarting target may answer the next
        }
    }
}
