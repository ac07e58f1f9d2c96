using Harness.Backend.Auth;
using Harness.Backend.Demo;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace Harness.Testing;

/// <summary>The reference backend in-process, on its own data directory, with a clock the test can move.</summary>
public sealed class BackendFactory : WebApplicationFactory<Program>
{
    public BackendFactory(string? dataDirectory = null)
    {
        DataDirectory = dataDirectory ?? TempDirectory.Create("backend");
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
        builder.ConfigureServices(services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Clock)));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        TempDirectory.TryDelete(DataDirectory);
    }
}
