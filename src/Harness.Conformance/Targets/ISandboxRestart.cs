namespace Harness.Conformance.Targets;

/// <summary>A target that runs the provider sandbox itself and can restart it on the same data folder and ports.</summary>
public interface ISandboxRestart
{
    Task RestartSandboxAsync(CancellationToken cancellationToken);
}
