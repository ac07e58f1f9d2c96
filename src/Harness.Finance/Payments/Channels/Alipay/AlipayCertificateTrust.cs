using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Harness.Security.Signing;

namespace Harness.Finance.Payments.Channels.Alipay;

/// <summary>
/// Alipay's public-key certificates in certificate mode, by SN: the configured <c>ALIPAY_PUBLIC_CERT</c>, and each one
/// Alipay rotates to, taken only once it chains to <c>ALIPAY_ROOT_CERT</c> (what Alipay's Java SDK does with an SN it
/// does not know). Taken certificates are remembered for the process's life, per root; after a restart the first
/// answer naming one fetches it again.
/// </summary>
internal sealed class AlipayCertificateTrust(ChannelClock clock)
{
    private const string RsaKeyOid = "1.2.840.113549.1.1.1";

    private readonly ConcurrentDictionary<(string RootCertSn, string AlipayCertSn), string> _taken = new();

    /// <summary>The public key (PEM) of the certificate with that SN, when it is the configured one or one taken before.</summary>
    public string? KeyOf(AlipaySettings settings, AlipayCertificateMode certificates, string alipayCertSn) =>
        alipayCertSn == certificates.AlipayCertSn
            ? settings.AlipayPublicKeyPem
            : _taken.GetValueOrDefault((certificates.RootCertSn, alipayCertSn));

    /// <summary>
    /// Takes a downloaded certificate (PEM, possibly followed by its intermediates) as the one with <paramref name="alipayCertSn"/>
    /// once it is that certificate, is valid now and chains to the configured root; returns its public key (PEM).
    /// </summary>
    public string Take(AlipayCertificateMode certificates, string alipayCertSn, string certificatePem)
    {
        var bundle = new X509Certificate2Collection();
        var roots = new X509Certificate2Collection();
        try
        {
            try
            {
                bundle.ImportFromPem(certificatePem);
                roots.ImportFromPem(certificates.RootCertPem);
            }
            catch (CryptographicException e)
            {
                throw new ChannelException($"Alipay: the downloaded certificate {alipayCertSn} is not a certificate in PEM form", e);
            }

            if (bundle.Count == 0)
            {
                throw new ChannelException($"Alipay: the download of certificate {alipayCertSn} holds no certificate");
            }

            var certificate = bundle[0];
            if (AlipayCertSerial.Of(certificate) != alipayCertSn)
            {
                throw new ChannelException($"Alipay: the certificate downloaded for {alipayCertSn} is {AlipayCertSerial.Of(certificate)}; it is not trusted");
            }

            if (!ChainsToRoot(certificate, bundle, roots, out var why))
            {
                throw new ChannelException($"Alipay: certificate {alipayCertSn} does not chain to ALIPAY_ROOT_CERT ({why}); it is not trusted");
            }

            using var key = certificate.GetRSAPublicKey() ?? throw new ChannelException($"Alipay: certificate {alipayCertSn} holds no RSA key");
            return _taken.GetOrAdd((certificates.RootCertSn, alipayCertSn), key.ExportSubjectPublicKeyInfoPem());
        }
        finally
        {
            foreach (var certificate in bundle.Concat(roots))
            {
                certificate.Dispose();
            }
        }
    }

    /// <summary>
    /// Whether the certificate chains, through the intermediates sent with it, to one of the bundle's RSA roots (the
    /// bundle's other roots use algorithms this check does not need), valid at this moment, revocation not checked
    /// (Alipay publishes no revocation list for them).
    /// </summary>
    private bool ChainsToRoot(X509Certificate2 certificate, X509Certificate2Collection sentWith, X509Certificate2Collection roots, out string why)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = clock.Now.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots.Where(root => root.PublicKey.Oid.Value == RsaKeyOid).ToArray());
        chain.ChainPolicy.ExtraStore.AddRange(sentWith.Skip(1).ToArray());
        if (chain.Build(certificate))
        {
            why = "";
            return true;
        }

        why = string.Join("; ", chain.ChainStatus.Select(status => status.StatusInformation.Trim()).Where(text => text.Length > 0).Distinct());
        return false;
    }
}
