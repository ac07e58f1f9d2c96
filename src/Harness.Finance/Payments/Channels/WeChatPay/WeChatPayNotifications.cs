using System.Text.Json;
using Harness.Security.Signing;
using Microsoft.AspNetCore.Http;

namespace Harness.Finance.Payments.Channels.WeChatPay;

/// <summary>
/// Reads a payment notification (providers.md §2.5) the way the official SDKs verify one, and stricter: the raw body
/// (bounded), the four <c>Wechatpay-*</c> headers, a timestamp within five minutes of the channel clock, the platform
/// signature, then the resource decrypted under the APIv3 key and matched to this merchant. Any failure is a refusal.
/// </summary>
internal sealed class WeChatPayNotifications(ChannelSettings settings, ChannelClock clock, WeChatPayCertificates certificates)
{
    /// <summary>A real notification is about 1 KB; anything far bigger is not one.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    private const string TimestampHeader = "Wechatpay-Timestamp";
    private const string NonceHeader = "Wechatpay-Nonce";
    private const string SignatureHeader = "Wechatpay-Signature";
    private const string SerialHeader = "Wechatpay-Serial";

    private static readonly string[] SignatureHeaders = [TimestampHeader, NonceHeader, SignatureHeader, SerialHeader];

    public async Task<ChannelNotification> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        WeChatPaySettings configured;
        try
        {
            configured = settings.WeChatPay();
        }
        catch (ChannelException unconfigured)
        {
            return ChannelNotification.Refused(unconfigured.Message);
        }

        var body = await ReadBodyAsync(request, cancellationToken);
        if (body is null)
        {
            return ChannelNotification.Refused($"the body is missing, unreadable or larger than {MaxBodyBytes / 1024} KB");
        }

        var values = new string[SignatureHeaders.Length];
        for (var i = 0; i < SignatureHeaders.Length; i++)
        {
            if (SingleHeader(request, SignatureHeaders[i]) is not { } value)
            {
                return ChannelNotification.Refused($"the {SignatureHeaders[i]} header is missing or repeated");
            }

            values[i] = value;
        }

        var (timestamp, nonce, signature, serial) = (values[0], values[1], values[2], values[3]);
        if (WeChatPaySignatures.TimestampProblem(timestamp, clock.Now) is { } stale)
        {
            return ChannelNotification.Refused(stale);
        }

        if (await VerifyAsync(configured, timestamp, nonce, signature, serial, body, cancellationToken) is { } unverified)
        {
            return ChannelNotification.Refused(unverified);
        }

        return Open(configured, body);
    }

    /// <summary>Null when the platform certificate of <paramref name="serial"/> signed the body; else why not.</summary>
    private async Task<string?> VerifyAsync(WeChatPaySettings configured, string timestamp, string nonce, string signature, string serial, byte[] body, CancellationToken cancellationToken)
    {
        try
        {
            using var platformKey = await certificates.KeyAsync(configured, serial, cancellationToken);
            if (platformKey is null)
            {
                return $"{SerialHeader} {WeChatPayJson.Shown(serial)} is no platform certificate WeChat Pay lists";
            }

            return WeChatPaySignatures.PlatformSigned(platformKey, timestamp, nonce, body, signature)
                ? null
                : $"the signature does not verify with platform certificate {WeChatPayJson.Shown(serial)}";
        }
        catch (ChannelException unavailable)
        {
            return "the platform certificates could not be fetched to verify it: " + unavailable.Message;
        }
    }

    /// <summary>The envelope's resource, decrypted and checked, as the trade it reports.</summary>
    private static ChannelNotification Open(WeChatPaySettings configured, byte[] body)
    {
        try
        {
            using var envelope = JsonDocument.Parse(body, WeChatPayJson.Strict);
            var root = envelope.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return ChannelNotification.Refused("the body is not a JSON object");
            }

            if (WeChatPayJson.Object(root, "resource") is not { } resource)
            {
                return ChannelNotification.Refused("the body has no resource object");
            }

            if (WeChatPayJson.Text(resource, "algorithm") is not "AEAD_AES_256_GCM")
            {
                return ChannelNotification.Refused($"the resource algorithm {WeChatPayJson.Shown(WeChatPayJson.Text(resource, "algorithm"))} is not AEAD_AES_256_GCM");
            }

            var originalType = WeChatPayJson.Text(resource, "original_type");
            var eventType = WeChatPayJson.Text(root, "event_type");
            if (originalType != "transaction" || eventType?.StartsWith("TRANSACTION.", StringComparison.Ordinal) != true)
            {
                return ChannelNotification.Refused($"the notification ({WeChatPayJson.Shown(eventType)}, {WeChatPayJson.Shown(originalType)}) is not about a transaction");
            }

            var associatedData = WeChatPayJson.Has(resource, "associated_data") ? WeChatPayJson.Text(resource, "associated_data") : "";
            if (associatedData is null
                || WeChatPayJson.Text(resource, "ciphertext") is not { } ciphertext
                || WeChatPayJson.Text(resource, "nonce") is not { } nonce
                || AesGcmText.TryDecrypt(configured.ApiV3Key, associatedData, ciphertext, nonce) is not { } plaintext)
            {
                return ChannelNotification.Refused("the resource does not decrypt with the APIv3 key");
            }

            using var decrypted = JsonDocument.Parse(plaintext, WeChatPayJson.Strict);
            var transaction = decrypted.RootElement;
            if (WeChatPayJson.Text(transaction, "mchid") != configured.Mchid || WeChatPayJson.Text(transaction, "appid") != configured.Appid)
            {
                return ChannelNotification.Refused(
                    $"the transaction is for mchid {WeChatPayJson.Shown(WeChatPayJson.Text(transaction, "mchid"))}, appid {WeChatPayJson.Shown(WeChatPayJson.Text(transaction, "appid"))}, not this merchant");
            }

            var (trade, problem) = WeChatPayTransactions.Read(transaction);
            return trade is null
                ? ChannelNotification.Refused(problem!)
                : ChannelNotification.Verified(trade, WeChatPayJson.Text(root, "id"));
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a string escaping a lone surrogate ("\ud800") cannot be read as text.
            return ChannelNotification.Refused("the body or its resource is not well-formed JSON: " + e.Message);
        }
    }

    /// <summary>The body's exact bytes, or null when there is none, it cannot be read, or it exceeds the bound.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return null;
        }

        var buffer = new byte[MaxBodyBytes + 1];
        var length = 0;
        try
        {
            int read;
            while (length < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
            {
                length += read;
            }
        }
        catch (IOException)
        {
            // The sender went away or sent a broken request (BadHttpRequestException is an IOException).
            return null;
        }

        return length is 0 or > MaxBodyBytes ? null : buffer[..length];
    }

    private static string? SingleHeader(HttpRequest request, string name) =>
        request.Headers.TryGetValue(name, out var values) && values.Count == 1 && !string.IsNullOrEmpty(values[0]) ? values[0] : null;
}
