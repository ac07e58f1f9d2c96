using Harness.Ledger.Store;
using Microsoft.Extensions.Logging.Abstractions;

namespace Harness.Ledger.Tests;

/// <summary>The group-commit ledger across failed commits and restarts on its RocksDB store: what is acknowledged survives, and only that.</summary>
public sealed class LedgerRestartTests : IDisposable
{
    private readonly LedgersOnDisk _disk = new("ledger-restart");

    public void Dispose() => _disk.Dispose();

    [Fact]
    public async Task A_failed_commit_acknowledges_nothing_and_remembers_nothing()
    {
        var store = new FlakyStore(_disk.OpenStore());
        var ledger = _disk.OpenLedger(store);
        await ledger.PostAsync(Credit("a", 100));

        store.FailingCommits = 1;
        await Assert.ThrowsAsync<LedgerUnavailableException>(() => ledger.PostAsync(Debit("a", 30, "k")));
        Assert.Equal(100, ledger.GetBalance("a").Balance);

        var retried = await ledger.PostAsync(Debit("a", 30, "k"));
        Assert.Equal(LedgerStatus.Applied, retried.Status);
        Assert.Equal(70, ledger.GetBalance("a").Balance);
        Assert.True(ledger.Audit().Consistent);
    }

    [Fact]
    public async Task A_restart_rebuilds_balances_keys_and_the_entry_sequence_from_the_store()
    {
        var (ledger, _) = _disk.Open();
        await ledger.PostAsync(Credit("a", 100));
        var charged = await ledger.PostAsync(Debit("a", 25, "k"));
        _disk.CloseAll();

        var (reopened, _) = _disk.Open();
        var replay = await reopened.PostAsync(Debit("a", 25, "k"));
        var next = await reopened.PostAsync(Debit("a", 5, "k2"));

        Assert.Equal(70, reopened.GetBalance("a").Balance);
        Assert.Equal(LedgerStatus.Replayed, replay.Status);
        Assert.Equal(charged.Entry!.Id, replay.Entry!.Id);
        Assert.Equal(charged.Entry.Id + 1, next.Entry!.Id);
    }

    [Fact]
    public async Task Every_field_of_an_entry_survives_a_restart_exactly()
    {
        var (ledger, _) = _disk.Open();
        await ledger.PostAsync(Credit("a", 100));
        var posted = await ledger.PostAsync(Debit("a", 7, "k") with
        {
            Category = "TOKEN",
            Subject = "agent-chat",
            Reference = "  biz-1 ",
            Details = new(StringComparer.Ordinal) { ["tokens"] = "1000", ["rate"] = "2" },
            Metadata = new(StringComparer.Ordinal) { ["中文"] = "值 ✓", ["empty"] = "" },
        });
        _disk.CloseAll();

        var (reopened, _) = _disk.Open();
        var stored = reopened.Query(new LedgerQuery(new LedgerFilter("a"), 0, 10)).Items;

        var original = posted.Entry!;
        var entry = Assert.Single(stored, e => e.Id == original.Id);
        Assert.Equivalent(original, entry, strict: true);
        Assert.Equal(DateTimeKind.Utc, entry.CreatedAt.Kind);
        Assert.Null(Assert.Single(stored, e => e.Kind == "test-credit").IdempotencyKey);
    }

    /// <summary>Commits encode into pooled buffers: a small record after a large one must carry none of it.</summary>
    [Fact]
    public async Task A_small_record_after_a_large_one_reads_back_exactly()
    {
        var (ledger, _) = _disk.Open();
        await ledger.PostAsync(Credit("a", 1_000));
        var posted = new List<LedgerEntry>
        {
            (await ledger.PostAsync(Debit("a", 1, "large") with { Metadata = new(StringComparer.Ordinal) { ["blob"] = new string('x', 20_000) } })).Entry!,
        };
        for (var i = 0; i < 5; i++)
        {
            posted.Add((await ledger.PostAsync(Debit("a", 1, $"small-{i}"))).Entry!);
        }

        _disk.CloseAll();

        var (reopened, _) = _disk.Open();
        var stored = reopened.Query(new LedgerQuery(new LedgerFilter("a"), 0, 10)).Items;
        Assert.Equal(994, reopened.GetBalance("a").Balance);
        foreach (var original in posted)
        {
            Assert.Equivalent(original, Assert.Single(stored, e => e.Id == original.Id), strict: true);
        }
    }

