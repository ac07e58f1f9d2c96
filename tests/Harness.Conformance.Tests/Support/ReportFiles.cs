using System.Text.Json;
using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;

namespace Harness.Conformance.Tests.Support;

/// <summary>Reads the three report files the way their consumers do, failing on anything they would reject.</summary>
public static class ReportFiles
{
    /// <summary>JUnit XML, validated against the schema CI systems read.</summary>
    public static XDocument JUnit(string path)
    {
        var schemas = new XmlSchemaSet();
        using (var xsd = typeof(ReportFiles).Assembly.GetManifestResourceStream("junit.xsd")!)
        {
            schemas.Add(null, XmlReader.Create(xsd));
        }

        var document = XDocument.Load(path);
        document.Validate(schemas, (_, e) => Assert.Fail($"{path} does not match the JUnit schema: {e.Message}"));
        return document;
    }

    /// <summary>Cucumber Messages: every line one JSON envelope.</summary>
    public static IReadOnlyList<JsonElement> Messages(string path) =>
        [.. File.ReadAllLines(path).Select(line => JsonDocument.Parse(line).RootElement.Clone())];

    /// <summary>The HTML page, which is also well-formed XML.</summary>
    public static XDocument Html(string path)
    {
        using var reader = XmlReader.Create(path, new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore });
        return XDocument.Load(reader);
    }

    /// <summary>The statuses of every finished step in a messages file.</summary>
    public static IEnumerable<string> StepStatuses(IEnumerable<JsonElement> envelopes) =>
        envelopes.Where(e => e.TryGetProperty("testStepFinished", out _))
            .Select(e => e.GetProperty("testStepFinished").GetProperty("testStepResult").GetProperty("status").GetString()!);
}
