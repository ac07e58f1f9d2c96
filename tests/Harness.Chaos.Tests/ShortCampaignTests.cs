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
        Assert.Equal(["Stripe", "Creem", "Epay", "WeChat Pay", "Alipay", "Alipay v3", "TapPay", "Portaly"], report.Fuzz.Skip(3).Select(f => f.Surface));
        Assert.Contains(report.Fuzz, f => f.Surface == "Portaly" && f.Operations >= 30 && f.Requests == f.Operations * ChaosOptions.ShortCampaign.CasesPerOperation && f.RateLimited == 0);
        Assert.Equal(["Finance", "New-API", "Portaly"], report.Auth.Select(a => a.Surface));
        Assert.All(report.Auth, a => Assert.True(a.Checks >= a.Routes * 3, $"every protected {a.Surface} route is tried with several credentials"));
        var newApiAuth = report.Auth.Single(a => a.Surface == "New-API");
        Assert.True(newApiAuth.Routes >= 30 && newApiAuth.Checks >= newApiAuth.Routes * 7, "every protected New-API route is tried with its seven wrong credentials");
        var portalyAuth = report.Auth.Single(a => a.Surface == "Portaly");
        Assert.True(portalyAuth.Routes >= 20 && portalyAuth.Checks == portalyAuth.Routes * 3, "every Portaly merchant route is tried with its three wrong credentials");
        Assert.NotNull(report.Crash);
        Assert.Equal(ChaosOptions.ShortCampaign.CrashRounds, report.Crash.Rounds);
        Assert.True(report.Crash.Acknowledged > 0, "consumes were acknowledged before the kills");
        Assert.Equal([("Finance", 2), ("New-API", 3)], report.Callbacks.Select(c => (c.Surface, c.Channels)));
        Assert.All(report.Callbacks, c =>
        {
            Assert.True(c.Spoiled > 0 && c.SpoiledRefused == c.Spoiled, $"tampered and stale notifications were sent to {c.Surface} and refused");
            Assert.Equal((0L, 0L), (c.Excess, c.Missing));
        });
    }
}
