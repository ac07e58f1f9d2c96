namespace Harness.Portaly;

/// <summary>
/// Creation times for what Portaly lists newest first (plans, discount codes, emails): the clock's time to the
/// millisecond the store keeps, or a millisecond after the previous one handed out when that one took it. Two made in
/// the same millisecond would otherwise tie and list in id order, not the order they were made.
/// </summary>
public sealed class CreationTimes(TimeProvider clock)
{
    private readonly Lock _gate = new();
    private DateTimeOffset _last;

    public DateTimeOffset Next()
    {
        var now = clock.GetUtcNow();
        now = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMillisecond));
        lock (_gate)
        {
            _last = now > _last ? now : _last.AddMilliseconds(1);
            return _last;
        }
    }
}
