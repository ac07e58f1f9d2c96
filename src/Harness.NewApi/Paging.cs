using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace Harness.NewApi;

/// <summary>A page of New-API's lists: <c>{"page", "page_size", "total", "items"}</c>, items <c>id desc</c>.</summary>
public sealed record Page<T>(
    [property: JsonPropertyName("page")] int Number,
    [property: JsonPropertyName("page_size")] int Size,
    [property: JsonPropertyName("total")] int Total,
    [property: JsonPropertyName("items")] IReadOnlyList<T> Items);

/// <summary>
/// Upstream's <c>GetPageQuery</c> (new-api.md §1.2): <c>p</c> from 1 (missing, 0 or unreadable → 1), size from
/// <c>page_size</c>, else <c>ps</c>, else <c>size</c>, default 10, at most 100. A negative <c>p</c> is page 1 here;
/// upstream turns it into a negative offset (docs/new-api.md).
/// </summary>
public static class Paging
{
    public const int DefaultSize = 10;
    public const int MaxSize = 100;

    public static Page<T> Of<T>(HttpRequest request, IReadOnlyList<T> all)
    {
        var page = Math.Max(1, Int(request, "p") ?? 1);
        var size = Int(request, "page_size") ?? Int(request, "ps") ?? Int(request, "size") ?? DefaultSize;
        size = size <= 0 ? DefaultSize : Math.Min(size, MaxSize);
        var skip = (long)(page - 1) * size;
        return new Page<T>(page, size, all.Count, skip >= all.Count ? [] : [.. all.Skip((int)skip).Take(size)]);
    }

    private static int? Int(HttpRequest request, string name) =>
        int.TryParse(request.Query[name].ToString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value != 0 ? value : null;
}
