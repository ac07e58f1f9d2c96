using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Harness.Security.Signing;

/// <summary>
/// Alipay's certificate serials of certificate mode (providers.md §3.6): a certificate's SN is the lowercase hex MD5 of
/// its issuer written from the last RDN to the first (<c>CN=…,OU=…,O=…,C=…</c>) followed by its serial number in
/// decimal; a root bundle's SN is the SNs of its RSA-signed certificates joined with <c>_</c>. alipay-sdk and the
/// Java SDK compute these from the certificate files, and the gateway compares them with the ones it issued.
/// </summary>
public static class AlipayCertSerial
{
    /// <summary>PKCS#1 signature algorithms (sha1WithRSA, sha256WithRSA, …): only these roots count in the bundle's SN.</summary>
    private const string RsaSignaturePrefix = "1.2.840.113549.1.1.";

    private static readonly Dictionary<string, string> ShortNames = new(StringComparer.Ordinal)
    {
        ["2.5.4.3"] = "CN",
        ["2.5.4.6"] = "C",
        ["2.5.4.7"] = "L",
        ["2.5.4.8"] = "ST",
        ["2.5.4.10"] = "O",
        ["2.5.4.11"] = "OU",
        ["1.2.840.113549.1.9.1"] = "E",
    };

    /// <summary>The SN of one certificate.</summary>
    public static string Of(X509Certificate2 certificate)
    {
        var issuer = string.Join(',', certificate.IssuerName.EnumerateRelativeDistinguishedNames().Select(rdn =>
        {
            var oid = rdn.GetSingleElementType().Value ?? "";
            return ShortNames.GetValueOrDefault(oid, oid) + "=" + rdn.GetSingleElementValue();
        }));
        var serial = new BigInteger(certificate.SerialNumberBytes.Span, isUnsigned: true, isBigEndian: true);
#pragma warning disable CA5351 // MD5 is how Alipay names a certificate, not a choice.
        return Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(issuer + serial.ToString(CultureInfo.InvariantCulture))));
#pragma warning restore CA5351
    }

    /// <summary>The SN of the first certificate in <paramref name="pem"/>; null when it holds none.</summary>
    public static string? OfPem(string pem)
    {
        try
        {
            using var certificate = X509Certificate2.CreateFromPem(pem);
            return Of(certificate);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>The SN of a root bundle: its RSA-signed certificates' SNs, in file order, joined with <c>_</c>.</summary>
    public static string OfRootBundle(string pem)
    {
        var bundle = new X509Certificate2Collection();
        bundle.ImportFromPem(pem);
        try
        {
            return string.Join('_', bundle
                .Where(c => c.SignatureAlgorithm.Value?.StartsWith(RsaSignaturePrefix, StringComparison.Ordinal) == true)
                .Select(Of));
        }
        finally
        {
            foreach (var certificate in bundle)
            {
                certificate.Dispose();
            }
        }
    }
}
