using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Harness.Security.Signing;

namespace Harness.Finance.Payments.Channels.WeChatPay;

/// <summary>
/// The platform certificates that sign WeChat Pay's answers and notifications, by serial: downloaded from
/// <c>GET /v3/certificates</c> and decrypted with the APIv3 key, as the official SDKs do; downloaded again when a
/// serial is unknown (a rotated certificate), at most once a minute. The download's own answer must be signed by
/// one of the certificates it carries.
/// </summary>
internal sealed class PlatformCertificates(ChannelClock clock) : IDisposable
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromMinutes(1);

    private readonly SemaphoreSlim _downloading = new(1, 1);
    private Dictionary<string, RSA> _keys = new(StringComparer.Ordinal);
    private string _owner = "";
    private DateTimeOffset _downloadedAt = DateTimeOffset.MinValue;

    /// <summary>The public key of <paramref name="serial"/>, or null when the platform has no such certificate.</summary>
    public async Task<RSA?> FindAsync(string serial, WeChatPaySettings settings, Func<CancellationToken, Task<WireAnswer>> download, CancellationToken cancellationToken)
    {
        var wanted = Normal(serial);
        var owner = settings.BaseUrl + "|" + settings.Mchid + "|" + settings.ApiV3Key;
        if (owner == _owner && _keys.TryGetValue(wanted, out var known))
        {
            return known;
        }

        await _downloading.WaitAsync(cancellationToken);
        try
        {
            if (owner != _owner || (!_keys.ContainsKey(wanted) && clock.Now - _downloadedAt >= RefreshInterval))
            {
                var answer = await download(cancellationToken);
                if (answer.Status != 200)
                {
                    throw new ChannelException($"WeChat Pay's /v3/certificates answered HTTP {answer.Status}: {answer.Text}");
                }

                var keys = Decrypt(answer.Text, settings.ApiV3Key);
                if (!answer.IsSignedBy(keys.GetValueOrDefault(Normal(answer.Header("Wechatpay-Serial") ?? ""))))
                {
                    throw new ChannelException("WeChat Pay's /v3/certificates answer is not signed by a certificate it carries");
                }

                _keys = keys;
                _owner = owner;
                _downloadedAt = clock.Now;
            }

            return _keys.GetValueOrDefault(wanted);
        }
        finally
        {
            _downloading.Release();
        }
    }

    public void Dispose() => _downloading.Dispose();

    /// <summary>Serials compare without case and without leading zero bytes (SDKs derive <c>00ab…</c> or <c>AB…</c>).</summary>
    public static string Normal(string serial)
    {
        var upper = serial.Trim().ToUpperInvariant();
        while (upper.StartsWith("00", StringComparison.Ordinal) && upper.Length > 2)
        {
            upper = upper[2..];
        }

        return upper;
    }

    private static Dictionary<string, RSA> Decrypt(string answer, string apiV3Key)
    {
        var keys = new Dictionary<string, RSA>(StringComparer.Ordinal);
        try
        {
            using var document = JsonDocument.Parse(answer);
            foreach (var item in document.RootElement.GetProperty("data").EnumerateArray())
            {
                var sealedCertificate = item.GetProperty("encrypt_certificate");
                var pem = AesGcmText.TryDecrypt(
                    apiV3Key,
                    sealedCertificate.GetProperty("associated_data").GetString() ?? "",
                    sealedCertificate.GetProperty("ciphertext").GetString() ?? "",
                    sealedCertificate.GetProperty("nonce").GetString() ?? "")
                    ?? throw new ChannelException("a platform certificate from /v3/certificates does not decrypt with WECHAT_PAY_API_V3_KEY");
                using var certificate = X509Certificate2.CreateFromPem(pem);
                keys[Normal(certificate.SerialNumber)] = certificate.GetRSAPublicKey()!;
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or CryptographicException or ArgumentException)
        {
            throw new ChannelException("WeChat Pay's /v3/certificates answer is not a certificate list: " + e.Message, e);
        }

        return keys;
    }
}
