using Harness.Http;
using Harness.Portaly;
using Harness.Portaly.Demo;
using Harness.Sandbox.TapPay;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Harness.Conformance.Tests.Support;

/// <summary>
/// The Portaly app in-process for the @portaly features, built as the host builds it (<c>AddPortaly</c>,
/// <c>UsePortaly</c>, <c>PreparePortaly</c>) with its test clock, on a loopback port of its own and its own data folder:
/// the steps reach it by URL and its callbacks reach the runner's receiver over real HTTP, as with any implementation.
/// The demo merchant's keys, callback secrets and operator token make up the profile's Portaly part. Given the
/// in-process provider sandbox, its hosted checkout charges through the sandbox's TapPay merchant, as the host wires it.
/// </summary>
public sealed class InProcessPortaly : IAsyncDisposable
{
    private readonly string _dataDirectory = TempDirectory.Create("portaly");
    private readonly WebApplication _app;

    /// <param name="configureServices">Replaces Portaly services after <c>AddPortaly</c>, e.g. with a seeded fault.</param>
    /// <param name="sandbox">The provider sandbox whose TapPay the hosted checkout and the renewals charge; without it card payments are off.</param>
    public InProcessPortaly(Action<IServiceCollection>? configureServices = null, InProcessSandbox? sandbox = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Harness:DataDirectory"] = _dataDirectory,
            ["Harness:TestClock"] = "true",
        });
        if (sandbox is not null)
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Portaly:TapPay:BaseUrl"] = sandbox.BaseUrlOf("tappay"),
                ["Portaly:TapPay:PartnerKey"] = TapPayProvider.PartnerKey,
                ["Portaly:TapPay:MerchantId"] = TapPayProvider.MerchantId,
            });
        }

        builder.AddPortaly();
        builder.Logging.AddFilter("System.Net.Http", LogLevel.Warning);
        configureServices?.Invoke(builder.Services);
        _app = builder.Build();
        _app.UsePortaly();
        AdminToken = _app.PreparePortaly();
        _app.StartAsync().GetAwaiter().GetResult();
        BaseUrl = _app.BaseUrl()!;
        PaysThroughSandbox = sandbox is not null;
    }

    /// <summary>Whether the hosted checkout pays through the sandbox's TapPay (the profile's <c>portalyHostedCheckout</c>).</summary>
    public bool PaysThroughSandbox { get; }

    public string BaseUrl { get; }

    public string AdminToken { get; }

    public string TestClockUrl => BaseUrl + "/api/test/clock/advance";

    public IServiceProvider Services => _app.Services;

    public static string LiveKey => PortalyDemo.LiveKey;

    public static string TestKey => PortalyDemo.TestKey;

    public static string LiveCallbackSecret => PortalyDemo.LiveCallbackSecret;

    public static string TestCallbackSecret => PortalyDemo.TestCallbackSecret;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        TempDirectory.TryDelete(_dataDirectory);
    }
}
