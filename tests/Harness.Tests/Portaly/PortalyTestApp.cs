using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Harness.Portaly;
using Harness.Portaly.Callbacks;
using Harness.Portaly.Demo;
using Harness.Sandbox;
using Harness.Sandbox.TapPay;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Harness.Tests.Portaly;

/// <summary>The Portaly app on a test server, built as the host builds it, on its own data directory and a fake clock.</summary>
public sealed class PortalyTestApp : IAsyncDisposable
{
    public const string AdminToken = "test-admin-token";
    private readonly WebApplication _app;
    private readonly bool _ownsDirectory;

    /// <param name="dataDirectory">A directory the caller keeps (to start again on it); a fresh one, deleted at the end, when null.</param>
    /// <param name="settings">More configuration (e.g. <see cref="OnSandbox"/>'s TapPay merchant).</param>
    public PortalyTestApp(string? dataDirectory = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        _ownsDirectory = dataDirectory is null;
        DataDirectory = dataDirectory ?? TempDirectory.Create("portaly");
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        builder.WebHost.UseTestServer();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Harness:DataDirectory"] = DataDirectory,
            ["Portaly:AdminToken"] = AdminToken,
            ["Portaly:BackgroundScheduler"] = "false", // tests make due work happen with RunDueAsync
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.AddPortaly();
        builder.Services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Clock));
        _app = builder.Build();
        _app.UsePortaly();
        _app.PreparePortaly();
        _app.StartAsync().GetAwaiter().GetResult();
    }

    public string DataDirectory { get; }

    public IServiceProvider Services => _app.Services;

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));

    /// <summary>Makes every due renewal and callback attempt happen now (the background loop is off in tests).</summary>
    public Task<int> RunDueAsync() => Services.GetRequiredService<PortalyScheduler>().RunDueAsync(TestContext.Current.CancellationToken);

    /// <summary>Moves the fake clock, then runs what fell due.</summary>
    public Task<int> AdvanceAsync(TimeSpan by)
    {
        Clock.Advance(by);
        return RunDueAsync();
    }

    /// <summary>The TapPay settings of a backend beside the sandbox: its TapPay listener and published merchant.</summary>
    public static Dictionary<string, string?> OnSandbox(SandboxServer sandbox) => new()
    {
        ["Portaly:TapPay:BaseUrl"] = sandbox.BaseUrlOf("tappay"),
        ["Portaly:TapPay:PartnerKey"] = TapPayProvider.PartnerKey,
        ["Portaly:TapPay:MerchantId"] = TapPayProvider.MerchantId,
    };

    public HttpClient Live() => With(PortalyDemo.LiveKey);

    public HttpClient Test() => With(PortalyDemo.TestKey);

    public HttpClient Admin() => With(AdminToken);

    public HttpClient Anonymous() => _app.GetTestServer().CreateClient();

    public HttpClient With(string bearer)
    {
        var http = _app.GetTestServer().CreateClient();
        http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + bearer);
        return http;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_ownsDirectory)
        {
            TempDirectory.TryDelete(DataDirectory);
        }
    }
}

/// <summary>A status and a JSON body, read once.</summary>
public sealed record Reply(HttpStatusCode Status, JsonNode Body)
{
    public string? Error => Body["error"]?.GetValue<string>();

    public string? Code => Body["code"]?.GetValue<string>();

    public string? Detail => Body["details"]?[0]?.GetValue<string>();

    public JsonNode Data => Body["data"]!;

    public static async Task<Reply> Of(Task<HttpResponseMessage> sending)
    {
        using var response = await sending;
        var text = await response.Content.ReadAsStringAsync();
        return new Reply(response.StatusCode, JsonNode.Parse(text)!);
    }
}

public static class PortalyHttp
{
    public const string Base = PortalyApp.BasePath;

    public static Task<Reply> Get(this HttpClient http, string path) => Reply.Of(http.GetAsync(Base + path));

    public static Task<Reply> Post(this HttpClient http, string path, object body) => Reply.Of(http.PostAsJsonAsync(Base + path, body));

    public static Task<Reply> Put(this HttpClient http, string path, object body) => Reply.Of(http.PutAsJsonAsync(Base + path, body));

    public static Task<Reply> Delete(this HttpClient http, string path) => Reply.Of(http.DeleteAsync(Base + path));

    /// <summary>Sends <paramref name="json"/> as it is, malformed or not.</summary>
    public static Task<Reply> Raw(this HttpClient http, HttpMethod method, string path, string json) =>
        Reply.Of(http.SendAsync(new HttpRequestMessage(method, Base + path) { Content = new StringContent(json, Encoding.UTF8, "application/json") }));

    /// <summary>A fixed monthly plan; its id.</summary>
    public static async Task<string> CreatePlan(this HttpClient http, string name = "Pro", string billingPeriod = "monthly")
    {
        var reply = await http.Post("/plans", new { name, amount = 300, billingPeriod });
        Assert.Equal(HttpStatusCode.Created, reply.Status);
        return reply.Data["id"]!.GetValue<string>();
    }
}
