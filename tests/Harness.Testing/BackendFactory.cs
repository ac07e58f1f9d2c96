using Harness.Finance.Auth;
using Harness.Finance.Demo;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace Harness.Testing;

/// <summary>The reference backend in-process, on its own data directory, with a clock the test can move.</summary>
public sealed class BackendFactory : WebApplicationFactory<Program>
{
    private readonly Action<IServiceCollection>? _configureServices;

    /// <param name="dataDirectory">The store's directory; a fresh temporary one when null.</param>
    /// <param name="configureServices">Runs after the backend's registrations, e.g. to decorate a service with a fault.</param>
    public BackendFactory(string? dataDirectory = null, Action<IServiceCollection>? configureServices = null)
    {
        DataDirectory = dataDirectory ?? TempDirectory.Create("backend");
        _configureServices = configureServices;
    }

    public string DataDirectory { get; }

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));

    /// <summary>A token for the seeded admin, issued directly (the admin has no SMS flow in tests).</summary>
    public string AdminToken() =>
        Services.GetRequiredService<SessionRegistry>().Issue(Services.GetRequiredService<UserDirectory>().Find(DemoData.AdminId)!);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Harness:DataDirectory", DataDirectory);
        builder.UseSetting("Harness:Banner", "false");
        builder.UseSetting("Harness:Sandbox:Enabled", "false"); // many factories run at once; the sandbox has its own tests
        builder.ConfigureServices(services =>
        {
            services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Clock));
            _configureServices?.Invoke(services);
        });
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        TempDirectory.TryDelete(DataDirectory);
    }
}
