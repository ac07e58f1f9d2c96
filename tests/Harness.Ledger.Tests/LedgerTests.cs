using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Harness.Ledger.Tests;

/// <summary>The group-commit ledger on a real RocksDB store: money rules, keys, audits, queries.</summary>
public sealed class LedgerTests : IDisposable
{
    private readonly LedgersOnDisk _disk = new("ledger");

    public void Dispose() => _disk.Dispose();

    [Fact]
    public async Task Debits_never_take_a_balance_below_zero()
    {
        var (ledger, _) = _disk.Open();
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
        var (ledger, _) = _disk.Open();
        await ledger.PostAsync(Credit("a", 1_000));

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(() => ledger.PostAsync(Debit("a", 10, "same")))));

        Assert.Single(outcomes, o => o.Status == LedgerStatus.Applied);
        Assert.All(outcomes, o => Assert.Equal(outcomes[0].Entry!.Id, o.Entry!.Id));
        Assert.Equal(990, ledger.GetBalance("a").Balance);
    }

    [Fact]
    public async Task The_same_key_with_another_fingerprint_conflicts_and_moves_nothing()
    {
        var (ledger, _) = _disk.Open();
        await ledger.PostAsync(Credit("a", 100));
        await ledger.PostAsync(Debit("a", 10, "k"));

        var conflict = await ledger.PostAsync(Debit("a", 20, "k"));

        Assert.Equal(LedgerStatus.IdempotencyConflict, conflict.Status);
        Assert.Equal(90, ledger.GetBalance("a").Balance);
    }

    [Fact]
    public async Task A_key_expires_after_the_retention_window()
    {
        var (ledger, _) = _disk.Open(new LedgerOptions { IdempotencyRetention = TimeSpan.FromHours(24) });
        await ledger.PostAsync(Credit("a", 100));
        await ledger.PostAsync(Debit("a", 10, "k"));

        _disk.Clock.Advance(TimeSpan.FromHours(24));
        var again = await ledger.PostAsync(Debit("a", 10, "k"));

        Assert.Equal(LedgerStatus.Applied, again.Status);
        Assert.Equal(80, ledger.GetBalance("a").Balance);
    }

    [Fact]
    public async Task Credits_stop_at_the_balance_limit()
    {
        var (ledger, _) = _disk.Open(new LedgerOptions { MaxBalance = 1_000 });

        var over = await ledger.PostAsync(Credit("a", 1_001));

        Assert.Equal(LedgerStatus.BalanceLimitExceeded, over.Status);
        Assert.Equal(0, ledger.GetBalance("a").Balance);
    }

    [Fact]
    public async Task A_debit_of_exactly_the_balance_is_applied_and_leaves_zero()
    {
        var (ledger, _) = _disk.Open();
        await ledger.PostAsync(Credit("a", 60));

        var exact = await ledger.PostAsync(Debit("a", 60, "k1"));

        Assert.Equal(LedgerStatus.Applied, exact.Status);
        Assert.Equal(0, ledger.GetBalance("a").Balance);
    }

    [Fact]
    public async Task A_credit_up_to_exactly_the_balance_limit_is_applied_and_one_coin_more_is_not()
    {
        var (ledger, _) = _disk.Open(new LedgerOptions { MaxBalance = 1_000 });

        var exact = await ledger.PostAsync(Credit("a", 1_000));
        var over = await ledger.PostAsync(Credit("a", 1));

        Assert.Equal(LedgerStatus.Applied, exact.Status);
        Assert.Equal(LedgerStatus.BalanceLimitExceeded, over.Status);
        Assert.Equal(1_000, ledger.GetBalance("a").Balance);
    }

    [Fact]
    public async Task A_posting_without_an_account_is_a_programming_error()
    {
        var (ledger, _) = _disk.Open();

        await Assert.ThrowsAsync<ArgumentException>(() => ledger.PostAsync(Credit("", 1)));
    }

    [Fact]
    public async Task The_audit_counts_and_sums_each_accounts_entries_in_account_order()
    {
        var (ledger, _) = _disk.Open();
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
        var (ledger, store) = _disk.Open();
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
        var (ledger, _) = _disk.Open();
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
    public async Task Queries_filter_and_page_newest_first()
    {
        var (ledger, _) = _disk.Open();
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
        var (ledger, _) = _disk.Open();
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
        var (ledger, _) = _disk.Open();
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
        var (ledger, _) = _disk.Open(new LedgerOptions { MaxBalance = 1_000 });
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
        var (ledger, _) = _disk.Open();
        _disk.Clock.Advance(TimeSpan.FromTicks(12_345_678)); // 1.2345678 s: the ledger keeps whole milliseconds

        var posted = await ledger.PostAsync(Credit("a", 100));

        var at = new DateTime(2026, 11, 23, 8, 0, 1, 234, DateTimeKind.Utc);
        Assert.Equal(at, posted.Entry!.CreatedAt);
        Assert.Equal(new AccountBalance("a", 100, at), ledger.GetBalance("a"));
        Assert.Equal(new AccountBalance("untouched", 0, null), ledger.GetBalance("untouched"));
    }

    [Fact]
    public async Task A_posting_whose_caller_has_gone_is_cancelled_and_charges_nothing()
    {
        var (ledger, _) = _disk.Open();
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
        var clock = new TimerWatchingClock(_disk.Clock.GetUtcNow());
        var ledger = new GroupCommitLedger(_disk.OpenStore(), clock, new LedgerOptions(), NullLogger<GroupCommitLedger>.Instance);
        await ledger.PostAsync(Credit("a", 100));
        var timer = Assert.Single(clock.Timers);
        Assert.False(timer.Disposed);

        ledger.Dispose();
        ledger.Dispose();

        Assert.True(timer.Disposed);
        Assert.Equal(100, ledger.GetBalance("a").Balance);
    }

    [Fact]
    public async Task A_posting_after_the_ledger_and_its_store_closed_is_refused_as_disposed_even_with_a_key()
    {
        var store = _disk.OpenStore();
        var ledger = new GroupCommitLedger(store, _disk.Clock, new LedgerOptions(), NullLogger<GroupCommitLedger>.Instance);
        await ledger.PostAsync(Credit("a", 100));
        ledger.Dispose();
        store.Dispose();

        // The key is not looked up in the closed store first.
        await Assert.ThrowsAsync<ObjectDisposedException>(() => ledger.PostAsync(Debit("a", 10, "late")));
    }

    [Fact]
    public async Task The_audit_notices_an_acknowledged_posting_the_store_does_not_have()
    {
        var store = new ForgetfulStore(_disk.OpenStore());
        var ledger = _disk.OpenLedger(store);
        await ledger.PostAsync(Credit("a", 100));

        var audit = ledger.Audit();

        var account = Assert.Single(audit.Accounts);
        Assert.Equal(new AccountAudit("a", 0, 0, 0) { ServedBalance = 100 }, account);
        Assert.False(audit.Consistent);
    }

    private static LedgerPosting Credit(string account, long amount) => new(account, amount, "test-credit");

    private static LedgerPosting Debit(string account, long amount, string key) =>
        new(account, -amount, "test-debit") { Idempotency = new IdempotencyClaim("test:" + account, key, amount.ToString(System.Globalization.CultureInfo.InvariantCulture)) };

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

}
