using System.Text.Json.Nodes;
using Harness.Sandbox.TapPay;
using Harness.Sandbox.Tests.Support;

namespace Harness.Sandbox.Tests.TapPay;

public sealed class TapPaySdkRoundTripTests
{
    [Fact]
    public async Task The_official_tappay_nodejs_SDK_works_unmodified_against_the_sandbox()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var credentials = (JsonObject)(await sandbox.GetJsonAsync("/control/providers/tappay"))["credentials"]!;
        var run = await NodeScripts.RunAsync("tappay-roundtrip.mjs", new Dictionary<string, string>
        {
            ["TAPPAY_BASE"] = sandbox.BaseUrl("tappay"),
            ["TAPPAY_PARTNER_KEY"] = credentials["partner_key"]!.GetValue<string>(),
            ["TAPPAY_MERCHANT_ID"] = credentials["merchant_id"]!.GetValue<string>(),
            ["TAPPAY_APP_ID"] = credentials["app_id"]!.GetValue<string>(),
            ["TAPPAY_APP_KEY"] = credentials["app_key"]!.GetValue<string>(),
        });

        Assert.True(run.ExitCode == 0, run.Errors);
        var result = JsonNode.Parse(run.Output.Trim().Split('\n')[^1])!;
        int Int(string name) => result[name]!.GetValue<int>();
        Assert.Equal(0, Int("paidStatus"));
        Assert.Matches("^D[0-9]{8}[0-9A-F]{11}$", result["recTradeId"]!.GetValue<string>());
        Assert.Equal("4242", result["lastFour"]!.GetValue<string>());
        Assert.Equal(TapPayStatus.InvalidArguments, Int("reusedStatus"));
        Assert.Equal(0, Int("renewalStatus"));
        Assert.True(result["renewalCardIdentifier"]!.GetValue<bool>());
        Assert.Equal((0, 200), (Int("refundStatus"), Int("refundAmount")));
        Assert.Equal((2, 200), (Int("recordStatus"), Int("refundedAmount")));
        Assert.Equal(2, Int("numberOfTransactions"));
        Assert.Equal(["auth", "capture", "refund"], result["historyActions"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Equal("4444", result["boundLastFour"]!.GetValue<string>());
        Assert.Equal((0, 0), (Int("boundPaidStatus"), Int("removedStatus")));
        Assert.Equal(TapPayStatus.InvalidArguments, Int("afterRemovalStatus"));
        var paths = result["paths"]!.AsArray().Select(p => p!.GetValue<string>()).ToList();
        Assert.Contains("/tpc/transaction/trade-history", paths);
        Assert.Contains("/tpc/card/bind", paths);
        Assert.Contains("/tpc/card/remove", paths);
    }
}
