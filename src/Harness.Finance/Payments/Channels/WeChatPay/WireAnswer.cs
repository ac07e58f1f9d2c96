using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Harness.Security.Signing;

namespace Harness.Finance.Payments.Channels.WeChatPay;

/// <summary>An answer (or notification) as it came off the wire: its status, its exact body bytes and its headers.</summary>
internal sealed record WireAnswer(int Status, byte[] Body, Func<string, string?> Header)
{
    public string Text => Encoding.UTF8.GetString(Body);

    /// <summary>The platform's signature: RSA-SHA256 over <c>timestamp\nnonce\nbody\n</c> in the <c>Wechatpay-*</c> headers.</summary>
    public bool IsSignedBy(RSA? platformKey)
    {
        var (timestamp, nonce, signature) = (Header("Wechatpay-Timestamp"), Header("Wechatpay-Nonce"), Header("Wechatpay-Signature"));
        if (platformKey is null || timestamp is null || nonce is null || signature is null)
        {
            return false;
        }

        byte[] message = [.. Encoding.UTF8.GetBytes($"{timestamp}\n{nonce}\n"), .. Body, (byte)'\n'];
        return RsaSignature.Verify(platformKey, message, signature);
    }

    /// <summary>The <c>Wechatpay-Timestamp</c> as Unix seconds, or null when absent or not a number.</summary>
    public long? Timestamp =>
        long.TryParse(Header("Wechatpay-Timestamp"), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? seconds : null;
}
