namespace Harness.Conformance.Steps.Providers;

/// <summary>Query strings and form bodies as ordered name/value pairs, decoded the way a PHP or ASP.NET merchant reads them.</summary>
public static class FormText
{
    public static List<KeyValuePair<string, string>> Parse(string text) =>
        [.. text.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries).Select(pair =>
        {
            var parts = pair.Split('=', 2);
            return new KeyValuePair<string, string>(Decode(parts[0]), Decode(parts.ElementAtOrDefault(1) ?? ""));
        })];

    /// <summary>The query of a URL as a dictionary (the last value of a repeated name wins).</summary>
    public static Dictionary<string, string> QueryOf(string url)
    {
        var query = url.IndexOf('?', StringComparison.Ordinal) is var at and >= 0 ? url[(at + 1)..] : "";
        return Dictionary(Parse(query));
    }

    public static Dictionary<string, string> Dictionary(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in pairs)
        {
            result[name] = value;
        }

        return result;
    }

    public static string Encode(IEnumerable<KeyValuePair<string, string>> pairs) =>
        string.Join('&', pairs.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));

    private static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));
}
