using Harness.Http;
using Harness.Portaly;
using Harness.Portaly.Demo;
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
/// The demo merchant's keys, callback secrets and operator token make up the profile's Portaly part.
/// </summary>
public sealed class InProcessPortaly : IAsyncDisposable
{
    private readonly string _dataDirectory = TempDirectory.Create("portaly");
    private readonly WebApplication _app;

    /// <param name="configureServices">Replaces Portaly services after <c>AddPortaly</c>, e.g. with a seeded fault.</param>
    public InProcessPortaly(Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Harness:DataDirectory"] = _dataDirectory,
            ["Harness:TestClock"] = "true",
        });
        builder.AddPortaly();
        builder.Logging.AddFilter("System.Net.Http", LogLevel.Warning);
        configureServices?.Invoke(builder.Services);
        _app = builder.Build();
        _app.UsePortaly();
        AdminToken = _app.PreparePortaly();
        _app.StartAsync().GetAwaiter().GetResult();
        BaseUrl = _app.BaseUrl()!;
    }

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
