using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Harness.Security;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.Creem;

/// <summary>The shapes every Creem answer shares: ids, ISO dates with milliseconds, millisecond numbers, pages.</summary>
internal static class CreemJson
{
    public static readonly JsonSerializerOptions Compact = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string NewId(string prefix) => prefix + "_" + Secrets.RandomHex(11).ToUpperInvariant()[..21];

    /// <summary>ISO-8601 with offset and milliseconds, which the SDK's date schemas require.</summary>
    public static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static DateTimeOffset ParseIso(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    /// <summary>What the merchant sees: the stored object without the sandbox's own fields (names starting with <c>_</c>).</summary>
    public static JsonObject Public(JsonObject obj)
    {
        var copy = (JsonObject)obj.DeepClone();
        foreach (var key in copy.Select(kv => kv.Key).Where(k => k.StartsWith('_')).ToList())
        {
            copy.Remove(key);
        }

        return copy;
    }

    public static IResult Ok(JsonObject obj) => Results.Text(Public(obj).ToJsonString(Compact), "application/json");

    public static bool TryInt(JsonNode node, out long value)
    {
        value = 0;
        return node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out value);
    }

    /// <summary>Creem's list answer: <c>{items, pagination}</c>, pages numbered from 1.</summary>
    public static IResult Page(IReadOnlyList<JsonObject> all, int page, int size)
    {
        var pages = Math.Max(1, (all.Count + size - 1) / size);
        var body = new JsonObject
        {
            ["items"] = new JsonArray([.. all.Skip((page - 1) * size).Take(size).Select(o => (JsonNode)Public(o))]),
            ["pagination"] = new JsonObject
            {
                ["total_records"] = all.Count,
                ["total_pages"] = pages,
                ["current_page"] = page,
                ["next_page"] = page < pages ? page + 1 : null,
                ["prev_page"] = page > 1 ? page - 1 : null,
            },
        };
        return Results.Text(body.ToJsonString(Compact), "application/json");
    }

    /// <summary>Reads <c>page_number</c> (from 1) and <c>page_size</c> (1 to 100, default 10), or the 400 Creem answers.</summary>
    public static IResult? TryPaging(HttpRequest request, out int page, out int size)
    {
        page = 1;
        size = 10;
        var problems = new List<string>();
        if (request.Query["page_number"].ToString() is { Length: > 0 } p && (!int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out page) || page < 1))
        {
            problems.Add("page_number must be a positive integer");
        }

        if (request.Query["page_size"].ToString() is { Length: > 0 } s && (!int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size is < 1 or > 100))
        {
            problems.Add("page_size must be an integer between 1 and 100");
        }

        return problems.Count > 0 ? CreemErrors.BadRequest([.. problems]) : null;
    }
}
