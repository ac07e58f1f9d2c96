using System.Net;
using System.Text.Json;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps;

/// <summary>A response as a client sees it: status, raw body, and the surface's JSON envelope when there is one.</summary>
public sealed class ApiReply(HttpStatusCode status, string body)
{
    private JsonElement? _json;

    public HttpStatusCode Status { get; } = status;

    public string Body { get; } = body;

    public JsonElement Json => _json ??= Parse();

    /// <summary>The envelope's <c>data</c>.</summary>
    public JsonElement Data => Field(Json, "data");

    public int Code => Field(Json, "code").ValueKind == JsonValueKind.Number ? Field(Json, "code").GetInt32() : throw Fail("\"code\" is not a number");

    public string Message => Field(Json, "message").GetString() ?? "";

    public bool IsSuccess => Status == HttpStatusCode.OK && Json.ValueKind == JsonValueKind.Object && Json.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.Number && code.GetInt32() == 0;

    public ApiReply EnsureSuccess(string what) => IsSuccess ? this : throw new AssertionException($"{what}: expected HTTP 200 with code 0, got HTTP {(int)Status}: {Shorten(Body)}");

    /// <summary>A property by dotted path (<c>data.list.0.coins</c>); array items by index.</summary>
    public static JsonElement Path(JsonElement element, string path)
    {
        foreach (var part in path.Split('.'))
        {
            element = element.ValueKind == JsonValueKind.Array && int.TryParse(part, out var index)
                ? index < element.GetArrayLength() ? element[index] : throw new AssertionException($"'{path}': the array has {element.GetArrayLength()} item(s)")
                : Field(element, part);
        }

        return element;
    }

    public static JsonElement Field(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value)
            ? value
            : throw new AssertionException($"the response has no field \"{name}\" in {Shorten(element.ToString())}");

    /// <summary>A JSON value as a feature writes it: strings bare, numbers and booleans as JSON, null as <c>null</c>.</summary>
    public static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Null => "null",
        _ => value.GetRawText(),
    };

    private static string Shorten(string text) => text.Length > 500 ? text[..500] + "…" : text;

    private JsonElement Parse()
    {
        try
        {
            using var document = JsonDocument.Parse(Body);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw Fail("the response body is not JSON");
        }
    }

    private AssertionException Fail(string what) => new($"{what} (HTTP {(int)Status}): {Shorten(Body)}");
}
