using System.Net;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Harness.Conformance.Steps.Providers;
using Harness.Sandbox.Alipay;
using Harness.Sandbox.Tests.Support;

namespace Harness.Sandbox.Tests.Alipay;

/// <summary>Certificate mode (公钥证书模式): the published certificates, the SNs requests carry and answers name.</summary>
public sealed class AlipayCertModeTests
{
    private const string Precreate = "alipay.trade.precreate";

    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static async Task<JsonObject> CredentialsAsync(TestSandbox sandbox) =>
        (JsonObject)(await sandbox.GetJsonAsync("/control/providers/alipay"))["credentials"]!;

    private static string Text(JsonObject credentials, string name) => credentials[name]!.GetValue<string>();

    private static Dictionary<string, string> Serials(JsonObject credentials) => new(StringComparer.Ordinal)
    {
        ["app_cert_sn"] = Text(credentials, "app_cert_sn"),
        ["alipay_root_cert_sn"] = Text(credentials, "alipay_root_cert_sn"),
    };

    [Fact]
    public async Task The_published_certificates_carry_the_published_keys_chain_to_the_root_and_their_serials_are_alipays()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var credentials = await CredentialsAsync(sandbox);
        using var appCert = X509Certificate2.CreateFromPem(Text(credentials, "app_cert"));
        using var alipayCert = X509Certificate2.CreateFromPem(Text(credentials, "alipay_cert"));
        using var appKey = RSA.Create();
        appKey.ImportFromPem(Text(credentials, "app_public_key"));
        using var alipayKey = RSA.Create();
        alipayKey.ImportFromPem(Text(credentials, "alipay_public_key"));
        Assert.Equal(appKey.ExportSubjectPublicKeyInfo(), appCert.GetRSAPublicKey()!.ExportSubjectPublicKeyInfo());
        Assert.Equal(alipayKey.ExportSubjectPublicKeyInfo(), alipayCert.GetRSAPublicKey()!.ExportSubjectPublicKeyInfo());

        var roots = new X509Certificate2Collection();
        roots.ImportFromPem(Text(credentials, "alipay_root_cert"));
        Assert.Equal(2, roots.Count);
        Assert.Contains(roots, r => r.GetECDsaPublicKey() is not null);
        foreach (var issued in new[] { appCert, alipayCert })
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(roots);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            Assert.True(chain.Build(issued), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
        }

        // Worked by hand: the issuer from its last RDN to its first, the serial in decimal, MD5; the root's SN is the RSA root's alone.
        var rsaRoot = roots.Single(r => r.GetRSAPublicKey() is not null);
        Assert.Equal(Md5Hex(appCert.IssuerName.Name.Replace(", ", ",", StringComparison.Ordinal) + Decimal(appCert)), Text(credentials, "app_cert_sn"));
        Assert.Equal(Md5Hex(alipayCert.IssuerName.Name.Replace(", ", ",", StringComparison.Ordinal) + Decimal(alipayCert)), Text(credentials, "alipay_cert_sn"));
        Assert.Equal(Md5Hex(rsaRoot.IssuerName.Name.Replace(", ", ",", StringComparison.Ordinal) + Decimal(rsaRoot)), Text(credentials, "alipay_root_cert_sn"));

