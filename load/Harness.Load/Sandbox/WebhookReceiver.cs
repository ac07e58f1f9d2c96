using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Harness.Launcher;

namespace Harness.Load.Sandbox;

/// <summary>How the runner's webhook receiver answers (<c>--receiver</c>).</summary>
public enum ReceiverBehaviour
{
    /// <summary>200 at once.</summary>
    Healthy,

    /// <summary>200 after <see cref="ReceiverMode.Delay"/>.</summary>
    Slow,

    /// <summary>Takes the request and never answers: the sandbox's attempt runs into its callback timeout.</summary>
    Down,
}

/// <summary>The receiver's behaviour; only a healthy receiver must get every event during the run.</summary>
public sealed record ReceiverMode(ReceiverBehaviour Behaviour, TimeSpan Delay)
{
    public static ReceiverMode Healthy { get; } = new(ReceiverBehaviour.Healthy, TimeSpan.Zero);

    /// <summary>Whether the delivery audit requires every expected event to arrive.</summary>
    public bool RequiresArrival => Behaviour == ReceiverBehaviour.Healthy;

    /// <summary><c>healthy</c>, <c>slow=2s</c> (any duration <see cref="LoadOptions.ParseDuration"/> reads) or <c>down</c>.</summary>
    public static ReceiverMode Parse(string value) => value switch
    {
        "healthy" => Healthy,
        "down" => new(ReceiverBehaviour.Down, TimeSpan.Zero),
        _ when value.StartsWith("slow=", StringComparison.Ordinal) => new(ReceiverBehaviour.Slow, LoadOptions.ParseDuration("--receiver slow", value["slow=".Length..])),
        _ => throw new ArgumentException($"--receiver must be healthy, slow=DURATION (e.g. slow=2s) or down, got '{value}'"),
    };

    public override string ToString() => Behaviour switch
    {
        ReceiverBehaviour.Slow => string.Create(CultureInfo.InvariantCulture, $"slow (200 after {Delay.TotalSeconds:0.###} s)"),
        ReceiverBehaviour.Down => "down (takes each request and never answers)",
        _ => "healthy (200 at once)",
    };
}

/// <summary>One webhook as it reached the receiver: the Stripe event's id and type, the object it is about, and when it came.</summary>
/// <param name="EventId">The event's <c>id</c> (<c>evt_…</c>); null when the body was not an event.</param>
/// <param name="Type">The event's <c>type</c>, e.g. <c>checkout.session.completed</c>.</param>
/// <param name="ObjectId">The <c>data.object.id</c>: the session (<c>cs_…</c>) or the payment intent (<c>pi_…</c>).</param>
/// <param name="PaymentIntent">A session's <c>data.object.payment_intent</c>: how a <c>payment_intent.succeeded</c> is tied to its payment.</param>
/// <param name="ArrivedTicks">Stopwatch timestamp of the arrival.</param>
/// <param name="ArrivedUnixMs">The same instant on the wall clock.</param>
/// <param name="SignatureValid">Whether <c>Stripe-Signature</c> carried a valid <c>v1</c> for the body, as a merchant checks it; null when the receiver had no secret to check with.</param>
public sealed record WebhookArrival(string? EventId, string? Type, string? ObjectId, string? PaymentIntent, long ArrivedTicks, long ArrivedUnixMs, bool? SignatureValid = null);

