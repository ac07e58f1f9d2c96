using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Harness.Security;

/// <summary>
/// RSA key material in the forms payment providers hand out: PKCS#8 and PKCS#1 PEM private keys, SPKI PEM or bare
/// base64 public keys (Alipay's console shows the bare form), and X.509 certificates.
/// </summary>
public static class RsaKeys
{
    /// <summary>A fresh 2048-bit key, the size both WeChat Pay and Alipay require.</summary>
    public static RSA Create() => RSA.Create(2048);

    public static string PrivateKeyPem(RSA key) => key.ExportPkcs8PrivateKeyPem();

    public static string PublicKeyPem(RSA key) => key.ExportSubjectPublicKeyInfoPem();

    /// <summary>The public key as one base64 line, without PEM armour.</summary>
    public static string PublicKeyBase64(RSA key) => Convert.ToBase64String(key.ExportSubjectPublicKeyInfo());

    /// <summary>Reads a private key from PKCS#8 or PKCS#1 PEM.</summary>
    public static RSA ImportPrivate(string pem)
    {
        var key = RSA.Create();
        key.ImportFromPem(pem);
        return key;
    }

    /// <summary>
    /// Reads a public key from a certificate PEM, an SPKI or PKCS#1 PEM, or bare base64 SPKI; null when the text is
    /// none of these.
    /// </summary>
    public static RSA? TryImportPublic(string text)
    {
        try
        {
            if (text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
            {
                using var certificate = X509Certificate2.CreateFromPem(text);
                return certificate.GetRSAPublicKey();
            }

            var key = RSA.Create();
            if (text.Contains("-----BEGIN", StringComparison.Ordinal))
            {
                key.ImportFromPem(text);
            }
            else
            {
                key.ImportSubjectPublicKeyInfo(Convert.FromBase64String(text.Trim()), out _);
            }

            return key;
        }
        catch (Exception e) when (e is CryptographicException or FormatException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// A self-signed certificate for <paramref name="key"/> with the given serial, valid from
    /// <paramref name="notBefore"/> for five years: enough for a sandbox's merchant and platform certificates.
    /// </summary>
    public static X509Certificate2 SelfSignedCertificate(RSA key, string subject, byte[] serialNumber, DateTimeOffset notBefore)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var generator = X509SignatureGenerator.CreateForRSA(key, RSASignaturePadding.Pkcs1);
        var name = new X500DistinguishedName(subject);
        return request.Create(name, generator, notBefore, notBefore.AddYears(5), serialNumber);
    }
}
