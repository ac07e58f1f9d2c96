using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Harness.Security;
using Harness.Security.Signing;

namespace Harness.Sandbox.Alipay;

/// <summary>
/// Certificate mode (公钥证书模式, providers.md §3.6): the sandbox's own root bundle and the two public-key
/// certificates it issued from it, one for the app key and one for the Alipay key, so certificate-mode SDKs work with
/// the same key pairs as public-key mode. Made on the first start and kept with the keys, under the file names Alipay
/// gives its downloads, so an SDK can be pointed at the files.
/// </summary>
public sealed class AlipayCertificates
{
    public const string AppCertFile = "appCertPublicKey_" + AlipayProvider.AppId + ".crt";
    public const string AlipayCertFile = "alipayCertPublicKey_RSA2.crt";
    public const string RootCertFile = "alipayRootCert.crt";

    private const string RootName = "CN=Harness Sandbox Alipay Root CA R1, OU=Certification Authority, O=Harness Sandbox, C=CN";

    public AlipayCertificates(SandboxContext context, string provider, string appPublicKey, string alipayPublicKey)
    {
        var caKey = context.Keys.GetOrCreate(provider, "alipay_ca_private_key.pem", () =>
        {
            using var key = RsaKeys.Create();
            return RsaKeys.PrivateKeyPem(key);
        });
        RootCert = context.Keys.GetOrCreate(provider, RootCertFile, () => NewRootBundle(caKey));
        AppCert = context.Keys.GetOrCreate(provider, AppCertFile, () => Issue(caKey, appPublicKey, $"CN={AlipayProvider.AppId}, OU=Sandbox App, O=Harness Sandbox Merchant, C=CN"));
        AlipayCert = context.Keys.GetOrCreate(provider, AlipayCertFile, () => Issue(caKey, alipayPublicKey, "CN=Alipay Sandbox Public Key, OU=Alipay Open Platform, O=Harness Sandbox, C=CN"));
        AppCertSn = AlipayCertSerial.OfPem(AppCert)!;
        AlipayCertSn = AlipayCertSerial.OfPem(AlipayCert)!;
        RootCertSn = AlipayCertSerial.OfRootBundle(RootCert);
    }

    /// <summary>The app public key's certificate (<c>appCertPublicKey_…crt</c>), PEM.</summary>
    public string AppCert { get; }

    /// <summary>The Alipay public key's certificate (<c>alipayCertPublicKey_RSA2.crt</c>), PEM: answers and notifies verify with its key.</summary>
    public string AlipayCert { get; }

    /// <summary>The root bundle (<c>alipayRootCert.crt</c>): an RSA root and an ECDSA one, which the bundle's SN leaves out.</summary>
    public string RootCert { get; }

    public string AppCertSn { get; }

    public string AlipayCertSn { get; }

    /// <summary>What a client computes from the root bundle: the RSA root's SN alone.</summary>
    public string RootCertSn { get; }

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
