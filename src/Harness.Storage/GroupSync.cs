namespace Harness.Storage;

/// <summary>
/// Makes writes durable with as few syncs as concurrent writers allow: a writer whose data has reached
/// the operating system calls <see cref="WaitDurable"/>, and a sync that starts after that covers it. While
/// one sync runs, the writers arriving behind it share the next one, so N concurrent commits cost about
/// two syncs rather than N, and each still returns only once its own data is on disk.
/// </summary>
internal sealed class GroupSync(Action sync)
{
    private readonly Lock _syncing = new();
    private long _written;
    private long _durable;
    private long _syncs;

    /// <summary>Writes announced so far.</summary>
    public long Written => Volatile.Read(ref _written);

    /// <summary>Syncs made so far.</summary>
    public long Syncs => Volatile.Read(ref _syncs);

    /// <summary>Returns once everything the caller wrote before calling is durable; throws what the sync threw.</summary>
    public void WaitDurable()
    {
        var mine = Interlocked.Increment(ref _written);
        lock (_syncing)
        {
            // A sync that began after this write was announced covered it.
            if (Volatile.Read(ref _durable) >= mine)
            {
                return;
            }

            var upTo = Volatile.Read(ref _written);
            sync();
            Interlocked.Increment(ref _syncs);
            Volatile.Write(ref _durable, upTo);
        }
    }
}
