using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Harness.Security;
using Harness.Security.Signing;

namespace Harness.Finance.Payments.Channels.WeChatPay;

/// <summary>
/// The two signatures of APIv3 (providers.md §2.3, §2.4): the merchant's over each request, and the platform's over
/// each answer and notification, <c>timestamp\nnonce\nbody\n</c>, whose timestamp must be within five minutes of ours.
/// </summary>
internal static class WeChatPaySignatures
{
    public const string Scheme = "WECHATPAY2-SHA256-RSA2048";

    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    // 9999-12-31T23:59:59Z: the last second DateTimeOffset can hold.
    private const long MaxUnixSeconds = 253402300799;

    /// <summary>The <c>Authorization</c> value over <c>METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n</c>.</summary>
    public static string Authorization(WeChatPaySettings settings, RSA merchantKey, string method, string pathAndQuery, byte[] body, DateTimeOffset now)
    {
        var timestamp = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var nonce = Secrets.RandomHex(16).ToUpperInvariant();
        var signature = RsaSignature.Sign(merchantKey, Message($"{method}\n{pathAndQuery}\n{timestamp}\n{nonce}\n", body));
        return $"{Scheme} mchid=\"{settings.Mchid}\",nonce_str=\"{nonce}\",timestamp=\"{timestamp}\",serial_no=\"{settings.SerialNo}\",signature=\"{signature}\"";
    }

    /// <summary>Why a platform timestamp is unacceptable (not unix seconds, or more than five minutes off), or null.</summary>
    public static string? TimestampProblem(string timestamp, DateTimeOffset now)
    {
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > MaxUnixSeconds)
        {
            return $"timestamp {WeChatPayJson.Shown(timestamp)} is not unix seconds";
        }

        return (DateTimeOffset.FromUnixTimeSeconds(seconds) - now).Duration() > Window
            ? $"timestamp {seconds} is outside the 5-minute window"
            : null;
    }

    /// <summary>Whether the platform key signed <c>timestamp\nnonce\nbody\n</c>; false (never an exception) for any bad signature.</summary>
    public static bool PlatformSigned(RSA platformKey, string timestamp, string nonce, byte[] body, string signature) =>
        RsaSignature.Verify(platformKey, Message($"{timestamp}\n{nonce}\n", body), signature);

    /// <summary>Serials compare without case and leading zero bytes: SDKs spell the same serial <c>00AB…</c> or <c>ab…</c>.</summary>
    public static string NormalSerial(string serial)
    {
        var upper = serial.Trim().ToUpperInvariant();
        while (upper.Length > 2 && upper.StartsWith("00", StringComparison.Ordinal))
        {
            upper = upper[2..];
        }

        return upper;
    }

    private static byte[] Message(string head, byte[] body)
    {
        var headBytes = Encoding.UTF8.GetBytes(head);
        var message = new byte[headBytes.Length + body.Length + 1];
        headBytes.CopyTo(message, 0);
        body.CopyTo(message, headBytes.Length);
        message[^1] = (byte)'\n';
        return message;
    }
}
