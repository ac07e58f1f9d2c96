using Harness.Ledger.Store;
using Microsoft.Extensions.Logging.Abstractions;

namespace Harness.Ledger.Tests;

/// <summary>
/// Who decides a posting: a caller that finds the ledger idle commits at once on its own thread; what
/// queues up behind a commit goes to the writer thread as one batch, and so does everything once
/// commits take as long as a disk's sync; disposing decides what is queued.
/// </summary>
public sealed class LedgerTurnTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly string _directory = TempDirectory.Create("ledger-turn");
    private readonly List<RocksLedgerStore> _stores = [];

    /// <summary>Closes the stores once their ledgers are gone (each test disposes its ledger first).</summary>
    public void Dispose()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }

        TempDirectory.TryDelete(_directory);
    }

    [Fact]
    public async Task A_posting_to_an_idle_ledger_is_committed_on_the_callers_thread_before_PostAsync_returns()
    {
        var store = new GatedStore(OpenStore());
        using var ledger = Open(store);

        var posted = ledger.PostAsync(Credit(100));

        Assert.True(posted.IsCompletedSuccessfully);
        Assert.Equal(LedgerStatus.Applied, (await posted).Status);
        var commit = Assert.Single(store.Commits);
        Assert.Equal(Environment.CurrentManagedThreadId, commit.ThreadId);
    }

    [Fact]
    public async Task Once_commits_wait_for_a_slow_sync_an_idle_ledger_hands_its_postings_to_the_writer_thread()
    {
        var store = new GatedStore(OpenStore()) { CommitTakes = TimeSpan.FromMilliseconds(5) };
        using var ledger = Open(store);

        await ledger.PostAsync(Credit(1));
        await ledger.PostAsync(Credit(1));

        Assert.Equal([false, true], store.Commits.Select(c => c.ThreadName == "ledger-writer"));
        Assert.Equal(2, ledger.GetBalance("a").Balance);
    }

    [Fact]
    public async Task Postings_queued_behind_a_commit_are_committed_together_by_the_writer_thread()
    {
        var store = new GatedStore(OpenStore()) { Closed = true };
        using var ledger = Open(store);

        var first = Task.Factory.StartNew(() => ledger.PostAsync(Credit(100)), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        Assert.True(store.CommitStarted.Wait(Patience));
        var queued = Enumerable.Range(0, 10).Select(_ => ledger.PostAsync(Credit(1))).ToArray();
        Assert.All(queued, posting => Assert.False(posting.IsCompleted));

        store.Open();
        var outcomes = await Task.WhenAll(queued).WaitAsync(Patience);
        await first.WaitAsync(Patience);

        Assert.All(outcomes, outcome => Assert.Equal(LedgerStatus.Applied, outcome.Status));
        Assert.Equal([1, 10], store.Commits.Select(c => c.Entries));
        Assert.Equal("ledger-writer", store.Commits[1].ThreadName);
        Assert.Equal(110, ledger.GetBalance("a").Balance);
        Assert.True(ledger.Audit().Consistent);
    }

    [Fact]
    public async Task Disposing_decides_every_queued_posting_and_refuses_the_ones_after_it()
    {
        var store = new GatedStore(OpenStore()) { Closed = true };
        var ledger = Open(store);

        var first = Task.Factory.StartNew(() => ledger.PostAsync(Credit(100)), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        Assert.True(store.CommitStarted.Wait(Patience));
        var queued = Enumerable.Range(0, 3).Select(_ => ledger.PostAsync(Credit(1))).ToArray();
        var disposed = Task.Factory.StartNew(ledger.Dispose, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        store.Open();
        await disposed.WaitAsync(Patience);

        Assert.Equal(LedgerStatus.Applied, (await first).Status);
        Assert.All(queued, posting => Assert.True(posting.IsCompleted));
        Assert.All(await Task.WhenAll(queued), outcome => Assert.Equal(LedgerStatus.Applied, outcome.Status));
        Assert.Equal(103, ledger.GetBalance("a").Balance);
        Assert.Throws<ObjectDisposedException>(() => { _ = ledger.PostAsync(Credit(1)); });
    }

    [Fact]
    public async Task Callers_posting_at_once_from_many_threads_are_each_answered_once_with_the_right_balance()
    {
        var store = new GatedStore(OpenStore());
        using var ledger = Open(store);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 2_000).Select(i => Task.Run(() => ledger.PostAsync(Credit(1 + (i % 3)))))).WaitAsync(Patience);

        Assert.All(outcomes, outcome => Assert.Equal(LedgerStatus.Applied, outcome.Status));
        Assert.Equal(2_000, outcomes.Select(o => o.Entry!.Id).Distinct().Count());
        Assert.Equal(outcomes.Sum(o => o.Entry!.Amount), ledger.GetBalance("a").Balance);
        Assert.Equal(2_000, store.Commits.Sum(c => c.Entries));
        Assert.True(ledger.Audit().Consistent);
    }

    [Fact]
    public async Task Disposing_while_callers_post_leaves_no_posting_unanswered()
    {
        for (var round = 0; round < 50; round++)
        {
            var store = new GatedStore(OpenStore());
            var ledger = Open(store);
            using var go = new Barrier(5);
            var callers = Enumerable.Range(0, 4).Select(_ => Task.Factory.StartNew(
                () =>
                {
                    go.SignalAndWait();
                    var answers = new List<Task<LedgerOutcome>>();
                    try
                    {
                        for (var i = 0; i < 200; i++)
                        {
                            answers.Add(ledger.PostAsync(Credit(1)));
                        }
                    }
                    catch (ObjectDisposedException)
                    {
                        // refused at the door once the ledger stops
                    }

                    return answers;
                },
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default)).ToArray();
            go.SignalAndWait();
            ledger.Dispose();

            var answered = (await Task.WhenAll(callers)).SelectMany(a => a).ToArray();
            var outcomes = await Task.WhenAll(answered).WaitAsync(Patience);
            Assert.All(outcomes, outcome => Assert.Equal(LedgerStatus.Applied, outcome.Status));
            Assert.Equal(outcomes.Length, store.Commits.Sum(c => c.Entries));
        }
    }

    [Fact]
    public async Task Postings_decided_in_one_batch_see_each_others_balance_and_keys()
    {
        var store = new GatedStore(OpenStore()) { Closed = true };
        using var ledger = Open(store);

        var first = Task.Factory.StartNew(() => ledger.PostAsync(Credit(100)), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        Assert.True(store.CommitStarted.Wait(Patience));
        var charged = ledger.PostAsync(Debit(60, "x"));
        var overdrawn = ledger.PostAsync(Debit(60, "y"));
        var repeated = ledger.PostAsync(Debit(60, "x"));
        var conflicting = ledger.PostAsync(Debit(61, "x"));
        var credited = ledger.PostAsync(Credit(5));

        store.Open();
        await first.WaitAsync(Patience);
        var outcomes = await Task.WhenAll(charged, overdrawn, repeated, conflicting, credited).WaitAsync(Patience);

        Assert.Equal(LedgerStatus.Applied, outcomes[0].Status);
        Assert.Equal(new LedgerOutcome(LedgerStatus.InsufficientBalance, null, 40), outcomes[1]);
        Assert.Equal(LedgerStatus.Replayed, outcomes[2].Status);
        Assert.Same(outcomes[0].Entry, outcomes[2].Entry);
        Assert.Equal(LedgerStatus.IdempotencyConflict, outcomes[3].Status);
        Assert.Equal((40L, 45L), (outcomes[4].Entry!.BalanceBefore, outcomes[4].Balance));
        Assert.Equal([1, 2], store.Commits.Select(c => c.Entries));
        Assert.Equal(45, Assert.Single(ledger.Audit().Accounts).Balance); // what the store holds
        Assert.Equal(45, ledger.GetBalance("a").Balance);
    }

    [Fact]
    public async Task A_key_committed_while_its_repeat_waited_in_the_queue_is_replayed_not_charged_again()
    {
        var store = new GatedStore(OpenStore()) { Closed = true };
        using var ledger = Open(store);
        var keyed = Credit(5) with { Idempotency = new IdempotencyClaim("test:a", "k", "5") };

        var first = Task.Factory.StartNew(() => ledger.PostAsync(keyed), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        Assert.True(store.CommitStarted.Wait(Patience));
        var repeat = ledger.PostAsync(keyed); // the key is not committed yet: queued, not answered from the store

        store.Open();
        var applied = await first.WaitAsync(Patience);
        var replayed = await repeat.WaitAsync(Patience);

        Assert.Equal(LedgerStatus.Applied, applied.Status);
        Assert.Equal(LedgerStatus.Replayed, replayed.Status);
        Assert.Equal(applied.Entry!.Id, replayed.Entry!.Id);
        Assert.Equal([1], store.Commits.Select(c => c.Entries));
        Assert.Equal(5, ledger.GetBalance("a").Balance);
    }

    [Fact]
    public async Task A_batch_that_moves_no_money_writes_nothing()
    {
        var store = new GatedStore(OpenStore());
        using var ledger = Open(store);

        var refused = await ledger.PostAsync(Debit(10, "k"));

        Assert.Equal(LedgerStatus.InsufficientBalance, refused.Status);
        Assert.Empty(store.Commits);
        Assert.Empty(ledger.Audit().Accounts);
    }

    [Fact]
    public async Task A_batch_holds_at_most_the_configured_number_of_postings()
    {
        var store = new GatedStore(OpenStore()) { Closed = true };
        using var ledger = Open(store, new LedgerOptions { MaxBatchSize = 3 });

        var first = Task.Factory.StartNew(() => ledger.PostAsync(Credit(100)), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        Assert.True(store.CommitStarted.Wait(Patience));
        var queued = Enumerable.Range(0, 7).Select(_ => ledger.PostAsync(Credit(1))).ToArray();

        store.Open();
        await first.WaitAsync(Patience);
        await Task.WhenAll(queued).WaitAsync(Patience);

        Assert.Equal([1, 3, 3, 1], store.Commits.Select(c => c.Entries));
        Assert.Equal(107, ledger.GetBalance("a").Balance);
    }

    [Fact]
    public async Task A_queued_posting_whose_caller_gives_up_is_cancelled_and_the_rest_of_its_batch_applied()
    {
        var store = new GatedStore(OpenStore()) { Closed = true };
        using var ledger = Open(store);
        using var giveUp = new CancellationTokenSource();

        var first = Task.Factory.StartNew(() => ledger.PostAsync(Credit(100)), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        Assert.True(store.CommitStarted.Wait(Patience));
        var before = ledger.PostAsync(Credit(1));
        var abandoned = ledger.PostAsync(Credit(10), giveUp.Token);
        var after = ledger.PostAsync(Credit(2));
        await giveUp.CancelAsync();

        store.Open();
        await first.WaitAsync(Patience);
        await Task.WhenAll(before, after).WaitAsync(Patience);

        var cancelled = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        Assert.Equal(giveUp.Token, cancelled.CancellationToken);
        Assert.Equal([1, 2], store.Commits.Select(c => c.Entries));
        Assert.Equal(103, ledger.GetBalance("a").Balance);
    }

    /// <summary>A store of its own for each ledger a test opens.</summary>
    private RocksLedgerStore OpenStore()
    {
        var store = new RocksLedgerStore(Path.Combine(_directory, $"store-{_stores.Count}"), 64L << 20);
        _stores.Add(store);
        return store;
    }

    private static GroupCommitLedger Open(GatedStore store, LedgerOptions? options = null) =>
        new(store, TimeProvider.System, options ?? new LedgerOptions(), NullLogger<GroupCommitLedger>.Instance);

    private static LedgerPosting Credit(long amount) => new("a", amount, "test-credit");

    private static LedgerPosting Debit(long amount, string key) =>
        new("a", -amount, "test-debit") { Idempotency = new IdempotencyClaim("test:a", key, amount.ToString(System.Globalization.CultureInfo.InvariantCulture)) };

    /// <summary>A real store below, noting who committed what, whose commits can be held until it is opened.</summary>
    private sealed class GatedStore(ILedgerStore inner) : DelegatingLedgerStore(inner)
    {
        private readonly ManualResetEventSlim _gate = new(initialState: true);

        public bool Closed
        {
            init
            {
                if (value)
                {
                    _gate.Reset();
                }
            }
        }

        public ManualResetEventSlim CommitStarted { get; } = new();

        /// <summary>How long each commit takes beyond the store's own, as a sync to a slow disk would.</summary>
        public TimeSpan CommitTakes { get; init; }

        public List<(int Entries, int ThreadId, string? ThreadName)> Commits { get; } = [];

        public void Open() => _gate.Set();

        public override void Commit(LedgerBatch batch)
        {
            CommitStarted.Set();
            _gate.Wait();
            Thread.Sleep(CommitTakes);
            base.Commit(batch);
            lock (Commits)
            {
                Commits.Add((batch.Entries.Count, Environment.CurrentManagedThreadId, Thread.CurrentThread.Name));
            }
        }
    }
}
