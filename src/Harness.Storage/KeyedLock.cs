namespace Harness.Storage;

/// <summary>
/// Mutual exclusion per key (a user, an order) within this process. Idle keys are released so the
/// table does not grow with every key ever used.
/// </summary>
public sealed class KeyedLock : IKeyedLock
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public async ValueTask<IDisposable> AcquireAsync(string key, CancellationToken cancellationToken = default)
    {
        var entry = Enter(key);
        try
        {
            await entry.Gate.WaitAsync(cancellationToken);
        }
        catch
        {
            Release(key, entry, wasHeld: false);
            throw;
        }

        return new Releaser(this, key, entry);
    }

    public IDisposable? TryAcquire(string key)
    {
        var entry = Enter(key);
        if (entry.Gate.Wait(0))
        {
            return new Releaser(this, key, entry);
        }

        Release(key, entry, wasHeld: false);
        return null;
    }

    /// <summary>The key's entry, counted as held or awaited until <see cref="Release"/>.</summary>
    private Entry Enter(string key)
    {
        lock (_entries)
        {
            if (!_entries.TryGetValue(key, out var entry))
            {
                entry = new Entry();
                _entries[key] = entry;
            }

            entry.Holders++;
            return entry;
        }
    }

    private void Release(string key, Entry entry, bool wasHeld)
    {
        lock (_entries)
        {
            if (--entry.Holders == 0)
            {
                _entries.Remove(key);
            }
        }

        if (wasHeld)
        {
            entry.Gate.Release();
        }
    }

    private sealed class Entry
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public int Holders { get; set; }
    }

    private sealed class Releaser(KeyedLock owner, string key, Entry entry) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.Release(key, entry, wasHeld: true);
            }
        }
    }
}
