using Harness.Clock;
using Harness.Finance;
using Harness.Finance.Auth;
using Harness.Finance.Demo;
using Harness.Launcher;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Harness.Testing;

/// <summary>
/// The Finance app in-process on a test server, built exactly as the host builds it, on its own data
/// directory and with a clock the test can move. Built on first use.
/// </summary>
public sealed class FinanceTestApp : IAsyncDisposable
{
    private readonly Lazy<WebApplication> _app;

    /// <param name="dataDirectory">The store's directory; a fresh temporary one when null.</param>
    /// <param name="configureServices">Runs after the app's registrations, e.g. to decorate a service with a fault.</param>
    /// <param name="settings">Further configuration, e.g. <c>Harness:TestClock</c>.</param>
    public FinanceTestApp(string? dataDirectory = null, Action<IServiceCollection>? configureServices = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        DataDirectory = dataDirectory ?? TempDirectory.Create("finance");
        _app = new Lazy<WebApplication>(() => Start(configureServices, settings ?? new Dictionary<string, string?>()));
    }

    public string DataDirectory { get; }

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));

    public IServiceProvider Services => _app.Value.Services;

    public TestServer Server => _app.Value.GetTestServer();

    public HttpClient CreateClient() => Server.CreateClient();

    /// <summary>A token for the seeded admin, issued directly (the admin has no SMS flow in tests).</summary>
    public string AdminToken() =>
        Services.GetRequiredService<SessionRegistry>().Issue(Services.GetRequiredService<UserDirectory>().Find(DemoData.AdminId)!);

    public async ValueTask DisposeAsync()
    {
        if (_app.IsValueCreated)
        {
            await _app.Value.StopAsync();
            await _app.Value.DisposeAsync();
        }

        TempDirectory.TryDelete(DataDirectory);
    }

    private WebApplication Start(Action<IServiceCollection>? configureServices, IReadOnlyDictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        builder.WebHost.UseTestServer();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Harness:DataDirectory"] = DataDirectory,
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddFinance();

        // The test clock, when on, moves this fake clock's time forward like the system's.
        builder.Services.Replace(builder.Services.Any(d => d.ServiceType == typeof(AdjustableClock))
            ? ServiceDescriptor.Singleton(new AdjustableClock(Clock))
            : ServiceDescriptor.Singleton<TimeProvider>(Clock));
        configureServices?.Invoke(builder.Services);
        var app = builder.Build();
        app.UseFinance();
        app.PrepareFinanceAsync().GetAwaiter().GetResult();
        app.StartAsync().GetAwaiter().GetResult();
        return app;
    }
}
