using System.Security.Cryptography;
using System.Text;
using Harness.Security;
using Harness.Security.Signing;

namespace Harness.Sandbox.Alipay;

/// <summary>
/// The two RSA-2048 key pairs of an Alipay app: the app key the merchant signs requests with (the sandbox publishes
/// its private half, so a merchant can start without uploading anything), and the Alipay key the platform signs
/// answers and notifies with. Both are made on the first start and kept (<see cref="Keys.ProviderKeys"/>). A merchant
/// may register its own app public key in the settings; requests signed with either are accepted.
/// </summary>
public sealed class AlipayKeys
{
    /// <summary>The settings key under which a merchant registers its own app public key (PEM or bare base64) or app certificate (PEM).</summary>
    public const string AppPublicKeySetting = "app_public_key";

    /// <summary>
    /// The settings key that makes the app one of Alipay's two kinds: <c>cert</c> (公钥证书模式, every request carries
    /// the certificate SNs) or <c>public_key</c> (普通公钥模式, none does). Unset, the sandbox takes either.
    /// </summary>
    public const string SignModeSetting = "sign_mode";

    public const string CertMode = "cert";
    public const string PublicKeyMode = "public_key";

    /// <summary>
    /// The settings key for the app's 接口加签方式: <c>RSA2</c> (RSA-SHA256, the default) or the legacy <c>RSA</c>
    /// (RSA-SHA1). Requests must be signed that way, and Alipay signs answers, notifies and returns that way.
    /// </summary>
    public const string SignTypeSetting = "sign_type";

    public const string Rsa2 = "RSA2";
    public const string Rsa = "RSA";

    /// <summary>The settings key under which a merchant registers its own app's id, accepted beside the published one.</summary>
    public const string AppIdSetting = "app_id";

    private readonly SandboxContext _context;
    private readonly string _provider;

    public AlipayKeys(SandboxContext context, string provider)
    {
        _context = context;
        _provider = provider;
        AppPrivateKey = context.Keys.GetOrCreate(provider, "app_private_key.pem", NewPrivateKey);
        AlipayPrivateKey = context.Keys.GetOrCreate(provider, "alipay_private_key.pem", NewPrivateKey);
        using var app = RsaKeys.ImportPrivate(AppPrivateKey);
        AppPublicKey = context.Keys.GetOrCreate(provider, "app_public_key.pem", () => RsaKeys.PublicKeyPem(app));
        using var alipay = RsaKeys.ImportPrivate(AlipayPrivateKey);
        AlipayPublicKey = context.Keys.GetOrCreate(provider, "alipay_public_key.pem", () => RsaKeys.PublicKeyPem(alipay));
        Certificates = new AlipayCertificates(context, provider, AppPublicKey, AlipayPublicKey, AlipayPrivateKey);
    }

    /// <summary>Certificate mode's root bundle and public-key certificates for the two key pairs.</summary>
    public AlipayCertificates Certificates { get; }

    /// <summary>PKCS#8 PEM (<c>BEGIN PRIVATE KEY</c>): alipay-sdk needs <c>keyType: 'PKCS8'</c> for it.</summary>
    public string AppPrivateKey { get; }

    /// <summary>SPKI PEM.</summary>
    public string AppPublicKey { get; }

    /// <summary>SPKI PEM, what the merchant verifies answers and notifies with.</summary>
    public string AlipayPublicKey { get; }

    /// <summary>
    /// Test material, published like every sandbox key: with it a conformance run plays Alipay towards a backend that
    /// trusts this sandbox (stale, tampered and repeated notifications).
    /// </summary>
    public string AlipayPrivateKey { get; }

    /// <summary>
    /// The app id the sandbox answers and notifies as: the merchant's registered one, else the published
    /// <see cref="AlipayProvider.AppId"/>. A trade keeps the one it was made under.
    /// </summary>
    public string AppId => _context.Settings.Get(_provider, AppIdSetting) ?? AlipayProvider.AppId;

    /// <summary>True for the published app id and the merchant's registered one.</summary>
    public bool IsAppId(string? appId) => appId is not null && (appId == AlipayProvider.AppId || appId == _context.Settings.Get(_provider, AppIdSetting));

    /// <summary>The app's sign type: <see cref="Rsa2"/> unless the merchant set <see cref="Rsa"/>.</summary>
    public string SignType => _context.Settings.Get(_provider, SignTypeSetting) ?? Rsa2;

    /// <summary>
    /// True when the app is set to certificate mode: its notifies then name the current Alipay certificate and are
    /// signed with its key.
    /// </summary>
    public bool NotifiesInCertificateMode => _context.Settings.Get(_provider, SignModeSetting) == CertMode;

