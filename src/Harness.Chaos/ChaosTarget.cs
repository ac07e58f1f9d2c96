using System.Net.Http.Json;
using System.Text.Json;
using Harness.Launcher;

namespace Harness.Chaos;

/// <summary>
/// What the campaign runs against: the Finance surface and the sandbox's control API, and the
/// credentials the reference SMS sandbox hands out. Owns the built-in harness when it started one, and
/// can kill and restart it on the same data directory and port for the crash rounds.
/// </summary>
public sealed class ChaosTarget : IAsyncDisposable
{
    /// <summary>The published demo key of the reference backend (all users).</summary>
    public const string DemoApiKey = "hk_demo_LocalDemoKeyForTheHarnessOnly";

    /// <summary>The demo merchant's test key and the operator token of key creation, as the Portaly banner prints them.</summary>
    public const string PortalyTestKey = "pcs_test_demo0000000000000000000000000000000002";
    public const string PortalyAdminToken = "portaly-admin-demo-token";

    private const string AdminPhone = "13800000000";

    // Portaly's per-key limits (20 writes a minute) would answer most of its fuzz 429 before validation.
    // The campaign sends thousands of requests from one address: the built-in surfaces' per-client limits would
    // answer most of them 429 (New-API's global limit is 360 per 180 s), and the campaign is not about those limits.
    private static readonly string[] ServeOptions =
    [
        "--Portaly:RateLimits:ReadsPerMinute=1000000", "--Portaly:RateLimits:WritesPerMinute=1000000", "--Portaly:RateLimits:KeyCreationsPerMinute=1000000",
        "--GLOBAL_API_RATE_LIMIT_ENABLE=false",
    ];

    private ChaosTarget(Uri finance, Uri? sandbox, Uri? newApi, Uri? portaly, HarnessProcess? process)
    {
        Finance = finance;
        Sandbox = sandbox;
        NewApi = newApi;
        Portaly = portaly;
        Process = process;
        Http = NewClient(finance);
    }

    public Uri Finance { get; }

    public Uri? Sandbox { get; }

    /// <summary>The New-API surface, when there is one to test.</summary>
    public Uri? NewApi { get; }

    /// <summary>The Portaly surface, when there is one to test.</summary>
    public Uri? Portaly { get; }

    public HttpClient Http { get; private set; }

    /// <summary>The built-in harness, when the campaign started it.</summary>
    public HarnessProcess? Process { get; private set; }

    /// <summary>The JWT key of the built-in harness (it can forge an expired token); null for a target by URL.</summary>
    public byte[]? JwtKey => Process is null ? null : Convert.FromBase64String(File.ReadAllText(Path.Combine(Process.DataDirectory, "jwt.secret")).Trim());

    public string Description => Process is null ? $"Finance at {Finance}" : $"built-in harness at {Finance} (data {Process.DataDirectory})";

    public static async Task<ChaosTarget> StartBuiltInAsync(CancellationToken cancellationToken)
    {
        var process = await HarnessProcess.StartAsync(cancellationToken: cancellationToken, options: ServeOptions);
        return new ChaosTarget(process.BaseUrl, process.SandboxControlUrl, new Uri($"http://127.0.0.1:{process.Port + 1}"), new Uri($"http://127.0.0.1:{process.Port + 2}"), process);
    }

    public static ChaosTarget Connect(Uri finance, Uri? sandbox, Uri? newApi = null, Uri? portaly = null) => new(finance, sandbox, newApi, portaly, null);

    /// <summary>
    /// SIGKILL, then the same command on the same data and port; the time until it is healthy again.
    /// <paramref name="whileDown"/> may touch the data directory in between (a test makes the backend lose writes).
    /// </summary>
    public async Task<TimeSpan> KillAndRestartAsync(CancellationToken cancellationToken, Action<string>? whileDown = null)
    {
        var process = Process ?? throw new InvalidOperationException("Only the built-in harness can be restarted.");
        await process.KillAsync();
        await process.DisposeAsync();
        whileDown?.Invoke(process.DataDirectory);
        Http.Dispose();
        var started = System.Diagnostics.Stopwatch.StartNew();
        Process = await HarnessProcess.StartAsync(process.DataDirectory, process.Port, cancellationToken, ServeOptions);
        Http = NewClient(Finance);
        return started.Elapsed;
    }

    /// <summary>Signs a phone in through the reference SMS sandbox: (token, userId).</summary>
    public async Task<(string Token, string UserId)> SignInAsync(string phone, CancellationToken cancellationToken)
    {
        using (await Http.PostAsJsonAsync(new Uri("/api/auth/sms/sendCode", UriKind.Relative), new { phone }, cancellationToken))
        {
            // A code sent less than a minute ago is still live: a refused resend is no error here.
        }

        var code = (await DataAsync(HttpMethod.Get, "/api/auth/sms/sandbox/code?phone=" + Uri.EscapeDataString(phone), null, null, cancellationToken)).GetProperty("code").GetString();
        var login = await DataAsync(HttpMethod.Post, "/api/auth/login", new { phone, code }, null, cancellationToken);
        return (login.GetProperty("token").GetString()!, login.GetProperty("user").GetProperty("userId").GetString()!);
    }

    public Task<(string Token, string UserId)> SignInAdminAsync(CancellationToken cancellationToken) => SignInAsync(AdminPhone, cancellationToken);

    /// <summary>A call that must succeed: its <c>data</c>, or an exception naming the answer.</summary>
    public async Task<JsonElement> DataAsync(HttpMethod method, string path, object? body, string? token, CancellationToken cancellationToken, string? apiKey = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        if (token is not null)
        {
            request.Headers.Authorization = new("Bearer", token);
        }

        if (apiKey is not null)
        {
            request.Headers.Add("X-API-Key", apiKey);
        }

        using var response = await Http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{method} {path} answered {(int)response.StatusCode}: {text}");
        }

        using var document = JsonDocument.Parse(text);
        return document.RootElement.GetProperty("data").Clone();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (Process is { } process)
        {
            await process.DisposeAsync();
            TempDirectory.TryDelete(process.DataDirectory);
        }
    }

    private static HttpClient NewClient(Uri baseUrl) =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, PooledConnectionLifetime = TimeSpan.FromMinutes(1) })
        {
            BaseAddress = baseUrl,
            Timeout = TimeSpan.FromSeconds(10),
        };
}
