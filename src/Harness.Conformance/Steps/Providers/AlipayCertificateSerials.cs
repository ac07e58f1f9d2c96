using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// Alipay's certificate serials written from providers.md §3.6, as alipay-sdk computes them from the certificate files,
/// independently of the sandbox's code: MD5 of the issuer from its last RDN to its first plus the decimal serial; a
/// root bundle's serial joins its RSA-signed certificates' with <c>_</c>.
/// </summary>
public static class AlipayCertificateSerials
{
    /// <summary>The attribute names alipay-sdk's X.509 reader gives (others are written as their OID).</summary>
    private static readonly Dictionary<string, string> Names = new(StringComparer.Ordinal)
    {
        ["2.5.4.3"] = "CN", ["2.5.4.11"] = "OU", ["2.5.4.10"] = "O", ["2.5.4.6"] = "C", ["2.5.4.7"] = "L", ["2.5.4.8"] = "ST", ["1.2.840.113549.1.9.1"] = "E",
    };

    public static string Of(X509Certificate2 certificate)
    {
        // In the order encoded, then reversed: the SDK folds the attributes from the right.
        var rdns = certificate.IssuerName.EnumerateRelativeDistinguishedNames(reversed: false).Reverse().Select(rdn =>
            Names.GetValueOrDefault(rdn.GetSingleElementType().Value!, rdn.GetSingleElementType().Value!) + "=" + rdn.GetSingleElementValue());
        var serial = BigInteger.Parse("0" + certificate.SerialNumber, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
#pragma warning disable CA5351 // MD5 is Alipay's naming scheme.
        return Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(string.Join(',', rdns) + serial.ToString(CultureInfo.InvariantCulture))));
#pragma warning restore CA5351
    }

    public static string OfPem(string pem)
    {
        using var certificate = X509Certificate2.CreateFromPem(pem);
        return Of(certificate);
    }

    public static string OfRootBundle(string pem)
    {
        var bundle = new X509Certificate2Collection();
        bundle.ImportFromPem(pem);
        var serials = bundle.Where(c => c.SignatureAlgorithm.Value!.StartsWith("1.2.840.113549.1.1.", StringComparison.Ordinal)).Select(Of).ToList();
        foreach (var certificate in bundle)
        {
            certificate.Dispose();
        }

        return string.Join('_', serials);
    }
}
