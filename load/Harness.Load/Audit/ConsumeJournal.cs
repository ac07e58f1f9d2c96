using System.Collections.Concurrent;
using Harness.Load.Target;

namespace Harness.Load.Audit;

/// <summary>What the target answered, over every attempt, for one idempotency key of one user.</summary>
public sealed class KeyHistory(string userId, string key, long tokens)
{
    private readonly Lock _gate = new();
    private readonly List<string> _ackedRecords = [];

    public string UserId { get; } = userId;

    public string Key { get; } = key;

    /// <summary>The pricing input sent with the key; a retry sends the same.</summary>
    public long Tokens { get; } = tokens;

    /// <summary>Coins the first acknowledgement reported.</summary>
    public long AckedCoins { get; private set; }

    /// <summary>Some attempt got no definite answer (timeout, connection lost, 5xx): it may or may not have been charged.</summary>
    public bool Uncertain { get; private set; }

    /// <summary>Record ids of every successful answer (first charge and replays); all must be the same record.</summary>
    public IReadOnlyList<string> AckedRecords
    {
        get
        {
            lock (_gate)
            {
                return [.. _ackedRecords];
            }
        }
    }

    public bool Acknowledged
    {
        get
        {
            lock (_gate)
            {
                return _ackedRecords.Count > 0;
            }
        }
    }

    internal void Answer(ConsumeReply reply)
    {
        lock (_gate)
        {
            if (reply.Ok)
            {
                if (_ackedRecords.Count == 0)
                {
                    AckedCoins = reply.Coins;
                }

                _ackedRecords.Add(reply.RecordId!);
            }
            else if ((int)reply.Status is < 400 or >= 500)
            {
                Uncertain = true; // a 4xx is a refusal (nothing charged); anything else leaves it open
            }
        }
    }

    internal void NoAnswer()
    {
        lock (_gate)
        {
            Uncertain = true;
        }
    }
}

/// <summary>
/// Every consume the runner sent and what came back, kept for the audit: an acknowledged key must be
/// charged exactly once, a refused key never, and nothing else may be charged. Recently acknowledged
/// keys are also offered for retries (the duplicates scenario).
/// </summary>
public sealed class ConsumeJournal
{
    private const int RetryWindow = 4096;

    private readonly ConcurrentDictionary<(string UserId, string Key), KeyHistory> _keys = new();
    private readonly KeyHistory?[] _recentlyAcked = new KeyHistory?[RetryWindow];
    private long _acked;

    public IEnumerable<KeyHistory> Keys => _keys.Values;

    public int Count => _keys.Count;

    /// <summary>Sends one consume and journals the outcome, whatever it is.</summary>
    public async Task<ConsumeReply> SendAsync(string userId, string key, long tokens, Func<Task<ConsumeReply>> send)
    {
        var history = _keys.GetOrAdd((userId, key), static (k, t) => new KeyHistory(k.UserId, k.Key, t), tokens);
        ConsumeReply reply;
        try
        {
            reply = await send();
        }
        catch
        {
            history.NoAnswer();
            throw;
        }

        history.Answer(reply);
        if (reply.Ok && !reply.Replayed)
        {
            _recentlyAcked[(Interlocked.Increment(ref _acked) - 1) % RetryWindow] = history;
        }

        return reply;
    }

    /// <summary>A recently acknowledged key to send again, or null before anything was acknowledged.</summary>
    public KeyHistory? PickAcknowledged(Random random)
    {
        var acked = Interlocked.Read(ref _acked);
        return acked == 0 ? null : _recentlyAcked[random.NextInt64(Math.Min(acked, RetryWindow))];
    }
}
