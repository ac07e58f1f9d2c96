using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.Control;

/// <summary>
/// The control API's two lists (payments, the delivery log), oldest first. Without <c>limit</c> a list holds every
/// item, as it always has; after a load test that is hundreds of thousands, so <c>limit</c> (1–1000) cuts it to a
/// page and <c>starting_after</c> (the last id of the page before) continues it, reading about a page from the store;
/// <c>X-Has-More</c> says whether another page follows. The filters (<c>provider</c>, <c>status</c>) refuse a value that matches nothing by its
/// nature, rather than answer an empty list for a typo.
/// </summary>
internal static class ControlLists
{
    public const int MaxLimit = 1000;

    public const string HasMoreHeader = "X-Has-More";

    /// <summary>The status named, or an error naming the values there are.</summary>
    public static (TStatus? Status, string? Error) Status<TStatus>(string? text, IReadOnlyDictionary<string, TStatus> names)
        where TStatus : struct =>
        text is null ? (null, null)
        : names.TryGetValue(text, out var status) ? (status, null)
        : (null, $"status must be one of {string.Join(", ", names.Keys)}");

    /// <summary>
    /// One page of a list read in order a chunk at a time (<paramref name="read"/>: up to n items after one, or from the
    /// first), the <paramref name="filter"/> applied on the way, so a page of a long list reads about a page; whether
    /// more follow goes in <see cref="HasMoreHeader"/>. Or why not: a bad <c>limit</c>, a <c>starting_after</c> that
    /// <paramref name="find"/> does not place in this list (a filtered-out status does not matter: the item may have
    /// moved on since its page).
    /// </summary>
    public static (List<TView>? Page, string? Error) Page<T, TView>(
        Func<T?, int, IReadOnlyList<T>> read, Func<string, T?> find, Func<T, bool>? filter, Func<T, TView> view,
        string? limit, string? startingAfter, HttpResponse response)
        where T : class
    {
        int? size = null;
        if (limit is not null)
        {
            if (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed is < 1 or > MaxLimit)
            {
                return (null, $"limit must be a whole number from 1 to {MaxLimit}");
            }

            size = parsed;
        }

        var after = startingAfter is null ? null : find(startingAfter);
        if (startingAfter is not null && after is null)
        {
            return (null, $"starting_after: '{startingAfter}' is not in this list");
        }

        var (items, resumeAfter) = Read(read, after, filter, size);
        response.Headers[HasMoreHeader] = resumeAfter is null ? "false" : "true";
        return ([.. items.Select(view)], null);
    }

    /// <summary>
    /// Up to <paramref name="size"/> items (null: all) after <paramref name="after"/>, read in chunks through
    /// <paramref name="filter"/>, and the item a next page starts after (null: nothing follows). With
    /// <paramref name="scanLimit"/>, reading stops after about that many items even if a filter left the page short,
    /// and the next page starts after the last one read: a filter that matches little never reads a whole history.
    /// </summary>
    public static (List<T> Items, T? ResumeAfter) Read<T>(
        Func<T?, int, IReadOnlyList<T>> read, T? after, Func<T, bool>? filter, int? size, int? scanLimit = null)
        where T : class
    {
        var chunk = size is { } wanted && filter is null ? wanted + 1 : MaxLimit; // one more than the page says whether more follow
        var items = new List<T>();
        var scanned = 0;
        while (size is null || items.Count <= size)
        {
            var batch = read(after, chunk);
            scanned += batch.Count;
            items.AddRange(filter is null ? batch : batch.Where(filter));
            if (batch.Count < chunk)
            {
                break;
            }

            after = batch[^1];
            if (scanned >= scanLimit && (size is null || items.Count <= size))
            {
                return (items, after);
            }
        }

        return size is { } shown && items.Count > shown ? (items[..shown], items[shown - 1]) : (items, null);
    }

    /// <summary><see cref="Page{T, TView}"/>'s reader over a list already in memory and in order.</summary>
    public static Func<T?, int, IReadOnlyList<T>> Reader<T>(IReadOnlyList<T> items)
        where T : class =>
        (after, count) => [.. (after is null ? items : items.SkipWhile(i => !ReferenceEquals(i, after)).Skip(1)).Take(count)];
}
