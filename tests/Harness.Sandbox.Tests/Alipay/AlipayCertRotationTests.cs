using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Harness.Sandbox.Tests.Support;

namespace Harness.Sandbox.Tests.Alipay;

/// <summary>Alipay's public-key certificate rotates: new key and SN for certificate mode, every certificate downloadable.</summary>
public sealed class AlipayCertRotationTests
{
    private const string Download = "alipay.open.app.alipaycert.download";

    private static async Task<JsonObject> CredentialsAsync(TestSandbox sandbox) =>
        (JsonObject)(await sandbox.GetJsonAsync("/control/providers/alipay"))["credentials"]!;

    private static string Text(JsonNode node, string name) => node[name]!.GetValue<string>();

    private static Dictionary<string, string> Serials(JsonObject credentials, Dictionary<string, string>? extra = null)
    {
        var serials = new Dictionary<string, string>(extra ?? [], StringComparer.Ordinal)
        {
            ["app_cert_sn"] = Text(credentials, "app_cert_sn"),
            ["alipay_root_cert_sn"] = Text(credentials, "alipay_root_cert_sn"),
        };
        return serials;
    }

    private static string KeyOf(string certificatePem)
    {
        using var certificate = X509Certificate2.CreateFromPem(certificatePem);
        return certificate.GetRSAPublicKey()!.ExportSubjectPublicKeyInfoPem();
    }

    /// <summary>What a certificate-mode SDK does with an SN it does not know: downloads the certificate and checks it chains to the root.</summary>
    private static async Task<string> DownloadAsync(AlipayClient alipay, JsonObject credentials, string sn)
    {
        var reply = await alipay.CallAsync(Download, new { alipay_cert_sn = sn }, Serials(credentials));
        Assert.True(reply.Code == "10000", reply.Body);
        var pem = Encoding.UTF8.GetString(Convert.FromBase64String(reply.Field("alipay_cert_content")));
        using var certificate = X509Certificate2.CreateFromPem(pem);
        var roots = new X509Certificate2Collection();
        roots.ImportFromPem(Text(credentials, "alipay_root_cert"));
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.True(chain.Build(certificate), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
        return pem;
    }

    [Fact]
    public async Task After_a_rotation_certificate_mode_answers_and_notifies_name_the_new_certificate_and_every_certificate_stays_downloadable()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync("/alipay/notify");
        receiver.Default = (200, "success");
        (await sandbox.PutSettingsAsync("alipay", new { sign_mode = "cert" })).EnsureSuccessStatusCode();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var credentials = await CredentialsAsync(sandbox);
        var oldSn = Text(credentials, "alipay_cert_sn");
        alipay.AlipayPublicKey = KeyOf(Text(credentials, "alipay_cert"));

        var created = await alipay.CallAsync("alipay.trade.precreate", AlipayTests.Order("ROTATE_1"), Serials(credentials, new() { ["notify_url"] = receiver.Url }));
        Assert.True(created.SignatureValid, created.Body);
        Assert.Equal(oldSn, Text(JsonNode.Parse(created.Body)!, "alipay_cert_sn"));
        var tradeNo = created.Field("qr_code")[(created.Field("qr_code").LastIndexOf('/') + 1)..];

        var rotated = await sandbox.PostJsonAsync("/control/alipay/certificates/rotate");
        var newSn = Text(rotated, "alipay_cert_sn");
        Assert.NotEqual(oldSn, newSn);
        Assert.Equal([oldSn, newSn], rotated["alipay_cert_sns"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Equal(newSn, Text(await CredentialsAsync(sandbox), "alipay_cert_sn"));

        // The old certificate's key no longer verifies; the answer names the new SN, downloaded and checked like an SDK does.
        var query = await alipay.CallAsync("alipay.trade.query", new { out_trade_no = "ROTATE_1" }, Serials(credentials));
        Assert.Equal(newSn, Text(JsonNode.Parse(query.Body)!, "alipay_cert_sn"));
        Assert.False(query.SignatureValid);
        var newCert = await DownloadAsync(alipay, credentials, newSn);
        Assert.Equal(Text(rotated, "alipay_cert"), newCert);
        alipay.AlipayPublicKey = KeyOf(newCert);
        var again = await alipay.CallAsync("alipay.trade.query", new { out_trade_no = "ROTATE_1" }, Serials(credentials));
        Assert.True(again.SignatureValid, again.Body);
        Assert.Equal(Text(credentials, "alipay_cert"), await DownloadAsync(alipay, credentials, oldSn));

        var unknown = await alipay.CallAsync(Download, new { alipay_cert_sn = "0123456789abcdef0123456789abcdef" }, Serials(credentials));
        Assert.Equal(("40004", "CERT_NOT_EXIST"), (unknown.Code, unknown.SubCode));
        Assert.True(unknown.SignatureValid, unknown.Body);
        var missing = await alipay.CallAsync(Download, new { }, Serials(credentials));
        Assert.Equal(("40001", "isv.missing-alipay-cert-sn"), (missing.Code, missing.SubCode));

        // The notify names the new certificate and is signed with its key.
        await AlipayTests.ScanAsync(sandbox, tradeNo);
        await sandbox.ActAsync(tradeNo, "pay");
        var notify = await receiver.NextAsync();
        Assert.Equal(newSn, notify.Form["alipay_cert_sn"]);
        Assert.True(alipay.Verifies(notify.Form));

        // Public-key mode keeps its key.
        (await sandbox.PutSettingsAsync("alipay", new { sign_mode = "public_key" })).EnsureSuccessStatusCode();
        alipay.AlipayPublicKey = Text(credentials, "alipay_public_key");
        var keyMode = await alipay.CallAsync("alipay.trade.query", new { out_trade_no = "ROTATE_1" });
        Assert.True(keyMode.SignatureValid && keyMode.Field("trade_status") == "TRADE_SUCCESS", keyMode.Body);
        Assert.DoesNotContain("alipay_cert_sn", keyMode.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rotation_survives_a_restart()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-alipay-rotation-" + Guid.NewGuid().ToString("N"));
        JsonObject rotated;
        string oldCert;
        await using (var first = await TestSandbox.StartAsync(configure: o => o.DataDirectory = data))
        {
            oldCert = Text(await CredentialsAsync(first), "alipay_cert");
            rotated = await first.PostJsonAsync("/control/alipay/certificates/rotate");
        }

        await using (var second = await TestSandbox.StartAsync(configure: o => o.DataDirectory = data))
        {
            var credentials = await CredentialsAsync(second);
            Assert.Equal(Text(rotated, "alipay_cert_sn"), Text(credentials, "alipay_cert_sn"));
            Assert.Equal(Text(rotated, "alipay_cert"), Text(credentials, "alipay_cert"));
            var listed = await second.GetJsonAsync("/control/alipay/certificates");
            Assert.Equal(rotated["alipay_cert_sns"]!.ToJsonString(), listed["alipay_cert_sns"]!.ToJsonString());

            using var alipay = await AlipayClient.ConnectAsync(second);
            alipay.AlipayPublicKey = KeyOf(Text(credentials, "alipay_cert"));
            var query = await alipay.CallAsync("alipay.trade.query", new { out_trade_no = "NONE" }, Serials(credentials));
            Assert.True(query.SignatureValid, query.Body);
            Assert.Equal(oldCert, await DownloadAsync(alipay, credentials, rotated["alipay_cert_sns"]![0]!.GetValue<string>()));
        }

        Directory.Delete(data, recursive: true);
    }
}
