using System.Globalization;
using Harness.Storage;

namespace Harness.Portaly;

/// <summary>
/// Portaly's cursor pages: <c>limit</c> (default 20, at most 100; a larger one is cut to 100) and
/// <c>startAfter</c>, the id of the last item of the previous page. Items come in a fixed order (the
/// caller's), so a cursor stays valid while items are added.
/// </summary>
public static class CursorPaging
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;

    /// <summary>The page after <paramref name="startAfter"/>, or the problem with the query.</summary>
    public static (PortalyList<TOut>? Page, PortalyFailure? Failure) Page<T, TOut>(IReadOnlyList<T> ordered, string? limit, string? startAfter, Func<T, TOut> view)
        where T : IDocument
    {
        var size = DefaultLimit;
        if (!string.IsNullOrEmpty(limit))
        {
            if (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size < 1)
            {
                return (null, PortalyFailure.Invalid("limit must be a whole number from 1 to 100"));
            }

            size = Math.Min(size, MaxLimit);
        }

        var start = 0;
        if (!string.IsNullOrEmpty(startAfter))
        {
            var index = ordered.Select((item, i) => (item, i)).FirstOrDefault(p => p.item.Id == startAfter, (default!, -1)).Item2;
            if (index < 0)
            {
                return (null, PortalyFailure.Invalid("startAfter is not an id in this list"));
            }

            start = index + 1;
        }

        var items = ordered.Skip(start).Take(size).ToList();
        var hasMore = start + items.Count < ordered.Count;
        var pagination = new Pagination(hasMore, hasMore ? items[^1].Id : null, items.Count);
        return (new PortalyList<TOut>([.. items.Select(view)], pagination), null);
    }
}
