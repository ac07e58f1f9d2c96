using System.Text.Json.Nodes;
using Harness.Sandbox.Alipay;
using Harness.Sandbox.Tests.Support;

namespace Harness.Sandbox.Tests.Alipay;

public sealed class AlipaySdkRoundTripTests
{
    [Fact]
    public async Task The_official_alipay_npm_SDK_works_unmodified_against_the_sandbox()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var credentials = await CredentialsAsync(sandbox);
        var result = await RunAsync(sandbox, new Dictionary<string, string>
        {
            ["ALIPAY_APP_PRIVATE_KEY"] = credentials["app_private_key"]!.GetValue<string>(),
            ["ALIPAY_PUBLIC_KEY"] = credentials["alipay_public_key"]!.GetValue<string>(),
        });

        AssertRoundTrip(result);
        Assert.Null(result["appCertSn"]);
    }

    [Fact]
    public async Task In_certificate_mode_the_SDK_computes_the_sandbox_s_serials_from_its_certificate_files_and_every_answer_verifies()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        (await sandbox.PutSettingsAsync("alipay", new { sign_mode = "cert" })).EnsureSuccessStatusCode();
        var credentials = await CredentialsAsync(sandbox);
        var result = await RunAsync(sandbox, new Dictionary<string, string>
        {
            ["ALIPAY_APP_PRIVATE_KEY"] = credentials["app_private_key"]!.GetValue<string>(),
            ["ALIPAY_APP_CERT"] = credentials["app_cert"]!.GetValue<string>(),
            ["ALIPAY_PUBLIC_CERT"] = credentials["alipay_cert"]!.GetValue<string>(),
            ["ALIPAY_ROOT_CERT"] = credentials["alipay_root_cert"]!.GetValue<string>(),
        });

        // The sandbox requires the SNs (sign_mode=cert), so every call above was a certificate-mode one; the v3 calls
        // passed the SDK's own check of alipay-sn against its alipayCertSn.
        AssertRoundTrip(result);
        Assert.Equal(credentials["app_cert_sn"]!.GetValue<string>(), result["appCertSn"]!.GetValue<string>());
        Assert.Equal(credentials["alipay_cert_sn"]!.GetValue<string>(), result["alipayCertSn"]!.GetValue<string>());
        Assert.Equal(credentials["alipay_root_cert_sn"]!.GetValue<string>(), result["alipayRootCertSn"]!.GetValue<string>());
        Assert.DoesNotContain('_', credentials["alipay_root_cert_sn"]!.GetValue<string>());
    }

    private static async Task<JsonObject> CredentialsAsync(TestSandbox sandbox) =>
        (JsonObject)(await sandbox.GetJsonAsync("/control/providers/alipay"))["credentials"]!;

    private static async Task<JsonNode> RunAsync(TestSandbox sandbox, Dictionary<string, string> keys)
    {
        var environment = new Dictionary<string, string>(keys)
        {
            ["SANDBOX_CONTROL"] = sandbox.Server.ControlBaseUrl,
            ["ALIPAY_BASE"] = sandbox.BaseUrl("alipay"),
            ["ALIPAY_GATEWAY"] = sandbox.BaseUrl("alipay") + AlipayProvider.GatewayPath,
            ["ALIPAY_APP_ID"] = AlipayProvider.AppId,
        };
        var run = await NodeScripts.RunAsync("alipay-roundtrip.mjs", environment);
        Assert.True(run.ExitCode == 0, run.Errors);
        return JsonNode.Parse(run.Output.Trim().Split('\n')[^1])!;
    }

    private static void AssertRoundTrip(JsonNode result)
    {
        string Text(string name) => result[name]!.GetValue<string>();
        Assert.Matches("^[0-9]{28}$", Text("tradeNo"));
        Assert.Equal("ACQ.TRADE_NOT_EXIST", Text("beforeScan"));
        Assert.Equal("WAIT_BUYER_PAY", Text("waitingStatus"));
        Assert.Equal(("TRADE_SUCCESS", "66.60"), (Text("notifyStatus"), Text("notifyAmount")));
        Assert.True(result["notifyVerified"]!.GetValue<bool>());
        Assert.False(result["tamperedVerified"]!.GetValue<bool>());
        Assert.Equal(("TRADE_SUCCESS", "66.60"), (Text("paidStatus"), Text("paidAmount")));
        Assert.Equal("TRADE_SUCCESS", Text("v3Status"));
        Assert.Equal("TRADE_NOT_EXIST", Text("v3ErrorCode"));
        Assert.Equal("10000", Text("createdCode"));
        Assert.Matches("^[0-9]{28}$", Text("createdTradeNo"));
        Assert.Equal("BUYER_BALANCE_NOT_ENOUGH", Text("v3PayErrorCode"));
    }
}
