using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Harness.Finance.Payments.Channels;
using Harness.Finance.Payments.Channels.Alipay;
using Harness.Security.Signing;

namespace Harness.Tests.Finance.Channels;

/// <summary>
/// Which downloaded Alipay certificates the backend takes after a rotation: only the one asked for, valid now, and
/// issued (directly or through the intermediates sent with it) by an RSA root of the configured bundle.
/// </summary>
public sealed class AlipayCertificateTrustTests : IDisposable
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private readonly RSA _rootKey = RSA.Create(2048);
    private readonly X509Certificate2 _root;
    private readonly AlipayCertificateMode _configured;
    private readonly AlipayCertificateTrust _trust = new(new ChannelClock(TimeProvider.System));

    public AlipayCertificateTrustTests()
    {
        _root = SelfSignedRoot("CN=Test Alipay Root CA R1, O=Test, C=CN", _rootKey);
        using var ecKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var ecRequest = new CertificateRequest("CN=Test Alipay Root CA E1, O=Test, C=CN", ecKey, HashAlgorithmName.SHA256);
        ecRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var ecRoot = ecRequest.CreateSelfSigned(Now.AddDays(-1), Now.AddYears(10));
        var bundle = _root.ExportCertificatePem() + "\n" + ecRoot.ExportCertificatePem() + "\n";
        _configured = new AlipayCertificateMode("app-sn", "configured-sn", AlipayCertSerial.OfRootBundle(bundle), bundle);
    }

    public void Dispose()
    {
        _root.Dispose();
        _rootKey.Dispose();
    }

    [Fact]
    public void A_certificate_issued_by_the_root_is_taken_and_its_key_is_known_by_its_SN_from_then_on()
    {
        using var key = RSA.Create(2048);
        using var certificate = Issue(_root, _rootKey, key, Now.AddDays(-1), Now.AddYears(5));
        var sn = AlipayCertSerial.Of(certificate);
        var settings = new AlipaySettings("http://127.0.0.1:9/gateway.do", "app", "unused", "configured-key", _configured);
        Assert.Null(_trust.KeyOf(settings, _configured, sn));

        var taken = _trust.Take(_configured, sn, certificate.ExportCertificatePem());

        Assert.Equal(key.ExportSubjectPublicKeyInfoPem(), taken);
        Assert.Equal(taken, _trust.KeyOf(settings, _configured, sn));
        Assert.Equal("configured-key", _trust.KeyOf(settings, _configured, "configured-sn"));

        // Another root bundle has not vouched for it.
        var otherRoot = _configured with { RootCertSn = "other-root-sn" };
        Assert.Null(_trust.KeyOf(settings with { Certificates = otherRoot }, otherRoot, sn));
    }

    [Fact]
    public void A_certificate_issued_through_an_intermediate_sent_with_it_is_taken()
    {
        using var intermediateKey = RSA.Create(2048);
        var intermediateRequest = new CertificateRequest("CN=Test Alipay Class 2 R1, O=Test, C=CN", intermediateKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        intermediateRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var intermediatePublic = intermediateRequest.Create(_root, Now.AddDays(-1), Now.AddYears(8), [0x21, 0x01]);
        using var intermediate = intermediatePublic.CopyWithPrivateKey(intermediateKey);
        using var key = RSA.Create(2048);
        using var certificate = Issue(intermediate, intermediateKey, key, Now.AddDays(-1), Now.AddYears(5));

        var taken = _trust.Take(_configured, AlipayCertSerial.Of(certificate), certificate.ExportCertificatePem() + "\n" + intermediate.ExportCertificatePem());

        Assert.Equal(key.ExportSubjectPublicKeyInfoPem(), taken);
    }

    [Fact]
    public void A_certificate_from_another_root_expired_or_not_the_one_asked_for_is_refused()
    {
        using var otherRootKey = RSA.Create(2048);
        using var otherRoot = SelfSignedRoot("CN=Test Alipay Root CA R1, O=Test, C=CN", otherRootKey);
        using var key = RSA.Create(2048);
        using var foreign = Issue(otherRoot, otherRootKey, key, Now.AddDays(-1), Now.AddYears(5));
        using var expired = Issue(_root, _rootKey, key, Now.AddYears(-2), Now.AddDays(-1));
        using var good = Issue(_root, _rootKey, key, Now.AddDays(-1), Now.AddYears(5));

        var fromElsewhere = Assert.Throws<ChannelException>(() => _trust.Take(_configured, AlipayCertSerial.Of(foreign), foreign.ExportCertificatePem()));
        Assert.Contains("does not chain to ALIPAY_ROOT_CERT", fromElsewhere.Message, StringComparison.Ordinal);

        var stale = Assert.Throws<ChannelException>(() => _trust.Take(_configured, AlipayCertSerial.Of(expired), expired.ExportCertificatePem()));
        Assert.Contains("does not chain to ALIPAY_ROOT_CERT", stale.Message, StringComparison.Ordinal);

        var swapped = Assert.Throws<ChannelException>(() => _trust.Take(_configured, "0123456789abcdef0123456789abcdef", good.ExportCertificatePem()));
        Assert.Contains("is " + AlipayCertSerial.Of(good), swapped.Message, StringComparison.Ordinal);

        var empty = Assert.Throws<ChannelException>(() => _trust.Take(_configured, "0123456789abcdef0123456789abcdef", "not a certificate"));
        Assert.Contains("holds no certificate", empty.Message, StringComparison.Ordinal);

        var settings = new AlipaySettings("http://127.0.0.1:9/gateway.do", "app", "unused", "configured-key", _configured);
        Assert.Null(_trust.KeyOf(settings, _configured, AlipayCertSerial.Of(foreign)));
    }

    private static X509Certificate2 SelfSignedRoot(string name, RSA key)
    {
        var request = new CertificateRequest(name, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        return request.CreateSelfSigned(Now.AddYears(-3), Now.AddYears(10));
    }

    private static X509Certificate2 Issue(X509Certificate2 issuer, RSA issuerKey, RSA subjectKey, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var request = new CertificateRequest("CN=Alipay Public Key, O=Test, C=CN", subjectKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x10);
        return request.Create(issuer.SubjectName, X509SignatureGenerator.CreateForRSA(issuerKey, RSASignaturePadding.Pkcs1), notBefore, notAfter, serial);
    }
}
