namespace Harness.Storage;

/// <summary>
/// Documents that fall due at a time kept in an index field (an <see cref="OrderKeys.Time(DateTime, string)"/> key, null
/// once nothing is due): when the earliest is due, and running the due ones, a batch at a time, each in a unit of its
/// own. The settle action reads its document again inside the unit (another run may have settled it since it was
/// listed) and clears the field.
/// </summary>
public static class DueDocuments
{
    /// <summary>When the earliest document is due; null when none is.</summary>
    public static DateTimeOffset? Earliest<T>(IDocumentCollection<T> documents, string orderField, Func<T, string?> order)
        where T : class, IDocument =>
        documents.Between(orderField, null, null, 1) is [var first] && order(first) is { } key
            ? new DateTimeOffset(OrderKeys.TimeOf(key), TimeSpan.Zero)
            : null;

    /// <summary>Settles every document due at or before <paramref name="now"/>, <paramref name="batch"/> listed at a time.</summary>
    public static void Run<T>(
        IDocumentStore store, IDocumentCollection<T> documents, string orderField, DateTime now, int batch, Action<T> settle, CancellationToken cancellationToken)
        where T : class, IDocument
    {
        IReadOnlyList<T> due;
        do
        {
            due = documents.Between(orderField, null, OrderKeys.AfterTime(now), batch);
            foreach (var listed in due)
            {
                cancellationToken.ThrowIfCancellationRequested();
                store.InTransaction(() => settle(listed));
            }
        }
        while (due.Count == batch);
    }
}