/// <summary>
/// The webhook endpoint of a pay-and-deliver run, in the runner's own process: an <see cref="HttpListener"/>
/// on a free loopback port that records every request it gets and answers it as <see cref="ReceiverMode"/> says
/// (a healthy one as soon as the event is recorded).
/// Given the webhook secret, it checks each <c>Stripe-Signature</c> as a merchant's endpoint would.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly ReceiverMode _mode;
    private readonly byte[]? _secret;
    private readonly ConcurrentQueue<WebhookArrival> _arrivals = new();
    private readonly ConcurrentBag<HttpListenerContext> _unanswered = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private WebhookReceiver(HttpListener listener, int port, ReceiverMode mode, string? secret)
    {
        _listener = listener;
        _mode = mode;
        _secret = secret is null ? null : Encoding.UTF8.GetBytes(secret);
        Url = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/stripe"));
        _loop = Task.Run(AcceptAsync);
    }

    /// <summary>Where the sandbox is to send Stripe's webhooks.</summary>
    public Uri Url { get; }

    public ReceiverMode Mode => _mode;

    /// <summary>How many requests arrived so far.</summary>
    public int Count => _arrivals.Count;

    /// <summary>Every request so far, in arrival order.</summary>
    public IReadOnlyList<WebhookArrival> Arrivals => [.. _arrivals];

    /// <summary>Listens on a free loopback port (another one when the chosen port was taken meanwhile); checks signatures with <paramref name="secret"/> when given.</summary>
    public static WebhookReceiver Start(ReceiverMode mode, string? secret = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = HarnessProcess.FreePort();
            var listener = new HttpListener();
            listener.Prefixes.Add(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/"));
            try
            {
                listener.Start();
                return new WebhookReceiver(listener, port, mode, secret);
            }
            catch (HttpListenerException) when (attempt < 3)
            {
                listener.Close();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Close();
        foreach (var context in _unanswered)
        {
            context.Response.Abort();
        }

        await _loop;
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return; // closed
            }

            _ = HandleAsync(context, Stopwatch.GetTimestamp(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        }
    }

    private async Task HandleAsync(HttpListenerContext context, long arrivedTicks, long arrivedUnixMs)
    {
        try
        {
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body, _stop.Token);
            var bytes = body.ToArray();
            // Recorded before the answer (a few microseconds): whoever got the answer finds the event recorded.
            _arrivals.Enqueue(Read(bytes, arrivedTicks, arrivedUnixMs) with { SignatureValid = _secret is null ? null : SignedBy(_secret, context.Request.Headers["Stripe-Signature"], bytes) });
            switch (_mode.Behaviour)
            {
                case ReceiverBehaviour.Healthy:
                    Answer(context);
                    break;
                case ReceiverBehaviour.Slow:
                    await Task.Delay(_mode.Delay, _stop.Token);
                    Answer(context);
                    break;
                case ReceiverBehaviour.Down:
                    _unanswered.Add(context);
                    break;
            }
        }
        catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The sandbox gave up on the attempt, or the run is over: nothing to answer.
        }
    }

    private static void Answer(HttpListenerContext context)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentLength64 = 0;
        context.Response.Close();
    }

    /// <summary>Stripe's scheme: <c>t=&lt;unix&gt;,v1=&lt;hex HMAC-SHA256(secret, "t.body")&gt;</c>; any one matching <c>v1</c> will do.</summary>
    internal static bool SignedBy(byte[] secret, string? header, byte[] body)
    {
        var parts = (header ?? "").Split(',', StringSplitOptions.TrimEntries).Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToList();
        if (parts.FirstOrDefault(p => p[0] == "t")?[1] is not { } timestamp)
        {
            return false;
        }

        byte[] signed = [.. Encoding.UTF8.GetBytes(timestamp + "."), .. body];
        var expected = HMACSHA256.HashData(secret, signed);
        return parts.Where(p => p[0] == "v1").Any(p => CryptographicOperations.FixedTimeEquals(expected, FromHex(p[1])));

        static byte[] FromHex(string hex)
        {
            try
            {
                return Convert.FromHexString(hex);
            }
            catch (FormatException)
            {
                return [];
            }
        }
    }

    /// <summary>The fields the audit needs from a Stripe event; a body that is not one is still an arrival, with no id.</summary>
    internal static WebhookArrival Read(byte[] body, long arrivedTicks, long arrivedUnixMs)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            var data = root.TryGetProperty("data", out var d) && d.TryGetProperty("object", out var o) ? o : default;
            return new WebhookArrival(Str(root, "id"), Str(root, "type"), Str(data, "id"), Str(data, "payment_intent"), arrivedTicks, arrivedUnixMs);
        }
        catch (JsonException)
        {
            return new WebhookArrival(null, null, null, null, arrivedTicks, arrivedUnixMs);
        }

        static string? Str(JsonElement element, string name) =>
            element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }
}