        // The files an SDK is pointed at, under the names Alipay's downloads have.
        var folder = Path.Combine(sandbox.DataDirectory, "keys", "alipay");
        Assert.Equal(Text(credentials, "app_cert"), await File.ReadAllTextAsync(Path.Combine(folder, AlipayCertificates.AppCertFile), Ct));
        Assert.Equal(Text(credentials, "alipay_cert"), await File.ReadAllTextAsync(Path.Combine(folder, AlipayCertificates.AlipayCertFile), Ct));
        Assert.Equal(Text(credentials, "alipay_root_cert"), await File.ReadAllTextAsync(Path.Combine(folder, AlipayCertificates.RootCertFile), Ct));
    }

    [Fact]
    public async Task A_certificate_mode_request_is_answered_with_alipay_cert_sn_between_the_response_and_sign()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var credentials = await CredentialsAsync(sandbox);

        var certMode = await alipay.CallAsync(Precreate, AlipayTests.Order("CERT_1"), Serials(credentials));
        Assert.Equal("10000", certMode.Code);
        Assert.True(certMode.SignatureValid);
        Assert.Contains($"}},\"alipay_cert_sn\":\"{Text(credentials, "alipay_cert_sn")}\",\"sign\":\"", certMode.Body, StringComparison.Ordinal);

        // The same app in public-key mode: no SN in the answer.
        var keyMode = await alipay.CallAsync("alipay.trade.query", new { out_trade_no = "CERT_1" });
        Assert.Equal("ACQ.TRADE_NOT_EXIST", keyMode.SubCode);
        Assert.DoesNotContain("alipay_cert_sn", keyMode.Body, StringComparison.Ordinal);

        // A bundle with several RSA roots gives several SNs; the sandbox's among them is enough.
        var bundle = new Dictionary<string, string>(Serials(credentials)) { ["alipay_root_cert_sn"] = "0123456789abcdef0123456789abcdef_" + Text(credentials, "alipay_root_cert_sn") };
        Assert.Equal("10000", (await alipay.CallAsync(Precreate, AlipayTests.Order("CERT_2"), bundle)).Code);
    }

    [Theory]
    [InlineData("app_cert_sn", "0123456789abcdef0123456789abcdef", "40002", "isv.invalid-app-cert-sn")]
    [InlineData("alipay_root_cert_sn", "", "40001", "isv.missing-alipay-root-cert-sn")]
    [InlineData("alipay_root_cert_sn", "0123456789abcdef0123456789abcdef", "40002", "isv.invalid-alipay-root-cert-sn")]
    [InlineData("app_cert_sn", "", "40001", "isv.missing-app-cert-sn")]
    public async Task Wrong_or_missing_serials_are_refused_signed_and_create_nothing(string field, string value, string code, string subCode)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var serials = Serials(await CredentialsAsync(sandbox));
        if (value.Length == 0)
        {
            serials.Remove(field);
        }
        else
        {
            serials[field] = value;
        }

        var refused = await alipay.CallAsync(Precreate, AlipayTests.Order("CERT_BAD", "10.00"), serials);
        Assert.Equal((code, subCode), (refused.Code, refused.SubCode));
        Assert.True(refused.SignatureValid);
        Assert.Equal(serials.ContainsKey("app_cert_sn"), refused.Body.Contains("\"alipay_cert_sn\"", StringComparison.Ordinal));

        // Nothing was created: the same out_trade_no with another amount is a new trade, not a changed one.
        Assert.Equal("10000", (await alipay.CallAsync(Precreate, AlipayTests.Order("CERT_BAD", "20.00"))).Code);
    }

    [Fact]
    public async Task Sign_mode_makes_the_app_one_kind_or_the_other()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var serials = Serials(await CredentialsAsync(sandbox));

        using var refusedMode = await sandbox.PutSettingsAsync("alipay", new { sign_mode = "both" });
        Assert.Equal(HttpStatusCode.BadRequest, refusedMode.StatusCode);
        Assert.Contains("sign_mode must be 'cert' or 'public_key'", await refusedMode.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        (await sandbox.PutSettingsAsync("alipay", new { sign_mode = "cert" })).EnsureSuccessStatusCode();
        Assert.Equal("isv.missing-app-cert-sn", (await alipay.CallAsync(Precreate, AlipayTests.Order("MODE_1"))).SubCode);
        Assert.Equal("10000", (await alipay.CallAsync(Precreate, AlipayTests.Order("MODE_1"), serials)).Code);

        (await sandbox.PutSettingsAsync("alipay", new { sign_mode = "public_key" })).EnsureSuccessStatusCode();
        Assert.Equal("isv.invalid-app-cert-sn", (await alipay.CallAsync(Precreate, AlipayTests.Order("MODE_2"), serials)).SubCode);
        Assert.Equal("10000", (await alipay.CallAsync(Precreate, AlipayTests.Order("MODE_2"))).Code);

        // Removed, either kind is taken again.
        (await sandbox.PutSettingsAsync("alipay", new { sign_mode = "" })).EnsureSuccessStatusCode();
        Assert.Equal("10000", (await alipay.CallAsync(Precreate, AlipayTests.Order("MODE_3"), serials)).Code);
        Assert.Equal("10000", (await alipay.CallAsync(Precreate, AlipayTests.Order("MODE_4"))).Code);
    }

    [Fact]
    public async Task A_merchant_s_own_app_certificate_registered_as_app_public_key_is_taken_with_its_own_key_only()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var credentials = await CredentialsAsync(sandbox);
        var sandboxKey = alipay.AppPrivateKey;
        using var own = RSA.Create(2048);
        var request = new CertificateRequest("CN=Example Shop, O=Example, C=CN", own, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var ownCert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var ownSn = Md5Hex("CN=Example Shop,O=Example,C=CN" + Decimal(ownCert));

        using var refusedKey = await sandbox.PutSettingsAsync("alipay", new { app_public_key = "not a key" });
        Assert.Equal(HttpStatusCode.BadRequest, refusedKey.StatusCode);
        (await sandbox.PutSettingsAsync("alipay", new { app_public_key = ownCert.ExportCertificatePem() })).EnsureSuccessStatusCode();

        var withOwn = new Dictionary<string, string>(Serials(credentials)) { ["app_cert_sn"] = ownSn };
        alipay.AppPrivateKey = own.ExportPkcs8PrivateKeyPem();
        Assert.Equal("10000", (await alipay.CallAsync(Precreate, AlipayTests.Order("OWN_CERT_1"), withOwn)).Code);

        // A certificate vouches for its own key only: naming one and signing with the other's key does not verify.
        Assert.Equal("isv.invalid-signature", (await alipay.CallAsync(Precreate, AlipayTests.Order("OWN_CERT_2"), Serials(credentials))).SubCode);
        alipay.AppPrivateKey = sandboxKey;
        Assert.Equal("isv.invalid-signature", (await alipay.CallAsync(Precreate, AlipayTests.Order("OWN_CERT_3"), withOwn)).SubCode);
        Assert.Equal("10000", (await alipay.CallAsync(Precreate, AlipayTests.Order("OWN_CERT_4"), Serials(credentials))).Code);
    }

    [Fact]
    public async Task The_v3_routes_take_app_cert_sn_in_the_authorization_and_answer_with_alipay_sn()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var credentials = await CredentialsAsync(sandbox);
        using var http = new HttpClient { BaseAddress = new Uri(sandbox.BaseUrl("alipay")) };
        async Task<(HttpStatusCode Status, JsonNode Body, string? AlipaySn)> SendAsync(string? appCertSn, string? rootCertSn)
        {
            const string path = "/v3/alipay/trade/precreate";
            var body = """{"out_trade_no":"V3_CERT","total_amount":"5.00","subject":"v3"}""";
            using var message = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            message.Headers.TryAddWithoutValidation("authorization", ProviderSignatures.AlipayV3Authorization(alipay.AppId, alipay.AppPrivateKey, "POST", path, body, appCertSn));
            if (rootCertSn is not null)
            {
                message.Headers.TryAddWithoutValidation("alipay-root-cert-sn", rootCertSn);
            }

            using var response = await http.SendAsync(message, Ct);
            var text = await response.Content.ReadAsStringAsync(Ct);
            return (response.StatusCode, JsonNode.Parse(text)!, response.Headers.TryGetValues("alipay-sn", out var sn) ? sn.Single() : null);
        }

        var (created, createdBody, createdSn) = await SendAsync(Text(credentials, "app_cert_sn"), Text(credentials, "alipay_root_cert_sn"));
        Assert.Equal(HttpStatusCode.OK, created);
        Assert.Equal("V3_CERT", createdBody["out_trade_no"]!.GetValue<string>());
        Assert.Equal(Text(credentials, "alipay_cert_sn"), createdSn);

        var (wrong, wrongBody, wrongSn) = await SendAsync("0123456789abcdef0123456789abcdef", Text(credentials, "alipay_root_cert_sn"));
        Assert.Equal((HttpStatusCode.Unauthorized, "invalid-app-cert-sn"), (wrong, wrongBody["code"]!.GetValue<string>()));
        Assert.Equal(Text(credentials, "alipay_cert_sn"), wrongSn);

        var (noRoot, noRootBody, _) = await SendAsync(Text(credentials, "app_cert_sn"), null);
        Assert.Equal((HttpStatusCode.Unauthorized, "missing-alipay-root-cert-sn"), (noRoot, noRootBody["code"]!.GetValue<string>()));

        var (keyMode, _, keyModeSn) = await SendAsync(null, null);
        Assert.Equal(HttpStatusCode.OK, keyMode);
        Assert.Null(keyModeSn);
    }

    [Fact]
    public async Task The_certificates_and_their_serials_survive_a_restart()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-alipay-cert-" + Guid.NewGuid().ToString("N"));
        JsonObject before;
        await using (var first = await TestSandbox.StartAsync(configure: o => o.DataDirectory = data))
        {
            before = await CredentialsAsync(first);
        }

        JsonObject after;
        await using (var second = await TestSandbox.StartAsync(configure: o => o.DataDirectory = data))
        {
            after = await CredentialsAsync(second);
        }

        Directory.Delete(data, recursive: true);
        foreach (var name in new[] { "app_cert", "alipay_cert", "alipay_root_cert", "app_cert_sn", "alipay_cert_sn", "alipay_root_cert_sn" })
        {
            Assert.Equal(Text(before, name), Text(after, name));
        }
    }

    private static string Decimal(X509Certificate2 certificate) =>
        new BigInteger(certificate.SerialNumberBytes.Span, isUnsigned: true, isBigEndian: true).ToString(System.Globalization.CultureInfo.InvariantCulture);

#pragma warning disable CA5351 // MD5 is Alipay's naming scheme.
    private static string Md5Hex(string text) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text)));
#pragma warning restore CA5351
}
