using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Harness.NewApi;
using Harness.NewApi.Auth;
using Harness.NewApi.Demo;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Harness.Tests.NewApi;

/// <summary>The New-API app on a test server, built as the host builds it, on its own data directory and a fake clock.</summary>
public sealed class NewApiTestApp : IAsyncDisposable
{
    private readonly WebApplication _app;

    public NewApiTestApp(IReadOnlyDictionary<string, string?>? settings = null, string? dataDirectory = null)
    {
        DataDirectory = dataDirectory ?? TempDirectory.Create("newapi");
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        builder.WebHost.UseTestServer();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Harness:DataDirectory"] = DataDirectory,
            ["Harness:RedeemDelayMaxMilliseconds"] = "0",
            ["Harness:CriticalRateLimit"] = "100000",
            ["Harness:GlobalApiRateLimit"] = "1000000",
        });
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        builder.AddNewApi();
        builder.Services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Clock));
        _app = builder.Build();
        _app.UseNewApi();
        _app.PrepareNewApi();
        _app.StartAsync().GetAwaiter().GetResult();
    }

    public string DataDirectory { get; }

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));

    public IServiceProvider Services => _app.Services;

    /// <summary>A client signed in as <paramref name="user"/> by access token and New-Api-User.</summary>
    public HttpClient As(NewApiUser user)
    {
        var http = _app.GetTestServer().CreateClient();
        http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", user.AccessToken);
        http.DefaultRequestHeaders.TryAddWithoutValidation("New-Api-User", user.Id);
        return http;
    }

    public HttpClient Anonymous() => _app.GetTestServer().CreateClient();

    public NewApiUser Root => Users.FindByName(NewApiDemo.RootName)!;

    public NewApiUsers Users => Services.GetRequiredService<NewApiUsers>();

    /// <summary>A new common user with an access token.</summary>
    public NewApiUser NewUser(string name)
    {
        var user = Users.Create(name, "pw-" + name, Roles.User)!;
        Users.IssueToken(user);
        return user;
    }

    /// <summary>Creates codes as root and returns their keys.</summary>
    public async Task<string[]> CreateCodesAsync(object request)
    {
        using var http = As(Root);
        var body = await (await http.PostAsJsonAsync("/api/redemption/", request)).Content.ReadFromJsonAsync<JsonObject>();
        return [.. body!["data"]!.AsArray().Select(k => k!.GetValue<string>())];
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        TempDirectory.TryDelete(DataDirectory);
    }
}
