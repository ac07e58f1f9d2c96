using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox;

/// <summary>
/// Reads a provider's JSON request body strictly, so a malformed one is the provider's own refusal, never an exception
/// later: no repeated keys, at most 32 levels (bodies are stored inside records, and the store reads JSON back only up
/// to 64), and every name and string decoded now.
/// </summary>
internal static class StrictJsonBody
{
    public static readonly JsonDocumentOptions Options = new() { AllowDuplicateProperties = false, MaxDepth = 32 };

    /// <summary>The body as a JSON object, or null when it is none: malformed, a repeated key, a name or string that does not decode.</summary>
    public static async Task<JsonObject?> ReadObjectAsync(HttpRequest request)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, Options, request.HttpContext.RequestAborted);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            DecodeAll(root);
            return JsonObject.Create(root.Clone());
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // The parser leaves names and strings encoded: invalid UTF-8 or a lone surrogate escape (\ud800) throws
            // InvalidOperationException only when one is decoded — by the duplicate-key check, DecodeAll, or else much later.
            return null;
        }
    }

    internal static void DecodeAll(JsonElement element)
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
