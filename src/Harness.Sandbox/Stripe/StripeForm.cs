using System.Text.Json.Nodes;
using Harness.Http;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// Stripe's form encoding: <c>line_items[0][price_data][currency]=usd</c>, <c>metadata[k]=v</c>, <c>expand[]=x</c>.
/// Brackets may arrive encoded or not (the SDKs send them raw); both parse to the same tree of JSON objects,
/// arrays and strings. Objects whose keys are all indexes become arrays.
/// </summary>
public static class StripeForm
{
    /// <summary>
    /// Stripe's deepest parameters have five levels of brackets (<c>line_items[0][price_data][product_data][metadata][k]</c>).
    /// Keys nested deeper are refused: the parameters are stored and fingerprinted as JSON, whose readers stop at 64 levels.
    /// </summary>
    private const int MaxNesting = 10;

    public static async Task<JsonObject> ReadAsync(HttpRequest request)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var (key, values) in request.Query)
        {
            pairs.AddRange(values.Select(v => new KeyValuePair<string, string>(key, v ?? "")));
        }

        if (request.HasFormContentType)
        {
            var form = await RequestForm.ReadAsync(request);
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
            if (path.Count > MaxNesting + 1)
            {
                throw new RequestRejectedException(ApiErrorKind.Validation, $"Invalid parameter {key[..Math.Min(key.Length, 100)]}: parameters can be nested at most {MaxNesting} levels deep.");
            }

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

        // The root is the parameter list: an object even when every name is a number ("0=x").
        return ToObject(root);
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

    private static JsonNode ToArrays(JsonNode node) => node switch
    {
        JsonObject obj when obj.Count > 0 && obj.All(p => int.TryParse(p.Key, out _)) =>
            new JsonArray([.. obj.OrderBy(p => int.Parse(p.Key, System.Globalization.CultureInfo.InvariantCulture)).Select(p => ToArrays(p.Value!.DeepClone()))]),
        JsonObject obj => ToObject(obj),
        _ => node,
    };

    private static JsonObject ToObject(JsonObject obj)
    {
        var result = new JsonObject();
        foreach (var (key, value) in obj)
        {
            result[key] = ToArrays(value!.DeepClone());
        }

        return result;
    }
}
