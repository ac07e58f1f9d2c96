using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Harness.Sandbox.Delivery;
using Harness.Sandbox.Keys;
using Harness.Security;

namespace Harness.Sandbox.WeChatPay;

/// <summary>
/// The demo merchant's key material and the platform's (providers.md §2.1, §2.6): a merchant key pair with its
/// certificate (what <c>apiclient_key.pem</c> / <c>apiclient_cert.pem</c> are), the APIv3 key, and the two ways
/// WeChat Pay signs every answer and notification: the platform certificate's key, or the WeChat Pay public key
/// (微信支付公钥, <c>pub_key.pem</c> and its <c>PUB_KEY_ID_…</c>) that merchants since 2024 get instead. Created on
/// first start and kept.
/// </summary>
public sealed partial class WeChatPayKeys
{
    public const string Mchid = "1900000109";
    public const string Appid = "wxd678efh567hg6787";

    /// <summary>Setting holding further merchant certificates (PEM, one or more), as a merchant registers several.</summary>
    public const string MerchantCertificatesSetting = "merchant_certificates";

    /// <summary>
    /// Setting choosing what signs answers and notifications: <c>certificate</c> (the platform certificate, the
    /// default), <c>public_key</c> (the WeChat Pay public key), or <c>switching</c> (every other signature each way, as
    /// while WeChat moves a merchant from one to the other).
    /// </summary>
    public const string PlatformAuthSetting = "platform_auth";

    public const string CertificateAuth = "certificate";
    public const string PublicKeyAuth = "public_key";
    public const string SwitchingAuth = "switching";

    private const string Provider = "wechatpay";

    private readonly ProviderSettings _settings;
    private long _signatures;

    public WeChatPayKeys(ProviderKeys keys, ProviderSettings settings, DateTimeOffset now)
    {
        _settings = settings;
        ApiV3Key = keys.GetOrCreate(Provider, "apiv3_key.txt", () => Secrets.RandomHex(16));
        MerchantPrivateKeyPem = keys.GetOrCreate(Provider, "apiclient_key.pem", () => RsaKeys.PrivateKeyPem(RsaKeys.Create()));
        MerchantCertificatePem = keys.GetOrCreate(Provider, "apiclient_cert.pem", () =>
            CertificatePem(MerchantPrivateKeyPem, $"CN={Mchid}, OU=Harness sandbox merchant, O=Harness, C=CN", now));
        PlatformPrivateKeyPem = keys.GetOrCreate(Provider, "platform_key.pem", () => RsaKeys.PrivateKeyPem(RsaKeys.Create()));
        PlatformCertificatePem = keys.GetOrCreate(Provider, "platform_cert.pem", () =>
            CertificatePem(PlatformPrivateKeyPem, "CN=Harness WeChat Pay sandbox platform, O=Harness, C=CN", now));
        PlatformKey = RsaKeys.SharedPrivate(PlatformPrivateKeyPem);
        PublicKeyPrivatePem = keys.GetOrCreate(Provider, "wechatpay_private_key.pem", () => RsaKeys.PrivateKeyPem(RsaKeys.Create()));
        PublicKeySigner = RsaKeys.SharedPrivate(PublicKeyPrivatePem);
        PublicKeyPem = keys.GetOrCreate(Provider, "pub_key.pem", () => RsaKeys.PublicKeyPem(PublicKeySigner));
        PublicKeyId = keys.GetOrCreate(Provider, "pub_key_id.txt", () => "PUB_KEY_ID_01" + Mchid + RandomNumberGenerator.GetString("0123456789", 17));

        using var merchant = X509Certificate2.CreateFromPem(MerchantCertificatePem);
        MerchantSerialNo = merchant.SerialNumber;
        using var platform = X509Certificate2.CreateFromPem(PlatformCertificatePem);
        PlatformSerialNo = platform.SerialNumber;
        PlatformEffective = platform.NotBefore.ToUniversalTime();
        PlatformExpires = platform.NotAfter.ToUniversalTime();
    }

    /// <summary>32 ASCII characters: the AES-256-GCM key of notifications and the certificate download.</summary>
    public string ApiV3Key { get; }

    public string MerchantPrivateKeyPem { get; }

    public string MerchantCertificatePem { get; }

    /// <summary>Uppercase hex, as the merchant platform shows it.</summary>
    public string MerchantSerialNo { get; }

    public string PlatformCertificatePem { get; }

    /// <summary>
    /// Test material, published like every sandbox key: with it a conformance run plays WeChat Pay towards a backend
    /// (stale, tampered and repeated notifications) that trusts this sandbox.
    /// </summary>
    public string PlatformPrivateKeyPem { get; }

