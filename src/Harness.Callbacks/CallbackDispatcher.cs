using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Text;
using Harness.Clock;
using Harness.Security;
using Harness.Storage;

namespace Harness.Callbacks;

/// <summary>
/// Stores callbacks and sends them when due on the injected clock: the first attempt when enqueued (or after a
/// chosen delay), then one retry per entry of the delivery's schedule until the receiver acknowledges it.
/// Each retry falls due relative to the previous attempt's due time, so moving a test clock forward by the whole
/// schedule makes every attempt happen in one <see cref="RunDueAsync"/>.
/// <para>
/// Attempts run concurrently within <see cref="DeliveryLimits"/> (in all and per receiver), so a slow or dead
/// receiver holds only its own slots; one subject's deliveries (a payment's events) go out one at a time, in
/// order. Each attempt is recorded as soon as it ends, and the records of attempts ending together share one
/// sync of the store. Enqueuing only stores the delivery: no provider API waits for a receiver.
/// </para>
/// </summary>
public sealed class CallbackDispatcher : IDisposable
{
    private const int MaxLoggedResponseChars = 4096;

    private readonly IDocumentStore _store;
    private readonly IDocumentCollection<CallbackDelivery> _deliveries;
    private readonly TimeProvider _clock;
    private readonly HttpClient _http;
    private readonly Dictionary<string, ICallbackSigner> _signers = new(StringComparer.Ordinal);
    private readonly TimeSpan _attemptTimeout;
    private readonly DueDeliveries _due;

    // One pump at a time: scheduled runs and clock advances must not start the same attempt twice.
    private readonly SemaphoreSlim _gate = new(1, 1);

    // A scheduled attempt and a resend of one delivery never overlap.
    private readonly KeyedLock _attempting = new();

    // Wakes the pump: an attempt ended or a delivery arrived.
    private readonly Signal _wake = new();
    private readonly StoredSequence _sequence;

    public CallbackDispatcher(IDocumentStore store, TimeProvider clock, HttpClient http, TimeSpan attemptTimeout, DeliveryLimits? limits = null)
    {
        limits ??= DeliveryLimits.Default;
        if (limits.Total < 1 || limits.PerReceiver < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(limits), limits, "Callback delivery needs at least one attempt in flight in all and per receiver.");
        }

        _store = store;
        _deliveries = store.Collection<CallbackDelivery>(
            "callback_deliveries", nameof(CallbackDelivery.PendingOrder), nameof(CallbackDelivery.Subject), nameof(CallbackDelivery.SequenceOrder));
        _clock = clock;
        _http = http;
        _attemptTimeout = attemptTimeout;
        _due = new DueDeliveries(limits);
        for (var pending = Pending(after: null); pending.Count > 0; pending = Pending(pending[^1]))
        {
            foreach (var delivery in pending.Where(d => d.NextAttemptAt is not null))
            {
                _due.Add(delivery);
            }
        }

