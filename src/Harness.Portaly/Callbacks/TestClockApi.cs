using Harness.Clock;
using Harness.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Harness.Portaly.Callbacks;

public sealed record AdvanceClockRequest(long? Seconds) : IValidatable
{
    public const long MaxSeconds = 366L * 24 * 60 * 60;

    public void Validate(Validator validator) => validator.Require(Seconds is > 0 and <= MaxSeconds, $"seconds must be from 1 to {MaxSeconds}");
}

/// <param name="Now">The backend's time after the move.</param>
/// <param name="OffsetSeconds">How far it is ahead of the real clock, in total.</param>
/// <param name="CallbackAttempts">Callback attempts the move caused (renewals' and retries').</param>
public sealed record ClockView(DateTimeOffset Now, long OffsetSeconds, int CallbackAttempts);

/// <summary>
/// The test clock (<c>--test-clock</c>), as Finance has it at the same path: moving it makes every renewal, renewal
/// retry and callback retry that falls due happen before the answer. It takes no credentials.
/// </summary>
public static class TestClockApi
{
    public static void MapTestClock(this WebApplication app)
    {
        var clock = app.MapGroup("/api/test/clock").ValidateRequests().WithTags("Test clock");
        clock.MapGet("", (AdjustableClock now) => PortalyEnvelope.Ok(new ClockView(now.GetUtcNow(), (long)now.Offset.TotalSeconds, 0)));
        clock.MapPost("/advance", Advance);
    }

    private static async Task<Ok<PortalyResponse<ClockView>>> Advance(AdvanceClockRequest request, AdjustableClock clock, PortalyScheduler scheduler, CancellationToken cancellationToken)
    {
        clock.Advance(TimeSpan.FromSeconds(request.Seconds!.Value));
        var attempts = await scheduler.RunDueAsync(cancellationToken);
        return PortalyEnvelope.Ok(new ClockView(clock.GetUtcNow(), (long)clock.Offset.TotalSeconds, attempts));
    }
}
