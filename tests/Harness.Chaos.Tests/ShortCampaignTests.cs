using Harness.Chaos.Reports;

namespace Harness.Chaos.Tests;

/// <summary>The test command's campaign against the built-in harness: every goal holds.</summary>
public sealed class ShortCampaignTests
{
    [Fact]
    public async Task The_short_campaign_passes_against_the_built_in_harness()
    {
        var log = new StringWriter();

        var report = await ChaosCommand.RunAsync(ChaosOptions.ShortCampaign, log, TestContext.Current.CancellationToken);

        Assert.True(report.Passed, MarkdownReport.Render(report) + log);
        Assert.Contains(report.Fuzz, f => f.Surface == "Finance" && f.Operations >= 20 && f.Requests == f.Operations * ChaosOptions.ShortCampaign.CasesPerOperation);
        Assert.Contains(report.Fuzz, f => f.Surface == "New-API" && f.Operations >= 15 && f.Requests == f.Operations * ChaosOptions.ShortCampaign.CasesPerOperation);
        Assert.Contains(report.Fuzz, f => f.Surface == "sandbox control API" && f.Requests > 0);
        Assert.Equal(["Stripe", "Creem", "Epay", "WeChat Pay", "Alipay", "TapPay"], report.Fuzz.Skip(3).Select(f => f.Surface));
        Assert.NotNull(report.Auth);
        Assert.True(report.Auth.Checks >= report.Auth.Routes * 3, "every protected route is tried with several credentials");
        Assert.NotNull(report.Crash);
        Assert.Equal(ChaosOptions.ShortCampaign.CrashRounds, report.Crash.Rounds);
        Assert.True(report.Crash.Acknowledged > 0, "consumes were acknowledged before the kills");
        Assert.NotNull(report.Callbacks);
        Assert.Equal(2, report.Callbacks.Channels);
        Assert.True(report.Callbacks.Spoiled > 0 && report.Callbacks.SpoiledRefused == report.Callbacks.Spoiled, "tampered and stale notifications were sent and refused");
        Assert.Equal((0L, 0L), (report.Callbacks.ExcessCoins, report.Callbacks.MissingCoins));
    }
}
