using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Harness.Ledger;
using Harness.Ledger.Store;
using Microsoft.Extensions.Logging.Abstractions;

namespace Harness.LedgerFill;

/// <summary>
/// Fills a fresh ledger store with consume entries, written straight through
/// <see cref="RocksLedgerStore.Commit"/> in batches as the group commit makes them (no HTTP, no
/// queue), sampling the process's resident memory every tenth of the way; then closes it and times a
/// restart of the ledger over it, and checks that the restarted ledger posts, replays, pages and
/// audits. The last line of the output is the report as JSON; the exit code is 0 only if every check passed.
/// </summary>
internal static class FillCommand
{
    // What the group commit's batches hold at most (LedgerOptions.MaxBatchSize).
    private const int BatchSize = 1024;

    // Every account starts with this credit: no consume of the fill is refused, however many there are.
    private const long StartingCredit = 1_000_000_000_000;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        FillOptions options;
        try
        {
            options = FillOptions.Parse(args);
        }
        catch (ArgumentException ex)
        {
            output.WriteLine(ex.Message);
            output.WriteLine(FillOptions.Usage);
            return 2;
        }

        if (Directory.Exists(options.Directory) && Directory.EnumerateFileSystemEntries(options.Directory).Any())
        {
            output.WriteLine($"{options.Directory} is not empty; the fill starts from an empty store.");
            return 2;
        }

        output.WriteLine(Invariant($"Filling {options.Directory}: {options.Entries:N0} consume entries over {options.Accounts:N0} accounts, memory budget {options.BudgetBytes >> 20} MB, Server GC {System.Runtime.GCSettings.IsServerGC}"));
        var consumes = new ConsumeEntries(options.Accounts);
        var fill = Fill(options, consumes, output);

        // What the closed store and the fill left on the heap goes, so the restart starts from what a new process would hold.
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        var rssBeforeRestart = ProcessMemory.RssMb();
        output.WriteLine(Invariant($"Store closed, collected: RSS {rssBeforeRestart:N1} MB"));

