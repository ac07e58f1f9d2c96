using Harness.Conformance.Binding;
using Harness.Conformance.Gherkin;
using Harness.Conformance.Targets;
using Harness.Finance.Auth;
using Harness.Finance.Demo;
using Microsoft.Extensions.DependencyInjection;

namespace Harness.Conformance.Tests.Support;

/// <summary>
/// The reference backend in-process as a conformance target: the demo admin, user and API key make up
/// the profile, the SMS sandbox signs up each scenario's users, and the fake clock lets time pass at once.
/// Given an in-process provider sandbox, its control URL is the profile's <c>sandboxUrl</c>.
/// </summary>
public sealed class ReferenceBackendTarget : IConformanceTarget, ISandboxRestart, IAsyncDisposable
{
    /// <summary>The feature folders the reference backend implements; a surface is added here once its steps are bound.</summary>
    public static readonly IReadOnlySet<string> Surfaces = new HashSet<string>(StringComparer.Ordinal) { "finance", "providers" };

    private readonly FinanceTestApp _factory;
    private readonly HttpMessageHandler _backendHandler;
    private readonly InProcessSandbox? _sandbox;

    /// <param name="configureServices">Replaces backend services, e.g. with a seeded fault.</param>
    /// <param name="profile">Narrows the profile, e.g. to what a tester without admin rights has.</param>
    /// <param name="sandbox">The provider sandbox for provider features; without it they are not run (no sandboxUrl).</param>
    public ReferenceBackendTarget(Action<IServiceCollection>? configureServices = null, Func<TargetProfile, TargetProfile>? profile = null, InProcessSandbox? sandbox = null)
    {
        _factory = new FinanceTestApp(configureServices: configureServices);
        _sandbox = sandbox;
        _backendHandler = _factory.Server.CreateHandler();
        Handler = new OutsideTraffic(BaseAddress, _backendHandler);
        var users = _factory.Services.GetRequiredService<UserDirectory>();
        var full = new TargetProfile
        {
            BaseUrl = BaseAddress.ToString(),
            AdminJwt = _factory.AdminToken(),
            AdminId = DemoData.AdminId,
            UserJwt = _factory.Services.GetRequiredService<SessionRegistry>().Issue(users.Find(DemoData.UserId)!),
            UserId = DemoData.UserId,
            FinanceApiKey = DemoData.ApiKey,
            SmsSandbox = true,
            SandboxUrl = sandbox?.ControlUrl,
        };
        Profile = profile is null ? full : profile(full);
    }

    public string Name => "reference backend (in-process)";

    public TargetProfile Profile { get; }

    public Uri BaseAddress => _factory.Server.BaseAddress;

    public HttpMessageHandler Handler { get; }

    public IServiceProvider Services => _factory.Services;

    public bool Offers(Need need) => need == Need.ClockControl || (need == Need.SandboxRestart && _sandbox is not null) || Profile.Offers(need);

    public bool Serves(Scenario scenario) => Surfaces.Contains(scenario.Surface);

    /// <summary>
    /// Moves the fake clock. The profile's admin and user are the operator's standing sessions, which idle out after
    /// 24 h: a longer wait is taken in steps of at most 12 h, each followed by a request of both, as an operator's
    /// sessions stay in use, so that one scenario's long wait does not sign the operator out of the next.
    /// </summary>
    public async Task LetTimePassAsync(TimeSpan duration, CancellationToken cancellationToken)
    {
        var step = TimeSpan.FromHours(12);
        if (duration <= step)
        {
            _factory.Clock.Advance(duration);
            return;
        }

        using var client = new HttpClient(_backendHandler, disposeHandler: false) { BaseAddress = BaseAddress };
        for (var left = duration; left > TimeSpan.Zero; left -= step)
        {
            _factory.Clock.Advance(left < step ? left : step);
            foreach (var token in new[] { Profile.AdminJwt, Profile.UserJwt }.OfType<string>())
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/auth/me", UriKind.Relative));
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
                using var response = await client.SendAsync(request, cancellationToken);
            }
        }
    }

    public Task RestartSandboxAsync(CancellationToken cancellationToken) =>
        (_sandbox ?? throw new InvalidOperationException("This target has no sandbox.")).RestartAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        Handler.Dispose();
        _backendHandler.Dispose();
        await _factory.DisposeAsync();
    }
}
