using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Harness.Finance.Payments.Channels;
using Harness.Finance.Payments.Channels.Alipay;
using Harness.Tests.Support;

namespace Harness.Tests.Finance.Channels;

/// <summary>
/// The backend's Alipay client in certificate mode (公钥证书模式), against a sandbox that requires it: the
/// certificates given as the files the sandbox writes, as a merchant gives Alipay's downloads.
/// </summary>
public sealed class AlipayCertModeChannelTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static async Task<ChannelSandbox> CertModeSandboxAsync()
    {
        var sandbox = await ChannelSandbox.StartAsync();
        using var response = await sandbox.Control.PutAsJsonAsync("/control/providers/alipay/settings", new { sign_mode = "cert" }, Cancel);
        response.EnsureSuccessStatusCode();
        return sandbox;
    }

    private static Dictionary<string, string?> CertificateFiles(ChannelSandbox sandbox)
    {
        var folder = Path.Combine(sandbox.Server.Options.DataDirectory, "keys", "alipay");
        return new Dictionary<string, string?>
        {
            ["ALIPAY_APP_CERT"] = Path.Combine(folder, "appCertPublicKey_2021000000000001.crt"),
            ["ALIPAY_PUBLIC_CERT"] = Path.Combine(folder, "alipayCertPublicKey_RSA2.crt"),
            ["ALIPAY_ROOT_CERT"] = Path.Combine(folder, "alipayRootCert.crt"),
        };
    }

    private static ChannelOrderRequest Order(ChannelSandbox sandbox, string notifyUrl = "http://127.0.0.1:9/notify") =>
        new("hx_" + Guid.NewGuid().ToString("N"), 2500, "Harness coins", sandbox.Server.Options.Clock.GetUtcNow().AddHours(2), notifyUrl);

    [Fact]
    public async Task With_the_certificate_files_orders_queries_and_notifies_work_where_public_key_mode_is_refused()
    {
        await using var sandbox = await CertModeSandboxAsync();
        using var http = new ChannelHttp();
        var publicKeyMode = new AlipayChannel(sandbox.Settings, new ChannelClock(TimeProvider.System), http);
        var refused = await Assert.ThrowsAsync<ChannelException>(() => publicKeyMode.PlaceAsync(Order(sandbox), Cancel));
        Assert.Contains("isv.missing-app-cert-sn", refused.Message, StringComparison.Ordinal);

        var channel = new AlipayChannel(sandbox.SettingsWith(CertificateFiles(sandbox)), new ChannelClock(TimeProvider.System), http);
        await using var receiver = await NotifyReceiver.StartAsync(channel);
        var request = Order(sandbox, receiver.Url);
        var order = await channel.PlaceAsync(request, Cancel);
        (await sandbox.Control.GetAsync(order.CodeUrl, Cancel)).EnsureSuccessStatusCode();
        Assert.Equal(ChannelTradeState.NotPaid, (await channel.QueryAsync(request.OutTradeNo, Cancel)).State);

        await sandbox.ActAsync((string)(await sandbox.PaymentOfAsync("alipay", request.OutTradeNo))["id"]!);
        var notification = await receiver.NextAsync();
        Assert.Null(notification.Refusal);
        Assert.Equal((ChannelTradeState.Paid, 2500L), (notification.Trade!.State, notification.Trade.Amount));
        Assert.Equal(ChannelTradeState.Paid, (await channel.QueryAsync(request.OutTradeNo, Cancel)).State);
    }

    [Fact]
    public async Task An_answer_naming_another_Alipay_certificate_than_the_configured_one_is_not_trusted()
    {
        await using var sandbox = await CertModeSandboxAsync();
        using var http = new ChannelHttp();
        using var otherKey = RSA.Create(2048);
        var request = new CertificateRequest("CN=Some Other Alipay Certificate, O=Elsewhere, C=CN", otherKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var other = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var files = CertificateFiles(sandbox);
        files["ALIPAY_PUBLIC_CERT"] = other.ExportCertificatePem();
        var channel = new AlipayChannel(sandbox.SettingsWith(files), new ChannelClock(TimeProvider.System), http);

        var untrusted = await Assert.ThrowsAsync<ChannelException>(() => channel.QueryAsync("anything", Cancel));
        Assert.Contains("not ALIPAY_PUBLIC_CERT's", untrusted.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ALIPAY_ROOT_CERT", null, "ALIPAY_ROOT_CERT")]
    [InlineData("ALIPAY_PUBLIC_CERT", null, "ALIPAY_PUBLIC_CERT")]
    [InlineData("ALIPAY_APP_CERT", "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----", "ALIPAY_APP_CERT")]
    public async Task Certificate_mode_without_its_three_certificates_says_which_is_missing(string setting, string? value, string named)
    {
        await using var sandbox = await CertModeSandboxAsync();
        using var http = new ChannelHttp();
        var files = CertificateFiles(sandbox);
        files[setting] = value;
        var channel = new AlipayChannel(sandbox.SettingsWith(files), new ChannelClock(TimeProvider.System), http);

        var refused = await Assert.ThrowsAsync<ChannelException>(() => channel.PlaceAsync(Order(sandbox), Cancel));
        Assert.Contains(named, refused.Message, StringComparison.Ordinal);
    }
}