    [Fact]
    public async Task A_key_reused_after_it_expired_replays_its_newest_charge_after_a_restart()
    {
        var options = new LedgerOptions { IdempotencyRetention = TimeSpan.FromHours(1) };
        var (ledger, _) = _disk.Open(options);
        await ledger.PostAsync(Credit("a", 100));
        var first = await ledger.PostAsync(Debit("a", 10, "k"));
        _disk.Clock.Advance(TimeSpan.FromHours(2));
        var second = await ledger.PostAsync(Debit("a", 10, "k"));
        _disk.CloseAll();

        var (reopened, _) = _disk.Open(options);
        var replay = await reopened.PostAsync(Debit("a", 10, "k"));

        Assert.Equal(LedgerStatus.Applied, second.Status); // the first record had expired: a new charge
        Assert.NotEqual(first.Entry!.Id, second.Entry!.Id);
        Assert.Equal(LedgerStatus.Replayed, replay.Status);
        Assert.Equal(second.Entry.Id, replay.Entry!.Id);
        Assert.Equal(80, reopened.GetBalance("a").Balance);
    }

    [Fact]
    public async Task The_entry_count_counts_committed_entries_only_and_survives_a_restart()
    {
        var (ledger, _) = _disk.Open();
        await ledger.PostAsync(Credit("a", 100));
        await ledger.PostAsync(Debit("a", 30, "k1"));
        await ledger.PostAsync(Debit("a", 30, "k1")); // a replay adds no entry
        await ledger.PostAsync(Debit("a", 500, "k2")); // refused: none either

        Assert.Equal(2, ledger.EntryCount);
        _disk.CloseAll();
        var (reopened, _) = _disk.Open();
        Assert.Equal(2, reopened.EntryCount);
    }

    [Fact]
    public async Task A_commit_that_fails_after_writing_does_not_reuse_its_entry_ids()
    {
        var store = new FlakyStore(_disk.OpenStore()) { FailAfterWriting = true };
        var ledger = _disk.OpenLedger(store);
        var credit = await ledger.PostAsync(Credit("a", 100));

        store.FailingCommits = 1;
        await Assert.ThrowsAsync<LedgerUnavailableException>(() => ledger.PostAsync(Debit("a", 30, "k")));
        var next = await ledger.PostAsync(Debit("a", 5, "k2"));

        Assert.Equal(credit.Entry!.Id + 2, next.Entry!.Id);
        Assert.Equal(95, ledger.GetBalance("a").Balance);
    }

    [Fact]
    public async Task Commits_the_store_refuses_apply_nothing_and_a_restart_finds_the_ledger_as_it_was_before_them()
    {
        var store = new FlakyStore(_disk.OpenStore());
        var ledger = _disk.OpenLedger(store);
        var credit = await ledger.PostAsync(Credit("a", 100));

        store.FailingCommits = 2; // a lost volume: every commit fails until the restart
        await Assert.ThrowsAsync<LedgerUnavailableException>(() => ledger.PostAsync(Debit("a", 30, "refused")));
        await Assert.ThrowsAsync<LedgerUnavailableException>(() => ledger.PostAsync(Credit("b", 5)));
        Assert.Equal(100, ledger.GetBalance("a").Balance);
        Assert.Equal(new AccountBalance("b", 0, null), ledger.GetBalance("b"));
        Assert.Equal(1, ledger.EntryCount);
        _disk.CloseAll();

        var (reopened, _) = _disk.Open();
        Assert.Equal(100, reopened.GetBalance("a").Balance);
        Assert.Equal(0, reopened.GetBalance("b").Balance);
        Assert.Equal(1, reopened.EntryCount);
        Assert.Equal([credit.Entry!.Id], reopened.Query(new LedgerQuery(new LedgerFilter("a"), 0, 10)).Items.Select(e => e.Id));
        Assert.Empty(reopened.Query(new LedgerQuery(new LedgerFilter("b"), 0, 10)).Items);
        var retried = await reopened.PostAsync(Debit("a", 30, "refused")); // never acknowledged, so it applies now
        Assert.Equal(LedgerStatus.Applied, retried.Status);
        Assert.Equal(credit.Entry.Id + 1, retried.Entry!.Id);
        Assert.Equal(70, reopened.GetBalance("a").Balance);
        Assert.True(reopened.Audit().Consistent);
    }

