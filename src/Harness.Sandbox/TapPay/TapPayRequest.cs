using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.TapPay;

/// <summary>Reading TapPay's JSON request bodies strictly, so a malformed one is status 5, never an exception later.</summary>
internal static class TapPayRequest
{
    /// <summary>No repeated keys; at most 32 levels, since bodies are stored inside records and the store reads JSON back only up to 64.</summary>
    private static readonly JsonDocumentOptions StrictJson = new() { AllowDuplicateProperties = false, MaxDepth = 32 };

    /// <summary>The body as a JSON object, or null when it is none: malformed, a repeated key, a name or string that does not decode.</summary>
    public static async Task<JsonObject?> ReadAsync(HttpRequest request)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, StrictJson, request.HttpContext.RequestAborted);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            DecodeAll(document.RootElement);
            return JsonObject.Create(document.RootElement.Clone());
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Invalid UTF-8 or a lone surrogate escape throws InvalidOperationException only when decoded: DecodeAll does it now.
            return null;
        }
    }

    /// <summary>A non-empty string field, or null when absent, empty or not a string.</summary>
    public static string? Text(this JsonNode? node, string key) =>
        node is JsonObject o && o[key] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;

    /// <summary>An integer field: false when present but not a JSON integer; <paramref name="value"/> is null when absent.</summary>
    public static bool TryInteger(this JsonObject body, string key, out long? value)
    {
        value = null;
        if (body[key] is null)
        {
            return true;
        }

        if (body[key] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var number))
        {
            value = number;
            return true;
        }

        return false;
    }

    /// <summary>A boolean field, false when absent or not <c>true</c>.</summary>
    public static bool Flag(this JsonObject body, string key) =>
        body[key] is JsonValue v && v.GetValueKind() == JsonValueKind.True;

    private static void DecodeAll(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    _ = property.Name;
                    DecodeAll(property.Value);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    DecodeAll(item);
                }

                break;
            case JsonValueKind.String:
                _ = element.GetString();
                break;
        }
    }
}
