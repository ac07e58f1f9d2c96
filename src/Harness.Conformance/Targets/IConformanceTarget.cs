using Harness.Conformance.Gherkin;

namespace Harness.Conformance.Targets;

/// <summary>An implementation under test: how to reach it, what the profile holds, and which features it serves.</summary>
public interface IConformanceTarget
{
    /// <summary>How reports name the target.</summary>
    string Name { get; }

    TargetProfile Profile { get; }

    Uri BaseAddress { get; }

    /// <summary>The transport for one scenario's client; the caller does not dispose it.</summary>
    HttpMessageHandler Handler { get; }

    /// <summary>Whether the target implements the scenario's surface at all (e.g. an in-process backend without a sandbox).</summary>
    bool Serves(Scenario scenario);

    /// <summary>Lets time pass on the target: a fake clock is moved, a real one is waited for.</summary>
    Task LetTimePassAsync(TimeSpan duration, CancellationToken cancellationToken);
}

/// <summary>Any implementation reachable by URL, described by a profile.</summary>
public sealed class HttpTarget(TargetProfile profile) : IConformanceTarget, IDisposable
{
    private readonly SocketsHttpHandler _handler = new() { PooledConnectionLifetime = TimeSpan.FromMinutes(2) };

    public string Name => BaseAddress.ToString();

    public TargetProfile Profile { get; } = profile;

    public Uri BaseAddress { get; } = Uri.TryCreate(profile.BaseUrl, UriKind.Absolute, out var url)
        ? url
        : throw new ArgumentException($"baseUrl '{profile.BaseUrl}' is not an absolute URL.", nameof(profile));

    public HttpMessageHandler Handler => _handler;

    public bool Serves(Scenario scenario) => true;

    public Task LetTimePassAsync(TimeSpan duration, CancellationToken cancellationToken) => Task.Delay(duration, cancellationToken);

    public void Dispose() => _handler.Dispose();
}