        var restart = await RestartAsync(options, consumes, fill, output);
        var report = new FillReport(
            options.Entries,
            options.Accounts,
            options.BudgetBytes >> 20,
            Math.Round(fill.EntriesPerSecond),
            ProcessMemory.PeakRssMb(),
            fill.Samples.First(s => s.Entries * 2 >= options.Entries).RssMb,
            fill.Samples[^1].RssMb,
            rssBeforeRestart,
            restart.RssMb,
            Math.Round(restart.Seconds, 3),
            DirectoryBytes(options.Directory),
            fill.Samples,
            restart.Checks,
            restart.Checks.All(c => c.Passed));
        output.WriteLine(JsonSerializer.Serialize(report, Json));
        return report.Passed ? 0 : 1;
    }

    private static FillResult Fill(FillOptions options, ConsumeEntries consumes, TextWriter output)
    {
        var balances = new long[consumes.Accounts];
        var samples = new List<RssSample>(10);
        long lastId = 0;
        using var store = new RocksLedgerStore(options.Directory, options.BudgetBytes);

        // One credit per account first, as an admin adjustment would post it.
        for (var first = 0; first < consumes.Accounts; first += BatchSize)
        {
            var now = Now();
            var entries = new List<LedgerEntry>(BatchSize);
            var touched = new List<AccountBalance>(BatchSize);
            for (var account = first; account < Math.Min(first + BatchSize, consumes.Accounts); account++)
            {
                entries.Add(new LedgerEntry { Id = ++lastId, AccountId = consumes.Account(account), Amount = StartingCredit, BalanceAfter = StartingCredit, CreatedAt = now, Kind = "adjust", Reference = "fill-credit" });
                balances[account] = StartingCredit;
                touched.Add(new AccountBalance(consumes.Account(account), StartingCredit, now));
            }

            store.Commit(new LedgerBatch(entries, touched));
        }

        var firstConsumeId = lastId + 1;
        var touchedAccounts = new HashSet<int>();
        var nextTenth = 1;
        var watch = Stopwatch.StartNew();
        for (long first = 0; first < options.Entries; first += BatchSize)
        {
            var now = Now();
            var count = (int)Math.Min(BatchSize, options.Entries - first);
            var entries = new List<LedgerEntry>(count);
            touchedAccounts.Clear();
            for (var ordinal = first; ordinal < first + count; ordinal++)
            {
                var consume = consumes.Describe(ordinal);
                var account = consumes.AccountOf(ordinal);
                entries.Add(consume.ToEntry(++lastId, balances[account], now));
                balances[account] -= consume.Coins;
                touchedAccounts.Add(account);
            }

            store.Commit(new LedgerBatch(entries, [.. touchedAccounts.Select(a => new AccountBalance(consumes.Account(a), balances[a], now))]));

            var written = first + count;
            if (written * 10 >= nextTenth * options.Entries)
            {
                var sample = new RssSample(written, ProcessMemory.RssMb(), ProcessMemory.RssAnonMb(), ProcessMemory.ManagedCommittedMb(), Math.Round(watch.Elapsed.TotalSeconds, 2));
                samples.Add(sample);
                output.WriteLine(Invariant($"{written,14:N0} entries  {written / watch.Elapsed.TotalSeconds,9:N0}/s  RSS {sample.RssMb,7:N1} MB (anonymous {sample.RssAnonMb,7:N1}, managed heap committed {sample.ManagedCommittedMb,6:N1})"));
                while (written * 10 >= nextTenth * options.Entries)
                {
                    nextTenth++;
                }
            }
        }

        var seconds = watch.Elapsed.TotalSeconds;
        output.WriteLine(Invariant($"Filled in {seconds:N1} s: {options.Entries / seconds:N0} entries/s; closing the store"));
        return new FillResult(firstConsumeId, lastId, balances, options.Entries / seconds, samples);
    }

    /// <summary>Opens the store and the ledger over it as a start does (timed until the ledger is constructed), then checks it works.</summary>
    private static async Task<RestartResult> RestartAsync(FillOptions options, ConsumeEntries consumes, FillResult fill, TextWriter output)
    {
        var watch = Stopwatch.StartNew();
        using var store = new RocksLedgerStore(options.Directory, options.BudgetBytes);
        using var ledger = new GroupCommitLedger(store, TimeProvider.System, new LedgerOptions { MemoryBudget = options.BudgetBytes }, NullLogger<GroupCommitLedger>.Instance);
        var seconds = watch.Elapsed.TotalSeconds;
        var rss = ProcessMemory.RssMb();
        output.WriteLine(Invariant($"Restarted in {seconds:N3} s over {ledger.EntryCount:N0} entries: RSS {rss:N1} MB"));

        var checks = new List<FillCheck>();
        void Check(string name, bool passed, string detail, Stopwatch took)
        {
            checks.Add(new FillCheck(name, passed, detail));
            output.WriteLine(Invariant($"  {(passed ? "ok  " : "FAIL")} {name}: {detail} ({took.Elapsed.TotalMilliseconds:N1} ms)"));
        }

        var step = Stopwatch.StartNew();
        var total = fill.LastId;
        var wrongBalances = Enumerable.Range(0, consumes.Accounts).Count(a => ledger.GetBalance(consumes.Account(a)).Balance != fill.Balances[a]);
        Check("checkpoint", ledger.EntryCount == total && wrongBalances == 0, Invariant($"{ledger.EntryCount:N0} entries counted (written {total:N0}), {wrongBalances} of {consumes.Accounts:N0} balances differ from those written"), step);

        step.Restart();
        var fresh = consumes.Describe(options.Entries); // the first ordinal the fill did not write
        var freshAccount = consumes.AccountOf(options.Entries);
        var posted = await ledger.PostAsync(fresh.ToPosting());
        Check("new key", posted is { Status: LedgerStatus.Applied, Entry.Id: var id } && id == total + 1 && posted.Balance == fill.Balances[freshAccount] - fresh.Coins, Invariant($"{posted.Status}, entry {posted.Entry?.Id}, balance {posted.Balance:N0}"), step);

        step.Restart();
        var first = consumes.Describe(0);
        var replayed = await ledger.PostAsync(first.ToPosting());
        Check("replay of the first batch's key", replayed is { Status: LedgerStatus.Replayed, Entry: { } entry } && entry.Id == fill.FirstConsumeId && entry.Amount == -first.Coins, Invariant($"{replayed.Status}, entry {replayed.Entry?.Id}"), step);

        step.Restart();
        var page = ledger.Query(new LedgerQuery(new LedgerFilter(fresh.AccountId), 0, 20));
        var expectedTotal = 1 + (options.Entries / consumes.Accounts) + (freshAccount < options.Entries % consumes.Accounts ? 1 : 0) + 1;
        Check("query page", page.Items.Count == Math.Min(20, expectedTotal) && page.Total == expectedTotal && page.Items[0].Id == posted.Entry?.Id, Invariant($"{page.Items.Count} of {page.Total:N0} entries of {fresh.AccountId}, newest {(page.Items.Count > 0 ? page.Items[0].Id : null)}"), step);

        step.Restart();
        var consumed = (int)expectedTotal - 1; // all but the account's credit
        var deepest = ledger.Query(new LedgerQuery(new LedgerFilter(fresh.AccountId) { Kind = "consume" }, Math.Max(0, consumed - 20), 20));
        var inOrder = deepest.Items.Zip(deepest.Items.Skip(1)).All(p => p.First.Id > p.Second.Id) && deepest.Items.All(e => e.Kind == "consume");
        Check("oldest consume page", deepest.Total == consumed && deepest.Items.Count == Math.Min(20, consumed) && inOrder, Invariant($"{deepest.Items.Count} of {deepest.Total:N0} consumes of {fresh.AccountId}, oldest {(deepest.Items.Count > 0 ? deepest.Items[^1].Id : null)}"), step);

        step.Restart();
        var audit = ledger.Audit();
        var audited = audit.Accounts.Sum(a => a.EntryCount);
        Check("audit", audit.Consistent && audit.Accounts.Count == consumes.Accounts && audited == total + 1, Invariant($"{(audit.Consistent ? "consistent" : "INCONSISTENT")}, {audit.Accounts.Count:N0} accounts, {audited:N0} entries"), step);
        return new RestartResult(seconds, rss, checks);
    }

    private static long DirectoryBytes(string directory) =>
        new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);

    /// <summary>UTC now at the millisecond precision the store keeps, as the ledger stamps a batch.</summary>
    private static DateTime Now()
    {
        var ticks = DateTime.UtcNow.Ticks;
        return new DateTime(ticks - (ticks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed record FillResult(long FirstConsumeId, long LastId, long[] Balances, double EntriesPerSecond, List<RssSample> Samples);

    private sealed record RestartResult(double Seconds, double RssMb, List<FillCheck> Checks);
}

/// <param name="Entries">Consume entries written so far.</param>
/// <param name="RssMb">The process's resident set then.</param>
/// <param name="RssAnonMb">Its anonymous part (heaps, not mapped files).</param>
/// <param name="ManagedCommittedMb">What the garbage collector had committed (the rest of the anonymous part is native: RocksDB's).</param>
/// <param name="Seconds">Since the first consume batch.</param>
internal sealed record RssSample(long Entries, double RssMb, double RssAnonMb, double ManagedCommittedMb, double Seconds);

/// <param name="Name">What was checked after the restart.</param>
/// <param name="Passed">Whether it held.</param>
/// <param name="Detail">What was seen.</param>
internal sealed record FillCheck(string Name, bool Passed, string Detail);

/// <summary>The JSON line the fill ends with (the process test reads it).</summary>
/// <param name="Entries">Consume entries written (the accounts' credits come on top).</param>
/// <param name="Accounts">Accounts they were spread over.</param>
/// <param name="BudgetMb">The ledger's memory budget.</param>
/// <param name="EntriesPerSecond">Consume entries per second over the fill, building them included.</param>
/// <param name="PeakRssMb">The process's highest resident set (<c>VmHWM</c>), fill and restart included.</param>
/// <param name="RssAtHalfMb">The first sample at or past half the entries.</param>
/// <param name="RssAtEndMb">The sample after the last batch.</param>
/// <param name="RssBeforeRestartMb">After the store was closed and the heap collected.</param>
/// <param name="RssAfterRestartMb">Once the restarted ledger was constructed.</param>
/// <param name="RestartSeconds">Opening the store and constructing the ledger.</param>
/// <param name="DataDirBytes">The store's files after it was closed again.</param>
/// <param name="Samples">Resident set every tenth of the entries.</param>
/// <param name="Checks">What the restarted ledger was asked.</param>
/// <param name="Passed">Every check held.</param>
internal sealed record FillReport(
    long Entries,
    int Accounts,
    long BudgetMb,
    double EntriesPerSecond,
    double PeakRssMb,
    double RssAtHalfMb,
    double RssAtEndMb,
    double RssBeforeRestartMb,
    double RssAfterRestartMb,
    double RestartSeconds,
    long DataDirBytes,
    IReadOnlyList<RssSample> Samples,
    IReadOnlyList<FillCheck> Checks,
    bool Passed);
