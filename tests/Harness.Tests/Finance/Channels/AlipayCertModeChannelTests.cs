using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Harness.Finance.Payments.Channels;
using Harness.Finance.Payments.Channels.Alipay;
using Harness.Security;
using Harness.Security.Signing;
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
    public async Task After_Alipay_rotates_its_certificate_the_channel_fetches_the_new_one_and_orders_queries_and_notifies_go_on()
    {
        await using var sandbox = await CertModeSandboxAsync();
        using var http = new ChannelHttp();
        var channel = new AlipayChannel(sandbox.SettingsWith(CertificateFiles(sandbox)), new ChannelClock(TimeProvider.System), http);
        await using var receiver = await NotifyReceiver.StartAsync(channel);
        var before = Order(sandbox, receiver.Url);
        await channel.PlaceAsync(before, Cancel);

        var first = await CurrentCertificateSnAsync(sandbox);
        (await sandbox.Control.PostAsync("/control/alipay/certificates/rotate", null, Cancel)).EnsureSuccessStatusCode();
        var rotated = await CurrentCertificateSnAsync(sandbox);
        Assert.NotEqual(first, rotated);

        // Answers now name and are signed with the new certificate, which the channel was never given.
        var after = Order(sandbox, receiver.Url);
        var order = await channel.PlaceAsync(after, Cancel);
        (await sandbox.Control.GetAsync(order.CodeUrl, Cancel)).EnsureSuccessStatusCode();
        Assert.Equal(ChannelTradeState.NotPaid, (await channel.QueryAsync(after.OutTradeNo, Cancel)).State);

        await sandbox.ActAsync((string)(await sandbox.PaymentOfAsync("alipay", after.OutTradeNo))["id"]!);
        var notification = await receiver.NextAsync();
        Assert.Null(notification.Refusal);
        Assert.Equal((after.OutTradeNo, ChannelTradeState.Paid), (notification.Trade!.OutTradeNo, notification.Trade.State));
    }

    [Fact]
    public async Task A_configured_Alipay_certificate_other_than_the_one_answers_name_is_replaced_by_the_named_one_from_the_same_root()
    {
        await using var sandbox = await CertModeSandboxAsync();
        using var http = new ChannelHttp();
        using var otherKey = RSA.Create(2048);
        var request = new CertificateRequest("CN=Some Other Alipay Certificate, O=Elsewhere, C=CN", otherKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var other = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var files = CertificateFiles(sandbox);
        files["ALIPAY_PUBLIC_CERT"] = other.ExportCertificatePem();
        var channel = new AlipayChannel(sandbox.SettingsWith(files), new ChannelClock(TimeProvider.System), http);

        Assert.Equal(ChannelTradeState.NotFound, (await channel.QueryAsync("hx_never_placed", Cancel)).State);
    }

    [Fact]
    public async Task Notifies_naming_a_certificate_Alipay_never_issued_or_signed_with_another_key_than_the_named_one_are_refused_and_unnamed_ones_use_the_configured_one()
    {
        await using var sandbox = await CertModeSandboxAsync();
        using var http = new ChannelHttp();
        var channel = new AlipayChannel(sandbox.SettingsWith(CertificateFiles(sandbox)), new ChannelClock(TimeProvider.System), http);
        await using var receiver = await NotifyReceiver.StartAsync(channel);
        var alipayKey = File.ReadAllText(Path.Combine(sandbox.Server.Options.DataDirectory, "keys", "alipay", "alipay_private_key.pem"));

        var unknown = await PostNotifyAsync(receiver, Notify("00000000000000000000000000000000", alipayKey));
        Assert.Contains("CERT_NOT_EXIST", unknown.Refusal, StringComparison.Ordinal);

        // The rotated certificate is fetched and trusted, but the notify is signed with the key it replaced.
        (await sandbox.Control.PostAsync("/control/alipay/certificates/rotate", null, Cancel)).EnsureSuccessStatusCode();
        var forged = await PostNotifyAsync(receiver, Notify(await CurrentCertificateSnAsync(sandbox), alipayKey));
        Assert.Contains("does not verify with the Alipay certificate it names", forged.Refusal, StringComparison.Ordinal);

        // A notify naming no serial is checked against the configured certificate: the key it replaced.
        var unnamed = await PostNotifyAsync(receiver, Notify(null, alipayKey), "success");
        Assert.Null(unnamed.Refusal);
    }

    private static async Task<string> CurrentCertificateSnAsync(ChannelSandbox sandbox)
    {
        var certificates = JsonNode.Parse(await sandbox.Control.GetStringAsync("/control/alipay/certificates", Cancel))!;
        return (string)certificates["alipay_cert_sn"]!;
    }

    /// <summary>A paid-trade notify for this app, sent now, naming <paramref name="alipayCertSn"/> and signed with <paramref name="privateKeyPem"/>.</summary>
    private static Dictionary<string, string> Notify(string? alipayCertSn, string privateKeyPem)
    {
        var notice = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["notify_time"] = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            ["notify_type"] = "trade_status_sync",
            ["notify_id"] = "nid_" + Guid.NewGuid().ToString("N"),
            ["app_id"] = ChannelSettings.AlipaySandboxAppId,
            ["charset"] = "utf-8",
            ["version"] = "1.0",
            ["out_trade_no"] = "hx_forged",
            ["trade_status"] = "TRADE_SUCCESS",
            ["total_amount"] = "25.00",
        };
        if (alipayCertSn is not null)
        {
            notice["alipay_cert_sn"] = alipayCertSn;
        }

        using var key = RsaKeys.ImportPrivate(privateKeyPem);
        notice["sign"] = RsaSignature.Sign(key, AlipaySignContent.Of(notice));
        notice["sign_type"] = "RSA2";
        return notice;
    }

    private static async Task<ChannelNotification> PostNotifyAsync(NotifyReceiver receiver, Dictionary<string, string> notify, string answer = "fail")
    {
        using var client = new HttpClient();
        using var form = new FormUrlEncodedContent(notify);
        using var response = await client.PostAsync(new Uri(receiver.Url), form, Cancel);
        Assert.Equal(answer, await response.Content.ReadAsStringAsync(Cancel));
        return await receiver.NextAsync();
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
