using Harness.Conformance.Binding;
using Harness.Conformance.Gherkin;

namespace Harness.Conformance.Targets;

/// <summary>Any implementation reachable by URL, described by a profile.</summary>
public sealed class HttpTarget(TargetProfile profile) : IConformanceTarget, IDisposable
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

    public void Dispose()
    {
        _traffic?.Dispose();
        _handler.Dispose();
    }
}
