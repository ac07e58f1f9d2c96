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

    /// <summary>Whether the target (mostly: its profile) offers what a step needs.</summary>
    bool Offers(Binding.Need need);

    /// <summary>Whether the target implements the scenario's surface at all (e.g. an in-process backend without a sandbox).</summary>
    bool Serves(Scenario scenario);

    /// <summary>Lets time pass on the target: a fake clock is moved, a real one is waited for.</summary>
    Task LetTimePassAsync(TimeSpan duration, CancellationToken cancellationToken);
}
