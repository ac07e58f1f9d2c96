using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Harness.Security;
using Harness.Security.Signing;
using Harness.Storage;

namespace Harness.Sandbox.Alipay;

/// <summary>
/// Certificate mode (公钥证书模式, providers.md §3.6): the sandbox's own root bundle and the two public-key
/// certificates it issued from it, one for the app key and one for the Alipay key, so certificate-mode SDKs work with
/// the same key pairs as public-key mode. Made on the first start and kept with the keys, under the file names Alipay
/// gives its downloads, so an SDK can be pointed at the files. Alipay's certificate rotates (<see cref="Rotate"/>): a
/// new key pair under a new certificate from the same root signs certificate-mode answers and notifies from then on,
/// and every certificate it ever had stays downloadable by its SN (<see cref="Download"/>).
/// </summary>
public sealed class AlipayCertificates
{
    public const string AppCertFile = "appCertPublicKey_" + AlipayProvider.AppId + ".crt";
    public const string AlipayCertFile = "alipayCertPublicKey_RSA2.crt";
    public const string RootCertFile = "alipayRootCert.crt";

    private const string RootName = "CN=Harness Sandbox Alipay Root CA R1, OU=Certification Authority, O=Harness Sandbox, C=CN";
    private const string AlipaySubject = "CN=Alipay Sandbox Public Key, OU=Alipay Open Platform, O=Harness Sandbox, C=CN";

    private readonly string _caKey;
    private readonly AlipayCertificate _first;
    private readonly IDocumentCollection<AlipayCertificate> _rotated;
    private readonly TimeProvider _wallClock;

    public AlipayCertificates(SandboxContext context, string provider, string appPublicKey, string alipayPublicKey, string alipayPrivateKey)
    {
        _caKey = context.Keys.GetOrCreate(provider, "alipay_ca_private_key.pem", () =>
        {
            using var key = RsaKeys.Create();
            return RsaKeys.PrivateKeyPem(key);
        });
        RootCert = context.Keys.GetOrCreate(provider, RootCertFile, () => NewRootBundle(_caKey));
        AppCert = context.Keys.GetOrCreate(provider, AppCertFile, () => Issue(_caKey, appPublicKey, $"CN={AlipayProvider.AppId}, OU=Sandbox App, O=Harness Sandbox Merchant, C=CN"));
        var alipayCert = context.Keys.GetOrCreate(provider, AlipayCertFile, () => Issue(_caKey, alipayPublicKey, AlipaySubject));
        _first = new AlipayCertificate { Id = AlipayCertSerial.OfPem(alipayCert)!, Generation = 0, Cert = alipayCert, PrivateKey = alipayPrivateKey };
        _rotated = context.Store.Collection<AlipayCertificate>("alipay_certificates");
        _wallClock = context.WallClock;
        AppCertSn = AlipayCertSerial.OfPem(AppCert)!;
        RootCertSn = AlipayCertSerial.OfRootBundle(RootCert);
    }

    /// <summary>The app public key's certificate (<c>appCertPublicKey_…crt</c>), PEM.</summary>
    public string AppCert { get; }

    /// <summary>
    /// The Alipay public key's current certificate, PEM: certificate-mode answers and notifies verify with its key. Until
    /// the first rotation it is <c>alipayCertPublicKey_RSA2.crt</c>, for the same key as public-key mode.
    /// </summary>
    public string AlipayCert => Current.Cert;

    /// <summary>The root bundle (<c>alipayRootCert.crt</c>): an RSA root and an ECDSA one, which the bundle's SN leaves out.</summary>
    public string RootCert { get; }

    public string AppCertSn { get; }

    /// <summary>The current Alipay certificate's SN, which certificate-mode answers carry.</summary>
    public string AlipayCertSn => Current.Id;

    /// <summary>The private half of the current Alipay certificate's key, PKCS#8 PEM.</summary>
    public string AlipayCertPrivateKey => Current.PrivateKey;

    /// <summary>What a client computes from the root bundle: the RSA root's SN alone.</summary>
    public string RootCertSn { get; }

    /// <summary>The SNs of every Alipay certificate so far, oldest first.</summary>
    public IReadOnlyList<string> AlipayCertSns => [_first.Id, .. _rotated.All().OrderBy(c => c.Generation).Select(c => c.Id)];

