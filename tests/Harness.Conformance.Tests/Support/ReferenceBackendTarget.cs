using Harness.Conformance.Binding;
using Harness.Conformance.Gherkin;
using Harness.Conformance.Targets;
using Harness.Finance.Auth;
using Harness.Finance.Demo;
using Harness.Sandbox.Creem;
using Harness.Sandbox.Stripe;
using Microsoft.Extensions.DependencyInjection;

namespace Harness.Conformance.Tests.Support;

/// <summary>
/// The reference backend in-process as a conformance target: the demo admin, user and API key make up
/// the profile, the SMS sandbox signs up each scenario's users, and its test clock (over a frozen fake
/// clock) lets time pass at once.
/// Given an in-process provider sandbox, its control URL is the profile's <c>sandboxUrl</c>. The New-API app runs
/// beside it on a loopback port (<see cref="InProcessNewApi"/>), its demo root being the profile's New-API admin, and
/// so does the Portaly app (<see cref="InProcessPortaly"/>), its demo merchant's keys and operator token in the profile
/// (its hosted checkout paying through the sandbox's TapPay when there is one).
/// </summary>
public sealed class ReferenceBackendTarget : IConformanceTarget, ISandboxRestart, IAsyncDisposable
{
    /// <summary>The feature folders the reference backend implements; a surface is added here once its steps are bound.</summary>
    public static readonly IReadOnlySet<string> Surfaces = new HashSet<string>(StringComparer.Ordinal) { "finance", "providers", "new-api", "portaly" };

    private readonly FinanceTestApp _factory;
    private readonly HttpMessageHandler _backendHandler;
    private readonly InProcessSandbox? _sandbox;
    private readonly LoopbackRelay? _relay;
    private readonly InProcessNewApi _newApi;
    private readonly InProcessPortaly _portaly;

    /// <param name="configureServices">Replaces backend services, e.g. with a seeded fault.</param>
    /// <param name="profile">Narrows the profile, e.g. to what a tester without admin rights has.</param>
    /// <param name="sandbox">The provider sandbox for provider features; without it they are not run (no sandboxUrl).</param>
    /// <param name="newApiCriticalRateLimit">A New-API app that enforces this critical rate limit (and says so in the profile), for the scenario that trips it.</param>
    /// <param name="configureNewApiServices">Replaces New-API services, e.g. with a seeded fault.</param>
    /// <param name="configurePortalyServices">Replaces Portaly services, e.g. with a seeded fault.</param>
    public ReferenceBackendTarget(
        Action<IServiceCollection>? configureServices = null,
        Func<TargetProfile, TargetProfile>? profile = null,
        InProcessSandbox? sandbox = null,
        int? newApiCriticalRateLimit = null,
        Action<IServiceCollection>? configureNewApiServices = null,
        Action<IServiceCollection>? configurePortalyServices = null)
    {
        // The backend's own test clock, over the fake clock: time passes exactly as a conformance run by URL moves it.
        var settings = new Dictionary<string, string?> { ["Harness:TestClock"] = "true" };
        if (sandbox is not null)
        {
            // The sandbox delivers notifications over real HTTP: a loopback port passes them to the test server.
            _relay = LoopbackRelay.Start();
            settings["Harness:PublicBaseUrl"] = _relay.BaseUrl;
            foreach (var (key, value) in sandbox.ChannelSettings)
            {
                settings[key] = value;
            }
        }

        _factory = new FinanceTestApp(configureServices: configureServices, settings: settings);
        _sandbox = sandbox;
        _backendHandler = _factory.Server.CreateHandler();
        _relay?.ForwardTo(_backendHandler);
        Handler = new OutsideTraffic(BaseAddress, _backendHandler);
        _newApi = new InProcessNewApi(newApiCriticalRateLimit, sandbox, configureNewApiServices);
        _portaly = new InProcessPortaly(configurePortalyServices, sandbox);
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
            TestClockUrl = new Uri(BaseAddress, "/api/test/clock/advance").ToString(),
            NewApiUrl = _newApi.BaseUrl,
            NewApiAdminToken = _newApi.Demo.Root.AccessToken,
            NewApiAdminId = _newApi.Demo.Root.Id,
            NewApiCriticalRateLimit = newApiCriticalRateLimit,
            NewApiEpayKey = _newApi.EpayKey,
            NewApiEpayPid = InProcessNewApi.EpayPid,
            NewApiStripeWebhookSecret = _newApi.PaysThroughSandbox ? StripeProvider.WebhookSecret : null,
            NewApiCreemWebhookSecret = _newApi.PaysThroughSandbox ? CreemProvider.WebhookSecret : null,
            NewApiSandbox = _newApi.PaysThroughSandbox,
            PortalyUrl = _portaly.BaseUrl,
            PortalyLiveKey = InProcessPortaly.LiveKey,
            PortalyTestKey = InProcessPortaly.TestKey,
            PortalyCallbackSecret = InProcessPortaly.TestCallbackSecret,
            PortalyLiveCallbackSecret = InProcessPortaly.LiveCallbackSecret,
            PortalyAdminToken = _portaly.AdminToken,
            PortalyTestClockUrl = _portaly.TestClockUrl,
            PortalyHostedCheckout = _portaly.PaysThroughSandbox,
        };
        Profile = profile is null ? full : profile(full);
    }

    public string Name => "reference backend (in-process)";

    public TargetProfile Profile { get; }

    public Uri BaseAddress => _factory.Server.BaseAddress;

    public HttpMessageHandler Handler { get; }

    public IServiceProvider Services => _factory.Services;

    public IServiceProvider PortalyServices => _portaly.Services;

    public bool Offers(Need need) => (need == Need.SandboxRestart && _sandbox is not null) || Profile.Offers(need);

    public bool Serves(Scenario scenario) => Surfaces.Contains(scenario.Surface);

    /// <summary>Moves the backend's test clock by HTTP, as a run by URL does.</summary>
    public Task LetTimePassAsync(TimeSpan duration, CancellationToken cancellationToken) =>
        MovableClock.LetTimePassByUrlAsync(duration, this, cancellationToken);

    public Task RestartSandboxAsync(CancellationToken cancellationToken) =>
        (_sandbox ?? throw new InvalidOperationException("This target has no sandbox.")).RestartAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_relay is not null)
        {
            await _relay.DisposeAsync();
        }

        Handler.Dispose();
        _backendHandler.Dispose();
        await _newApi.DisposeAsync();
        await _portaly.DisposeAsync();
        await _factory.DisposeAsync();
    }
}