    /// <summary>
    /// The app's sign type (<see cref="SignType"/>) with the Alipay private key, base64: to a certificate-mode client the
    /// key of the current Alipay certificate (a different one after a rotation), otherwise public-key mode's key.
    /// </summary>
    public string Sign(string content, bool certificateMode = false) => Sign(content, SignType, certificateMode);

    /// <summary>RSA2 or RSA with the Alipay private key, base64 (the v3 routes are always RSA2).</summary>
    public string Sign(string content, string signType, bool certificateMode = false) =>
        RsaSignature.Sign(RsaKeys.SharedPrivate(certificateMode ? Certificates.AlipayCertPrivateKey : AlipayPrivateKey), content, HashOf(signType));

    /// <summary>A signature over content that does not match it, still in the signature's format (the tampered_signature fault).</summary>
    public string TamperedSign(string content, bool certificateMode = false)
    {
        var sign = Sign(content, certificateMode);
        return sign[..10] + (sign[10] == 'A' ? 'B' : 'A') + sign[11..];
    }

    /// <summary>
    /// A request's certificate-mode fields against the app's sign mode: null when they are in order, a request without
    /// <paramref name="appCertSn"/> being public-key mode. The SN must name the app certificate the sandbox issued, or
    /// the certificate the merchant registered as <c>app_public_key</c>; the root SN must name the sandbox's RSA root.
    /// </summary>
    public AlipayFailure? CheckCertificateMode(string? appCertSn, string? rootCertSn)
    {
        var mode = _context.Settings.Get(_provider, SignModeSetting);
        if (appCertSn is null)
        {
            return mode == CertMode || rootCertSn is not null
                ? AlipayFailure.Missing("isv.missing-app-cert-sn", "缺少应用公钥证书序列号参数 app_cert_sn（公钥证书模式的请求须同时携带 app_cert_sn 与 alipay_root_cert_sn）")
                : null;
        }

        if (mode == PublicKeyMode)
        {
            return AlipayFailure.Invalid("isv.invalid-app-cert-sn", "本应用使用普通公钥模式，请求不应携带 app_cert_sn");
        }

        if (AppKeyOf(appCertSn) is null)
        {
            return AlipayFailure.Invalid("isv.invalid-app-cert-sn", $"应用公钥证书序列号不匹配：{appCertSn} 不是本应用的应用公钥证书序列号 {Certificates.AppCertSn}");
        }

        if (rootCertSn is null)
        {
            return AlipayFailure.Missing("isv.missing-alipay-root-cert-sn", "缺少支付宝根证书序列号参数 alipay_root_cert_sn");
        }

        return Certificates.IsRootSn(rootCertSn)
            ? null
            : AlipayFailure.Invalid("isv.invalid-alipay-root-cert-sn", $"支付宝根证书序列号不匹配，应包含 {Certificates.RootCertSn}");
    }

    /// <summary>
    /// True when the signature verifies with an app key: in certificate mode the key of the certificate
    /// <paramref name="appCertSn"/> names, otherwise the app key pair's public half or the key the merchant registered.
    /// </summary>
    public bool VerifyApp(string content, string? sign, string? appCertSn = null, string signType = Rsa2)
    {
        var registered = _context.Settings.Get(_provider, AppPublicKeySetting);
        string?[] candidates = appCertSn is not null ? [AppKeyOf(appCertSn)]
            : registered is null ? [AppPublicKey] : [AppPublicKey, registered];
        foreach (var candidate in candidates)
        {
            if (candidate is not null && RsaKeys.SharedPublic(candidate) is { } key && RsaSignature.Verify(key, Encoding.UTF8.GetBytes(content), sign, HashOf(signType)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The public key (or certificate) behind an app certificate SN; null when the SN names neither certificate.</summary>
    private string? AppKeyOf(string appCertSn)
    {
        if (appCertSn == Certificates.AppCertSn)
        {
            return AppPublicKey;
        }

        return _context.Settings.Get(_provider, AppPublicKeySetting) is { } registered
            && registered.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal)
            && AlipayCertSerial.OfPem(registered) == appCertSn
            ? registered
            : null;
    }

    /// <summary>Alipay's signing string: the pairs sorted by key in byte order, raw (decoded) values, joined as <c>k=v&amp;k=v</c>.</summary>
    public static string Canonical(IEnumerable<KeyValuePair<string, string>> parameters) =>
        string.Join('&', parameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + "=" + p.Value));

    private static HashAlgorithmName HashOf(string signType) => signType == Rsa ? HashAlgorithmName.SHA1 : HashAlgorithmName.SHA256;

    private static string NewPrivateKey()
    {
        using var key = RsaKeys.Create();
        return RsaKeys.PrivateKeyPem(key);
    }
}
