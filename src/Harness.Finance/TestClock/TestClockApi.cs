using Harness.Clock;
using Harness.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Harness.Finance.TestClock;

/// <summary>How far the clock moves: whole seconds, at least one, at most a year per call.</summary>
public sealed record AdvanceClockRequest(long? Seconds) : IValidatable
{
    public const long MaxSeconds = 366L * 24 * 60 * 60;

    public void Validate(Validator validator) => validator.Positive(Seconds, "seconds", MaxSeconds);
}

/// <param name="Now">The backend's time after the move.</param>
/// <param name="OffsetSeconds">How far it is ahead of the real clock, in total.</param>
public sealed record ClockView(DateTimeOffset Now, long OffsetSeconds)
{
    public static ClockView Of(AdjustableClock clock) => new(clock.GetUtcNow(), (long)clock.Offset.TotalSeconds);
}

/// <summary>
/// The test clock (docs/conformance.md, "The test clock"): off unless the backend starts with
/// <c>--test-clock</c>. When on, every part of the backend reads an <see cref="AdjustableClock"/> that the
/// conformance runner moves forward, so a run by URL can let days pass in a moment (idempotency retention,
/// session idle expiry, token expiry). Time never goes back. It takes no credentials: a run that lets a
/// week pass outlives every token, the administrator's included.
/// </summary>
public static class TestClockApi
{
    public static IServiceCollection AddTestClock(this IServiceCollection services) => services
        .AddSingleton(_ => new AdjustableClock(TimeProvider.System))
        .AddSingleton<TimeProvider>(sp => sp.GetRequiredService<AdjustableClock>());

    public static void MapTestClock(this RouteGroupBuilder clock)
    {
        clock.MapGet("", (AdjustableClock now) => FinanceEnvelope.Ok(ClockView.Of(now)))
            .WithSummary("The backend's time and how far the test clock has moved it");
        clock.MapPost("/advance", Advance)
            .WithSummary("Move the backend's clock forward by whole seconds; answers once everything reads the new time");
    }

    private static Ok<FinanceResponse<ClockView>> Advance(AdvanceClockRequest request, AdjustableClock clock)
    {
        clock.Advance(TimeSpan.FromSeconds(request.Seconds!.Value));
        return FinanceEnvelope.Ok(ClockView.Of(clock));
    }
}
