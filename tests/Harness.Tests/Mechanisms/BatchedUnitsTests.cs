using Harness.Storage;

namespace Harness.Tests.Mechanisms;

/// <summary>
/// Group commit of the document store: units waiting together share one commit, a failing unit is rolled back alone,
/// what a unit asks to run after its commit runs after it (never after a rollback), and an insert race has one winner.
/// </summary>
public abstract class BatchedUnitsTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "harness-tests", Guid.NewGuid().ToString("N"));
    private readonly IDocumentStore _store;

    protected BatchedUnitsTests() => _store = Open(_directory);

    public void Dispose()
    {
        ((IDisposable)_store).Dispose();
        Directory.Delete(_directory, recursive: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>The store under test, kept in <paramref name="directory"/>.</summary>
    protected abstract IDocumentStore Open(string directory);

    protected abstract long CommitsOf(IDocumentStore store);

    [Fact]
    public async Task Units_that_wait_while_the_writer_is_busy_commit_together()
    {
        var notes = _store.Collection<Note>("notes");
        var (blocker, release) = HoldTheWriter();
        var before = CommitsOf(_store);

        var waiting = Enumerable.Range(0, 20).Select(i => OnItsOwnThread(() => notes.Upsert(new Note("n" + i, "x")))).ToList();
        await WaitUntilQueued(waiting);
        release.Set();
        await blocker;
        await Task.WhenAll(waiting);

        Assert.Equal(20, notes.Count());
        Assert.InRange(CommitsOf(_store) - before, 2, 3); // the blocker's commit, then the twenty in one (two if one came late)
    }

    [Fact]
    public async Task A_unit_that_throws_is_rolled_back_alone_and_the_units_beside_it_land()
    {
        var notes = _store.Collection<Note>("notes");
        var (blocker, release) = HoldTheWriter();
        var first = OnItsOwnThread(() => notes.Upsert(new Note("a", "kept")));
        var failing = OnItsOwnThread(() => _store.InTransaction(() =>
        {
            notes.Upsert(new Note("b", "lost"));
            throw new InvalidOperationException("the unit failed half-way");
        }));
        var last = OnItsOwnThread(() => notes.Upsert(new Note("c", "kept")));
        await WaitUntilQueued([first, failing, last]);
        release.Set();
        await blocker;

        await first;
        await last;
        await Assert.ThrowsAsync<InvalidOperationException>(() => failing);
        Assert.Equal("kept", notes.Get("a")!.Text);
        Assert.Null(notes.Get("b"));
        Assert.Equal("kept", notes.Get("c")!.Text);
    }

    [Fact]
    public void What_a_unit_runs_after_its_commit_sees_the_commit_and_a_rolled_back_unit_runs_none()
    {
        var notes = _store.Collection<Note>("notes");
        string? seenAfterCommit = null;
        string? seenInside = "unset";
        _store.InTransaction(() =>
        {
            notes.Upsert(new Note("1", "written"));
            _store.OnCommitted(() => seenAfterCommit = ReadElsewhere(() => notes.Get("1")?.Text));
            seenInside = ReadElsewhere(() => notes.Get("1")?.Text); // another thread: not committed yet
        });
        Assert.Null(seenInside);
        Assert.Equal("written", seenAfterCommit);

        var ran = false;
        Assert.Throws<InvalidOperationException>(() => _store.InTransaction(() =>
        {
            _store.OnCommitted(() => ran = true);
            throw new InvalidOperationException("rolled back");
        }));
        Assert.False(ran);

        var outside = false;
        _store.OnCommitted(() => outside = true);
        Assert.True(outside); // outside a unit there is nothing to wait for
    }

    [Fact]
    public async Task An_awaited_unit_lands_like_a_waited_one_and_its_failure_leaves_nothing()
    {
        var notes = _store.Collection<Note>("notes");
        var after = false;
        await _store.InTransactionAsync(() =>
        {
            notes.Upsert(new Note("1", "awaited"));
            _store.OnCommitted(() => after = notes.Get("1") is not null);
        });
        Assert.True(after);

        await Assert.ThrowsAsync<InvalidOperationException>(() => _store.InTransactionAsync(() =>
        {
            notes.Upsert(new Note("2", "lost"));
            throw new InvalidOperationException("failed");
        }));
        Assert.Null(notes.Get("2"));
    }

    [Fact]
    public async Task Of_concurrent_inserts_of_one_id_exactly_one_wins()
    {
        var notes = _store.Collection<Note>("notes");
        var wins = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() => notes.TryInsert(new Note("same", "writer " + i)))));

        Assert.Single(wins, won => won);
        Assert.Equal(1, notes.Count());
    }

    /// <summary>A unit that holds the writer thread until released, so the units started meanwhile wait together.</summary>
    private (Task Blocker, ManualResetEventSlim Release) HoldTheWriter()
    {
        var entered = new ManualResetEventSlim();
        var release = new ManualResetEventSlim();
        var blocker = OnItsOwnThread(() => _store.InTransaction(() =>
        {
            entered.Set();
            release.Wait(TimeSpan.FromSeconds(30));
        }));
        Assert.True(entered.Wait(TimeSpan.FromSeconds(30)));
        return (blocker, release);
    }

    private static string? ReadElsewhere(Func<string?> read)
    {
        string? value = null;
        var reader = new Thread(() => value = read());
        reader.Start();
        reader.Join();
        return value;
    }

    /// <summary>A writer that blocks: on a thread of its own, so a test never waits for the thread pool to grow.</summary>
    private static Task OnItsOwnThread(Action write) =>
        Task.Factory.StartNew(write, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>Gives the tasks time to reach the writer's queue (they cannot finish while it is held).</summary>
    private static async Task WaitUntilQueued(IReadOnlyList<Task> tasks)
    {
        await Task.Delay(300, TestContext.Current.CancellationToken);
        Assert.All(tasks, t => Assert.False(t.IsCompleted));
    }

    public sealed record Note(string Id, string Text) : IDocument;
}

public sealed class LiteBatchedUnitsTests : BatchedUnitsTests
{
    protected override IDocumentStore Open(string directory) => new LiteDocumentStore(Path.Combine(directory, "store.db"));

    protected override long CommitsOf(IDocumentStore store) => ((LiteDocumentStore)store).Commits;
}

public sealed class RocksBatchedUnitsTests : BatchedUnitsTests
{
    protected override IDocumentStore Open(string directory) => new RocksDocumentStore(Path.Combine(directory, "store"));

    protected override long CommitsOf(IDocumentStore store) => ((RocksDocumentStore)store).Commits;
}
