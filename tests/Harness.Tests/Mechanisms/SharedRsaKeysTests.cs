using System.Text;
using Harness.Security;
using Harness.Security.Signing;

namespace Harness.Tests.Mechanisms;

/// <summary>Keys imported once by their text and shared by every caller and thread (the sandbox signs and verifies every WeChat Pay and Alipay call with them).</summary>
public sealed class SharedRsaKeysTests
{
    [Fact]
    public void The_same_text_gives_the_same_key_which_signs_from_many_threads_at_once()
    {
        using var key = RsaKeys.Create();
        var pem = RsaKeys.PrivateKeyPem(key);
        var message = Encoding.UTF8.GetBytes("POST\n/v3/pay/transactions/native\n1554208460\nnonce\n{}\n");

        var shared = RsaKeys.SharedPrivate(pem);
        var signatures = Enumerable.Range(0, 64).AsParallel().WithDegreeOfParallelism(8).Select(_ => RsaSignature.Sign(RsaKeys.SharedPrivate(pem), message)).ToList();

        Assert.Same(shared, RsaKeys.SharedPrivate(pem));
        Assert.Single(signatures.Distinct());
        Assert.True(RsaSignature.Verify(key, message, signatures[0]));
    }

    [Fact]
    public void A_private_key_reads_from_pkcs8_or_pkcs1_as_pem_or_bare_base64()
    {
        using var key = RsaKeys.Create();
        var message = Encoding.UTF8.GetBytes("app_id=2021000000000001");
        var expected = RsaSignature.Sign(key, message);

        foreach (var text in new[]
        {
            key.ExportPkcs8PrivateKeyPem(),
            key.ExportRSAPrivateKeyPem(),
            Convert.ToBase64String(key.ExportPkcs8PrivateKey()),
            Convert.ToBase64String(key.ExportRSAPrivateKey(), Base64FormattingOptions.InsertLineBreaks),
        })
        {
            Assert.Equal(expected, RsaSignature.Sign(RsaKeys.SharedPrivate(text), message));
        }

        Assert.Throws<FormatException>(() => RsaKeys.SharedPrivate("not base64!"));
    }

    [Fact]
    public void A_public_key_reads_from_pem_or_bare_base64_and_text_that_is_none_is_null_every_time()
    {
        using var key = RsaKeys.Create();
        var message = Encoding.UTF8.GetBytes("app_id=2021000000000001&method=alipay.trade.precreate");
        var signature = RsaSignature.Sign(key, message);

        Assert.True(RsaSignature.Verify(RsaKeys.SharedPublic(RsaKeys.PublicKeyPem(key))!, message, signature));
        Assert.True(RsaSignature.Verify(RsaKeys.SharedPublic(RsaKeys.PublicKeyBase64(key))!, message, signature));
        Assert.Null(RsaKeys.SharedPublic("not a key"));
        Assert.Null(RsaKeys.SharedPublic("not a key"));
    }

    [Fact]
    public void A_certificate_gives_its_serial_and_public_key()
    {
        using var key = RsaKeys.Create();
        byte[] serial = [0x3A, 0x01, 0x02, 0x03];
        using var certificate = RsaKeys.SelfSignedCertificate(key, "CN=1900000109", serial, DateTimeOffset.UtcNow);
        var message = Encoding.UTF8.GetBytes("GET\n/v3/certificates\n1\nn\n\n");

        var read = RsaKeys.SharedCertificate(certificate.ExportCertificatePem());

        Assert.NotNull(read);
        Assert.Equal("3A010203", read.SerialNumber);
        Assert.True(RsaSignature.Verify(read.PublicKey, message, RsaSignature.Sign(key, message)));
        Assert.Null(RsaKeys.SharedCertificate("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"));
    }
}
