using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Harness.Security.Signing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Harness.Sandbox.WeChatPay;

/// <summary>
/// Request authentication as APIv3 checks it (providers.md §2.3): the <c>WECHATPAY2-SHA256-RSA2048</c> header, the
/// five-line message over the raw method, target and body, the merchant's registered certificate by serial, and a
/// timestamp within five minutes of real time.
/// </summary>
public sealed partial class WeChatPayAuth(WeChatPayKeys keys, TimeProvider wallClock)
{
    public const string Scheme = "WECHATPAY2-SHA256-RSA2048";

    private static readonly TimeSpan Window = TimeSpan.FromMinutes(5);
    private static readonly string[] HeaderFields = ["mchid", "nonce_str", "timestamp", "serial_no", "signature"];

    /// <summary>The <c>serial_no</c> a request was signed under (after <see cref="Check"/>: a registered merchant certificate's).</summary>
    public static string? SerialOf(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        return header.StartsWith(Scheme + " ", StringComparison.Ordinal)
            ? Pair().Matches(header[(Scheme.Length + 1)..]).FirstOrDefault(m => m.Groups["key"].Value == "serial_no")?.Groups["value"].Value
            : null;
    }

    /// <summary>The authenticated merchant's mchid, or the 401 to answer.</summary>
    public (string? Mchid, IResult? Refusal) Check(HttpContext http, byte[] body)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (!header.StartsWith(Scheme + " ", StringComparison.Ordinal))
        {
            return Refuse("Http头Authorization值格式错误，请参考《微信支付商户REST API签名规则》", "authorization", "scheme must be " + Scheme);
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match pair in Pair().Matches(header[(Scheme.Length + 1)..]))
        {
            fields.TryAdd(pair.Groups["key"].Value, pair.Groups["value"].Value);
        }

        if (HeaderFields.FirstOrDefault(k => !fields.ContainsKey(k)) is { } missing)
        {
            return Refuse("Http头Authorization值格式错误，请参考《微信支付商户REST API签名规则》", missing, "missing in the Authorization header");
        }

        if (!keys.IsMerchant(fields["mchid"]))
        {
            return Refuse("Http头Authorization中的商户号mchid不存在", "mchid", "unknown merchant " + fields["mchid"]);
        }

        if (!long.TryParse(fields["timestamp"], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > 253402300799
            || (DateTimeOffset.FromUnixTimeSeconds(seconds) - wallClock.GetUtcNow()).Duration() > Window)
        {
            return Refuse("Http头Authorization中的timestamp与当前时间相差超过5分钟，请确认服务器时间", "timestamp", "outside the 5-minute window");
        }

        if (keys.MerchantKeyFor(fields["serial_no"]) is not { } merchantKey)
        {
            return Refuse("商户证书序列号有误。请使用签名私钥匹配的证书序列号", "serial_no", "no registered merchant certificate has this serial");
        }

        var target = http.Features.Get<IHttpRequestFeature>()?.RawTarget ?? http.Request.Path + http.Request.QueryString;
        var message = Message(http.Request.Method, target, fields["timestamp"], fields["nonce_str"], body);
        if (!RsaSignature.Verify(merchantKey, message, fields["signature"]))
        {
            return (null, WeChatPayErrors.Of(401, "SIGN_ERROR", "错误的签名，验签失败", new JsonObject
            {
                ["detail"] = new JsonObject { ["issue"] = "sign not match" },
                ["field"] = "signature",
                ["location"] = "authorization",
                ["sign_information"] = new JsonObject
                {
                    ["method"] = http.Request.Method,
                    ["url"] = target,
                    ["sign_message_length"] = message.Length,
                    ["truncated_sign_message"] = Encoding.UTF8.GetString(message.AsSpan(0, Math.Min(message.Length, 64))),
                },
            }));
        }

        return (fields["mchid"], null);
    }

    /// <summary><c>METHOD\nTARGET\nTIMESTAMP\nNONCE\nBODY\n</c> over the exact bytes received.</summary>
    private static byte[] Message(string method, string target, string timestamp, string nonce, byte[] body)
    {
        var head = Encoding.UTF8.GetBytes($"{method}\n{target}\n{timestamp}\n{nonce}\n");
        var message = new byte[head.Length + body.Length + 1];
        head.CopyTo(message, 0);
        body.CopyTo(message, head.Length);
        message[^1] = (byte)'\n';
        return message;
    }

    private static (string?, IResult?) Refuse(string message, string field, string issue) =>
        (null, WeChatPayErrors.Of(401, "SIGN_ERROR", message, new JsonObject
        {
            ["field"] = field,
            ["location"] = "authorization",
            ["issue"] = issue,
        }));

    [GeneratedRegex("(?<key>[a-z_]+)=\"(?<value>[^\"]*)\"")]
    private static partial Regex Pair();
}
