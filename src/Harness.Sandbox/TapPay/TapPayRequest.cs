using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.TapPay;

/// <summary>Reading TapPay's JSON request bodies strictly, so a malformed one is status 5, never an exception later.</summary>
internal static class TapPayRequest
{
    /// <summary>The body as a JSON object, or null when it is none (<see cref="StrictJsonBody"/>).</summary>
    public static Task<JsonObject?> ReadAsync(HttpRequest request) => StrictJsonBody.ReadObjectAsync(request);

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
}
