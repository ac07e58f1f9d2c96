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

    public Task LetTimePassAsync(TimeSpan duration, CancellationToken cancellationToken) => Task.Delay(duration, cancellationToken);

    public void Dispose()
    {
        _traffic?.Dispose();
        _handler.Dispose();
    }
}
