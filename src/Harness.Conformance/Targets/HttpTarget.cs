using System.Text.Json;
using Harness.Conformance.Binding;
using Harness.Conformance.Gherkin;
using Harness.Conformance.Running;

namespace Harness.Conformance.Targets;

/// <summary>Any implementation reachable by URL, described by a profile.</summary>
public sealed class HttpTarget(TargetProfile profile) : IConformanceTarget, ISandboxRestart, IDisposable
{
    private readonly SocketsHttpHandler _handler = new() { PooledConnectionLifetime = TimeSpan.FromMinutes(2) };
    private OutsideTraffic? _traffic;

    public string Name => BaseAddress.ToString();

    public TargetProfile Profile { get; } = profile;

    public Uri BaseAddress { get; } = Uri.TryCreate(profile.BaseUrl, UriKind.Absolute, out var url)
        ? url
        : throw new ArgumentException($"baseUrl '{profile.BaseUrl}' is not an absolute URL.", nameof(profile));

    public HttpMessageHandler Handler => _traffic ??= new OutsideTraffic(BaseAddress, _handler);

    public bool Offers(Need need) => Profile.Offers(need);

    public bool Serves(Scenario scenario) => true;

    /// <summary>With a test clock, moves it; without one, waits for the target's real clock.</summary>
    public Task LetTimePassAsync(TimeSpan duration, CancellationToken cancellationToken) =>
        string.IsNullOrEmpty(Profile.TestClockUrl)
            ? Task.Delay(duration, cancellationToken)
            : MovableClock.LetTimePassByUrlAsync(duration, this, cancellationToken);

    /// <summary>
    /// Asks the sandbox to restart (<c>POST /control/restart</c>), then waits until <c>GET /control/health</c> answers
    /// from a new instance.
    /// </summary>
    public async Task RestartSandboxAsync(CancellationToken cancellationToken)
    {
        var control = (Profile.SandboxUrl ?? throw new InvalidOperationException("the profile has no sandboxUrl")).TrimEnd('/');
        using var http = new HttpClient(_handler, disposeHandler: false);
        string stopping;
        using (var asked = await http.PostAsync(new Uri(control + "/control/restart"), content: null, cancellationToken))
        {
            if (!asked.IsSuccessStatusCode)
            {
                throw new AssertionException($"POST {control}/control/restart answered HTTP {(int)asked.StatusCode}: is the sandbox started with --test-restart?");
            }

            stopping = await InstanceAsync(asked, cancellationToken);
        }

        using var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        patience.CancelAfter(TimeSpan.FromMinutes(1));
        while (true)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200), patience.Token);
            try
            {
                using var health = await http.GetAsync(new Uri(control + "/control/health"), patience.Token);
                if (health.IsSuccessStatusCode && await InstanceAsync(health, patience.Token) != stopping)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Restarting: the listener is closed for a moment.
            }
        }
    }

    private static async Task<string> InstanceAsync(HttpResponseMessage answer, CancellationToken cancellationToken)
    {
        using var body = JsonDocument.Parse(await answer.Content.ReadAsStringAsync(cancellationToken));
        return body.RootElement.GetProperty("instance").GetString() ?? "";
    }

    public void Dispose()
    {
        _traffic?.Dispose();
        _handler.Dispose();
    }
}