    [Fact]
    public async Task Acknowledged_postings_survive_a_stop_that_never_closed_the_store()
    {
        var (ledger, _) = _disk.Open();
        await ledger.PostAsync(Credit("a", 100));
        var charged = await ledger.PostAsync(Debit("a", 25, "k"));

        // The store's files as a crash leaves them: nothing flushed beyond the synced log of each commit.
        var crashed = Path.Combine(_disk.Directory, "crashed");
        Directory.CreateDirectory(crashed);
        foreach (var file in Directory.GetFiles(Path.Combine(_disk.Directory, "ledger")))
        {
            File.Copy(file, Path.Combine(crashed, Path.GetFileName(file)));
        }

        using var store = new RocksLedgerStore(crashed, 64L << 20);
        using var restarted = new GroupCommitLedger(store, _disk.Clock, new LedgerOptions(), NullLogger<GroupCommitLedger>.Instance);
        Assert.Equal(75, restarted.GetBalance("a").Balance);
        Assert.Equal(2, restarted.EntryCount);
        Assert.Equal(charged.Entry!.Id, (await restarted.PostAsync(Debit("a", 25, "k"))).Entry!.Id);
        Assert.True(restarted.Audit().Consistent);
    }

    [Fact]
    public async Task A_key_claimed_exactly_one_retention_ago_has_expired_on_a_restart()
    {
        var options = new LedgerOptions { IdempotencyRetention = TimeSpan.FromHours(1) };
        var (ledger, _) = _disk.Open(options);
        await ledger.PostAsync(Credit("a", 100));
        await ledger.PostAsync(Debit("a", 10, "expires"));
        _disk.Clock.Advance(TimeSpan.FromMilliseconds(1));
        await ledger.PostAsync(Debit("a", 10, "lives"));
        _disk.CloseAll();
        _disk.Clock.Advance(TimeSpan.FromHours(1) - TimeSpan.FromMilliseconds(1));

        var (reopened, _) = _disk.Open(options);

        Assert.Equal(LedgerStatus.Applied, (await reopened.PostAsync(Debit("a", 10, "expires"))).Status);
        Assert.Equal(LedgerStatus.Replayed, (await reopened.PostAsync(Debit("a", 10, "lives"))).Status);
        Assert.Equal(70, reopened.GetBalance("a").Balance);
    }

    /// <summary>A store whose next commits fail, as a full disk or a lost volume would.</summary>
    private sealed class FlakyStore(ILedgerStore inner) : DelegatingLedgerStore(inner)
    {
        /// <summary>How many of the next commits fail.</summary>
        public int FailingCommits { get; set; }

        /// <summary>The failing commit reaches the store first, as when only the final sync fails.</summary>
        public bool FailAfterWriting { get; init; }

        public override void Commit(LedgerBatch batch)
        {
            if (FailingCommits > 0)
            {
                FailingCommits--;
                if (FailAfterWriting)
                {
                    base.Commit(batch);
                }

                throw new IOException("disk full");
            }

            base.Commit(batch);
        }
    }

    private static LedgerPosting Credit(string account, long amount) => new(account, amount, "test-credit");

    private static LedgerPosting Debit(string account, long amount, string key) =>
        new(account, -amount, "test-debit") { Idempotency = new IdempotencyClaim("test:" + account, key, amount.ToString(System.Globalization.CultureInfo.InvariantCulture)) };
}
