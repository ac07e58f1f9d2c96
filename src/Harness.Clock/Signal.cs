namespace Harness.Clock;

/// <summary>
/// A wake-up that can be waited for again after it fired: take <see cref="Next"/> before looking at the
/// state it guards, and a <see cref="Fire"/> after that look completes it, so no change is missed.
/// </summary>
public sealed class Signal
{
    private readonly Lock _lock = new();
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next <see cref="Fire"/>.</summary>
    public Task Next
    {
        get
        {
            lock (_lock)
            {
                return _next.Task;
            }
        }
    }

    public void Fire()
    {
        TaskCompletionSource fired;
        lock (_lock)
        {
            fired = _next;
            _next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        fired.TrySetResult();
    }
}
