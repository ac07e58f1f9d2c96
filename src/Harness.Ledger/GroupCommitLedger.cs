using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Harness.Ledger;

/// <summary>
/// The ledger engine. Postings are queued and decided a batch at a time, everything found waiting
/// committed as one store transaction (group commit): one durable write covers many postings, which
/// is what makes the consumption hot path fast on a store that syncs on every commit. The batch is
/// decided by whoever holds the turn: a caller that found the ledger idle (while commits are quick),
/// else the writer thread, to which a caller hands on whatever queued behind its own commit.
/// <para>
/// Correctness comes from the single decider: the idempotency check, the balance check and the
/// claim of the key happen in one serial decision, and the claim travels inside the entry, so key,
/// entry and balance reach the store in one commit. Callers are answered only after that commit, and
/// the balances held in memory are updated only after it, so nothing is acknowledged that a crash
/// could lose. Entries and keys are read from the store; on start only the balances are loaded.
/// </para>
/// </summary>
internal sealed partial class GroupCommitLedger : ILedger, IDisposable
{
    // Commits up to this long are decided on the caller's thread (a sync to a disk takes longer; one
    // to memory, tmpfs or a cached device does not).
    private static readonly long QuickCommitTicks = Stopwatch.Frequency / 10_000; // 100 µs

    private readonly ILedgerStore _store;
    private readonly TimeProvider _clock;
    private readonly LedgerOptions _options;
    private readonly ILogger<GroupCommitLedger> _logger;
    private readonly ConcurrentQueue<PendingPosting> _queue = new();

    // The turn to decide: 1 while a caller or the writer thread is deciding. Exactly one holder
    // decides at a time, which is what the single-writer correctness rests on.
    private int _deciding;

    // Released by a turn's holder to pass the turn on to the writer thread.
    private readonly SemaphoreSlim _handOff = new(0);

    // A moving average of commit durations (Stopwatch ticks), kept by the turn's holder.
    private long _typicalCommitTicks;

    // Set by Dispose: no new postings; then, once the disposer holds the turn, the writer thread ends.
    private volatile bool _stopping;
    private volatile bool _writerMayExit;
    private readonly ConcurrentDictionary<string, AccountBalance> _balances = new(StringComparer.Ordinal);

    // Held while a batch is committed and its balances become visible, so an audit sees the stored
    // and the served balances as of one commit.
    private readonly Lock _applying = new();
    private readonly Thread _writer;

