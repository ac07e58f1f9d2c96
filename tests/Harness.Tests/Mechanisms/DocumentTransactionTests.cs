using Harness.Storage;

namespace Harness.Tests.Mechanisms;

public abstract class DocumentTransactionTests<TStore> : IDisposable
    where TStore : IDocumentStore, IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "harness-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        Directory.Delete(_directory, recursive: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>The store under test, kept in <paramref name="directory"/> (opened again on the same data when called again).</summary>
    protected abstract TStore Open(string directory);

    [Fact]
    public void Writes_to_several_collections_land_together_and_survive_reopening()
    {
        using (var store = Open(_directory))
        {
            store.InTransaction(() =>
            {
                store.Collection<Note>("a").Upsert(new Note("1", "first"));
                Assert.True(store.Collection<Note>("b").TryInsert(new Note("2", "second")));
                Assert.Equal("first", store.Collection<Note>("a").Get("1")!.Text); // the unit reads its own writes
            });
        }

        using var reopened = Open(_directory);
        Assert.Equal("first", reopened.Collection<Note>("a").Get("1")!.Text);
        Assert.Equal("second", reopened.Collection<Note>("b").Get("2")!.Text);
    }

    [Fact]
    public void A_unit_that_throws_leaves_nothing_behind()
    {
        using var store = Open(_directory);
        store.Collection<Note>("a").Upsert(new Note("1", "before"));

        Assert.Throws<InvalidOperationException>(() => store.InTransaction(() =>
        {
            store.Collection<Note>("a").Upsert(new Note("1", "changed"));
            store.Collection<Note>("b").Upsert(new Note("2", "new"));
            store.InTransaction(() => store.Collection<Note>("b").Upsert(new Note("3", "nested")));
            throw new InvalidOperationException("crash in the middle");
        }));

        Assert.Equal("before", store.Collection<Note>("a").Get("1")!.Text);
        Assert.Null(store.Collection<Note>("b").Get("2"));
        Assert.Null(store.Collection<Note>("b").Get("3"));
    }

    [Fact]
    public async Task Units_on_several_threads_each_land_whole()
    {
        using var store = Open(_directory);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => store.InTransaction(() =>
        {
            store.Collection<Note>("a").Upsert(new Note("a" + i, "x"));
            store.Collection<Note>("b").Upsert(new Note("b" + i, "y"));
        }))));

        Assert.Equal(8, store.Collection<Note>("a").Count());
        Assert.Equal(8, store.Collection<Note>("b").Count());
    }

    public sealed record Note(string Id, string Text) : IDocument;
}

public sealed class LiteDocumentTransactionTests : DocumentTransactionTests<LiteDocumentStore>
{
    protected override LiteDocumentStore Open(string directory) => new(Path.Combine(directory, "store.db"));
}

public sealed class RocksDocumentTransactionTests : DocumentTransactionTests<RocksDocumentStore>
{
    protected override RocksDocumentStore Open(string directory) => new(Path.Combine(directory, "store"));
}
