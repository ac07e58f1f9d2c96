using System.Security.Cryptography.X509Certificates;
using System.Text;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>The app variants: AES content encryption, the RSA (SHA-1) sign type, and Alipay rotating its certificate.</summary>
public sealed partial class AlipaySteps
{
    private string? _previousAlipayCert;
    private string? _downloadedCert;

    [When("the merchant precreates a trade of {string} with its content encrypted")]
    public async Task PrecreateEncrypted(string amount)
    {
        _encryptKey = await _world.CredentialAsync("alipay", "encrypt_key");
        await Precreate(amount);
    }

    [Then("Alipay answers encrypted with code {string}, signed over the cipher text")]
    public async Task AnswersEncrypted(string code)
    {
        var cipher = ApiReply.Field(_world.Last.Json, ResponseKey);
        Check.Equal("String", cipher.ValueKind.ToString(), $"the kind of {ResponseKey} in an answer to encrypted content ({_world.Last.Body})");
        Check.That(!_world.Last.Body.Contains(OutTradeNo, StringComparison.Ordinal), "the encrypted answer shows the out_trade_no in clear");
        await AnswersCode(code);
    }

    [Then("the decrypted answer has the trade's out_trade_no and a qr_code")]
    public void DecryptedAnswer()
    {
        Check.Equal(OutTradeNo, ApiReply.Text(ApiReply.Field(Response, "out_trade_no")), "out_trade_no");
        Check.That(ApiReply.Text(ApiReply.Field(Response, "qr_code")).Length > 0, "the decrypted answer has no qr_code");
    }

    [Given("the merchant's Alipay app requires content encryption")]
    public Task RequiresEncryption() => _world.ConfigureAsync("alipay", new Dictionary<string, string?> { ["content_encryption"] = "required" });

    [When("the merchant sends encrypted content that does not decrypt")]
    public async Task PrecreateUndecryptable()
    {
        _encryptKey = await _world.CredentialAsync("alipay", "encrypt_key");
        var parameters = await SignedAsync("alipay.trade.precreate", Order("1.00"));

        // The same content under another key, signed again: the signature holds, the decryption fails.
        parameters["biz_content"] = AlipayContentCipher.Encrypt(Convert.ToBase64String(new byte[16]), JsonOf(Order("1.00")));
        parameters.Remove("sign");
        parameters["sign"] = ProviderSignatures.AlipaySign(await _world.CredentialAsync("alipay", "app_private_key"), ProviderSignatures.AlipayContent(parameters, withSignType: true), _signType);
        _encryptKey = null;
        await SendAsync(parameters);
    }

    [Given("the merchant's Alipay app signs with sign_type {string}")]
    public async Task SignsWith(string signType)
    {
        _signType = signType;
        await _world.ConfigureAsync("alipay", new Dictionary<string, string?> { ["sign_type"] = signType });
    }

    [When("Alipay rotates its public-key certificate")]
    public async Task Rotate()
    {
        _previousAlipayCert = ApiReply.Text(ApiReply.Field(await _world.ControlAsync(HttpMethod.Get, "/control/alipay/certificates"), "alipay_cert"));
        await _world.ControlAsync(HttpMethod.Post, "/control/alipay/certificates/rotate");
    }

    [When("the merchant queries the trade in certificate mode")]
    public async Task QueryInCertificateMode() => await CallAsync("alipay.trade.query", new() { ["out_trade_no"] = OutTradeNo }, await CertificateSerialsAsync());

    [Then("the answer names an Alipay certificate the merchant does not have, and the old certificate's key does not verify it")]
    public void NamesUnknownCertificate()
    {
        using var previous = X509Certificate2.CreateFromPem(_previousAlipayCert ?? throw new AssertionException("Alipay has not rotated its certificate in this scenario"));
        var named = ApiReply.Text(ApiReply.Field(_world.Last.Json, "alipay_cert_sn"));
        Check.That(named != AlipayCertificateSerials.Of(previous), $"the answer still names the previous certificate {named}");
        Check.That(!ProviderSignatures.AlipayVerify(previous.GetRSAPublicKey()!.ExportSubjectPublicKeyInfoPem(), SignedContent, ApiReply.Text(ApiReply.Field(_world.Last.Json, "sign")), _signType),
            "the previous certificate's key still verifies the answer");
    }

    [When("the merchant downloads that certificate with alipay.open.app.alipaycert.download")]
    public async Task DownloadNamedCertificate()
    {
        var named = ApiReply.Text(ApiReply.Field(_world.Last.Json, "alipay_cert_sn"));
        var answered = _world.LastReply;
        _downloadedCert = await DownloadAsync(named);
        _world.LastReply = answered;
        _responseKey = "alipay_trade_query_response";
    }

    [Then("the certificate chains to the published root, has that SN, and its key verifies the answer")]
    public async Task DownloadedCertificateHolds()
    {
        using var certificate = X509Certificate2.CreateFromPem(_downloadedCert ?? throw new AssertionException("nothing was downloaded"));
        var roots = new X509Certificate2Collection();
        roots.ImportFromPem(await _world.CredentialAsync("alipay", "alipay_root_cert"));
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Check.That(chain.Build(certificate), "the downloaded certificate does not chain to the published root: " + string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
        Check.Equal(ApiReply.Text(ApiReply.Field(_world.Last.Json, "alipay_cert_sn")), AlipayCertificateSerials.Of(certificate), "the downloaded certificate's SN");
        Check.That(ProviderSignatures.AlipayVerify(certificate.GetRSAPublicKey()!.ExportSubjectPublicKeyInfoPem(), SignedContent, ApiReply.Text(ApiReply.Field(_world.Last.Json, "sign")), _signType),
            "the downloaded certificate's key does not verify the answer");
    }

    [Then("the previous certificate can still be downloaded")]
    public async Task PreviousDownloadable()
    {
        using var previous = X509Certificate2.CreateFromPem(_previousAlipayCert ?? throw new AssertionException("Alipay has not rotated its certificate in this scenario"));
        Check.Equal(_previousAlipayCert.Trim(), (await DownloadAsync(AlipayCertificateSerials.Of(previous))).Trim(), "the previous certificate as downloaded");
    }

    /// <summary>The certificate with that SN through the gateway, as Alipay's SDKs fetch it: base64 of the PEM text.</summary>
    private async Task<string> DownloadAsync(string alipayCertSn)
    {
        await CallAsync("alipay.open.app.alipaycert.download", new() { ["alipay_cert_sn"] = alipayCertSn }, await CertificateSerialsAsync());
        Check.Equal("10000", ApiReply.Text(ApiReply.Field(Response, "code")), $"code of the download ({_world.Last.Body})");
        return Encoding.UTF8.GetString(Convert.FromBase64String(ApiReply.Text(ApiReply.Field(Response, "alipay_cert_content"))));
    }

    private async Task<Dictionary<string, string>> CertificateSerialsAsync() => new(StringComparer.Ordinal)
    {
        ["app_cert_sn"] = AlipayCertificateSerials.OfPem(await _world.CredentialAsync("alipay", "app_cert")),
        ["alipay_root_cert_sn"] = AlipayCertificateSerials.OfRootBundle(await _world.CredentialAsync("alipay", "alipay_root_cert")),
    };

    private static string JsonOf(Dictionary<string, object> biz) => System.Text.Json.JsonSerializer.Serialize(biz);
}