        _sequence = new StoredSequence(store, "callback_deliveries", () => _deliveries.All().Select(d => d.Sequence).DefaultIfEmpty(0).Max());
    }

    /// <summary>Makes a signer available to deliveries that name it; register every signer before the first send.</summary>
    public void RegisterSigner(ICallbackSigner signer)
    {
        lock (_signers)
        {
            _signers.Add(signer.Name, signer);
        }
    }

    /// <summary>Raised after a delivery is stored, so a scheduler loop can wake up early.</summary>
    public event Action? Enqueued;

    /// <summary>Attempts in flight now.</summary>
    public int InFlight => _due.InFlight;

    /// <summary>Pending deliveries waiting for their next attempt.</summary>
    public int Waiting => _due.Waiting;

    /// <summary>
    /// Stores the delivery; its first attempt falls due after <paramref name="delay"/>. Inside a unit of the store
    /// (a payment and its callbacks written together) the pump learns of it only once the unit has committed: it
    /// reads the delivery from the store, and a rolled-back delivery must never be sent.
    /// </summary>
    public CallbackDelivery Enqueue(CallbackDelivery delivery, TimeSpan delay = default)
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        delivery.Id = string.IsNullOrEmpty(delivery.Id) ? "dlv_" + Secrets.RandomHex(12) : delivery.Id;
        delivery.Status = CallbackStatus.Pending;
        delivery.CreatedAt = now;
        delivery.NextAttemptAt = now + delay;
        _store.InTransaction(() =>
        {
            delivery.Sequence = _sequence.Next();
            _deliveries.Upsert(delivery);
            _store.OnCommitted(() =>
            {
                _due.Add(delivery);
                _wake.Fire();
                Enqueued?.Invoke();
            });
        });
        return delivery;
    }

    /// <summary>Stores the delivery as lost on the way: logged, never attempted unless resent by hand.</summary>
    public CallbackDelivery Drop(CallbackDelivery delivery)
    {
        delivery.Id = string.IsNullOrEmpty(delivery.Id) ? "dlv_" + Secrets.RandomHex(12) : delivery.Id;
        delivery.Status = CallbackStatus.Dropped;
        delivery.CreatedAt = _clock.GetUtcNow().UtcDateTime;
        delivery.NextAttemptAt = null;
        _store.InTransaction(() =>
        {
            delivery.Sequence = _sequence.Next();
            _deliveries.Upsert(delivery);
        });
        return delivery;
    }

    public CallbackDelivery? Get(string id) => _deliveries.Get(id);

    /// <summary>The deliveries about one subject (a payment, a session), oldest first.</summary>
    public IReadOnlyList<CallbackDelivery> List(string subject) =>
        [.. _deliveries.FindBy(nameof(CallbackDelivery.Subject), subject).OrderBy(d => d.Sequence)];

    /// <summary>Up to <paramref name="limit"/> deliveries, oldest first, after <paramref name="after"/> (null: from the first), read a page at a time.</summary>
    public IReadOnlyList<CallbackDelivery> Page(CallbackDelivery? after, int limit) =>
        _deliveries.Between(nameof(CallbackDelivery.SequenceOrder), after?.SequenceOrder, null, limit);

    /// <summary>The same newest first: up to <paramref name="limit"/> deliveries made before <paramref name="before"/> (null: from the newest).</summary>
    public IReadOnlyList<CallbackDelivery> Newest(CallbackDelivery? before, int limit) =>
        _deliveries.Between(nameof(CallbackDelivery.SequenceOrder), null, before?.SequenceOrder, limit, descending: true);

    private IReadOnlyList<CallbackDelivery> Pending(CallbackDelivery? after) =>
        _deliveries.Between(nameof(CallbackDelivery.PendingOrder), after?.PendingOrder, null, 1_000);

    /// <summary>When the earliest pending attempt falls due, or null if nothing is pending.</summary>
    public DateTimeOffset? NextDueAt() =>
        _due.NextDueAt() is { } next ? new DateTimeOffset(next, TimeSpan.Zero) : null;

    /// <summary>
    /// Makes every attempt that is due now, including retries that fall due during the catch-up and deliveries
    /// enqueued while it runs, and returns once none is due or in flight. Returns how many were made.
    /// </summary>
    public async Task<int> RunDueAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        var ended = new ConcurrentQueue<(DueDeliveries.Started Attempt, bool Sent, Exception? Error)>();
        var busySubjects = new HashSet<string>(StringComparer.Ordinal);
        var running = 0;
        var made = 0;
        try
        {
            while (true)
            {
                var wake = _wake.Next; // taken first: an attempt ending or a delivery arriving after this wakes the wait below
                while (ended.TryDequeue(out var result))
                {
                    running--;
                    made += result.Sent ? 1 : 0;
                    busySubjects.Remove(result.Attempt.Subject);
                    _due.Finished(result.Attempt);
                    if (result.Error is not null)
                    {
                        ExceptionDispatchInfo.Throw(result.Error);
                    }
                }

                foreach (var started in _due.TakeDue(_clock.GetUtcNow().UtcDateTime, busySubjects))
                {
                    busySubjects.Add(started.Subject);
                    running++;
                    _ = AttemptAsync(started, ended, cancellationToken);
                }

                if (running == 0)
                {
                    return made;
                }

                if (ended.IsEmpty)
                {
                    await wake;
                }
            }
        }
        finally
        {
            // Left by an error or a cancellation: the attempts still running end on their own, and free their slots.
            while (running > 0)
            {
                var wake = _wake.Next;
                while (ended.TryDequeue(out var result))
                {
                    running--;
                    _due.Finished(result.Attempt);
                }

                if (running > 0)
                {
                    await wake;
                }
            }

            _gate.Release();
        }
    }

    /// <summary>
    /// Sends the delivery once more now, outside its schedule (the dashboards' "resend"). An acknowledged resend
    /// settles a pending or exhausted delivery; a failed one leaves its schedule as it was.
    /// </summary>
    public async Task<CallbackAttempt?> ResendAsync(string id, CancellationToken cancellationToken = default)
    {
        using var held = await _attempting.AcquireAsync(id, cancellationToken);
        if (_deliveries.Get(id) is not { } delivery)
        {
            return null;
        }

        var attempt = await SendAsync(delivery, "resend", cancellationToken);
        if (attempt.Acknowledged)
        {
            delivery.Status = CallbackStatus.Delivered;
            delivery.NextAttemptAt = null;
            _due.Remove(id);
        }

        await _store.InTransactionAsync(() => _deliveries.Upsert(delivery));
        return attempt;
    }

    /// <summary>One scheduled attempt: sent, recorded, and scheduled again when it failed and retries are left; its end is queued for the pump.</summary>
    private async Task AttemptAsync(DueDeliveries.Started started, ConcurrentQueue<(DueDeliveries.Started, bool, Exception?)> ended, CancellationToken cancellationToken)
    {
        await Task.Yield(); // the pump goes on starting others while this one sends
        Exception? error = null;
        var sent = false;
        try
        {
            using var held = await _attempting.AcquireAsync(started.Id, cancellationToken);
            sent = await AttemptAsync(started.Id, cancellationToken);
        }
        catch (Exception ex)
        {
            error = ex;
        }

        try
        {
            // Due again: a retry, or the same attempt when this one was cancelled or could not be recorded (the store still says pending).
            if (_deliveries.Get(started.Id) is { Status: CallbackStatus.Pending, NextAttemptAt: not null } stillPending)
            {
                _due.Add(stillPending);
            }
        }
        catch (Exception ex)
        {
            error ??= ex;
        }

        ended.Enqueue((started, sent, error));
        _wake.Fire();
    }

    /// <summary>Sends the delivery's due attempt and records it; false when a resend settled it meanwhile (nothing sent).</summary>
    private async Task<bool> AttemptAsync(string id, CancellationToken cancellationToken)
    {
        if (_deliveries.Get(id) is not { Status: CallbackStatus.Pending, NextAttemptAt: { } dueAt } delivery)
        {
            return false;
        }

        var attempt = await SendAsync(delivery, "schedule", cancellationToken);
        delivery.ScheduledAttempts++;
        if (attempt.Acknowledged)
        {
            delivery.Status = CallbackStatus.Delivered;
            delivery.NextAttemptAt = null;
        }
        else if (delivery.ScheduledAttempts <= delivery.RetryDelaysSeconds.Count)
        {
            delivery.NextAttemptAt = dueAt.AddSeconds(delivery.RetryDelaysSeconds[delivery.ScheduledAttempts - 1]);
        }
        else
        {
            delivery.Status = CallbackStatus.Exhausted;
            delivery.NextAttemptAt = null;
        }

        await _store.InTransactionAsync(() => _deliveries.Upsert(delivery));
        return true;
    }

    private async Task<CallbackAttempt> SendAsync(CallbackDelivery delivery, string trigger, CancellationToken cancellationToken)
    {
        var headers = new Dictionary<string, string>(delivery.Headers, StringComparer.OrdinalIgnoreCase);
        var requestBody = delivery.Body;
        if (delivery.Signer is { } signerName)
        {
            ICallbackSigner signer;
            lock (_signers)
            {
                signer = _signers[signerName];
            }

            requestBody = signer.Body(delivery);
            signer.Sign(delivery, headers);
        }

        var attempt = new CallbackAttempt
        {
            Number = delivery.Attempts.Count + 1,
            Trigger = trigger,
            At = _clock.GetUtcNow().UtcDateTime,
            Method = delivery.Method,
            Url = delivery.Url,
            RequestHeaders = headers,
            RequestBody = requestBody,
        };

        var stopwatch = Stopwatch.StartNew();
        var deadline = delivery.AttemptTimeoutSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : _attemptTimeout;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(deadline);
        try
        {
            using var request = Request(delivery, headers, requestBody);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            attempt.ResponseStatus = (int)response.StatusCode;
            attempt.ResponseBody = body.Length > MaxLoggedResponseChars ? body[..MaxLoggedResponseChars] : body;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            attempt.Error = $"no response within {deadline.TotalSeconds:0.###} s";
        }
        catch (HttpRequestException ex)
        {
            attempt.Error = ex.Message;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A URL no HTTP client can send to (ftp:, mailto:, not absolute) is a failed attempt like any other, retried
            // on schedule: unrecorded, it would stay due at the same past moment and the pump would spin on it.
            attempt.Error = $"{ex.GetType().Name}: {ex.Message}";
        }

        attempt.LatencyMs = stopwatch.ElapsedMilliseconds;
        attempt.Acknowledged = delivery.Acknowledgement.IsSatisfiedBy(attempt.ResponseStatus, attempt.ResponseBody);
        delivery.Attempts.Add(attempt);
        return attempt;
    }

    private static HttpRequestMessage Request(CallbackDelivery delivery, Dictionary<string, string> headers, byte[] body)
    {
        var request = new HttpRequestMessage(new HttpMethod(delivery.Method), delivery.Url);
        if (body.Length > 0)
        {
            request.Content = new ByteArrayContent(body);
        }

        foreach (var (name, value) in headers)
        {
            // Content headers (Content-Type) belong to the content; everything else to the request.
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return request;
    }

    public void Dispose() => _gate.Dispose();

    /// <summary>The body as text, for logs and APIs (bodies are JSON or form text).</summary>
    public static string BodyText(byte[] body) => Encoding.UTF8.GetString(body);
}
