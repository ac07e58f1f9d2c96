namespace Harness.Storage;

/// <summary>
/// Group commit for a store whose transactions belong to a thread (LiteDB): every unit of work runs on one writer
/// thread, and the units waiting when it is free run together in one transaction with one commit and one sync.
/// A commit rewrites every page it touched; units committed together share their pages, so a batch of many
/// small units writes a fraction of what one commit each would, and answers after one sync instead of many.
/// Units run one at a time in arrival order, so a unit that reads and writes on what it read is never overtaken.
/// A unit that throws is rolled back alone: the batch is rolled back, the failing unit fails, the others run again.
/// </summary>
internal sealed class BatchedUnits : IDisposable
{
    /// <summary>The most units one commit takes: bounds the transaction's pages in memory and the wait behind it.</summary>
    private const int MaxBatch = 256;

    private readonly Action _begin;
    private readonly Action _commit;
    private readonly Action _rollback;
    private readonly Action _sync;
    private readonly Queue<Unit> _waiting = new();
    private readonly object _queue = new();
    private readonly Thread _writer;
    private bool _stopping;

    // What the running unit asked to run once it has committed (the writer thread's).
    private List<Action>? _afterCommit;

    /// <param name="begin">Opens a transaction on the calling (writer) thread.</param>
    /// <param name="commit">Commits it.</param>
    /// <param name="rollback">Rolls it back.</param>
    /// <param name="sync">Makes every commit so far durable.</param>
    public BatchedUnits(Action begin, Action commit, Action rollback, Action sync)
    {
        (_begin, _commit, _rollback, _sync) = (begin, commit, rollback, sync);
        _writer = new Thread(Write) { IsBackground = true, Name = "document-store writer" };
        _writer.Start();
    }

    /// <summary>True on the writer thread while a batch runs: a unit inside a unit joins it.</summary>
    public bool InUnit => Thread.CurrentThread == _writer;

    /// <summary>Commits made so far (a test sees units share them).</summary>
    public long Commits { get; private set; }

    /// <summary>
    /// Runs <paramref name="work"/> on the writer thread inside a transaction and returns once it is durable; then runs,
    /// on the calling thread, what the work asked to run after its commit. Throws what the work threw (nothing landed).
    /// Inside a unit (on the writer thread) the work joins that unit.
    /// </summary>
    public void Run(Action work)
    {
        if (InUnit)
        {
            work();
            return;
        }

        var unit = Enqueue(work);
        unit.Done.Task.GetAwaiter().GetResult();
        unit.AfterCommit?.ForEach(a => a());
    }

    /// <summary><see cref="Run"/> for a caller that must not hold a thread while it waits (the callback pump's attempts).</summary>
    public Task RunAsync(Action work)
    {
        if (InUnit)
        {
            work();
            return Task.CompletedTask;
        }

        return Completed(Enqueue(work));

        static async Task Completed(Unit unit)
        {
            await unit.Done.Task;
            unit.AfterCommit?.ForEach(a => a());
        }
    }

    /// <summary>
    /// Runs <paramref name="action"/> once the writes made so far on this thread are durable: at once outside a unit, after
    /// the unit's commit inside one (on the unit's caller's thread), never when the unit rolls back.
    /// </summary>
    public void OnCommitted(Action action)
    {
        if (InUnit)
        {
            (_afterCommit ??= []).Add(action);
        }
        else
        {
            action();
        }
    }

    private Unit Enqueue(Action work)
    {
        var unit = new Unit(work);
        lock (_queue)
        {
            ObjectDisposedException.ThrowIf(_stopping, this);
            _waiting.Enqueue(unit);
            if (_waiting.Count == 1)
            {
                Monitor.PulseAll(_queue);
            }
        }

        return unit;
    }

    public void Dispose()
    {
        lock (_queue)
        {
            _stopping = true;
            Monitor.PulseAll(_queue);
        }

        _writer.Join();
    }

    private void Write()
    {
        var batch = new List<Unit>(MaxBatch);
        while (TakeBatch(batch))
        {
            try
            {
                CommitBatch(batch);
                _sync();
            }
            catch (Exception ex)
            {
                // The commit or the sync failed: nothing of the batch is known durable. A transaction the failed commit
                // left open must not take the next batch's units in (a rollback with none open does nothing).
                batch.ForEach(u => u.Error = ex);
                RollBackWhatIsLeft();
            }

            batch.ForEach(u => u.Finish());
            batch.Clear();
        }
    }

    private void RollBackWhatIsLeft()
    {
        try
        {
            _rollback();
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or LiteDB.LiteException)
        {
            // The batch's units already carry the failure; the writer lives on for the next batch.
        }
    }

    private bool TakeBatch(List<Unit> batch)
    {
        lock (_queue)
        {
            while (_waiting.Count == 0)
            {
                if (_stopping)
                {
                    return false;
                }

                Monitor.Wait(_queue);
            }

            while (batch.Count < MaxBatch && _waiting.TryDequeue(out var unit))
            {
                batch.Add(unit);
            }

            return true;
        }
    }

    /// <summary>Runs the batch's units in one transaction; a unit that throws is taken out and the rest run again.</summary>
    private void CommitBatch(List<Unit> batch)
    {
        while (true)
        {
            var failed = RunUnits(batch.Where(u => u.Error is null));
            if (failed is null)
            {
                _commit();
                Commits++;
                return;
            }

            _rollback();
            failed.AfterCommit = null;
            batch.ForEach(u => u.AfterCommit = null);
            if (batch.All(u => u.Error is not null))
            {
                return;
            }
        }
    }

    private Unit? RunUnits(IEnumerable<Unit> units)
    {
        _begin();
        foreach (var unit in units)
        {
            try
            {
                unit.Work();
                unit.AfterCommit = TakeAfterCommit();
            }
            catch (Exception ex)
            {
                TakeAfterCommit();
                unit.Error = ex;
                return unit;
            }
        }

        return null;
    }

    private List<Action>? TakeAfterCommit()
    {
        var actions = _afterCommit;
        _afterCommit = null;
        return actions;
    }

    private sealed class Unit(Action work)
    {
        public Action Work { get; } = work;

        // Continuations run elsewhere: the writer thread goes straight on to the next batch.
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<Action>? AfterCommit { get; set; }

        public Exception? Error { get; set; }

        public void Finish()
        {
            if (Error is null)
            {
                Done.SetResult();
            }
            else
            {
                Done.SetException(Error);
            }
        }
    }
}
