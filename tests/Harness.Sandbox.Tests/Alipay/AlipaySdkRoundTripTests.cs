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
        var credentials = (JsonObject)(await sandbox.GetJsonAsync("/control/providers/alipay"))["credentials"]!;
        var run = await NodeScripts.RunAsync("alipay-roundtrip.mjs", new Dictionary<string, string>
        {
            ["SANDBOX_CONTROL"] = sandbox.Server.ControlBaseUrl,
            ["ALIPAY_BASE"] = sandbox.BaseUrl("alipay"),
            ["ALIPAY_GATEWAY"] = sandbox.BaseUrl("alipay") + AlipayProvider.GatewayPath,
            ["ALIPAY_APP_ID"] = AlipayProvider.AppId,
            ["ALIPAY_APP_PRIVATE_KEY"] = credentials["app_private_key"]!.GetValue<string>(),
            ["ALIPAY_PUBLIC_KEY"] = credentials["alipay_public_key"]!.GetValue<string>(),
        });

        Assert.True(run.ExitCode == 0, run.Errors);
        var result = JsonNode.Parse(run.Output.Trim().Split('\n')[^1])!;
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
    }
}
