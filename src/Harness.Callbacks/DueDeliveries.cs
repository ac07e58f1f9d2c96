namespace Harness.Callbacks;

/// <summary>
/// Which pending deliveries fall due when, per receiver (a URL's host and port), in memory: the store
/// holds the deliveries, this holds only their due times, so finding the next due one costs no scan of
/// the store. It also counts each receiver's attempts in flight, which the limits bound. Thread-safe.
/// </summary>
internal sealed class DueDeliveries(DeliveryLimits limits)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Receiver> _receivers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (Receiver Receiver, Due Item)> _byId = new(StringComparer.Ordinal);
    private int _inFlight;

    /// <summary>How many attempts are in flight in all.</summary>
    public int InFlight
    {
        get
        {
            lock (_lock)
            {
                return _inFlight;
            }
        }
    }

    /// <summary>How many deliveries wait for an attempt.</summary>
    public int Waiting
    {
        get
        {
            lock (_lock)
            {
                return _byId.Count;
            }
        }
    }

    /// <summary>Schedules (or reschedules) the pending delivery's next attempt.</summary>
    public void Add(CallbackDelivery delivery)
    {
        lock (_lock)
        {
            RemoveLocked(delivery.Id);
            var receiver = ReceiverLocked(ReceiverOf(delivery.Url));
            var item = new Due(delivery.NextAttemptAt!.Value, delivery.Sequence, delivery.Id, delivery.Subject);
            receiver.Waiting.Add(item);
            _byId[delivery.Id] = (receiver, item);
        }
    }

    /// <summary>Forgets the delivery's next attempt (it was settled outside its schedule).</summary>
    public void Remove(string id)
    {
        lock (_lock)
        {
            RemoveLocked(id);
        }
    }

    public DateTime? NextDueAt()
    {
        lock (_lock)
        {
            DateTime? next = null;
            foreach (var receiver in _receivers.Values)
            {
                if (receiver.Waiting.Count > 0 && (next is null || receiver.Waiting.Min.At < next))
                {
                    next = receiver.Waiting.Min.At;
                }
            }

            return next;
        }
    }

    /// <summary>
    /// Takes the deliveries due at <paramref name="now"/> that may start within the limits, earliest first per
    /// receiver, none of a subject in <paramref name="busySubjects"/> (so one payment's events go out in order);
    /// each taken one holds a slot until <see cref="Finished"/>.
    /// </summary>
    public List<Started> TakeDue(DateTime now, IReadOnlySet<string> busySubjects)
    {
        var taken = new List<Started>();
        var subjects = new HashSet<string>(StringComparer.Ordinal);
        lock (_lock)
        {
            foreach (var (name, receiver) in _receivers)
            {
                var chosen = new List<Due>();
                foreach (var item in receiver.Waiting)
                {
                    if (item.At > now || _inFlight + chosen.Count >= limits.Total || receiver.InFlight + chosen.Count >= limits.PerReceiver)
                    {
                        break;
                    }

                    if (!busySubjects.Contains(item.Subject) && subjects.Add(item.Subject))
                    {
                        chosen.Add(item);
                    }
                }

                foreach (var item in chosen)
                {
                    receiver.Waiting.Remove(item);
                    _byId.Remove(item.Id);
                    taken.Add(new Started(item.Id, item.Subject, name));
                }

                receiver.InFlight += chosen.Count;
                _inFlight += chosen.Count;
            }
        }

        return taken;
    }

    /// <summary>Frees the slot an attempt held.</summary>
    public void Finished(Started attempt)
    {
        lock (_lock)
        {
            _receivers[attempt.Receiver].InFlight--;
            _inFlight--;
        }
    }

    private void RemoveLocked(string id)
    {
        if (_byId.Remove(id, out var found))
        {
            found.Receiver.Waiting.Remove(found.Item);
        }
    }

    private Receiver ReceiverLocked(string name)
    {
        if (!_receivers.TryGetValue(name, out var receiver))
        {
            receiver = _receivers[name] = new Receiver();
        }

        return receiver;
    }

    /// <summary>What the limits count as one receiver: the URL's scheme, host and port.</summary>
    private static string ReceiverOf(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant() : url;

    /// <param name="Id">The delivery.</param>
    /// <param name="Subject">What it is about (its events go out one at a time).</param>
    /// <param name="Receiver">Whose slot it holds.</param>
    internal sealed record Started(string Id, string Subject, string Receiver);

    /// <summary>A due attempt, ordered by time and then by the order deliveries were made.</summary>
    private readonly record struct Due(DateTime At, long Sequence, string Id, string Subject) : IComparable<Due>
    {
        public int CompareTo(Due other) => At != other.At ? At.CompareTo(other.At) : Sequence.CompareTo(other.Sequence);
    }

    private sealed class Receiver
    {
        public SortedSet<Due> Waiting { get; } = [];

        public int InFlight { get; set; }
    }
}

/// <summary>How many callback attempts may be in flight: in all, and to one receiver (scheme, host and port).</summary>
public sealed record DeliveryLimits(int Total, int PerReceiver)
{
    /// <summary>Enough to keep a fast local receiver busy without opening hundreds of connections to a slow one.</summary>
    public static DeliveryLimits Default { get; } = new(128, 32);
}
