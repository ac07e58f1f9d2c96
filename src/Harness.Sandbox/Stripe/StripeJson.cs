using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Harness.Security;

namespace Harness.Sandbox.Stripe;

public static class StripeJson
{
    public static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Real Stripe pretty-prints webhook bodies; only the exact bytes matter for the signature.</summary>
    public static readonly JsonSerializerOptions Indented = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, WriteIndented = true };

    /// <summary>Stripe ids: prefix plus 24 random alphanumerics (test-mode session ids carry <c>cs_test_</c>).</summary>
    public static string NewId(string prefix) => prefix + "_" + Secrets.Random(18).Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal);

    public static long Unix(DateTimeOffset time) => time.ToUnixTimeSeconds();

    public static JsonObject List(string url, IEnumerable<JsonNode> data, bool hasMore) => new()
    {
        ["object"] = "list",
        ["data"] = new JsonArray([.. data]),
        ["has_more"] = hasMore,
        ["url"] = url,
    };

    /// <summary>An integer parameter; a sign is part of the integer, so range checks can word a negative value.</summary>
    public static bool TryLong(string? text, out long value) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
}
