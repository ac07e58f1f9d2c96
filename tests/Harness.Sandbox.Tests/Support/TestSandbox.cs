using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;

namespace Harness.Sandbox.Tests.Support;

/// <summary>
/// A sandbox started in-process on free ports with its own data folder and a frozen base clock: nothing
/// time-driven happens until a test advances the clock through the control API.
/// </summary>
public sealed class TestSandbox : IAsyncDisposable
{
    private readonly string _dataDirectory;

    private TestSandbox(SandboxServer server, string dataDirectory, string usedDataDirectory)
    {
        Server = server;
        _dataDirectory = dataDirectory;
        DataDirectory = usedDataDirectory;
        Control = new HttpClient { BaseAddress = new Uri(server.ControlBaseUrl) };
    }

    public SandboxServer Server { get; }

    /// <summary>The data folder the sandbox runs on (a test's own one, kept, when <c>configure</c> set it).</summary>
    public string DataDirectory { get; }

    /// <summary>A client for the control API and pay pages; like any default HttpClient it follows redirects (a test that reads a Location uses its own client).</summary>
    public HttpClient Control { get; }

    /// <param name="now">The frozen base clock; 2026-11-23 12:00 UTC unless given.</param>
    /// <param name="wallClock">The clock signatures are stamped with; the real one unless given.</param>
    /// <param name="configure">Further options (an Epay schedule of the test's own).</param>
    public static async Task<TestSandbox> StartAsync(DateTimeOffset? now = null, TimeProvider? wallClock = null, Action<SandboxOptions>? configure = null)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "harness-sandbox-tests", Guid.NewGuid().ToString("N"));
        var options = new SandboxOptions
        {
            DataDirectory = dataDirectory,
            BasePort = 0,
            Clock = new FakeTimeProvider(now ?? new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero)),
            WallClock = wallClock ?? TimeProvider.System,
        };
        configure?.Invoke(options);
        var server = await SandboxServer.StartAsync(options, TestContext.Current.CancellationToken);
        return new TestSandbox(server, dataDirectory, options.DataDirectory);
    }

    public string BaseUrl(string provider) => Server.BaseUrlOf(provider);

    /// <summary>Sets a provider's settings; the answer is the control API's (200, or 400 with the reason).</summary>
    public Task<HttpResponseMessage> PutSettingsAsync(string provider, object settings) =>
        Control.PutAsJsonAsync($"/control/providers/{provider}/settings", settings, TestContext.Current.CancellationToken);

    public async Task SetWebhookUrlAsync(string provider, string url, Dictionary<string, string>? extra = null)
    {
        var settings = new Dictionary<string, string> { ["webhook_url"] = url };
        foreach (var (k, v) in extra ?? [])
        {
            settings[k] = v;
        }

        var response = await Control.PutAsJsonAsync($"/control/providers/{provider}/settings", settings, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
    }

    public async Task<JsonObject> GetJsonAsync(string path)
    {
        var response = await Control.GetAsync(path, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        return (JsonObject)JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
    }

    public async Task<JsonArray> GetArrayAsync(string path)
    {
        var response = await Control.GetAsync(path, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        return (JsonArray)JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
    }

    public async Task<JsonObject> PostJsonAsync(string path, object? body = null)
    {
        var response = await Control.PostAsJsonAsync(path, body ?? new { }, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"{path} answered {(int)response.StatusCode}: {text}");
        return (JsonObject)JsonNode.Parse(text)!;
    }

    /// <summary>Adds a scripted fault and returns its id.</summary>
    public async Task<string> AddFaultAsync(object fault) => (await PostJsonAsync("/control/faults", fault))["id"]!.GetValue<string>();

    public Task<JsonObject> AdvanceAsync(TimeSpan by) => PostJsonAsync("/control/clock/advance", new { seconds = (long)by.TotalSeconds });

    /// <summary>Waits for any callback attempt in progress and makes those due now; no clock movement.</summary>
    public Task<JsonObject> RunDueAsync() => PostJsonAsync("/control/clock/run-due");

    /// <summary>Plays the buyer on the pay page through the control API; returns the redirect URL (or null).</summary>
    public async Task<string?> ActAsync(string paymentId, string action) =>
        (await PostJsonAsync($"/control/payments/{Uri.EscapeDataString(paymentId)}/{action}"))["redirect_url"]?.GetValue<string>();

    public async Task<JsonArray> DeliveriesAsync(string paymentId) =>
        await GetArrayAsync($"/control/deliveries?payment_id={Uri.EscapeDataString(paymentId)}");

    public async ValueTask DisposeAsync()
    {
        Control.Dispose();
        await Server.DisposeAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
