using Harness.Ledger.Store;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Harness.Ledger.Tests;

/// <summary>The group-commit ledger on a real RocksDB store: money rules, failures, restarts.</summary>
public sealed class LedgerTests : IDisposable
{
    private readonly string _directory = TempDirectory.Create("ledger");
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));
    private readonly List<IDisposable> _opened = [];

    public void Dispose()
    {
        CloseAll();
        TempDirectory.TryDelete(_directory);
    }

    [Fact]
    public async Task Debits_never_take_a_balance_below_zero()
    {
        var (ledger, _) = Open();
        await ledger.PostAsync(Credit("a", 100));

        var first = await ledger.PostAsync(Debit("a", 60, "k1"));
        var second = await ledger.PostAsync(Debit("a", 60, "k2"));

        Assert.Equal(LedgerStatus.Applied, first.Status);
        Assert.Equal(LedgerStatus.InsufficientBalance, second.Status);
        Assert.Equal(40, second.Balance);
        Assert.Equal(40, ledger.GetBalance("a").Balance);
    }

    [Fact]
    public async Task Concurrent_duplicates_of_one_key_apply_once_and_replay_the_same_entry()
    {
        var (ledger, _) = Open();
        await ledger.PostAsync(Credit("a", 1_000));

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(() => ledger.PostAsync(Debit("a", 10, "same")))));

        Assert.Single(outcomes, o => o.Status == LedgerStatus.Applied);
        Assert.All(outcomes, o => Assert.Equal(outcomes[0].Entry!.Id, o.Entry!.Id));
        Assert.Equal(990, ledger.GetBalance("a").Balance);
    }

    [Fact]
    public async Task The_same_key_with_another_fingerprint_conflicts_and_moves_nothing()
    {
        var (ledger, _) = Open();
        await ledger.PostAsync(Credit("a", 100));
        await ledger.PostAsync(Debit("a", 10, "k"));

        var conflict = await ledger.PostAsync(Debit("a", 20, "k"));

        Assert.Equal(LedgerStatus.IdempotencyConflict, conflict.Status);
        Assert.Equal(90, ledger.GetBalance("a").Balance);
    }

    [Fact]
    public async Task A_failed_commit_acknowledges_nothing_and_remembers_nothing()
    {
        var store = new FlakyStore(OpenStore());
        var ledger = Track(new GroupCommitLedger(store, _clock, new LedgerOptions(), NullLogger<GroupCommitLedger>.Instance));
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
        var (ledger, store) = Open();
        await ledger.PostAsync(Credit("a", 100));
        var charged = await ledger.PostAsync(Debit("a", 25, "k"));
        CloseAll();

        var (reopened, _) = Open();
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
        var (ledger, store) = Open();
        await ledger.PostAsync(Credit("a", 100));
        var posted = await ledger.PostAsync(Debit("a", 7, "k") with
        {
            Category = "TOKEN",
            Subject = "agent-chat",
            Reference = "  biz-1 ",
            Details = new(StringComparer.Ordinal) { ["tokens"] = "1000", ["rate"] = "2" },
            Metadata = new(StringComparer.Ordinal) { ["中文"] = "值 ✓", ["empty"] = "" },
        });
        CloseAll();

        var (reopened, _) = Open();
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
        var (ledger, _) = Open();
        await ledger.PostAsync(Credit("a", 1_000));
        var posted = new List<LedgerEntry>
        {
            (await ledger.PostAsync(Debit("a", 1, "large") with { Metadata = new(StringComparer.Ordinal) { ["blob"] = new string('x', 20_000) } })).Entry!,
        };
        for (var i = 0; i < 5; i++)
        {
            posted.Add((await ledger.PostAsync(Debit("a", 1, $"small-{i}"))).Entry!);
        }

        CloseAll();

        var (reopened, _) = Open();
        var stored = reopened.Query(new LedgerQuery(new LedgerFilter("a"), 0, 10)).Items;
        Assert.Equal(994, reopened.GetBalance("a").Balance);
        foreach (var original in posted)
        {
            Assert.Equivalent(original, Assert.Single(stored, e => e.Id == original.Id), strict: true);
        }
    }

    [Fact]
    public async Task A_key_expires_after_the_retention_window()
    {
        var (ledger, _) = Open(new LedgerOptions { IdempotencyRetention = TimeSpan.FromHours(24) });
        await ledger.PostAsync(Credit("a", 100));
        await ledger.PostAsync(Debit("a", 10, "k"));

        _clock.Advance(TimeSpan.FromHours(24));
        var again = await ledger.PostAsync(Debit("a", 10, "k"));

        Assert.Equal(LedgerStatus.Applied, again.Status);
        Assert.Equal(80, ledger.GetBalance("a").Balance);
    }

    [Fact]
    public async Task A_key_reused_after_it_expired_replays_its_newest_charge_after_a_restart()
    {
        var options = new LedgerOptions { IdempotencyRetention = TimeSpan.FromHours(1) };
        var (ledger, store) = Open(options);
        await ledger.PostAsync(Credit("a", 100));
        var first = await ledger.PostAsync(Debit("a", 10, "k"));
        _clock.Advance(TimeSpan.FromHours(2));
        var second = await ledger.PostAsync(Debit("a", 10, "k"));
        CloseAll();

        var (reopened, _) = Open(options);
        var replay = await reopened.PostAsync(Debit("a", 10, "k"));

        Assert.Equal(LedgerStatus.Applied, second.Status); // the first record had expired: a new charge
        Assert.NotEqual(first.Entry!.Id, second.Entry!.Id);
        Assert.Equal(LedgerStatus.Replayed, replay.Status);
        Assert.Equal(second.Entry.Id, replay.Entry!.Id);
        Assert.Equal(80, reopened.GetBalance("a").Balance);
    }

    [Fact]
    public async Task Credits_stop_at_the_balance_limit()
    {
        var (ledger, _) = Open(new LedgerOptions { MaxBalance = 1_000 });

        var over = await ledger.PostAsync(Credit("a", 1_001));

        Assert.Equal(LedgerStatus.BalanceLimitExceeded, over.Status);
        Assert.Equal(0, ledger.GetBalance("a").Balance);
    }

    [Fact]
    public async Task A_debit_of_exactly_the_balance_is_applied_and_leaves_zero()
    {
        var (ledger, _) = Open();
        await ledger.PostAsync(Credit("a", 60));

        var exact = await ledger.PostAsync(Debit("a", 60, "k1"));

        Assert.Equal(LedgerStatus.Applied, exact.Status);
        Assert.Equal(0, ledger.GetBalance("a").Balance);
    }

    [Fact]
    public async Task A_credit_up_to_exactly_the_balance_limit_is_applied_and_one_coin_more_is_not()
    {
        var (ledger, _) = Open(new LedgerOptions { MaxBalance = 1_000 });

        var exact = await ledger.PostAsync(Credit("a", 1_000));
        var over = await ledger.PostAsync(Credit("a", 1));

        Assert.Equal(LedgerStatus.Applied, exact.Status);
        Assert.Equal(LedgerStatus.BalanceLimitExceeded, over.Status);
        Assert.Equal(1_000, ledger.GetBalance("a").Balance);
    }

    [Fact]
    public async Task A_posting_without_an_account_is_a_programming_error()
    {
        var (ledger, _) = Open();

        await Assert.ThrowsAsync<ArgumentException>(() => ledger.PostAsync(Credit("", 1)));
    }

    [Fact]
    public async Task The_entry_count_counts_committed_entries_only_and_survives_a_restart()
    {
        var (ledger, _) = Open();
        await ledger.PostAsync(Credit("a", 100));
        await ledger.PostAsync(Debit("a", 30, "k1"));
        await ledger.PostAsync(Debit("a", 30, "k1")); // a replay adds no entry
        await ledger.PostAsync(Debit("a", 500, "k2")); // refused: none either

        Assert.Equal(2, ledger.EntryCount);
        CloseAll();
        var (reopened, _) = Open();
        Assert.Equal(2, reopened.EntryCount);
    }

    [Fact]
    public async Task The_audit_counts_and_sums_each_accounts_entries_in_account_order()
    {
        var (ledger, _) = Open();
        await ledger.PostAsync(Credit("b", 100));
        await ledger.PostAsync(Credit("a", 50));
        await ledger.PostAsync(Debit("b", 30, "k1"));
        await ledger.PostAsync(Debit("b", 20, "k2"));

        var audit = ledger.Audit();

        Assert.Equal(["a", "b"], audit.Accounts.Select(a => a.AccountId));
        Assert.Equal((50L, 50L, 1L), (audit.Accounts[0].Balance, audit.Accounts[0].EntrySum, audit.Accounts[0].EntryCount));
        Assert.Equal((50L, 50L, 3L), (audit.Accounts[1].Balance, audit.Accounts[1].EntrySum, audit.Accounts[1].EntryCount));
        Assert.True(audit.Consistent);
    }

    [Theory]
    [InlineData(0, 0, 0, true)]
    [InlineData(5, 5, 5, true)]
    [InlineData(5, 4, 5, false)] // the entries do not add up to the balance
    [InlineData(-5, -5, -5, false)] // a balance below zero, however it came about
    [InlineData(5, 5, 6, false)] // the ledger answers another balance than it stored
    public void An_account_is_consistent_when_its_balance_is_its_entries_sum_not_negative_and_what_is_served(long balance, long sum, long served, bool consistent)
    {
        var audit = new AccountAudit("a", balance, sum, 1) { ServedBalance = served };

        Assert.Equal(consistent, audit.Consistent);
        Assert.Equal(consistent, new LedgerAuditReport([new AccountAudit("b", 1, 1, 1), audit]).Consistent);
    }

    [Fact]
    public async Task The_audit_notices_a_balance_that_disagrees_with_its_entries()
    {
        var (ledger, store) = Open();
        await ledger.PostAsync(Credit("a", 100));
        Assert.True(ledger.Audit().Consistent);

        // Tamper with the stored balance behind the ledger's back: a record the ledger did not write.
        var forged = new LedgerEntry { Id = 1, AccountId = "b", Kind = "forged", CreatedAt = DateTime.UtcNow };
        store.Commit(new LedgerBatch([forged], [new AccountBalance("a", 150, null), new AccountBalance("b", 0, null)]));

        var audit = ledger.Audit();
        Assert.False(audit.Consistent);
        Assert.Contains(audit.Accounts, a => a.AccountId == "a" && a.Balance == 150 && a.ServedBalance == 100 && a.EntrySum == 100 && !a.Consistent);
    }

    [Fact]
    public async Task An_audit_taken_while_postings_commit_is_consistent()
    {
        var (ledger, _) = Open();
        await ledger.PostAsync(Credit("a", 1_000_000));
        await ledger.PostAsync(Credit("b", 1_000_000));

        var postings = Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; i < 300; i++)
            {
                await ledger.PostAsync(Debit(worker % 2 == 0 ? "a" : "b", 1, $"w{worker}-{i}"));
            }
        })));
        var audits = new List<LedgerAuditReport>();
        while (!postings.IsCompleted)
        {
            audits.Add(ledger.Audit());
        }

        await postings;
        Assert.NotEmpty(audits);
        Assert.All(audits, audit => Assert.True(audit.Consistent, string.Join("; ", audit.Accounts.Where(a => !a.Consistent))));
        Assert.True(ledger.Audit().Consistent);
    }

    [Fact]
    public async Task A_commit_that_fails_after_writing_does_not_reuse_its_entry_ids()
    {
        var store = new FlakyStore(OpenStore()) { FailAfterWriting = true };
        var ledger = Track(new GroupCommitLedger(store, _clock, new LedgerOptions(), NullLogger<GroupCommitLedger>.Instance));
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
        var store = new FlakyStore(OpenStore());
        var ledger = Track(new GroupCommitLedger(store, _clock, new LedgerOptions(), NullLogger<GroupCommitLedger>.Instance));
        var credit = await ledger.PostAsync(Credit("a", 100));

        store.FailingCommits = 2; // a lost volume: every commit fails until the restart
        await Assert.ThrowsAsync<LedgerUnavailableException>(() => ledger.PostAsync(Debit("a", 30, "refused")));
        await Assert.ThrowsAsync<LedgerUnavailableException>(() => ledger.PostAsync(Credit("b", 5)));
        Assert.Equal(100, ledger.GetBalance("a").Balance);
        Assert.Equal(new AccountBalance("b", 0, null), ledger.GetBalance("b"));
        Assert.Equal(1, ledger.EntryCount);
        CloseAll();

        var (reopened, _) = Open();
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
        var (ledger, _) = Open();
        await ledger.PostAsync(Credit("a", 100));
        var charged = await ledger.PostAsync(Debit("a", 25, "k"));

        // The store's files as a crash leaves them: nothing flushed beyond the synced log of each commit.
        var crashed = Path.Combine(_directory, "crashed");
        Directory.CreateDirectory(crashed);
        foreach (var file in Directory.GetFiles(Path.Combine(_directory, "ledger")))
        {
            File.Copy(file, Path.Combine(crashed, Path.GetFileName(file)));
        }

        using var store = new RocksLedgerStore(crashed, 64L << 20);
        using var restarted = new GroupCommitLedger(store, _clock, new LedgerOptions(), NullLogger<GroupCommitLedger>.Instance);
        Assert.Equal(75, restarted.GetBalance("a").Balance);
        Assert.Equal(2, restarted.EntryCount);
        Assert.Equal(charged.Entry!.Id, (await restarted.PostAsync(Debit("a", 25, "k"))).Entry!.Id);
        Assert.True(restarted.Audit().Consistent);
    }

    [Fact]
    public async Task Queries_filter_and_page_newest_first()
    {
        var (ledger, _) = Open();
        await ledger.PostAsync(Credit("a", 100));
        for (var i = 0; i < 5; i++)
        {
            await ledger.PostAsync(Debit("a", i + 1, $"q{i}") with { Category = i % 2 == 0 ? "EVEN" : "ODD" });
        }

        var page = ledger.Query(new LedgerQuery(new LedgerFilter("a") { Kind = "test-debit", Category = "EVEN" }, 1, 1));
        var totals = ledger.Summarise(new LedgerFilter("a") { Kind = "test-debit" });

        Assert.Equal(3, page.Total);
        Assert.Equal("q2", Assert.Single(page.Items).IdempotencyKey);
        Assert.Equal(-15, totals.Amount);
        Assert.Equal([new LedgerGroupTotal("EVEN", -9, 3), new LedgerGroupTotal("ODD", -6, 2)], totals.ByCategory);
    }

    [Fact]
    public async Task Records_read_while_postings_commit_see_only_whole_committed_entries()
    {
        var (ledger, _) = Open();
        await ledger.PostAsync(Credit("a", 1_000_000));

        using var stop = new CancellationTokenSource();
        var reader = Task.Run(() =>
        {
            long seen = 0;
            while (!stop.IsCancellationRequested)
            {
                var page = ledger.Query(new LedgerQuery(new LedgerFilter("a") { Kind = "test-debit" }, 0, 1_000));
                Assert.True(page.Total >= seen, "records never go back");
                Assert.All(page.Items, entry => Assert.Equal(entry.BalanceBefore + entry.Amount, entry.BalanceAfter));
                Assert.Equal(page.Items.OrderByDescending(e => e.Id).Select(e => e.Id), page.Items.Select(e => e.Id));
                seen = page.Total;
            }

            return seen;
        });

        await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; i < 250; i++)
            {
                await ledger.PostAsync(Debit("a", 1, $"w{worker}-{i}"));
            }
        })));
        await stop.CancelAsync();

        Assert.Equal(2_000, ledger.Query(new LedgerQuery(new LedgerFilter("a") { Kind = "test-debit" }, 0, 1)).Total);
        Assert.InRange(await reader, 0, 2_000);
        Assert.Equal(1_000_000 - 2_000, ledger.GetBalance("a").Balance);
    }

    [Fact]
    public async Task A_replay_answers_the_original_entry_with_the_balance_as_it_is_now()
    {
        var (ledger, _) = Open();
        await ledger.PostAsync(Credit("a", 100));
        var charged = await ledger.PostAsync(Debit("a", 10, "k"));
        await ledger.PostAsync(Credit("a", 5));

        var replay = await ledger.PostAsync(Debit("a", 10, "k"));

        Assert.Equal(LedgerStatus.Replayed, replay.Status);
        Assert.Equal(charged.Entry!.Id, replay.Entry!.Id);
        Assert.Equal(90, replay.Entry.BalanceAfter);
        Assert.Equal(95, replay.Balance);
    }

    [Fact]
    public async Task A_refused_posting_answers_the_balance_it_was_decided_on_and_no_entry()
    {
        var (ledger, _) = Open(new LedgerOptions { MaxBalance = 1_000 });
        await ledger.PostAsync(Credit("a", 900));

        var overLimit = await ledger.PostAsync(Credit("a", 101));
        var overdrawn = await ledger.PostAsync(Debit("a", 901, "k"));
        var conflict = await ledger.PostAsync(Debit("a", 5, "k2"));
        var conflicting = await ledger.PostAsync(Debit("a", 6, "k2"));

        Assert.Equal(new LedgerOutcome(LedgerStatus.BalanceLimitExceeded, null, 900), overLimit);
        Assert.Equal(new LedgerOutcome(LedgerStatus.InsufficientBalance, null, 900), overdrawn);
        Assert.Equal(LedgerStatus.Applied, conflict.Status);
        Assert.Equal(new LedgerOutcome(LedgerStatus.IdempotencyConflict, null, 0), conflicting);
    }

    [Fact]
    public async Task A_balance_carries_the_time_of_its_last_change_and_an_untouched_account_has_none()
    {
        var (ledger, _) = Open();
        _clock.Advance(TimeSpan.FromTicks(12_345_678)); // 1.2345678 s: the ledger keeps whole milliseconds

        var posted = await ledger.PostAsync(Credit("a", 100));

        var at = new DateTime(2026, 11, 23, 8, 0, 1, 234, DateTimeKind.Utc);
        Assert.Equal(at, posted.Entry!.CreatedAt);
        Assert.Equal(new AccountBalance("a", 100, at), ledger.GetBalance("a"));
        Assert.Equal(new AccountBalance("untouched", 0, null), ledger.GetBalance("untouched"));
    }

    [Fact]
    public async Task A_posting_whose_caller_has_gone_is_cancelled_and_charges_nothing()
    {
        var (ledger, _) = Open();
        await ledger.PostAsync(Credit("a", 100));
        using var gone = new CancellationTokenSource();
        await gone.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ledger.PostAsync(Debit("a", 10, "k"), gone.Token));

        Assert.Equal(100, ledger.GetBalance("a").Balance);
        Assert.Equal(1, ledger.Query(new LedgerQuery(new LedgerFilter("a"), 0, 10)).Total);
        Assert.Equal(LedgerStatus.Applied, (await ledger.PostAsync(Debit("a", 10, "k"))).Status); // the key stayed free
    }

    [Fact]
    public async Task Disposing_twice_is_harmless_and_stops_the_purge_timer()
    {
        var clock = new TimerWatchingClock(_clock.GetUtcNow());
        var ledger = new GroupCommitLedger(OpenStore(), clock, new LedgerOptions(), NullLogger<GroupCommitLedger>.Instance);
        await ledger.PostAsync(Credit("a", 100));
        var timer = Assert.Single(clock.Timers);
        Assert.False(timer.Disposed);

        ledger.Dispose();
        ledger.Dispose();

        Assert.True(timer.Disposed);
        Assert.Equal(100, ledger.GetBalance("a").Balance);
    }

    [Fact]
    public async Task A_key_claimed_exactly_one_retention_ago_has_expired_on_a_restart()
    {
        var options = new LedgerOptions { IdempotencyRetention = TimeSpan.FromHours(1) };
        var (ledger, _) = Open(options);
        await ledger.PostAsync(Credit("a", 100));
        await ledger.PostAsync(Debit("a", 10, "expires"));
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        await ledger.PostAsync(Debit("a", 10, "lives"));
        CloseAll();
        _clock.Advance(TimeSpan.FromHours(1) - TimeSpan.FromMilliseconds(1));

        var (reopened, _) = Open(options);

        Assert.Equal(LedgerStatus.Applied, (await reopened.PostAsync(Debit("a", 10, "expires"))).Status);
        Assert.Equal(LedgerStatus.Replayed, (await reopened.PostAsync(Debit("a", 10, "lives"))).Status);
        Assert.Equal(70, reopened.GetBalance("a").Balance);
    }

    [Fact]
    public async Task The_audit_notices_an_acknowledged_posting_the_store_does_not_have()
    {
        var store = new ForgetfulStore(OpenStore());
        using var ledger = new GroupCommitLedger(store, _clock, new LedgerOptions(), NullLogger<GroupCommitLedger>.Instance);
        await ledger.PostAsync(Credit("a", 100));

        var audit = ledger.Audit();

        var account = Assert.Single(audit.Accounts);
        Assert.Equal(new AccountAudit("a", 0, 0, 0) { ServedBalance = 100 }, account);
        Assert.False(audit.Consistent);
    }

    /// <summary>Closes every ledger and store the test opened, as a stopped backend would.</summary>
    private void CloseAll()
    {
        foreach (var item in Enumerable.Reverse(_opened))
        {
            item.Dispose();
        }

        _opened.Clear();
    }

    private static LedgerPosting Credit(string account, long amount) => new(account, amount, "test-credit");

    private static LedgerPosting Debit(string account, long amount, string key) =>
        new(account, -amount, "test-debit") { Idempotency = new IdempotencyClaim("test:" + account, key, amount.ToString(System.Globalization.CultureInfo.InvariantCulture)) };

    private (GroupCommitLedger Ledger, RocksLedgerStore Store) Open(LedgerOptions? options = null)
    {
        var store = OpenStore();
        var ledger = Track(new GroupCommitLedger(store, _clock, options ?? new LedgerOptions(), NullLogger<GroupCommitLedger>.Instance));
        return (ledger, store);
    }

    /// <summary>The store in the test's directory: every open after the first is a restart.</summary>
    private RocksLedgerStore OpenStore() => Track(new RocksLedgerStore(Path.Combine(_directory, "ledger"), 64L << 20));

    private T Track<T>(T item)
        where T : IDisposable
    {
        _opened.Add(item);
        return item;
    }

    /// <summary>The test clock, noting every timer made from it and whether it was disposed.</summary>
    private sealed class TimerWatchingClock(DateTimeOffset start) : FakeTimeProvider(start)
    {
        public List<WatchedTimer> Timers { get; } = [];

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = new WatchedTimer(base.CreateTimer(callback, state, dueTime, period));
            Timers.Add(timer);
            return timer;
        }
    }

    private sealed class WatchedTimer(ITimer inner) : ITimer
    {
        public bool Disposed { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(dueTime, period);

        public void Dispose()
        {
            Disposed = true;
            inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>A store that acknowledges commits and keeps none: what the audit is there to catch.</summary>
    private sealed class ForgetfulStore(ILedgerStore inner) : DelegatingLedgerStore(inner)
    {
        public override void Commit(LedgerBatch batch)
        {
        }
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
}
