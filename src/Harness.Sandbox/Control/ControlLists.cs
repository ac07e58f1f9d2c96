using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.Control;

/// <summary>
/// The control API's two lists (payments, the delivery log), oldest first. Without <c>limit</c> a list holds every
/// item, as it always has; after a load test that is hundreds of thousands, so <c>limit</c> (1–1000) cuts it to a
/// page and <c>starting_after</c> (the last id of the page before) continues it; <c>X-Has-More</c> says whether
/// another page follows. The filters (<c>provider</c>, <c>status</c>) refuse a value that matches nothing by its
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

    /// <summary>One page of <paramref name="items"/>, or why not: a bad <c>limit</c>, a <c>starting_after</c> the list does not hold.</summary>
    public static (List<TView>? Page, string? Error) Page<T, TView>(
        IReadOnlyList<T> items, Func<T, string> id, Func<T, TView> view, string? limit, string? startingAfter, HttpResponse response)
    {
        var size = items.Count;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size is < 1 or > MaxLimit))
        {
            return (null, $"limit must be a whole number from 1 to {MaxLimit}");
        }

        var start = 0;
        if (startingAfter is not null)
        {
            var at = items.Select(id).ToList().IndexOf(startingAfter);
            if (at < 0)
            {
                return (null, $"starting_after: '{startingAfter}' is not in this list");
            }

            start = at + 1;
        }

        var page = items.Skip(start).Take(size).Select(view).ToList();
        response.Headers[HasMoreHeader] = start + page.Count < items.Count ? "true" : "false";
        return (page, null);
    }
}
