namespace Harness.Load.Engine;

/// <summary>
/// A named sequence of steps run once per iteration, as in NBomber. Each step is timed and counted on
/// its own; a failed step ends its iteration. Steps derive what they need (user, key, body) from the
/// iteration number, so iterations stay independent and reproducible.
/// </summary>
public sealed record Scenario(string Name, string Description, IReadOnlyList<Step> Steps)
{
    /// <summary>Index of the step the scenario is about: its throughput and latency are the scenario's.</summary>
    public int MainStep { get; init; }
}

/// <param name="Name">Shown in the console and the report, e.g. <c>consume</c>.</param>
/// <param name="Run">One call to the target.</param>
public sealed record Step(string Name, Func<StepContext, Task<StepOutcome>> Run);

/// <param name="Iteration">Unique across warm-up and measurement, so generated keys never repeat.</param>
/// <param name="Cancellation">Cancelled when the run is aborted.</param>
public sealed record StepContext(long Iteration, CancellationToken Cancellation);

/// <summary>What one step saw. <see cref="Error"/> names the failure kind (e.g. <c>HTTP 402</c>, <c>timeout</c>).</summary>
public readonly record struct StepOutcome(bool Ok, string? Error)
{
    public static StepOutcome Success { get; } = new(true, null);

    public static StepOutcome Failure(string error) => new(false, error);
}
