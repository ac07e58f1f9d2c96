using System.Globalization;
using System.Text;
using Harness.Security;
using Harness.Security.Signing;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.WeChatPay;

/// <summary>
/// Signs every answer of the WeChat Pay listener with the platform key or the WeChat Pay public key's (providers.md §2.4, §2.6) — successes, 204s and
/// every error, whichever layer produced it; a downloaded bill file alone goes unsigned, as at WeChat — so clients that verify answers (the official Java and Go SDKs) can.
/// It runs outside everything else on the listener and holds the (small) body back until it can sign it.
/// </summary>
public sealed class WeChatPayResponseSigning(RequestDelegate next, WeChatPayKeys keys, TimeProvider wallClock)
{
    private const string UnsignedItem = "wechatpay.unsigned";

    /// <summary>A downloaded bill file: WeChat answers it without the Wechatpay-* headers (the SDKs skip their check for it).</summary>
    public static void LeaveUnsigned(HttpContext http) => http.Items[UnsignedItem] = true;

    public async Task InvokeAsync(HttpContext http)
    {
        var original = http.Response.Body;
        using var buffer = new MemoryStream();
        http.Response.Body = buffer;
        try
        {
            await next(http);
        }
        finally
        {
            http.Response.Body = original;
        }

        var body = buffer.ToArray();
        var headers = http.Response.Headers;
        if (!http.Items.ContainsKey(UnsignedItem))
        {
            foreach (var (name, value) in Sign(keys, wallClock.GetUtcNow(), body))
            {
                headers[name] = value;
            }
        }

        headers["Request-ID"] = Guid.NewGuid().ToString("D");
        if (body.Length > 0)
        {
            http.Response.ContentLength = body.Length;
            await original.WriteAsync(body, http.RequestAborted);
        }
    }

    /// <summary>The four <c>Wechatpay-*</c> headers over <c>timestamp\nnonce\nbody\n</c>; notifications use the same.</summary>
    public static IEnumerable<KeyValuePair<string, string>> Sign(WeChatPayKeys keys, DateTimeOffset at, byte[] body)
    {
        var timestamp = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var nonce = Secrets.RandomHex(16).ToUpperInvariant();
        var head = Encoding.UTF8.GetBytes($"{timestamp}\n{nonce}\n");
        var message = new byte[head.Length + body.Length + 1];
        head.CopyTo(message, 0);
        body.CopyTo(message, head.Length);
        message[^1] = (byte)'\n';
        var (key, serial) = keys.NextSigner();
        return
        [
            new("Wechatpay-Timestamp", timestamp),
            new("Wechatpay-Nonce", nonce),
            new("Wechatpay-Signature", RsaSignature.Sign(key, message)),
            new("Wechatpay-Serial", serial),
        ];
    }
}
