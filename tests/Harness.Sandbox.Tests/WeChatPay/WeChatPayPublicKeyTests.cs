using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Harness.Conformance.Steps.Providers;
using Harness.Sandbox.Tests.Support;

namespace Harness.Sandbox.Tests.WeChatPay;

/// <summary>The WeChat Pay public key (微信支付公钥): what signs answers and notifications as the merchant's setting says.</summary>
public sealed class WeChatPayPublicKeyTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static async Task<Dictionary<string, string>> CredentialsAsync(TestSandbox sandbox) =>
        (await sandbox.GetJsonAsync("/control/providers/wechatpay"))["credentials"]!.AsObject().ToDictionary(c => c.Key, c => c.Value!.GetValue<string>());

    /// <summary>Sends a signed request; the answer with the serial it names, checked to verify with the key that serial names.</summary>
    private static async Task<(HttpStatusCode Status, string Body, string Serial)> RawAsync(WeChatPayWire wire, HttpRequestMessage request)
    {
        using var http = new HttpClient();
        using (request)
        {
            using var response = await http.SendAsync(request, Ct);
            var body = await response.Content.ReadAsStringAsync(Ct);
            string? Header(string name) => response.Headers.TryGetValues(name, out var values) ? values.First() : null;
            Assert.True(wire.AnswerIsSigned(Header, body), $"the answer is not signed by the key {Header("Wechatpay-Serial")} names: {body}");
            return (response.StatusCode, body, Header("Wechatpay-Serial")!);
        }
    }

    [Fact]
    public async Task The_public_key_and_its_id_are_published_kept_as_files_and_survive_a_restart()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-wechat-pubkey-" + Guid.NewGuid().ToString("N"));
        Dictionary<string, string> before;
        await using (var first = await TestSandbox.StartAsync(configure: o => o.DataDirectory = data))
        {
            before = await CredentialsAsync(first);
        }

        Dictionary<string, string> after;
        await using (var second = await TestSandbox.StartAsync(configure: o => o.DataDirectory = data))
        {
            after = await CredentialsAsync(second);
        }

        Assert.Matches("^PUB_KEY_ID_011900000109[0-9]{17}$", before["wechatpay_public_key_id"]);
        using var publicKey = RSA.Create();
        publicKey.ImportFromPem(before["wechatpay_public_key"]);
        using var privateKey = RSA.Create();
        privateKey.ImportFromPem(before["wechatpay_private_key"]);
        Assert.Equal(privateKey.ExportSubjectPublicKeyInfo(), publicKey.ExportSubjectPublicKeyInfo());
        Assert.NotEqual(before["platform_certificate"], before["wechatpay_public_key"]);
        foreach (var name in new[] { "wechatpay_public_key", "wechatpay_public_key_id", "wechatpay_private_key" })
        {
            Assert.Equal(before[name], after[name]);
        }

        var folder = Path.Combine(data, "keys", "wechatpay");
        Assert.Equal(before["wechatpay_public_key"], await File.ReadAllTextAsync(Path.Combine(folder, "pub_key.pem"), Ct));
        Assert.Equal(before["wechatpay_public_key_id"], await File.ReadAllTextAsync(Path.Combine(folder, "pub_key_id.txt"), Ct));
        Directory.Delete(data, recursive: true);
    }

    [Fact]
    public async Task In_public_key_mode_every_answer_errors_included_and_every_notification_is_signed_with_it()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        (await sandbox.PutSettingsAsync("wechatpay", new { platform_auth = "public_key" })).EnsureSuccessStatusCode();
        using var wire = await WeChatPayTests.WireAsync(sandbox);
        await using var receiver = await Receiver.StartAsync("/wechatpay/notify");
        var paymentId = await WeChatPayTests.PlaceAsync(sandbox, wire, WeChatPayTests.Order(wire, "pub_0001", receiver.Url));

        var (missing, missingBody, missingSerial) = await RawAsync(wire, wire.Request(HttpMethod.Get, $"/v3/pay/transactions/out-trade-no/pub_none?mchid={wire.Mchid}"));
        Assert.Equal((HttpStatusCode.NotFound, wire.PublicKeyId), (missing, missingSerial));
        var (_, certificatesBody, certificatesSerial) = await RawAsync(wire, wire.Request(HttpMethod.Get, "/v3/certificates"));
        Assert.Equal(wire.PublicKeyId, certificatesSerial);
        Assert.Contains(wire.PlatformSerialNo, certificatesBody, StringComparison.Ordinal); // a merchant moved to the key keeps its certificate
        Assert.Contains("ORDER_NOT_EXIST", missingBody, StringComparison.Ordinal);

        await sandbox.ActAsync(paymentId, "pay");
        var notice = await receiver.NextAsync();
        Assert.Equal(wire.PublicKeyId, notice.Header("Wechatpay-Serial"));
        Assert.True(wire.Verify(notice.Header("Wechatpay-Timestamp"), notice.Header("Wechatpay-Nonce"), notice.Body, notice.Header("Wechatpay-Signature"), notice.Header("Wechatpay-Serial")));
        Assert.False(wire.Verify(notice.Header("Wechatpay-Timestamp"), notice.Header("Wechatpay-Nonce"), notice.Body, notice.Header("Wechatpay-Signature"), wire.PlatformSerialNo));
        Assert.Equal("SUCCESS", wire.Resource(notice.Body)["trade_state"]!.GetValue<string>());
    }

    [Fact]
    public async Task While_switching_answers_alternate_between_the_two_keys_and_each_verifies_with_the_key_it_names()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var wire = await WeChatPayTests.WireAsync(sandbox);
        await WeChatPayTests.PlaceAsync(sandbox, wire, WeChatPayTests.Order(wire, "switch_0001", "http://127.0.0.1:9/notify"));
        (await sandbox.PutSettingsAsync("wechatpay", new { platform_auth = "switching" })).EnsureSuccessStatusCode();

        var serials = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var (status, body, serial) = await RawAsync(wire, wire.Request(HttpMethod.Get, $"/v3/pay/transactions/out-trade-no/switch_0001?mchid={wire.Mchid}"));
            Assert.True(status == HttpStatusCode.OK, body);
            serials.Add(serial);
        }

        Assert.Equal(new HashSet<string> { wire.PlatformSerialNo, wire.PublicKeyId! }, serials.ToHashSet());
        Assert.All(serials.Zip(serials.Skip(1)), pair => Assert.NotEqual(pair.First, pair.Second));

        (await sandbox.PutSettingsAsync("wechatpay", new { platform_auth = "" })).EnsureSuccessStatusCode();
        var (_, _, back) = await RawAsync(wire, wire.Request(HttpMethod.Get, $"/v3/pay/transactions/out-trade-no/switch_0001?mchid={wire.Mchid}"));
        Assert.Equal(wire.PlatformSerialNo, back);
    }

    [Theory]
    [InlineData("platform_auth", "both", "platform_auth must be")]
    [InlineData("merchant_certificates", "not a certificate", "merchant_certificates must be")]
    public async Task Settings_the_sandbox_cannot_use_are_refused(string setting, string value, string reason)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var response = await sandbox.PutSettingsAsync("wechatpay", new Dictionary<string, string> { [setting] = value });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(reason, await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.DoesNotContain(setting, (await sandbox.GetJsonAsync("/control/providers/wechatpay"))["settings"]!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_official_wechatpay_node_v3_SDK_verifies_a_notification_signed_with_the_public_key_it_was_given()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        (await sandbox.PutSettingsAsync("wechatpay", new { platform_auth = "public_key" })).EnsureSuccessStatusCode();
        var credentials = await CredentialsAsync(sandbox);
        var run = await NodeScripts.RunAsync("wechatpay-roundtrip.mjs", new Dictionary<string, string>
        {
            ["SANDBOX_CONTROL"] = sandbox.Server.ControlBaseUrl,
            ["WECHATPAY_BASE"] = sandbox.BaseUrl("wechatpay"),
            ["WECHATPAY_MCHID"] = credentials["mchid"],
            ["WECHATPAY_APPID"] = credentials["appid"],
            ["WECHATPAY_APIV3_KEY"] = credentials["apiv3_key"],
            ["WECHATPAY_MERCHANT_KEY"] = credentials["merchant_private_key"],
            ["WECHATPAY_MERCHANT_CERT"] = credentials["merchant_certificate"],
            ["WECHATPAY_DESCRIPTION"] = "Harness 金币",
            ["WECHATPAY_PUBLIC_KEY_ID"] = credentials["wechatpay_public_key_id"],
            ["WECHATPAY_PUBLIC_KEY"] = credentials["wechatpay_public_key"],
        });

        Assert.True(run.ExitCode == 0, run.Errors);
        var result = JsonNode.Parse(run.Output.Trim().Split('\n')[^1])!;
        Assert.Equal(credentials["wechatpay_public_key_id"], result["notificationSerial"]!.GetValue<string>());
        Assert.True(result["verifiedParsed"]!.GetValue<bool>(), "verifySign on the parsed body");
        Assert.True(result["verifiedRaw"]!.GetValue<bool>(), "verifySign on the raw body");
        Assert.Equal("SUCCESS", result["transaction"]!["trade_state"]!.GetValue<string>());
    }
}