    // The writer's scratch for one batch, cleared and reused: balances as the batch moves them, and
    // the keys it claims (what is handed to the store is allocated afresh, since a store may keep it).
    private readonly Dictionary<string, long> _working = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Scope, string Key), LedgerEntry> _batchKeys = [];
    private readonly List<PendingPosting> _batch;
    private readonly ITimer _purgeTimer;

    // Held by a purge while it runs: Dispose stops it and waits for it, since the store may be closed
    // once Dispose returns.
    private readonly Lock _purging = new();
    private readonly CancellationTokenSource _stopPurging = new();
    private long _lastEntryId;
    private long _entryCount;

    public GroupCommitLedger(ILedgerStore store, TimeProvider clock, LedgerOptions options, ILogger<GroupCommitLedger> logger)
    {
        _store = store;
        _clock = clock;
        _options = options;
        _logger = logger;

        _batch = new List<PendingPosting>(options.MaxBatchSize);
        var checkpoint = store.Load();
        foreach (var balance in checkpoint.Balances)
        {
            _balances[balance.AccountId] = balance;
        }

        _lastEntryId = checkpoint.LastEntryId;
        _entryCount = checkpoint.EntryCount;
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = "ledger-writer" };
        _writer.Start();
        var purgeEvery = TimeSpan.FromMinutes(10);
        _purgeTimer = clock.CreateTimer(_ => PurgeExpiredKeys(), null, TimeSpan.Zero, purgeEvery);
    }

    public Task<LedgerOutcome> PostAsync(LedgerPosting posting, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(posting.AccountId);
        ObjectDisposedException.ThrowIf(_stopping, this);

        // Every posting queues, replays too: the decider looks each key up in the store once. A look-up
        // before queueing as well (to spare a replay the queue) cost every new key a second one.
        var pending = new PendingPosting(posting, cancellationToken);
        _queue.Enqueue(pending);
        if (TryTakeTurn())
        {
            // The ledger was idle. When commits are quick, this caller decides at once, with whatever
            // else is waiting: that spares the wake-up of the writer thread and the hop back, which at
            // moderate rates (batches of a few postings) cost more than the commit itself. A commit
            // that waits for a disk's sync would block a request thread instead: the writer takes it.
            if (Volatile.Read(ref _typicalCommitTicks) < QuickCommitTicks)
            {
                DecideNextBatch();
            }

            PassTurn();
        }

        return LedgerMetrics.ResumeDelay.Enabled ? ResumedAsync(pending) : pending.Completion.Task;
    }

    /// <summary>The posting's answer, timing how long its caller waited to run again after the writer gave it.</summary>
    private static async Task<LedgerOutcome> ResumedAsync(PendingPosting pending)
    {
        var outcome = await pending.Completion.Task;
        LedgerMetrics.ResumeDelay.Record(Stopwatch.GetElapsedTime(Volatile.Read(ref pending.Answered)).TotalMilliseconds);
        return outcome;
    }

    public AccountBalance GetBalance(string accountId) =>
        _balances.TryGetValue(accountId, out var balance) ? balance : new AccountBalance(accountId, 0, null);

    public LedgerPage Query(LedgerQuery query) => _store.Query(query);

    public LedgerEntry? FindClaim(string scope, string key) => _store.FindClaim(scope, key, LiveKeysClaimedAfter(Now()));

    public LedgerTotals Summarise(LedgerFilter filter) => _store.Summarise(filter);

    public long EntryCount => Volatile.Read(ref _entryCount);

    /// <summary>Decides everything already queued, then stops the writer thread; later postings are refused.</summary>
    public void Dispose()
    {
        if (_stopping)
        {
            return;
        }

        _stopping = true;
        _purgeTimer.Dispose();

        // Disposing a timer does not wait for a callback under way: the purge stops at its next chunk
        // and is waited for; one starting later sees _stopping.
        _stopPurging.Cancel();
        lock (_purging)
        {
        }

        _stopPurging.Dispose();

        // Wait for the turn (its holder finishes what is queued), then tell the idle writer to exit.
        var spin = new SpinWait();
        while (!TryTakeTurn())
        {
            spin.SpinOnce();
        }

        _writerMayExit = true;
        _handOff.Release();
        _writer.Join();
        DecideQueued();
        _handOff.Dispose();
    }

    private bool TryTakeTurn() => Interlocked.CompareExchange(ref _deciding, 1, 0) == 0;

    /// <summary>
    /// Called by the turn's holder after a batch: anything still queued goes to the writer thread, so
    /// no caller goes on deciding for others while its own answer waits.
    /// </summary>
    private void PassTurn()
    {
        if (!_queue.IsEmpty && !_stopping)
        {
            _handOff.Release();
            return;
        }

        DecideQueued();
    }

    /// <summary>Decides until the queue is empty and gives the turn up, taking it again for a posting queued meanwhile.</summary>
    private void DecideQueued()
    {
        do
        {
            while (DecideNextBatch())
            {
            }

            // A posting queued after the last look but before the release finds the turn taken and
            // relies on the holder to see it: look again after giving the turn up.
            Interlocked.Exchange(ref _deciding, 0);
        }
        while (!_queue.IsEmpty && TryTakeTurn());
    }

    /// <summary>The writer thread: decides whenever a caller hands it the turn.</summary>
    private void WriteLoop()
    {
        while (true)
        {
            _handOff.Wait();
            if (_writerMayExit)
            {
                return; // the disposer holds the turn
            }

            DecideQueued();
        }
    }

    /// <summary>Takes up to a batch off the queue and decides it; false when nothing was waiting.</summary>
    private bool DecideNextBatch()
    {
        var batch = _batch;
        while (batch.Count < _options.MaxBatchSize && _queue.TryDequeue(out var next))
        {
            batch.Add(next);
        }

        if (batch.Count == 0)
        {
            return false;
        }

        try
        {
            Decide(batch);
        }
        catch (Exception ex)
        {
            // Not a store failure (TryCommit refuses those): the view may no longer match the journal,
            // and answering anyone from it could charge twice. A restart rebuilds it from the journal.
            Environment.FailFast("The ledger failed while deciding a batch; restart to rebuild it from its journal.", ex);
        }

        batch.Clear();
        return true;
    }

    private void Decide(List<PendingPosting> batch)
    {
        LedgerMetrics.BatchSize.Record(batch.Count);
        var now = Now();
        var liveKeysClaimedAfter = LiveKeysClaimedAfter(now);
        var working = _working;
        var batchKeys = _batchKeys;
        working.Clear();
        batchKeys.Clear();
        var entries = new List<LedgerEntry>(batch.Count);
        var outcomes = new LedgerOutcome?[batch.Count];
        var nextId = _lastEntryId;

        for (var i = 0; i < batch.Count; i++)
        {
            var posting = batch[i].Posting;
            if (batch[i].Cancellation.IsCancellationRequested)
            {
                continue; // the caller has gone; nothing is charged for a request nobody will see answered
            }

            var claim = posting.Idempotency;
            if (claim is not null)
            {
                if (batchKeys.TryGetValue((claim.Scope, claim.Key), out var inBatch))
                {
                    outcomes[i] = Resolve(claim, inBatch);
                    continue;
                }

                if (_store.FindClaim(claim.Scope, claim.Key, liveKeysClaimedAfter) is { } known)
                {
                    outcomes[i] = Resolve(claim, known);
                    continue;
                }
            }

            var before = working.TryGetValue(posting.AccountId, out var pendingBalance)
                ? pendingBalance
                : GetBalance(posting.AccountId).Balance;
            var after = (Int128)before + posting.Amount;
            if (posting.Amount < 0 && after < 0)
            {
                outcomes[i] = new LedgerOutcome(LedgerStatus.InsufficientBalance, null, before);
                continue;
            }

            if (after > _options.MaxBalance)
            {
                outcomes[i] = new LedgerOutcome(LedgerStatus.BalanceLimitExceeded, null, before);
                continue;
            }

            var entry = new LedgerEntry
            {
                Id = ++nextId,
                AccountId = posting.AccountId,
                Amount = posting.Amount,
                BalanceBefore = before,
                BalanceAfter = (long)after,
                CreatedAt = now,
                Kind = posting.Kind,
                Category = posting.Category,
                Subject = posting.Subject,
                Reference = posting.Reference,
                IdempotencyKey = claim?.Key,
                IdempotencyScope = claim?.Scope,
                IdempotencyFingerprint = claim?.Fingerprint,
                Details = posting.Details,
                Metadata = posting.Metadata,
            };
            entries.Add(entry);
            working[posting.AccountId] = (long)after;
            if (claim is not null)
            {
                batchKeys[(claim.Scope, claim.Key)] = entry;
            }

            outcomes[i] = new LedgerOutcome(LedgerStatus.Applied, entry, entry.BalanceAfter);
        }

        if (entries.Count > 0 && !TryCommit(batch, entries, working, now))
        {
            return;
        }

        var answered = Stopwatch.GetTimestamp();
        for (var i = 0; i < batch.Count; i++)
        {
            if (LedgerMetrics.PostingDuration.Enabled)
            {
                LedgerMetrics.PostingDuration.Record(Stopwatch.GetElapsedTime(batch[i].Arrived, answered).TotalMilliseconds);
            }

            Volatile.Write(ref batch[i].Answered, answered);

            if (outcomes[i] is { } outcome)
            {
                batch[i].Completion.TrySetResult(outcome);
            }
            else
            {
                batch[i].Completion.TrySetCanceled(batch[i].Cancellation);
            }
        }
    }

    private bool TryCommit(
        List<PendingPosting> batch,
        List<LedgerEntry> entries,
        Dictionary<string, long> working,
        DateTime now)
    {
        var balances = new List<AccountBalance>(working.Count);
        foreach (var (accountId, balance) in working)
        {
            balances.Add(new AccountBalance(accountId, balance, now));
        }

        // The lock is the audit's only: uncontended otherwise, it costs nothing beside the commit's sync.
        lock (_applying)
        {
            try
            {
                var started = Stopwatch.GetTimestamp();
                _store.Commit(new LedgerBatch(entries, balances));
                var took = Stopwatch.GetTimestamp() - started;
                Volatile.Write(ref _typicalCommitTicks, _typicalCommitTicks + ((took - _typicalCommitTicks) / 8));
                LedgerMetrics.CommitDuration.Record(took * 1000.0 / Stopwatch.Frequency);
            }
            catch (Exception ex)
            {
                // Nothing of the batch may be acknowledged or remembered. Its ids are not used again: a
                // commit that failed only in its final sync may still be on disk.
                _lastEntryId = entries[^1].Id;
                Refuse(batch, entries.Count, ex);
                return false;
            }

            Apply(entries, balances);
        }

        return true;
    }

    /// <summary>Answers every posting of a batch whose commit failed: nothing was applied, and each may be retried.</summary>
    private void Refuse(List<PendingPosting> batch, int entries, Exception ex)
    {
        _logger.LogError(ex, "Ledger commit of {Count} postings failed; all of them are refused", entries);
        foreach (var pending in batch)
        {
            pending.Completion.TrySetException(new LedgerUnavailableException("The ledger could not commit the posting.", ex));
        }
    }

    /// <summary>Makes a durable batch's balances visible (a replay found by its key answers the new balance). Called holding <see cref="_applying"/>.</summary>
    private void Apply(List<LedgerEntry> entries, List<AccountBalance> balances)
    {
        foreach (var balance in balances)
        {
            _balances[balance.AccountId] = balance;
        }

        _lastEntryId = entries[^1].Id;
        Volatile.Write(ref _entryCount, _entryCount + entries.Count);
    }

    private LedgerOutcome Resolve(IdempotencyClaim claim, LedgerEntry known) =>
        string.Equals(known.IdempotencyFingerprint, claim.Fingerprint, StringComparison.Ordinal)
            ? new LedgerOutcome(LedgerStatus.Replayed, known, GetBalance(known.AccountId).Balance)
            : new LedgerOutcome(LedgerStatus.IdempotencyConflict, null, 0);

    /// <summary>A key is live while its claim is younger than the retention.</summary>
    private DateTime LiveKeysClaimedAfter(DateTime now) => now - _options.IdempotencyRetention;

    /// <summary>UTC now, cut to the millisecond precision the store keeps.</summary>
    private DateTime Now()
    {
        var ticks = _clock.GetUtcNow().UtcTicks;
        return new DateTime(ticks - (ticks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);
    }

    private sealed class PendingPosting(LedgerPosting posting, CancellationToken cancellation)
    {
        public LedgerPosting Posting { get; } = posting;

        public CancellationToken Cancellation { get; } = cancellation;

        public long Arrived { get; } = Stopwatch.GetTimestamp();

        // When the writer answered (set just before the answer, read by the resumed caller).
        public long Answered;

        public TaskCompletionSource<LedgerOutcome> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>The store refused a commit; the posting was not applied and may be retried.</summary>
public sealed class LedgerUnavailableException(string message, Exception inner) : Exception(message, inner);
