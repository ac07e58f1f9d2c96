using Harness.Http;
using Harness.NewApi;
using Harness.NewApi.Demo;
using Harness.Sandbox.Epay;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Harness.Conformance.Tests.Support;

/// <summary>
/// The New-API app in-process for the @new-api features, built as the host builds it (<c>AddNewApi</c>,
/// <c>UseNewApi</c>, <c>PrepareNewApi</c>) on a loopback port of its own and its own data folder, so the steps reach
/// it by URL as they reach any implementation. Its demo root is the profile's New-API admin. Given the in-process
/// sandbox, it pays through it as the host's New-API does: the sandbox's Epay merchant, Stripe and Creem accounts, and
/// the sandbox's Stripe and Creem webhooks sent to it.
/// </summary>
public sealed class InProcessNewApi : IAsyncDisposable
{
    /// <summary>
    /// Upstream pauses 0–3000 ms at random before looking at a code; 300 ms keeps the suite quick and still lets a
    /// second redeem by the same user arrive while the first is in progress.
    /// </summary>
    public const int RedeemDelayMaxMilliseconds = 300;

    /// <summary>The Epay merchant of an app without the sandbox; its gateway is never reached (the suite sends the notifies).</summary>
    private const string OfflineEpayKey = "ConformanceEpayKey0123456789abcd";

    private readonly string _dataDirectory = TempDirectory.Create("newapi");
    private readonly WebApplication _app;

    /// <param name="criticalRateLimit">Redeems per window per address; by default high enough that no scenario meets it.</param>
    /// <param name="sandbox">The provider sandbox to pay through; without it, Stripe and Creem are not configured.</param>
    /// <param name="configureServices">Replaces New-API services after <c>AddNewApi</c>, e.g. with a seeded fault.</param>
    public InProcessNewApi(int? criticalRateLimit = null, InProcessSandbox? sandbox = null, Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Harness:DataDirectory"] = _dataDirectory,
            ["Harness:RedeemDelayMaxMilliseconds"] = RedeemDelayMaxMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // Every scenario redeems from the same loopback address: the critical rate limit (20 per 20 minutes) would refuse most of them.
            ["NewApi:PayAddress"] = "http://epay.invalid",
            ["NewApi:EpayId"] = EpayProvider.Pid,
            ["NewApi:EpayKey"] = OfflineEpayKey,
            ["Harness:CriticalRateLimit"] = (criticalRateLimit ?? 1_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture),
            // and a run sends far more than the global limit's 360 requests per 3 minutes.
            ["Harness:GlobalApiRateLimitEnabled"] = "false",
        });
        if (sandbox is not null)
        {
            builder.Configuration.AddInMemoryCollection(NewApiOnSandbox.Settings(sandbox.BaseUrlOf));
        }

        builder.AddNewApi();
        configureServices?.Invoke(builder.Services);
        _app = builder.Build();
        _app.UseNewApi();
        Demo = _app.PrepareNewApi();
        _app.StartAsync().GetAwaiter().GetResult();
        BaseUrl = _app.BaseUrl()!;
        EpayKey = sandbox is null ? OfflineEpayKey : EpayProvider.Key;
        PaysThroughSandbox = sandbox is not null;
        sandbox?.UseWebhookUrlIfUnset("stripe", BaseUrl + "/api/stripe/webhook");
        sandbox?.UseWebhookUrlIfUnset("creem", BaseUrl + "/api/creem/webhook");
    }

    public string BaseUrl { get; }

    public NewApiDemoCredentials Demo { get; }

    /// <summary>The Epay merchant key the app verifies notifies with (the sandbox's when it pays through the sandbox).</summary>
    public string EpayKey { get; }

    public static string EpayPid => EpayProvider.Pid;

    public bool PaysThroughSandbox { get; }


    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        TempDirectory.TryDelete(_dataDirectory);
    }
}
