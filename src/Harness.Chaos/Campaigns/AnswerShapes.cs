using System.Text.Json;

namespace Harness.Chaos.Campaigns;

/// <summary>What an answer must look like, per surface: null when it conforms, else what is wrong.</summary>
public static class AnswerShapes
{
    /// <summary>Finance: <c>{code, message, data}</c>; an error's code is its status × 100 and its data null.</summary>
    public static string? Finance(int status, string? contentType, string body)
    {
        if (!TryObject(body, out var root))
        {
            return "not a JSON object";
        }

        if (!root.TryGetProperty("code", out var code) || code.ValueKind != JsonValueKind.Number
            || !root.TryGetProperty("message", out var message) || message.ValueKind != JsonValueKind.String
            || !root.TryGetProperty("data", out var data))
        {
            return "not the {code, message, data} envelope";
        }

        if (status >= 400)
        {
            return code.GetInt64() == status * 100L && data.ValueKind == JsonValueKind.Null ? null : $"an error with code {code} and data {data.ValueKind}";
        }

        return code.GetInt64() == 0 ? null : $"a {status} with code {code}";
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

        return TryObject(body, out var root) && root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String
            ? null
            : "not the {\"error\": …} envelope";
    }

    private static bool TryObject(string body, out JsonElement root)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            root = document.RootElement.Clone();
            return root.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            root = default;
            return false;
        }
    }
}
