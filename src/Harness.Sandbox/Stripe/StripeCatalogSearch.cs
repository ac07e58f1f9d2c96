using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// <c>GET /v1/products/search</c> and <c>GET /v1/prices/search</c> with a subset of Stripe's search query language:
/// exact-match clauses <c>field:'value'</c> (or double quotes) and <c>metadata['key']:'value'</c>, joined by
/// <c>AND</c>. Pages are <c>search_result</c> lists, newest first, continued with <c>page</c> = <c>next_page</c>.
/// </summary>
public static partial class StripeCatalogSearch
{
    /// <summary>The fields each searchable type takes besides <c>metadata['…']</c>.</summary>
    private static readonly Dictionary<string, HashSet<string>> Fields = new(StringComparer.Ordinal)
    {
        ["product"] = ["active", "name", "description", "url"],
        ["price"] = ["active", "lookup_key", "product", "currency", "type"],
    };

    private sealed record Clause(string Field, string? Key, string Value);

    public static StripeResponse Search(ProviderObjects objects, string type, string url, JsonObject query, Func<JsonObject, bool> live)
    {
        if (query.Str("query") is not { } text)
        {
            return StripeErrors.Missing("query");
        }

        if (Parse(text, Fields[type]) is not { } clauses)
        {
            return StripeErrors.InvalidParam(
                $"The sandbox could not read the search query `{StripeLists.Clip(text)}`: it takes field:'value' clauses on {string.Join(", ", Fields[type])} and metadata['key'], joined by AND.",
                "query");
        }

        var matching = objects.Newest(type, query.Str("page")).Where(o => live(o) && clauses.All(c => Matches(o, c)));
        var page = StripeLists.Page(url, matching, query);
        if (page.Status != 200)
        {
            return page;
        }

        var data = (JsonArray)page.Body["data"]!;
        var hasMore = page.Body["has_more"]!.GetValue<bool>();
        return StripeResponse.Ok(new JsonObject
        {
            ["object"] = "search_result",
            ["data"] = data.DeepClone(),
            ["has_more"] = hasMore,
            ["next_page"] = hasMore ? data[^1].Str("id") : null,
            ["url"] = url,
        });
    }

    /// <summary>The clauses of <paramref name="text"/>, or null when one is not of the subset.</summary>
    private static List<Clause>? Parse(string text, HashSet<string> fields)
    {
        var clauses = new List<Clause>();
        foreach (var part in text.Split(" AND ", StringSplitOptions.TrimEntries))
        {
            var match = ClauseSyntax().Match(part);
            if (!match.Success)
            {
                return null;
            }

            var field = match.Groups["field"].Value;
            var key = match.Groups["key"].Success ? match.Groups["key"].Value : null;
            if (key is null ? !fields.Contains(field) : field != "metadata")
            {
                return null;
            }

            clauses.Add(new Clause(field, key, match.Groups["value"].Value));
        }

        return clauses;
    }

    private static bool Matches(JsonObject obj, Clause clause) => clause switch
    {
        { Key: { } key } => obj["metadata"].Str(key) == clause.Value,
        { Field: "active" } => (obj["active"]?.GetValue<bool>() == true ? "true" : "false") == clause.Value,
        _ => obj.Str(clause.Field) == clause.Value,
    };

    [GeneratedRegex("""^(?<field>[a-z_]+)(\[(?<q>['"])(?<key>[^'"]+)\k<q>\])?:(?<v>['"])(?<value>[^'"]*)\k<v>$""")]
    private static partial Regex ClauseSyntax();
}
