namespace Harness.Storage;

/// <summary>A document with a string identity. Capability data (users, sessions, keys, plans) is stored as documents.</summary>
public interface IDocument
{
    string Id { get; }
}

/// <summary>
/// The storage capabilities see. The embedded default is LiteDB in one file; a scale-out implementation
/// (PostgreSQL JSONB tables) implements the same two interfaces, so capability code does not change.
/// Money never moves through here: balances change only through the ledger (<c>Harness.Ledger</c>).
/// </summary>
public interface IDocumentStore
{
    /// <param name="name">Collection name (snake_case).</param>
    /// <param name="indexedFields">Top-level fields that <see cref="IDocumentCollection{T}.FindBy"/> is used on.</param>
    IDocumentCollection<T> Collection<T>(string name, params string[] indexedFields)
        where T : class, IDocument;

    /// <summary>
    /// Runs <paramref name="work"/> as one unit: every write it makes through this store's collections lands
    /// together, durably, or (when it throws) not at all. The work is synchronous and runs on the calling thread;
    /// a unit inside a unit joins the outer one. Reads inside it see its own writes.
    /// </summary>
    void InTransaction(Action work);

    /// <summary>
    /// <see cref="InTransaction"/> awaited rather than waited for, for callers that must not hold a thread while the
    /// unit waits its turn and its sync (the callback pump, with a hundred attempts recording at once).
    /// </summary>
    Task InTransactionAsync(Action work);

    /// <summary>
    /// Runs <paramref name="action"/> once the writes made so far on this thread are durable: at once outside a
    /// unit, after the unit's commit inside one, never when the unit rolls back. For what other threads act on
    /// (an in-memory index, a wake-up), which must not see a write before it can be read.
    /// </summary>
    void OnCommitted(Action action);
}

public interface IDocumentCollection<T>
    where T : class, IDocument
{
    T? Get(string id);

    IReadOnlyList<T> All();

    /// <summary>Documents whose indexed top-level field equals <paramref name="value"/>.</summary>
    IReadOnlyList<T> FindBy(string field, string value);

    /// <summary>
    /// Documents whose indexed top-level field lies strictly between <paramref name="after"/> and <paramref name="before"/>
    /// (ordinal; null: no bound), at most <paramref name="limit"/>, in the field's order or, <paramref name="descending"/>,
    /// its reverse. It reads only what it answers, so a page of a long history costs a page. Documents without the field
    /// are not listed. A field whose values are unique (<see cref="OrderKeys"/>: a time or number, then the id where two
    /// documents could share it) pages on from the last value seen.
    /// </summary>
    IReadOnlyList<T> Between(string field, string? after, string? before, int limit, bool descending = false);

    /// <summary>Inserts unless a document with the same id exists; insert-first, so concurrent callers cannot both win.</summary>
    bool TryInsert(T document);

    void Upsert(T document);

    bool Delete(string id);

    long Count();
}

public static class DocumentStoreUnits
{
    /// <summary>
    /// <see cref="IDocumentStore.InTransaction"/> for work with a result (a name of its own: a lambda with a result
    /// also converts to the instance method's <see cref="Action"/>, which would drop it).
    /// </summary>
    public static T Atomically<T>(this IDocumentStore store, Func<T> work)
    {
        var result = default(T)!;
        store.InTransaction(() => result = work());
        return result;
    }

    /// <summary><see cref="Atomically{T}"/> awaited: the request's thread is free while the unit waits its turn and its sync.</summary>
    public static async Task<T> AtomicallyAsync<T>(this IDocumentStore store, Func<T> work)
    {
        var result = default(T)!;
        await store.InTransactionAsync(() => result = work());
        return result;
    }
}
