using System.Globalization;
using System.Net;
using Harness.Load.Audit;
using Harness.Load.Target;

namespace Harness.Benchmarks;

/// <summary>
/// The load runner's consume journal, which holds every key a run sent until its audit: the managed memory it
/// keeps per key, and what the audit's snapshot and one user's histories add. Keys shaped as the runner's.
/// </summary>
internal static class JournalMemory
{
    private const int Users = 16;

    public static int Run(string[] args)
    {
        var keys = args is ["--keys", var count] ? int.Parse(count, CultureInfo.InvariantCulture) : 2_000_000;
        var journal = new ConsumeJournal();
        var empty = GC.GetTotalMemory(forceFullCollection: true);
        for (var i = 0; i < keys; i++)
        {
            var reply = new ConsumeReply(HttpStatusCode.OK, 0, (1_000_000_000 + i).ToString(CultureInfo.InvariantCulture), 4, false);
            journal.SendAsync("u_" + (i % Users).ToString("x8", CultureInfo.InvariantCulture), $"20261205-040711-6aa6-consume-unique-{i}", 1000, () => Task.FromResult(reply))
                .GetAwaiter().GetResult();
        }

        var journaled = GC.GetTotalMemory(forceFullCollection: true);
        var snapshot = journal.Snapshot();
        var snapped = GC.GetTotalMemory(forceFullCollection: true);
        var oneUser = snapshot.KeysOf("u_00000000").ToList();
        var withUser = GC.GetTotalMemory(forceFullCollection: true);

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{keys:N0} keys over {Users} users"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  journal:                  {PerKey(journaled - empty, keys)} bytes per key"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  audit snapshot:           {PerKey(snapped - journaled, keys)} bytes per key"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  one user's histories:     {PerKey(withUser - snapped, oneUser.Count)} bytes per key of that user ({oneUser.Count:N0} keys)"));
        GC.KeepAlive(journal);
        return 0;
    }

    private static string PerKey(long bytes, long keys) => (bytes / (double)keys).ToString("0.0", CultureInfo.InvariantCulture);
}
