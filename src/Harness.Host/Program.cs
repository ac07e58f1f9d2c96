using Harness.Backend;
using Harness.Host;
using Scalar.AspNetCore;

var settings = HostSettings.Parse(args, Environment.GetEnvironmentVariable);
if (settings.SandboxOnly)
{
    await SandboxOnly.RunAsync(settings);
    return;
}

var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = settings.RemainingArgs,
    ContentRootPath = AppContext.BaseDirectory, // appsettings.json travels with the binary, whatever the working directory
});
builder.Configuration.AddInMemoryCollection(settings.ToConfiguration());
if (!settings.UrlsGiven)
{
    builder.WebHost.UseUrls($"http://localhost:{settings.Port}");
}

builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 1024 * 1024);
builder.Services.AddBackend(builder.Configuration);
builder.Services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
{
    document.Info.Title = "Harness reference backend";
    document.Info.Description = "Finance surface: coin balance, idempotent consumption, records, service plans, OpenAPI coin consumption.";
    return Task.CompletedTask;
}));
if (SandboxHosting.IsEnabled(builder.Configuration))
{
    builder.Services.AddSingleton<SandboxHosting>();
    builder.Services.AddHostedService(sp => sp.GetRequiredService<SandboxHosting>());
}

var app = builder.Build();
app.UseBackend();
app.MapOpenApi();
app.MapScalarApiReference(o => o.WithTitle("Harness API"));
app.MapBackend();

var demo = await app.PrepareBackendAsync();
app.Lifetime.ApplicationStarted.Register(() => Banner.Print(app, demo, app.Services.GetService<SandboxHosting>()?.Server));
await app.RunAsync();

/// <summary>Entry point; public so integration tests can host it with WebApplicationFactory.</summary>
public partial class Program;
