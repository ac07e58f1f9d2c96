namespace Harness.Storage;

/// <summary>
/// Mutual exclusion per key. In one process it is <see cref="KeyedLock"/>; a scale-out deployment needs a lock that
/// every instance shares (as it needs a shared document store), so capabilities depend on this, not on the class.
/// </summary>
public interface IKeyedLock
{
    /// <summary>Waits for <paramref name="key"/>; disposing the result releases it.</summary>
    ValueTask<IDisposable> AcquireAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Takes <paramref name="key"/> if it is free now; null while another holds it.</summary>
    IDisposable? TryAcquire(string key);
}
