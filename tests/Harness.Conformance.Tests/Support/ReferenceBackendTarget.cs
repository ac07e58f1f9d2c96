using Harness.Backend.Auth;
using Harness.Backend.Demo;
using Harness.Conformance.Binding;
using Harness.Conformance.Gherkin;
using Harness.Conformance.Targets;
using Microsoft.Extensions.DependencyInjection;

namespace Harness.Conformance.Tests.Support;

/// <summary>
/// The reference backend in-process as a conformance target: the demo admin, user and API key make up
/// the profile, the SMS sandbox signs up each scenario's users, and the fake clock lets time pass at once.
/// </summary>
public sealed class ReferenceBackendTarget : IConformanceTarget, IAsyncDisposable
{
    /// <summary>The feature folders the reference backend implements; a surface is added here once its steps are bound.</summary>
    public static readonly IReadOnlySet<string> Surfaces = new HashSet<string>(StringComparer.Ordinal) { "finance" };

    private readonly BackendFactory _factory;

    /// <param name="configureServices">Replaces backend services, e.g. with a seeded fault.</param>
    /// <param name="profile">Narrows the profile, e.g. to what a tester without admin rights has.</param>
    public ReferenceBackendTarget(Action<IServiceCollection>? configureServices = null, Func<TargetProfile, TargetProfile>? profile = null)
    {
        _factory = new BackendFactory(configureServices: configureServices);
        Handler = _factory.Server.CreateHandler();
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
        };
        Profile = profile is null ? full : profile(full);
    }

    public string Name => "reference backend (in-process)";

    public TargetProfile Profile { get; }

    public Uri BaseAddress => _factory.Server.BaseAddress;

    public HttpMessageHandler Handler { get; }

    public IServiceProvider Services => _factory.Services;

    public bool Offers(Need need) => need == Need.ClockControl || Profile.Offers(need);

    public bool Serves(Scenario scenario) => Surfaces.Contains(scenario.Surface);

    public Task LetTimePassAsync(TimeSpan duration, CancellationToken cancellationToken)
    {
        _factory.Clock.Advance(duration);
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        Handler.Dispose();
        await _factory.DisposeAsync();
    }
}
