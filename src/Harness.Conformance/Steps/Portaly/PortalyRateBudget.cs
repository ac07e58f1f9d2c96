using System.Collections.Concurrent;

namespace Harness.Conformance.Steps.Portaly;

/// <summary>
/// What the runner has sent per API key (and per operator token) in the last minute, across scenarios: Portaly limits
/// each key to 120 reads and 20 writes per one-minute window (10 key creations per operator token), so a run that
/// plays many merchants one after another waits, as a careful merchant would, rather than be refused. A sliding
/// minute of at most N requests never puts more than N into any fixed window.
/// </summary>
public static class PortalyRateBudget
{
    public const int Reads = 120;
    public const int Writes = 20;
    public const int KeyCreations = 10;

    /// <summary>
    /// More than the window: a target's fixed windows may run long (ASP.NET Core's limiter starts the next window on the
    /// first timer tick after the minute, seconds late on a busy machine), and a sliding minute only keeps N in every
    /// fixed window no longer than itself.
    /// </summary>
    private static readonly TimeSpan Minute = TimeSpan.FromSeconds(66);

    private static readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> Sent = new(StringComparer.Ordinal);

    /// <summary>Waits until one more request fits the bucket's limit, then counts it.</summary>
    public static async Task TakeAsync(string bucket, int limit, CancellationToken cancellationToken)
    {
        var sent = Sent.GetOrAdd(bucket, _ => new Queue<DateTimeOffset>());
        while (true)
        {
            TimeSpan wait;
            lock (sent)
            {
                var now = DateTimeOffset.UtcNow;
                while (sent.Count > 0 && now - sent.Peek() >= Minute)
                {
                    sent.Dequeue();
                }

                if (sent.Count < limit)
                {
                    sent.Enqueue(now);
                    return;
                }

                wait = sent.Peek() + Minute - now;
            }

            await Task.Delay(wait, cancellationToken);
        }
    }

    /// <summary>How many requests the bucket has had in the last minute.</summary>
    public static int Used(string bucket)
    {
        if (!Sent.TryGetValue(bucket, out var sent))
        {
            return 0;
        }

        lock (sent)
        {
            return sent.Count(at => DateTimeOffset.UtcNow - at < Minute);
        }
    }

    /// <summary>Counts a request sent without waiting (the scenario that trips the limit on purpose).</summary>
    public static void Count(string bucket)
    {
        var sent = Sent.GetOrAdd(bucket, _ => new Queue<DateTimeOffset>());
        lock (sent)
        {
            sent.Enqueue(DateTimeOffset.UtcNow);
        }
    }
}
