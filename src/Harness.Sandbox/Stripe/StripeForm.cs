using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// Stripe's form encoding: <c>line_items[0][price_data][currency]=usd</c>, <c>metadata[k]=v</c>, <c>expand[]=x</c>.
/// Brackets may arrive encoded or not (the SDKs send them raw); both parse to the same tree of JSON objects,
/// arrays and strings. Objects whose keys are all indexes become arrays.
/// </summary>
public static class StripeForm
{
    public static async Task<JsonObject> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var (key, values) in request.Query)
        {
            pairs.AddRange(values.Select(v => new KeyValuePair<string, string>(key, v ?? "")));
        }

        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(cancellationToken);
            foreach (var (key, values) in form)
            {
                pairs.AddRange(values.Select(v => new KeyValuePair<string, string>(key, v ?? "")));
            }
        }

        return Parse(pairs);
    }

    public static JsonObject Parse(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        var root = new JsonObject();
        foreach (var (key, value) in pairs)
        {
            var path = Split(key);
            JsonObject node = root;
            for (var i = 0; i < path.Count - 1; i++)
            {
                var segment = path[i] == "" ? node.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) : path[i];
                if (node[segment] is not JsonObject child)
                {
                    child = new JsonObject();
                    node[segment] = child;
                }

                node = child;
            }

            var last = path[^1] == "" ? node.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) : path[^1];
            node[last] = value;
        }

        return (JsonObject)ToArrays(root);
    }

    private static List<string> Split(string key)
    {
        var segments = new List<string>();
        var open = key.IndexOf('[', StringComparison.Ordinal);
        if (open < 0)
        {
            segments.Add(key);
            return segments;
        }

        segments.Add(key[..open]);
        while (open >= 0 && open < key.Length)
        {
            var close = key.IndexOf(']', open);
            if (close < 0)
            {
                break;
            }

            segments.Add(key[(open + 1)..close]);
            open = key.IndexOf('[', close);
        }

        return segments;
    }

    private static JsonNode ToArrays(JsonNode node)
    {
        if (node is not JsonObject obj)
        {
            return node;
        }

        var converted = obj.ToList().Select(p => (p.Key, Value: ToArrays(p.Value!.DeepClone()))).ToList();
        if (converted.Count > 0 && converted.All(p => int.TryParse(p.Key, out _)))
        {
            return new JsonArray([.. converted.OrderBy(p => int.Parse(p.Key, System.Globalization.CultureInfo.InvariantCulture)).Select(p => p.Value)]);
        }

        var result = new JsonObject();
        foreach (var (key, value) in converted)
        {
            result[key] = value;
        }

        return result;
    }
}
