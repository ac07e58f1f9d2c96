using System.Text.Json;

namespace Harness.Finance.Payments.Channels.WeChatPay;

/// <summary>
/// Reads fields of WeChat's JSON by kind: a field of the wrong kind reads as absent rather than throwing, so whatever
/// arrives (wrong types, huge numbers) ends in a clear refusal.
/// </summary>
internal static class WeChatPayJson
{
    /// <summary>Rejects duplicate keys: two different values for one field are no answer to trust.</summary>
    public static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false };

    public static string? Text(JsonElement parent, string name) =>
        Field(parent, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    public static JsonElement? Object(JsonElement parent, string name) =>
        Field(parent, name) is { ValueKind: JsonValueKind.Object } value ? value : null;

    public static JsonElement? Array(JsonElement parent, string name) =>
        Field(parent, name) is { ValueKind: JsonValueKind.Array } value ? value : null;

    /// <summary>Whether the field is there at all, whatever its kind.</summary>
    public static bool Has(JsonElement parent, string name) => Field(parent, name) is not null;

    /// <summary>A whole non-negative number that fits a long (fen); null for anything else.</summary>
    public static long? Fen(JsonElement parent, string name) =>
        Field(parent, name) is { ValueKind: JsonValueKind.Number } value && value.TryGetInt64(out var fen) && fen >= 0 ? fen : null;

    /// <summary>A text from the other side, quoted and cut short for a message or log line.</summary>
    public static string Shown(string? text) => text switch
    {
        null => "(none)",
        { Length: <= 64 } => $"\"{text}\"",
        _ => $"\"{text[..64]}…\"",
    };

    private static JsonElement? Field(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) ? value : null;
}
