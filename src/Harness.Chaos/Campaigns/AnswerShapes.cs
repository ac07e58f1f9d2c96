using System.Text.Json;
using System.Text.Json.Nodes;

namespace Harness.Chaos.Campaigns;

/// <summary>What an answer must look like, per surface: null when it conforms, else what is wrong.</summary>
public static class AnswerShapes
{
    /// <summary>Finance: <c>{code, message, data}</c>; an error's code is its status × 100 and its data null.</summary>
    public static string? Finance(int status, string? contentType, string body)
    {
        if (ObjectOf(body) is not { } root)
        {
            return "not a JSON object";
        }

        if (root["code"] is not JsonValue code || !code.TryGetValue(out long codeValue)
            || root["message"] is not JsonValue message || message.GetValueKind() != JsonValueKind.String
            || !root.ContainsKey("data"))
        {
            return "not the {code, message, data} envelope";
        }

        if (status >= 400)
        {
            return codeValue == status * 100L && root["data"] is null ? null : $"an error with code {codeValue} and data {root["data"]?.ToJsonString()}";
        }

        return codeValue == 0 ? null : $"a {status} with code {codeValue}";
    }

    /// <summary>The sandbox's control API: any JSON on success, <c>{"error": "…"}</c> on a refusal.</summary>
    public static string? Control(int status, string? contentType, string body)
    {
        if (status is 204 && body.Length == 0)
        {
            return null;
        }

        if (status < 400)
        {
            return contentType?.StartsWith("application/json", StringComparison.Ordinal) == true ? null : $"a {status} of {contentType ?? "no type"}";
        }

        return ObjectOf(body)?["error"] is JsonValue error && error.GetValueKind() == JsonValueKind.String
            ? null
            : "not the {\"error\": …} envelope";
    }

    private static JsonObject? ObjectOf(string body)
    {
        try
        {
            return JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
