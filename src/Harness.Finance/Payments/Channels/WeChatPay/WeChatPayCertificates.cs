using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Harness.Security.Signing;

namespace Harness.Finance.Payments.Channels.WeChatPay;

/// <summary>
/// The keys that sign answers and notifications (providers.md §2.6): the WeChat Pay public key when the serial is its
/// configured <c>PUB_KEY_ID_…</c> (merchants since 2024, and any while WeChat moves them to it), otherwise the platform
/// certificates, cached by serial. An unknown serial downloads them again, at most once a minute, so a flood of forged
/// serials cannot turn into a flood of downloads.
/// </summary>
internal sealed class WeChatPayCertificates(WeChatPayApi api, ChannelClock clock)
{
    public static readonly TimeSpan DownloadInterval = TimeSpan.FromMinutes(1);

    // Public keys as SubjectPublicKeyInfo bytes: each verification imports its own RSA, none is shared across threads.
    private readonly ConcurrentDictionary<string, byte[]> _publicKeys = new(StringComparer.Ordinal);
    private readonly Lock _sync = new();
    private Task? _download;
    private DateTimeOffset? _lastDownload;

    /// <summary>
    /// The WeChat Pay public key when <paramref name="serial"/> is its id; else the public key of the platform
    /// certificate <paramref name="serial"/>, or null when WeChat does not list it. Throws
    /// <see cref="ChannelException"/> when a download was needed and failed, or the configured public key is not one.
    /// </summary>
    public async Task<RSA?> KeyAsync(WeChatPaySettings settings, string serial, CancellationToken cancellationToken)
    {
        if (settings.PublicKeyId is { Length: > 0 } publicKeyId && serial == publicKeyId)
        {
            return PublicKey(settings);
        }

        var wanted = WeChatPaySignatures.NormalSerial(serial);
        if (!_publicKeys.ContainsKey(wanted) && DownloadIfDue(settings) is { } download)
        {
            await download.WaitAsync(cancellationToken);
        }

        if (!_publicKeys.TryGetValue(wanted, out var publicKey))
        {
            return null;
        }

        var key = RSA.Create();
        key.ImportSubjectPublicKeyInfo(publicKey, out _);
        return key;
    }

    private static RSA CarriedKey(Dictionary<string, byte[]> downloaded, string serial)
    {
        if (!downloaded.TryGetValue(WeChatPaySignatures.NormalSerial(serial), out var signerKey))
        {
            throw new ChannelException(
                $"WeChat Pay's certificate download is signed by {WeChatPayJson.Shown(serial)}, neither a certificate it carries nor the configured WeChat Pay public key (WECHAT_PAY_PUBLIC_KEY_ID)");
        }

        var key = RSA.Create();
        key.ImportSubjectPublicKeyInfo(signerKey, out _);
        return key;
    }

    private static RSA PublicKey(WeChatPaySettings settings)
    {
        var key = RSA.Create();
        try
        {
            key.ImportFromPem(settings.PublicKeyPem ?? throw new ChannelException($"WECHAT_PAY_PUBLIC_KEY_ID is {settings.PublicKeyId}, but WECHAT_PAY_PUBLIC_KEY is not set"));
            return key;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new ChannelException("WECHAT_PAY_PUBLIC_KEY is not an RSA public key in PEM form", e);
        }
        catch (ChannelException)
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The download to wait for: the one under way, or a new one when the last began over a minute ago; null when
    /// none is due. It runs on no caller's token (the client's timeout bounds it), as every waiter shares it.
    /// </summary>
    private Task? DownloadIfDue(WeChatPaySettings settings)
    {
        lock (_sync)
        {
            var now = clock.Now;
            if (_download is { IsCompleted: false })
            {
                return _download;
            }

            if (_lastDownload is { } last && (now - last).Duration() < DownloadInterval)
            {
                return null;
            }

            _lastDownload = now;
            _download = DownloadAsync(settings, CancellationToken.None);
            return _download;
        }
    }

    private async Task DownloadAsync(WeChatPaySettings settings, CancellationToken cancellationToken)
    {
        var answer = await api.SendAsync(settings, HttpMethod.Get, "/v3/certificates", null, cancellationToken);
        if (answer.Status != 200)
        {
            throw new ChannelException($"WeChat Pay refused the platform certificate download: {answer.Describe()}");
        }

        var downloaded = Decrypt(settings.ApiV3Key, answer.Body);

        // The certificates came encrypted under the APIv3 key, so they are WeChat's; the answer must be signed by one,
        // or by the WeChat Pay public key for a merchant WeChat is moving to it.
        if (answer.Timestamp is null || answer.Nonce is null || answer.Signature is null || answer.Serial is null)
        {
            throw new ChannelException("WeChat Pay's certificate download is not signed");
        }

        using (var signer = answer.Serial == settings.PublicKeyId ? PublicKey(settings) : CarriedKey(downloaded, answer.Serial))
        {
            if (WeChatPaySignatures.TimestampProblem(answer.Timestamp, clock.Now) is not null
                || !WeChatPaySignatures.PlatformSigned(signer, answer.Timestamp, answer.Nonce, answer.Body, answer.Signature))
            {
                throw new ChannelException("WeChat Pay's certificate download fails its signature check");
            }
        }

        foreach (var (serial, publicKey) in downloaded)
        {
            _publicKeys[serial] = publicKey;
        }
    }

    /// <summary>Serial → public key of every certificate that decrypts and carries the serial it is listed under.</summary>
    private static Dictionary<string, byte[]> Decrypt(string apiV3Key, byte[] body)
    {
        var certificates = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var listed = 0;
        try
        {
            using var document = JsonDocument.Parse(body, WeChatPayJson.Strict);
            var data = WeChatPayJson.Array(document.RootElement, "data") ?? throw new ChannelException("WeChat Pay's certificate download has no data array");
            foreach (var entry in data.EnumerateArray())
            {
                listed++;
                var serial = WeChatPayJson.Text(entry, "serial_no");
                var encrypted = WeChatPayJson.Object(entry, "encrypt_certificate");
                if (serial is null || encrypted is not { } sealedPem
                    || WeChatPayJson.Text(sealedPem, "ciphertext") is not { } ciphertext
                    || WeChatPayJson.Text(sealedPem, "nonce") is not { } nonce
                    || AesGcmText.TryDecrypt(apiV3Key, WeChatPayJson.Text(sealedPem, "associated_data") ?? "", ciphertext, nonce) is not { } pem)
                {
                    continue;
                }

                using var certificate = X509Certificate2.CreateFromPem(pem);
                if (WeChatPaySignatures.NormalSerial(certificate.SerialNumber) == WeChatPaySignatures.NormalSerial(serial)
                    && certificate.GetRSAPublicKey() is { } key)
                {
                    using (key)
                    {
                        certificates[WeChatPaySignatures.NormalSerial(serial)] = key.ExportSubjectPublicKeyInfo();
                    }
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or CryptographicException or ArgumentException)
        {
            throw new ChannelException("WeChat Pay's certificate download is malformed: " + e.Message, e);
        }

        return certificates.Count > 0 || listed == 0
            ? certificates
            : throw new ChannelException($"none of the {listed} platform certificates WeChat Pay listed decrypts with the configured APIv3 key (WECHAT_PAY_API_V3_KEY)");
    }
}
