using System.Diagnostics;
using System.Text;
using Harness.Security;
using Harness.Storage;

namespace Harness.Callbacks;

/// <summary>
/// Stores callbacks and sends them when due on the injected clock: the first attempt when enqueued (or after a
/// chosen delay), then one retry per entry of the delivery's schedule until the receiver acknowledges it.
/// Each retry falls due relative to the previous attempt's due time, so moving a test clock forward by the whole
/// schedule makes every attempt happen in one <see cref="RunDueAsync"/>.
/// </summary>
public sealed class CallbackDispatcher : IDisposable
{
    private const int MaxLoggedResponseChars = 4096;

    private readonly IDocumentCollection<CallbackDelivery> _deliveries;
    private readonly TimeProvider _clock;
    private readonly HttpClient _http;
    private readonly Dictionary<string, ICallbackSigner> _signers = new(StringComparer.Ordinal);
    private readonly TimeSpan _attemptTimeout;

    // One sender at a time: scheduled runs, clock advances and resends must not attempt the same delivery twice.
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _sequence;

    public CallbackDispatcher(IDocumentStore store, TimeProvider clock, HttpClient http, TimeSpan attemptTimeout)
    {
        _deliveries = store.Collection<CallbackDelivery>("callback_deliveries", nameof(CallbackDelivery.Status), nameof(CallbackDelivery.Subject));
        _clock = clock;
        _http = http;
        _attemptTimeout = attemptTimeout;
        _sequence = _deliveries.All().Select(d => d.Sequence).DefaultIfEmpty(0).Max();
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

    /// <summary>Stores the delivery; its first attempt falls due after <paramref name="delay"/>.</summary>
    public CallbackDelivery Enqueue(CallbackDelivery delivery, TimeSpan delay = default)
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        delivery.Id = string.IsNullOrEmpty(delivery.Id) ? "dlv_" + Secrets.RandomHex(12) : delivery.Id;
        delivery.Sequence = Interlocked.Increment(ref _sequence);
        delivery.Status = CallbackStatus.Pending;
        delivery.CreatedAt = now;
        delivery.NextAttemptAt = now + delay;
        _deliveries.Upsert(delivery);
        Enqueued?.Invoke();
        return delivery;
    }

    /// <summary>Stores the delivery as lost on the way: logged, never attempted unless resent by hand.</summary>
    public CallbackDelivery Drop(CallbackDelivery delivery)
    {
        delivery.Id = string.IsNullOrEmpty(delivery.Id) ? "dlv_" + Secrets.RandomHex(12) : delivery.Id;
        delivery.Sequence = Interlocked.Increment(ref _sequence);
        delivery.Status = CallbackStatus.Dropped;
        delivery.CreatedAt = _clock.GetUtcNow().UtcDateTime;
        delivery.NextAttemptAt = null;
        _deliveries.Upsert(delivery);
        return delivery;
    }

    public CallbackDelivery? Get(string id) => _deliveries.Get(id);

    /// <summary>All deliveries, or those about one subject, oldest first.</summary>
    public IReadOnlyList<CallbackDelivery> List(string? subject = null) =>
        [.. (subject is null ? _deliveries.All() : _deliveries.FindBy(nameof(CallbackDelivery.Subject), subject)).OrderBy(d => d.Sequence)];

    /// <summary>When the earliest pending attempt falls due, or null if nothing is pending.</summary>
    public DateTimeOffset? NextDueAt() =>
        Pending().Select(d => (DateTimeOffset?)new DateTimeOffset(d.NextAttemptAt!.Value, TimeSpan.Zero)).Min();

    /// <summary>Makes every attempt that is due now, including retries that fall due during the catch-up. Returns how many were made.</summary>
    public async Task<int> RunDueAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var made = 0;
            while (true)
            {
                var now = _clock.GetUtcNow().UtcDateTime;
                var due = Pending()
                    .Where(d => d.NextAttemptAt <= now)
                    .OrderBy(d => d.NextAttemptAt)
                    .ThenBy(d => d.Sequence)
                    .FirstOrDefault();
                if (due is null)
                {
                    return made;
                }

                var attempt = await SendAsync(due, "schedule", cancellationToken);
                due.ScheduledAttempts++;
                if (attempt.Acknowledged)
                {
                    due.Status = CallbackStatus.Delivered;
                    due.NextAttemptAt = null;
                }
                else if (due.ScheduledAttempts <= due.RetryDelaysSeconds.Count)
                {
                    due.NextAttemptAt = due.NextAttemptAt!.Value.AddSeconds(due.RetryDelaysSeconds[due.ScheduledAttempts - 1]);
                }
                else
                {
                    due.Status = CallbackStatus.Exhausted;
                    due.NextAttemptAt = null;
                }

                _deliveries.Upsert(due);
                made++;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Sends the delivery once more now, outside its schedule (the dashboards' "resend"). An acknowledged resend
    /// settles a pending or exhausted delivery; a failed one leaves its schedule as it was.
    /// </summary>
    public async Task<CallbackAttempt?> ResendAsync(string id, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_deliveries.Get(id) is not { } delivery)
            {
                return null;
            }

            var attempt = await SendAsync(delivery, "resend", cancellationToken);
            if (attempt.Acknowledged)
            {
                delivery.Status = CallbackStatus.Delivered;
                delivery.NextAttemptAt = null;
            }

            _deliveries.Upsert(delivery);
            return attempt;
        }
        finally
        {
            _gate.Release();
        }
    }

    private IEnumerable<CallbackDelivery> Pending() =>
        _deliveries.FindBy(nameof(CallbackDelivery.Status), nameof(CallbackStatus.Pending)).Where(d => d.NextAttemptAt is not null);

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

        using var request = new HttpRequestMessage(new HttpMethod(delivery.Method), delivery.Url);
        if (requestBody.Length > 0)
        {
            request.Content = new ByteArrayContent(requestBody);
        }

        foreach (var (name, value) in headers)
        {
            // Content headers (Content-Type) belong to the content; everything else to the request.
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, value);
            }
        }

        var stopwatch = Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_attemptTimeout);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            attempt.ResponseStatus = (int)response.StatusCode;
            attempt.ResponseBody = body.Length > MaxLoggedResponseChars ? body[..MaxLoggedResponseChars] : body;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            attempt.Error = $"no response within {_attemptTimeout.TotalSeconds:0} s";
        }
        catch (HttpRequestException ex)
        {
            attempt.Error = ex.Message;
        }

        attempt.LatencyMs = stopwatch.ElapsedMilliseconds;
        attempt.Acknowledged = delivery.Acknowledgement.IsSatisfiedBy(attempt.ResponseStatus, attempt.ResponseBody);
        delivery.Attempts.Add(attempt);
        return attempt;
    }

    public void Dispose() => _gate.Dispose();

    /// <summary>The body as text, for logs and APIs (bodies are JSON or form text).</summary>
    public static string BodyText(byte[] body) => Encoding.UTF8.GetString(body);
}
