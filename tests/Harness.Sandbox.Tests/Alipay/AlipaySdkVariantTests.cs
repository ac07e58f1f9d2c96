using System.Text.Json.Nodes;
using Harness.Sandbox.Alipay;
using Harness.Sandbox.Tests.Support;

namespace Harness.Sandbox.Tests.Alipay;

/// <summary>
/// The official alipay-sdk against apps set up the other ways Alipay offers (AES content encryption, the RSA sign type)
/// and across a rotation of Alipay's certificate.
/// </summary>
public sealed class AlipaySdkVariantTests
{
    [Fact]
    public async Task With_encryptKey_the_SDK_sends_encrypted_content_and_reads_the_encrypted_answers()
    {
        await using var sandbox = await TestSandbox.StartAsync();

        // Required: a plain call would be refused, so every call the SDK made below was an encrypted one.
        (await sandbox.PutSettingsAsync("alipay", new { content_encryption = "required" })).EnsureSuccessStatusCode();
        var result = await RunAsync(sandbox, "aes");

        Assert.Matches("^[0-9]{28}$", Text(result, "tradeNo"));
        Assert.Equal("TRADE_SUCCESS", Text(result, "execStatus"));
        Assert.Equal("TRADE_SUCCESS", Text(result, "notifyStatus"));
        Assert.True(result["notifyVerified"]!.GetValue<bool>());
        Assert.True(result["rawIsString"]!.GetValue<bool>());
        Assert.True(result["rawVerified"]!.GetValue<bool>());
        Assert.Equal("TRADE_SUCCESS", Text(result, "rawStatus"));
        Assert.Equal("TRADE_SUCCESS", Text(result, "v3Status"));
    }

    [Fact]
    public async Task With_signType_RSA_the_SDK_signs_and_verifies_answers_and_the_notify_in_SHA1()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        (await sandbox.PutSettingsAsync("alipay", new { sign_type = "RSA" })).EnsureSuccessStatusCode();
        var result = await RunAsync(sandbox, "rsa");

        // validateSign was on for every gateway call: the SDK checked each answer with RSA-SHA1.
        Assert.Equal("TRADE_SUCCESS", Text(result, "execStatus"));
        Assert.Equal(("TRADE_SUCCESS", "RSA"), (Text(result, "notifyStatus"), Text(result, "notifySignType")));
        Assert.True(result["notifyVerified"]!.GetValue<bool>());
        Assert.False(result["tamperedVerified"]!.GetValue<bool>());
        Assert.Equal("TRADE_SUCCESS", Text(result, "v3Status"));
    }

    [Fact]
    public async Task After_a_rotation_the_SDK_refuses_answers_under_the_old_certificate_and_works_with_the_one_it_downloads()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        (await sandbox.PutSettingsAsync("alipay", new { sign_mode = "cert" })).EnsureSuccessStatusCode();
        var result = await RunAsync(sandbox, "rotation");
        var current = (await sandbox.GetJsonAsync("/control/alipay/certificates"))["alipay_cert_sn"]!.GetValue<string>();

        // alipay-sdk itself has no download: its v3 check of alipay-sn and its v2 validateSign refuse the new answers.
        Assert.Equal("response-alipay-sn-verify-error", Text(result, "v3Refusal"));
        Assert.StartsWith("验签失败", Text(result, "v2Refusal"), StringComparison.Ordinal);
        Assert.Equal(current, Text(result, "answerSn"));
        Assert.True(result["chained"]!.GetValue<bool>());
        Assert.Equal(("TRADE_SUCCESS", "TRADE_SUCCESS"), (Text(result, "execStatus"), Text(result, "v3Status")));
        Assert.Equal(current, Text(result, "notifySn"));
        Assert.True(result["notifyVerified"]!.GetValue<bool>());
        Assert.False(result["oldKeyVerifiesNotify"]!.GetValue<bool>());
    }

    private static string Text(JsonNode result, string name) => result[name]!.GetValue<string>();

    private static async Task<JsonNode> RunAsync(TestSandbox sandbox, string mode)
    {
        var environment = await SdkEnvironmentAsync(sandbox);
        environment["ALIPAY_MODE"] = mode;
        var run = await NodeScripts.RunAsync("alipay-variants.mjs", environment);
        Assert.True(run.ExitCode == 0, run.Errors);
        return JsonNode.Parse(run.Output.Trim().Split('\n')[^1])!;
    }

    /// <summary>What the alipay-sdk scripts read: the sandbox's addresses, the app id and every published key and certificate.</summary>
    internal static async Task<Dictionary<string, string>> SdkEnvironmentAsync(TestSandbox sandbox)
    {
        var credentials = (JsonObject)(await sandbox.GetJsonAsync("/control/providers/alipay"))["credentials"]!;
        return new Dictionary<string, string>
        {
            ["SANDBOX_CONTROL"] = sandbox.Server.ControlBaseUrl,
            ["ALIPAY_BASE"] = sandbox.BaseUrl("alipay"),
            ["ALIPAY_GATEWAY"] = sandbox.BaseUrl("alipay") + AlipayProvider.GatewayPath,
            ["ALIPAY_APP_ID"] = AlipayProvider.AppId,
            ["ALIPAY_APP_PRIVATE_KEY"] = credentials["app_private_key"]!.GetValue<string>(),
            ["ALIPAY_PUBLIC_KEY"] = credentials["alipay_public_key"]!.GetValue<string>(),
            ["ALIPAY_ENCRYPT_KEY"] = credentials["encrypt_key"]!.GetValue<string>(),
            ["ALIPAY_APP_CERT"] = credentials["app_cert"]!.GetValue<string>(),
            ["ALIPAY_PUBLIC_CERT"] = credentials["alipay_cert"]!.GetValue<string>(),
            ["ALIPAY_ROOT_CERT"] = credentials["alipay_root_cert"]!.GetValue<string>(),
        };
    }
}
