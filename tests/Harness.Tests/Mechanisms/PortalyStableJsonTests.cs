using System.Text.Json;
using System.Text.Json.Nodes;
using Harness.Security.Signing;

namespace Harness.Tests.Mechanisms;

/// <summary>What the vectors do not cover; expected values are Node's output (v24, ICU 78) for the same input.</summary>
public sealed class PortalyStableJsonTests
{
    [Fact]
    public void Numbers_are_written_as_javascript_writes_the_double_json_parse_reads()
    {
        const string payload = """
            {"int":1.0,"big":1e21,"bigger":12345678901234567890,"tiny":1e-7,"small":0.000001,"neg0":-0,"frac":-1.5,
             "huge":1e400,"exp":2.5E+3,"third":0.1,"sum":0.30000000000000004,"max":1.7976931348623157e308,"min":5e-324}
            """;

        Assert.Equal(
            """{"big":1e+21,"bigger":12345678901234567000,"exp":2500,"frac":-1.5,"huge":null,"int":1,"max":1.7976931348623157e+308,"min":5e-324,"neg0":0,"small":0.000001,"sum":0.30000000000000004,"third":0.1,"tiny":1e-7}""",
            Of(payload));
        Assert.Equal("107cd4aecdbec8ff182858e4f3f2bfbcbcc92f323745076e7b7dd463ac488da5", PortalySignature.Sign("k", "t", JsonNode.Parse(payload)));
    }

    [Fact]
    public void Strings_escape_only_what_json_stringify_escapes()
    {
        Assert.Equal(
            "{\"text\":\"q\\\" b\\\\ \\b\\f\\n\\r\\t \\u0001\\u001f \u007f \u2028\u2029 \ud83d\ude00 é/<&>\"}",
            Of("{\"text\":\"q\\\" b\\\\ \\b\\f\\n\\r\\t \\u0001\\u001f \\u007f \\u2028\\u2029 \\ud83d\\ude00 \\u00e9\\/\\u003c&>\"}"));
    }

    [Fact]
    public void Keys_sort_as_locale_compare_does_not_by_code_point()
    {
        Assert.Equal(
            """{"1":0,"10":0,"2":0,"a":0,"A":0,"a_b":0,"a-b":0,"ab":0,"b":0,"B":0,"e":0,"é":0,"f":0,"z":0,"來源":0}""",
            Of("""{"來源":0,"z":0,"f":0,"é":0,"e":0,"B":0,"b":0,"ab":0,"a-b":0,"a_b":0,"A":0,"a":0,"2":0,"10":0,"1":0}"""));
    }

    [Fact]
    public void A_top_level_array_or_scalar_serialises_like_json_stringify()
    {
        Assert.Equal("""[{"a":null,"b":[]},"x",true]""", Of("""[{"b":[],"a":null},"x",true]"""));
        Assert.Equal("null", PortalyStableJson.Of((JsonNode?)null));
    }

    private static string Of(string json)
    {
        using var document = JsonDocument.Parse(json);
        return PortalyStableJson.Of(document.RootElement);
    }
}
