using System.Text;
using System.Text.Json.Nodes;

namespace Harness.Chaos.Campaigns;

/// <summary>One generated request: what is sent, and in words what is wrong with it.</summary>
public sealed record FuzzCase(string Method, string PathAndQuery, byte[]? Body, string? ContentType, string Description);

/// <summary>
/// Malformed, oversized, wrong-typed, boundary, encoding and injection inputs for one operation, drawn
/// from a seeded generator: the same seed and case number give the same request.
/// </summary>
public static class MalformedInputs
{
    private static readonly string[] Texts =
    [
        "", " ", "0", "-1", "99999999999999999999999", "-9223372036854775809", "1e400", "NaN", "abc", "中文", "\u00e9",
        "%00", "a\u0000b", "\u0001\u001f", "../../etc/passwd", "<script>alert(1)</script>", "' OR 1=1 --", "${jndi:x}",
        "true", "null", "[]", "{}", new string('x', 5000),
    ];

    /// <summary>Case <paramref name="index"/> of <paramref name="operation"/> under <paramref name="seed"/>.</summary>
    public static FuzzCase Case(Operation operation, int seed, int index)
    {
        var random = new Random(StableHash($"{seed}|{operation.Method}|{operation.Path}|{index}"));
        var path = FillPath(operation, random);
        var query = Query(operation, random);
        var target = query.Length == 0 ? path : path + "?" + query;
        if (operation.BodySample is null)
        {
            return new FuzzCase(operation.Method, target, null, null, query.Length == 0 ? "path values" : "query " + query);
        }

        var (body, contentType, what) = Body(operation.BodySample, random);
        return new FuzzCase(operation.Method, target, body, contentType, what);
    }

    // FNV-1a: string.GetHashCode and HashCode differ from process to process, and a case must repeat.
    internal static int StableHash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)hash;
    }

    internal static string Pick(Random random) => Texts[random.Next(Texts.Length)];

    private static string FillPath(Operation operation, Random random)
    {
        var path = operation.Path;
        foreach (var parameter in operation.Parameters.Where(p => p.In == "path"))
        {
            path = path.Replace("{" + parameter.Name + "}", Uri.EscapeDataString(Pick(random) is { Length: > 0 } text ? text : "x"), StringComparison.Ordinal);
        }

        return path;
    }

    private static string Query(Operation operation, Random random)
    {
        var values = operation.Parameters.Where(p => p.In == "query")
            .Where(_ => random.Next(4) > 0)
            .Select(p => Uri.EscapeDataString(p.Name) + "=" + Uri.EscapeDataString(Pick(random)))
            .ToList();
        if (random.Next(5) == 0)
        {
            values.Add("unknown%00param=" + Uri.EscapeDataString(Pick(random)));
        }

        return string.Join('&', values);
    }

    private static (byte[]? Body, string? ContentType, string What) Body(JsonObject sample, Random random)
    {
        const string Json = "application/json";
        var fields = sample.Select(p => p.Key).ToArray();
        string Field() => fields.Length == 0 ? "k" : fields[random.Next(fields.Length)];
        byte[] With(string field, JsonNode? value)
        {
            var copy = (JsonObject)sample.DeepClone();
            copy[field] = value;
            return Encoding.UTF8.GetBytes(copy.ToJsonString());
        }

        byte[] Raw(string field, string rawValue)
        {
            var copy = (JsonObject)sample.DeepClone();
            copy[field] = "\u0001PLACEHOLDER\u0001";
            return Encoding.UTF8.GetBytes(copy.ToJsonString().Replace("\"\\u0001PLACEHOLDER\\u0001\"", rawValue, StringComparison.Ordinal));
        }

        var field = Field();
        switch (random.Next(18))
        {
            case 0:
                return (Encoding.UTF8.GetBytes(sample.ToJsonString()), Json, "the documented shape");
            case 1:
                var wrong = (JsonNode?)(random.Next(4) switch { 0 => 123, 1 => "abc", 2 => new JsonArray(1), _ => new JsonObject { ["x"] = true } });
                return (With(field, wrong), Json, $"{field} of a wrong type ({wrong?.ToJsonString()})");
            case 2:
                var huge = random.Next(4) switch { 0 => "1e400", 1 => "99999999999999999999999", 2 => "-9223372036854775809", _ => "9223372036854775807" };
                return (Raw(field, huge), Json, $"{field} = {huge}");
            case 3:
                return (With(field, new string('x', 70_000)), Json, $"{field} of 70,000 characters");
            case 4:
                return (With(field, "a\u0000b\u0001\u001f\u007f"), Json, $"{field} with NUL and control characters");
            case 5:
                return (Raw(field, "\"\\ud800x\""), Json, $"{field} with a lone surrogate");
            case 6:
                var invalid = Raw(field, "\"\u0002\"");
                var at = Array.IndexOf(invalid, (byte)2);
                return ([.. invalid[..at], 0xC3, 0x28, 0xFF, .. invalid[(at + 1)..]], Json, $"{field} with invalid UTF-8");
            case 7:
                var text = sample.ToJsonString();
                return (Encoding.UTF8.GetBytes(text.Length > 2 ? text[..^1] + $",\"{field}\":\"again\"}}" : $"{{\"{field}\":1,\"{field}\":2}}"), Json, $"{field} twice");
            case 8:
                var depth = 64 + random.Next(512);
                return (Encoding.UTF8.GetBytes(new string('[', depth) + new string(']', depth)), Json, $"nesting {depth} deep");
            case 9:
                var whole = sample.ToJsonString();
                return (Encoding.UTF8.GetBytes(whole[..random.Next(whole.Length)]), Json, "truncated JSON");
            case 10:
                return ([], Json, "an empty body");
            case 11:
                return (Encoding.UTF8.GetBytes(Pick(random)), Json, "not JSON");
            case 12:
                var top = random.Next(4) switch { 0 => "null", 1 => "[1,2]", 2 => "\"text\"", _ => "42" };
                return (Encoding.UTF8.GetBytes(top), Json, $"a top-level {top}");
            case 13:
                var key = random.Next(2) == 0 ? "k\u0000ey" : new string('k', 10_000);
                return (With(key, "v"), Json, "an unknown field with an odd name");
            case 14:
                var type = random.Next(5) switch
                {
                    0 => "text/plain",
                    1 => "application/json; charset=nonsense",
                    2 => "application/json; charset=utf-16",
                    3 => "application/x-www-form-urlencoded",
                    _ => "multipart/form-data; boundary=",
                };
                return (Encoding.UTF8.GetBytes(sample.ToJsonString()), type, $"Content-Type {type}");
            case 15:
                return (Encoding.UTF8.GetBytes(sample.ToJsonString()), null, "no Content-Type");
            case 16:
                var edge = random.Next(4) switch { 0 => "0", 1 => "-1", 2 => "-9223372036854775808", _ => "2147483648" };
                return (Raw(field, edge), Json, $"{field} = {edge}");
            default:
                return (With(field, Pick(random)), Json, $"{field} = a strange string");
        }
    }
}
