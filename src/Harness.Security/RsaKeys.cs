using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Harness.Security;

/// <summary>
/// RSA key material in the forms payment providers hand out: PKCS#8 and PKCS#1 PEM private keys, SPKI PEM or bare
/// base64 public keys (Alipay's console shows the bare form), and X.509 certificates.
/// </summary>
public static class RsaKeys
{
    private static readonly KeptKeys<RSA> PrivateKeys = new(ImportPrivate);
    private static readonly KeptKeys<RSA?> PublicKeys = new(TryImportPublic);
    private static readonly KeptKeys<CertificateKey?> Certificates = new(TryImportCertificate);

    /// <summary>A fresh 2048-bit key, the size both WeChat Pay and Alipay require.</summary>
    public static RSA Create() => RSA.Create(2048);

    public static string PrivateKeyPem(RSA key) => key.ExportPkcs8PrivateKeyPem();

    public static string PublicKeyPem(RSA key) => key.ExportSubjectPublicKeyInfoPem();

    /// <summary>The public key as one base64 line, without PEM armour.</summary>
    public static string PublicKeyBase64(RSA key) => Convert.ToBase64String(key.ExportSubjectPublicKeyInfo());

    /// <summary>Reads a private key from PKCS#8 or PKCS#1, as PEM or as the bare base64 of either (what Alipay's console shows).</summary>
    public static RSA ImportPrivate(string text)
    {
        var key = RSA.Create();
        try
        {
            if (text.Contains("-----BEGIN", StringComparison.Ordinal))
            {
                key.ImportFromPem(text);
                return key;
            }

            var der = Convert.FromBase64String(string.Concat(text.Where(c => !char.IsWhiteSpace(c))));
            try
            {
                key.ImportPkcs8PrivateKey(der, out _);
            }
            catch (CryptographicException)
            {
                key.ImportRSAPrivateKey(der, out _);
            }

            return key;
        }
        catch
        {
            key.Dispose();
            throw;
        }
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
    /// The private key of <paramref name="text"/> (as <see cref="ImportPrivate"/> reads it), imported once and kept for every later call and every thread. An
    /// import parses the PEM and builds a new OpenSSL key, which costs more than the signature made with it; signing
    /// and verifying keep no state in the instance (each operation has its own OpenSSL context), so one serves all.
    /// The caller does not dispose it.
    /// </summary>
    public static RSA SharedPrivate(string text) => PrivateKeys.For(text);

    /// <summary><see cref="TryImportPublic"/>, imported once and kept, as <see cref="SharedPrivate"/>; not disposed by the caller.</summary>
    public static RSA? SharedPublic(string text) => PublicKeys.For(text);

    /// <summary>A certificate PEM's serial number (hex, as <see cref="X509Certificate2.SerialNumber"/>) and public key, kept as <see cref="SharedPrivate"/>; null when it is not an RSA certificate.</summary>
    public static CertificateKey? SharedCertificate(string pem) => Certificates.For(pem);

    private static CertificateKey? TryImportCertificate(string pem)
    {
        try
        {
            using var certificate = X509Certificate2.CreateFromPem(pem);
            return certificate.GetRSAPublicKey() is { } key ? new CertificateKey(certificate.SerialNumber, key) : null;
        }
        catch (CryptographicException)
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

/// <summary>A certificate's serial number and RSA public key.</summary>
public sealed record CertificateKey(string SerialNumber, RSA PublicKey);

/// <summary>
/// Imported keys by their text. Bounded, as the texts include what merchants register: past the bound the cache starts
/// afresh, and a key dropped from it is left to the garbage collector, since another thread may still be using it.
/// </summary>
internal sealed class KeptKeys<T>(Func<string, T> import)
{
    private const int Capacity = 256;

    private readonly ConcurrentDictionary<string, T> _keys = new(StringComparer.Ordinal);

    public T For(string text)
    {
        if (_keys.TryGetValue(text, out var key))
        {
            return key;
        }

        if (_keys.Count >= Capacity)
        {
            _keys.Clear();
        }

        return _keys.GetOrAdd(text, import);
    }
}
