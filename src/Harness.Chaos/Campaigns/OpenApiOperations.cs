using System.Text.Json;
using System.Text.Json.Nodes;

namespace Harness.Chaos.Campaigns;

/// <summary>A documented operation: what the fuzzer may vary and what the auth matrix may protect.</summary>
public sealed record Operation(string Method, string Path, IReadOnlyList<OperationParameter> Parameters, JsonObject? BodySample, IReadOnlySet<string> Answers)
{
    public override string ToString() => $"{Method} {Path}";
}

public sealed record OperationParameter(string Name, string In, string Type);

/// <summary>Reads the operations of an OpenAPI 3 document, with a well-formed sample of each JSON body.</summary>
public static class OpenApiOperations
{
    /// <summary>The operations of an app's own document, <c>/openapi/v1.json</c>.</summary>
    public static async Task<IReadOnlyList<Operation>> ReadAsync(HttpClient http, CancellationToken cancellationToken)
    {
        using var document = JsonDocument.Parse(await http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative), cancellationToken));
        return Read(document.RootElement);
    }

    public static IReadOnlyList<Operation> Read(JsonElement document)
    {
        var schemas = document.TryGetProperty("components", out var components) && components.TryGetProperty("schemas", out var s) ? s : default;
        var operations = new List<Operation>();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var parameters = operation.Value.TryGetProperty("parameters", out var p)
                    ? p.EnumerateArray().Select(x => new OperationParameter(x.GetProperty("name").GetString()!, x.GetProperty("in").GetString()!, TypeOf(x.TryGetProperty("schema", out var ps) ? ps : default, schemas))).ToList()
                    : [];
                var body = operation.Value.TryGetProperty("requestBody", out var rb) && rb.TryGetProperty("content", out var content)
                    && content.TryGetProperty("application/json", out var json) && json.TryGetProperty("schema", out var schema)
                    ? Sample(schema, schemas, depth: 0) as JsonObject ?? []
                    : null;
                var answers = operation.Value.TryGetProperty("responses", out var r) ? r.EnumerateObject().Select(x => x.Name).ToHashSet(StringComparer.Ordinal) : [];
                operations.Add(new Operation(operation.Name.ToUpperInvariant(), path.Name, parameters, body, answers));
            }
        }

        return operations;
    }

    private static JsonElement Resolve(JsonElement schema, JsonElement schemas)
    {
        for (var hops = 0; hops < 16 && schema.ValueKind == JsonValueKind.Object; hops++)
        {
            if (schema.TryGetProperty("$ref", out var reference) && schemas.ValueKind == JsonValueKind.Object
                && schemas.TryGetProperty(reference.GetString()!.Split('/')[^1], out var target))
            {
                schema = target;
            }
            else if (schema.TryGetProperty("oneOf", out var oneOf) || schema.TryGetProperty("anyOf", out oneOf))
            {
                schema = oneOf.EnumerateArray().FirstOrDefault(x => !(x.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "null"));
            }
            else
            {
                break;
            }
        }

        return schema;
    }

    private static string TypeOf(JsonElement schema, JsonElement schemas)
    {
        schema = Resolve(schema, schemas);
        if (schema.ValueKind != JsonValueKind.Object || !schema.TryGetProperty("type", out var type))
        {
            return schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("properties", out _) ? "object" : "string";
        }

        return type.ValueKind == JsonValueKind.Array
            ? type.EnumerateArray().Select(t => t.GetString()!).FirstOrDefault(t => t != "null") ?? "string"
            : type.GetString() ?? "string";
    }

    // A value of the documented type: what a careful client would send, before a mutation spoils it.
    private static JsonNode? Sample(JsonElement schema, JsonElement schemas, int depth)
    {
        var resolved = Resolve(schema, schemas);
        return TypeOf(resolved, schemas) switch
        {
            "integer" => 1,
            "number" => 1.5,
            "boolean" => true,
            "array" => depth > 3 ? new JsonArray() : new JsonArray(resolved.TryGetProperty("items", out var items) ? Sample(items, schemas, depth + 1) : "x"),
            "object" when resolved.ValueKind == JsonValueKind.Object && resolved.TryGetProperty("properties", out var properties) && depth <= 3 =>
                new JsonObject(properties.EnumerateObject().Select(p => KeyValuePair.Create(p.Name, Sample(p.Value, schemas, depth + 1)))),
            "object" => new JsonObject { ["k"] = "v" },
            _ => resolved.ValueKind == JsonValueKind.Object && resolved.TryGetProperty("format", out var format) && format.GetString() == "date-time"
                ? "2026-01-01T00:00:00Z"
                : "x1",
        };
    }
}
