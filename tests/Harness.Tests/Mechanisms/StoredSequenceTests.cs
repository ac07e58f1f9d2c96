using Harness.Storage;

namespace Harness.Tests.Mechanisms;

public sealed class StoredSequenceTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "harness-tests", Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Numbers_grow_across_reopening_without_reading_what_they_numbered()
    {
        var asked = 0;
        long Highest()
        {
            asked++;
            return 41; // a store written before the sequence was kept, whose documents go up to 41
        }

        using (var store = new RocksDocumentStore(_directory))
        {
            var sequence = new StoredSequence(store, "things", Highest);
            Assert.Equal([42L, 43L, 44L], [sequence.Next(), sequence.Next(), sequence.Next()]);
        }

        using (var store = new RocksDocumentStore(_directory))
        {
            var sequence = new StoredSequence(store, "things", Highest);
            Assert.Equal(45, sequence.Next());
            Assert.Equal(1, new StoredSequence(store, "others", () => 0).Next()); // each name its own
        }

        Assert.Equal(1, asked); // only the first start asked

        using (var store = new RocksDocumentStore(_directory))
        {
            _ = new StoredSequence(store, "untouched", Highest); // asked, and kept at once: a start that numbers nothing
        }

        using (var store = new RocksDocumentStore(_directory))
        {
            Assert.Equal(42, new StoredSequence(store, "untouched", Highest).Next());
        }

        Assert.Equal(2, asked);
    }

    [Fact]
    public void A_number_taken_by_a_unit_that_rolled_back_is_never_handed_out_again()
    {
        using var store = new RocksDocumentStore(_directory);
        var sequence = new StoredSequence(store, "things", () => 0);
        var kept = sequence.Next();

        Assert.Throws<InvalidOperationException>(() => store.InTransaction(() =>
        {
            sequence.Next();
            throw new InvalidOperationException("rolled back");
        }));

        Assert.Equal(kept + 2, sequence.Next());
    }
}
