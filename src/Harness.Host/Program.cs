using Harness.Host;

// The composition root: each surface app and the provider sandbox, each on its own ports.
var settings = HostSettings.Parse(args, Environment.GetEnvironmentVariable);
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
{
    Args = settings.RemainingArgs,
    ContentRootPath = AppContext.BaseDirectory,
});
builder.Configuration.AddInMemoryCollection(settings.ToConfiguration());
builder.Services.AddSingleton(settings);
// The sandbox starts first, so the surfaces' payment channels are pointed at its listeners.
if (settings.SandboxOnly || SandboxHosting.IsEnabled(builder.Configuration))
{
    builder.Services.AddSingleton<SandboxHosting>();
    builder.Services.AddHostedService(sp => sp.GetRequiredService<SandboxHosting>());
}

if (!settings.SandboxOnly)
{
    builder.Services.AddSingleton(sp => new SurfaceHosting(settings, sp.GetRequiredService<IConfiguration>(), sp.GetService<SandboxHosting>()));
    builder.Services.AddHostedService(sp => sp.GetRequiredService<SurfaceHosting>());
}

using var host = builder.Build();
await host.StartAsync();
Banner.Print(host.Services.GetRequiredService<IConfiguration>(), host.Services.GetService<SurfaceHosting>(), host.Services.GetService<SandboxHosting>());
await host.WaitForShutdownAsync();
