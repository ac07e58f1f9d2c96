namespace Harness.Storage;

/// <summary>
/// Numbers that grow across restarts (the order of a collection's documents), kept in the store beside what they
/// number, so that a start reads one document instead of every numbered one. <see cref="Next"/> runs in the caller's
/// unit: the number and what it numbers land together. A number taken by a unit that rolled back is skipped, never
/// handed out again.
/// </summary>
public sealed class StoredSequence
{
    private readonly IDocumentStore _store;
    private readonly IDocumentCollection<SequenceDocument> _sequences;
    private readonly string _name;
    private long _value; // the writer thread's: every change is in a unit

    /// <param name="store">The store of the numbered documents.</param>
    /// <param name="name">The sequence's name (the collection it numbers).</param>
    /// <param name="highestSoFar">The highest number in use, for a store written before its sequence was kept: asked once.</param>
    public StoredSequence(IDocumentStore store, string name, Func<long> highestSoFar)
    {
        _store = store;
        _name = name;
        _sequences = store.Collection<SequenceDocument>("sequences");
        if (_sequences.Get(name) is { } stored)
        {
            _value = stored.Value;
            return;
        }

        _value = highestSoFar();
        _sequences.Upsert(new SequenceDocument { Id = name, Value = _value });
    }

    public long Next() => _store.Atomically(() =>
    {
        _value++;
        _sequences.Upsert(new SequenceDocument { Id = _name, Value = _value });
        return _value;
    });

    public sealed class SequenceDocument : IDocument
    {
        public string Id { get; set; } = "";

        public long Value { get; set; }
    }
}
