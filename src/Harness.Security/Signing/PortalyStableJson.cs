using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Harness.Security.Signing;

/// <summary>
/// Portaly's <c>stableJson</c> (callback signature v1): what the production signer, a Node service, computes as
/// <c>JSON.stringify</c> of the payload with object keys sorted recursively by <c>a.localeCompare(b)</c>. The
/// input is the parsed payload, never the raw bytes, so whitespace and key order on the wire do not matter.
/// </summary>
public static class PortalyStableJson
{
    public static string Of(JsonElement payload)
    {
        var json = new StringBuilder();
        Write(json, payload, EnUsCollation().GetStringComparer(CompareOptions.None));
        return json.ToString();
    }

    public static string Of(JsonNode? payload) => Of(JsonElement.Parse(payload?.ToJsonString() ?? "null"));

    private static void Write(StringBuilder json, JsonElement value, StringComparer collation)
    {
        var separator = "";
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                json.Append('{');
                // OrderBy is stable, as JavaScript's sort: keys the collation ranks equal keep their order.
                foreach (var property in value.EnumerateObject().OrderBy(p => p.Name, collation))
                {
                    json.Append(separator);
                    separator = ",";
                    WriteString(json, property.Name);
                    json.Append(':');
                    Write(json, property.Value, collation);
                }

                json.Append('}');
                break;
            case JsonValueKind.Array:
                json.Append('[');
                foreach (var item in value.EnumerateArray())
                {
                    json.Append(separator);
                    separator = ",";
                    Write(json, item, collation);
                }

                json.Append(']');
                break;
            case JsonValueKind.String:
                WriteString(json, value.GetString()!);
                break;
            case JsonValueKind.Number:
                // JSON.parse reads every number as a double; one too large for it is Infinity, which JSON.stringify writes as null.
                var number = double.Parse(value.GetRawText(), CultureInfo.InvariantCulture);
                json.Append(double.IsFinite(number) ? JavaScriptNumber.Format(number) : "null");
                break;
            default:
                json.Append(value.GetRawText()); // true, false, null
                break;
        }
    }

    /// <summary>JSON.stringify's string quoting: only quote, backslash and control characters are escaped.
    /// (It also escapes lone surrogates, which System.Text.Json refuses to read as a string in the first place.)</summary>
    private static void WriteString(StringBuilder json, string text)
    {
        json.Append('"');
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var escape = c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\b' => "\\b",
                '\f' => "\\f",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                < ' ' => $"\\u{(int)c:x4}",
                _ => null,
            };
            if (escape is null)
            {
                json.Append(c);
            }
            else
            {
                json.Append(escape);
            }
        }

        json.Append('"');
    }

    /// <summary>
    /// localeCompare is ICU collation for en-US. A host with <c>InvariantGlobalization</c> has no ICU and would
    /// silently sort by code point, producing signatures Portaly never makes, so it is refused loudly.
    /// </summary>
    private static CompareInfo EnUsCollation()
    {
        try
        {
            return CultureInfo.GetCultureInfo("en-US", predefinedOnly: true).CompareInfo;
        }
        catch (CultureNotFoundException e)
        {
            throw new PlatformNotSupportedException(
                "Portaly stableJson needs ICU collation for en-US; this process runs with InvariantGlobalization.", e);
        }
    }
}