    /// <summary>Uppercase hex; notifications and answers carry exactly this in <c>Wechatpay-Serial</c>.</summary>
    public string PlatformSerialNo { get; }

    public DateTime PlatformEffective { get; }

    public DateTime PlatformExpires { get; }

    public RSA PlatformKey { get; }

    /// <summary>The WeChat Pay public key (SPKI PEM, what <c>pub_key.pem</c> holds).</summary>
    public string PublicKeyPem { get; }

    /// <summary><c>PUB_KEY_ID_…</c>: what <c>Wechatpay-Serial</c> carries when the public key signed.</summary>
    public string PublicKeyId { get; }

    /// <summary>The public key's private half: test material, published as <see cref="PlatformPrivateKeyPem"/> is.</summary>
    public string PublicKeyPrivatePem { get; }

    private RSA PublicKeySigner { get; }

    /// <summary>The key the next answer or notification is signed with, and the serial <c>Wechatpay-Serial</c> names for it.</summary>
    public (RSA Key, string Serial) NextSigner() => _settings.Get(Provider, PlatformAuthSetting) switch
    {
        PublicKeyAuth => (PublicKeySigner, PublicKeyId),
        SwitchingAuth when Interlocked.Increment(ref _signatures) % 2 == 0 => (PublicKeySigner, PublicKeyId),
        _ => (PlatformKey, PlatformSerialNo),
    };

    /// <summary>
    /// The public key registered for <paramref name="serialNo"/>: the demo merchant's certificate or one added through
    /// the settings. Serials compare without case and without leading zero bytes (SDKs derive <c>00ab…</c> or <c>AB…</c>).
    /// The key is shared (<see cref="RsaKeys.SharedCertificate"/>): the caller does not dispose it.
    /// </summary>
    public RSA? MerchantKeyFor(string serialNo)
    {
        var wanted = NormalSerial(serialNo);
        return MerchantCertificates().Select(RsaKeys.SharedCertificate).FirstOrDefault(c => c is not null && NormalSerial(c.SerialNumber) == wanted)?.PublicKey;
    }

    /// <summary>
    /// The private key that opens what a merchant encrypted for <paramref name="serialNo"/> (the <c>Wechatpay-Serial</c>
    /// of a request with sensitive fields): the platform certificate's, or the WeChat Pay public key's by its id; null
    /// for any other serial.
    /// </summary>
    public RSA? SensitiveFieldKey(string serialNo) =>
        NormalSerial(serialNo) == NormalSerial(PlatformSerialNo) ? PlatformKey : serialNo == PublicKeyId ? PublicKeySigner : null;

    /// <summary>
    /// The public keys of every registered merchant certificate: a client-side pay signature names no serial, so it
    /// is checked against each, as WeChat's client checks it against the merchant's. Shared, as <see cref="MerchantKeyFor"/>'s.
    /// </summary>
    public IEnumerable<RSA> MerchantKeys() =>
        MerchantCertificates().Select(RsaKeys.SharedCertificate).OfType<CertificateKey>().Select(c => c.PublicKey);

    /// <summary>True when <paramref name="pem"/> holds at least one certificate and every one it holds is an RSA certificate.</summary>
    public static bool HoldsCertificates(string pem)
    {
        var blocks = CertificateBlock().Matches(pem);
        return blocks.Count > 0 && blocks.All(b => RsaKeys.SharedCertificate(b.Value) is not null);
    }

    private IEnumerable<string> MerchantCertificates()
    {
        yield return MerchantCertificatePem;
        foreach (Match block in CertificateBlock().Matches(_settings.Get(Provider, MerchantCertificatesSetting) ?? ""))
        {
            yield return block.Value;
        }
    }

    private static string NormalSerial(string serial)
    {
        var upper = serial.Trim().ToUpperInvariant();
        while (upper.StartsWith("00", StringComparison.Ordinal) && upper.Length > 2)
        {
            upper = upper[2..];
        }

        return upper;
    }

    private static string CertificatePem(string privateKeyPem, string subject, DateTimeOffset now)
    {
        using var key = RsaKeys.ImportPrivate(privateKeyPem);

        // 20 bytes like real serials; the first byte non-zero with its high bit clear, so the hex has no 00 prefix.
        var serial = RandomNumberGenerator.GetBytes(20);
        serial[0] = (byte)(0x10 + (serial[0] % 0x70));
        using var certificate = RsaKeys.SelfSignedCertificate(key, subject, serial, now.AddDays(-1));
        return certificate.ExportCertificatePem();
    }

    [GeneratedRegex("-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----")]
    private static partial Regex CertificateBlock();
}
