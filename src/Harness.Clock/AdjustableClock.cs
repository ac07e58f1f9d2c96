namespace Harness.Clock;

/// <summary>
/// A "now" that tests can move: a base clock (the system clock, or a frozen test clock) plus an offset that
/// only goes forward. The sandbox's control API and the backend's test clock move it; whatever reads it
/// (expiry, retention, retry schedules) sees the time pass at once.
/// </summary>
public sealed class AdjustableClock(TimeProvider baseClock) : TimeProvider
{
    private readonly object _sync = new();
    private TimeSpan _offset;
    private readonly Signal _changed = new();

    public TimeSpan Offset
    {
        get
        {
            lock (_sync)
            {
                return _offset;
            }
        }
    }

    public override DateTimeOffset GetUtcNow() => baseClock.GetUtcNow() + Offset;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <summary>Moves the clock forward and wakes everything waiting on it.</summary>
    public DateTimeOffset Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        lock (_sync)
        {
            _offset += by;
        }

        _changed.Fire();
        return GetUtcNow();
    }

    /// <summary>
    /// Waits until the clock reaches <paramref name="until"/>, whether by real time passing on the base clock or
    /// by <see cref="Advance"/>; <paramref name="wake"/>, when given, ends the wait early (new work arrived).
    /// </summary>
    public async Task WaitUntilAsync(DateTimeOffset until, Task? wake, CancellationToken cancellationToken)
    {
        // No wake-up source: a task that never completes (cancellation ends the wait through the delay below).
        wake ??= new TaskCompletionSource().Task;
        while (!cancellationToken.IsCancellationRequested && !wake.IsCompleted)
        {
            var changed = _changed.Next;
            var remaining = until - GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                return;
            }

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var delay = Task.Delay(remaining, baseClock, stop.Token);
            await Task.WhenAny(delay, changed, wake);
            await stop.CancelAsync();
        }
    }
}
