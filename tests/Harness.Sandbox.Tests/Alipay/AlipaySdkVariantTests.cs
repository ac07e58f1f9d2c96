using System.Text.Json.Nodes;
using Harness.Sandbox.Alipay;
using Harness.Sandbox.Tests.Support;

namespace Harness.Sandbox.Tests.Alipay;

/// <summary>The official alipay-sdk against apps set up the other ways Alipay offers: AES content encryption and the RSA sign type.</summary>
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

    private static string Text(JsonNode result, string name) => result[name]!.GetValue<string>();

    private static async Task<JsonNode> RunAsync(TestSandbox sandbox, string mode)
    {
        var credentials = (JsonObject)(await sandbox.GetJsonAsync("/control/providers/alipay"))["credentials"]!;
        var environment = new Dictionary<string, string>
        {
            ["ALIPAY_MODE"] = mode,
            ["SANDBOX_CONTROL"] = sandbox.Server.ControlBaseUrl,
            ["ALIPAY_BASE"] = sandbox.BaseUrl("alipay"),
            ["ALIPAY_GATEWAY"] = sandbox.BaseUrl("alipay") + AlipayProvider.GatewayPath,
            ["ALIPAY_APP_ID"] = AlipayProvider.AppId,
            ["ALIPAY_APP_PRIVATE_KEY"] = credentials["app_private_key"]!.GetValue<string>(),
            ["ALIPAY_PUBLIC_KEY"] = credentials["alipay_public_key"]!.GetValue<string>(),
            ["ALIPAY_ENCRYPT_KEY"] = credentials["encrypt_key"]!.GetValue<string>(),
        };
        var run = await NodeScripts.RunAsync("alipay-variants.mjs", environment);
        Assert.True(run.ExitCode == 0, run.Errors);
        return JsonNode.Parse(run.Output.Trim().Split('\n')[^1])!;
    }
}