    private AlipayCertificate Current => _rotated.All().MaxBy(c => c.Generation) ?? _first;

    /// <summary>The certificate (PEM) with that SN, current or replaced; null when Alipay never had it.</summary>
    public string? Download(string alipayCertSn) => alipayCertSn == _first.Id ? _first.Cert : _rotated.Get(alipayCertSn)?.Cert;

    /// <summary>Alipay replaces its key pair: a new key under a new certificate from the same root; returns the new SN.</summary>
    public string Rotate()
    {
        using var key = RsaKeys.Create();
        var certificate = Issue(_caKey, RsaKeys.PublicKeyPem(key), AlipaySubject);
        var rotated = new AlipayCertificate
        {
            Id = AlipayCertSerial.OfPem(certificate)!,
            Generation = Current.Generation + 1,
            Cert = certificate,
            PrivateKey = RsaKeys.PrivateKeyPem(key),
            RotatedAt = _wallClock.GetUtcNow().UtcDateTime,
        };
        _rotated.Upsert(rotated);
        return rotated.Id;
    }

    /// <summary>True when <paramref name="rootCertSn"/> (SNs joined with <c>_</c>) names the sandbox's RSA root.</summary>
    public bool IsRootSn(string rootCertSn) => rootCertSn.Split('_').Contains(RootCertSn, StringComparer.Ordinal);

    /// <summary>
    /// Alipay's roots as the real bundle has them: an RSA root (its SN counts) beside an ECDSA one (left out of the SN),
    /// so a client that takes every certificate's SN is caught. The RSA root's key is the CA key that issues the public-key
    /// certificates.
    /// </summary>
    private static string NewRootBundle(string caKeyPem)
    {
        var notBefore = DateTimeOffset.UtcNow.AddDays(-1);
        using var caKey = RsaKeys.ImportPrivate(caKeyPem);
        var rsaRequest = new CertificateRequest(RootName, caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        rsaRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var rsaRoot = rsaRequest.Create(rsaRequest.SubjectName, X509SignatureGenerator.CreateForRSA(caKey, RSASignaturePadding.Pkcs1), notBefore, notBefore.AddYears(30), Serial());

        using var ecKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var ecRequest = new CertificateRequest("CN=Harness Sandbox Alipay Root CA E1, OU=Certification Authority, O=Harness Sandbox, C=CN", ecKey, HashAlgorithmName.SHA256);
        ecRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var ecRoot = ecRequest.CreateSelfSigned(notBefore, notBefore.AddYears(30));
        return rsaRoot.ExportCertificatePem() + "\n" + ecRoot.ExportCertificatePem() + "\n";
    }

    /// <summary>A five-year certificate for an RSA public key, issued by the RSA root (so the bundle verifies the chain).</summary>
    private static string Issue(string caKeyPem, string publicKeyPem, string subject)
    {
        var notBefore = DateTimeOffset.UtcNow.AddDays(-1);
        using var caKey = RsaKeys.ImportPrivate(caKeyPem);
        using var subjectKey = RsaKeys.TryImportPublic(publicKeyPem)!;
        var request = new CertificateRequest(subject, subjectKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        using var certificate = request.Create(new X500DistinguishedName(RootName), X509SignatureGenerator.CreateForRSA(caKey, RSASignaturePadding.Pkcs1), notBefore, notBefore.AddYears(5), Serial());
        return certificate.ExportCertificatePem() + "\n";
    }

    /// <summary>A positive 16-byte serial without a leading zero byte.</summary>
    private static byte[] Serial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x10);
        return serial;
    }
}

/// <summary>One Alipay public-key certificate after a rotation, with its key pair, kept by SN in the sandbox's store.</summary>
public sealed class AlipayCertificate : IDocument
{
    /// <summary>The certificate's SN.</summary>
    public string Id { get; set; } = "";

    /// <summary>0 for the certificate of the first start, then one more for each rotation.</summary>
    public int Generation { get; set; }

    public string Cert { get; set; } = "";

    public string PrivateKey { get; set; } = "";

    public DateTime? RotatedAt { get; set; }
}
