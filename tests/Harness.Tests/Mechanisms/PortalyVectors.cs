using System.Text.Json;

namespace Harness.Tests.Mechanisms;

/// <summary>The production vectors of Portaly callback signature v1 (portaly-callback-vectors.json, embedded).</summary>
internal static class PortalyVectors
{
    private static readonly JsonElement Vectors = Load();

    public static TheoryData<string> Ids() => [.. Vectors.EnumerateArray().Select(v => v.GetProperty("id").GetString()!)];

    public static JsonElement Get(string id) => Vectors.EnumerateArray().Single(v => v.GetProperty("id").GetString() == id);

    private static JsonElement Load()
    {
        using var stream = typeof(PortalyVectors).Assembly.GetManifestResourceStream("portaly-callback-vectors.json")!;
        using var document = JsonDocument.Parse(stream);
        return document.RootElement.GetProperty("vectors").Clone();
    }
}
