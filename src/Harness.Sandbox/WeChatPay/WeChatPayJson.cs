using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Harness.Sandbox.WeChatPay;

/// <summary>
/// JSON exactly as JavaScript's <c>JSON.stringify</c> writes it (providers.md §2.7): compact, non-ASCII and
/// <c>/ + &lt; &gt; &amp; '</c> literal. wechatpay-node-v3 re-serialises a parsed notification body before checking its
/// signature, so any other spelling of the same JSON would fail verification there.
/// </summary>
public static partial class WeChatPayJson
{
    public static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Write(JsonNode node) => LikeJavaScript(node.ToJsonString(Options));

    /// <summary>
    /// The relaxed encoder still escapes some characters JavaScript writes literally (characters outside the BMP,
    /// U+2028, U+2029, DEL) and writes control characters in uppercase hex, where JavaScript uses lowercase.
    /// </summary>
    private static string LikeJavaScript(string json) =>
        Escape().Replace(json, m =>
        {
            if (m.Groups["backslashes"].Length % 2 == 0)
            {
                return m.Value; // an escaped backslash followed by the letters "u…", not an escape
            }

            var prefix = m.Groups["backslashes"].Value[..^1];
            if (m.Groups["high"].Success)
            {
                return prefix + (char)Convert.ToInt32(m.Groups["high"].Value, 16) + (char)Convert.ToInt32(m.Groups["low"].Value, 16);
            }

            var code = Convert.ToInt32(m.Groups["code"].Value, 16);
            return code < 0x20 || char.IsSurrogate((char)code)
                ? prefix + "\\u" + m.Groups["code"].Value.ToLowerInvariant()
                : prefix + (char)code;
        });

    [GeneratedRegex(@"(?<backslashes>\\+)u(?:(?<high>D[89AB][0-9A-F]{2})\\u(?<low>D[C-F][0-9A-F]{2})|(?<code>[0-9A-F]{4}))")]
    private static partial Regex Escape();
}
