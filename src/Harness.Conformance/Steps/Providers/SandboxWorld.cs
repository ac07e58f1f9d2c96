using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// What a provider scenario shares: the sandbox's control API (credentials, payments, deliveries, clock, faults),
/// the merchant's receiver, the payment under test and the last answer. Settings and faults the scenario
/// changes are put back when it ends, so scenarios stay independent on a shared sandbox.
/// </summary>
public sealed class SandboxWorld(ScenarioContext context) : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly List<string> _faults = [];
    private readonly List<(HttpMethod Method, string Url, string? Bearer)> _undo = [];
    private readonly Dictionary<string, Dictionary<string, string?>> _originalSettings = new(StringComparer.Ordinal);
    private JsonElement? _providers;
    private MerchantReceiver? _receiver;

    /// <summary>Creates the provider's usual payment when a step pays before any was created.</summary>
    public Func<Task<string>>? NewPayment { get; set; }

    public string? PaymentId { get; set; }

    /// <summary>The China day whose bills a scenario asks for: the day the clock left when it moved to the next one.</summary>
    public DateOnly? BillDay { get; set; }

    public DateOnly TheBillDay => BillDay ?? throw new AssertionException("the scenario has not moved the clock to the next day yet");

    /// <summary>The last answer of a provider API or the control API.</summary>
    public WireReply? LastReply { get; set; }

    public WireReply Last => LastReply ?? throw new AssertionException("no request has been sent yet");

    /// <summary>The pay page's answer to the buyer's last click.</summary>
    public WireReply? PayPage { get; set; }

    public MerchantReceiver Receiver => _receiver ??= MerchantReceiver.Start();

    /// <summary>What the receiver got, once every callback due has been sent (deliveries are made in the background).</summary>
    public async Task<IReadOnlyList<ReceivedRequest>> ReceivedAsync()
    {
        await RunDueAsync();
        return Receiver.Received;
    }

    public async Task<ReceivedRequest> FirstReceivedAsync() =>
        await ReceivedAsync() is { Count: > 0 } received ? received[0] : throw new AssertionException("the receiver got nothing");

    /// <summary>The first webhook of an event type the receiver got.</summary>
    public async Task<ReceivedRequest> EventAsync(string type)
    {
        var received = await ReceivedAsync();
        return received.FirstOrDefault(r => EventType(r) == type)
            ?? throw new AssertionException($"the receiver got no {type} event; it got: {string.Join(", ", received.Select(EventType))}");
    }

    public string ControlUrl => (context.Profile.SandboxUrl ?? throw new AssertionException("the profile has no sandboxUrl")).TrimEnd('/');

    public string PayPageUrl(string paymentId) => $"{ControlUrl}/pay/{Uri.EscapeDataString(paymentId)}";

    public async Task<WireReply> SendAsync(HttpMethod method, string url, HttpContent? content = null, IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(url, UriKind.Absolute)) { Content = content };
        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await context.Http.SendAsync(request, context.CancellationToken);
        return await WireReply.ReadAsync(response, context.CancellationToken);
    }

    /// <summary>A control API call that must succeed; its JSON answer.</summary>
    public async Task<JsonElement> ControlAsync(HttpMethod method, string path, object? body = null)
    {
        var reply = await SendAsync(method, ControlUrl + path, body is null ? null : JsonContent.Create(body, options: Json));
        Check.That((int)reply.Status is >= 200 and < 300, $"{method} {path} on the sandbox's control API answered HTTP {(int)reply.Status}: {reply.Body}");
        return reply.Body.Length == 0 ? default : reply.Json;
    }

    /// <summary>A provider as GET /control/providers publishes it: name, base_url, credentials, settings.</summary>
    public async Task<JsonElement> ProviderAsync(string name)
    {
        _providers ??= await ControlAsync(HttpMethod.Get, "/control/providers");
        return _providers.Value.EnumerateArray().FirstOrDefault(p => ApiReply.Text(ApiReply.Field(p, "name")) == name) is { ValueKind: JsonValueKind.Object } provider
            ? provider
            : throw new AssertionException($"GET /control/providers does not list \"{name}\"");
    }

    /// <summary>Forgets the published base URLs (they change when the sandbox restarts on free ports).</summary>
    public void ForgetProviders() => _providers = null;

    public async Task<string> BaseUrlAsync(string provider) => ApiReply.Text(ApiReply.Field(await ProviderAsync(provider), "base_url")).TrimEnd('/');

    /// <summary>A published credential; keys and secrets are masked in reports like the profile's own.</summary>
    public async Task<string> CredentialAsync(string provider, string key)
    {
        var value = ApiReply.Text(ApiReply.Path(await ProviderAsync(provider), "credentials." + key));
        if (key.EndsWith("key", StringComparison.Ordinal) || key.EndsWith("secret", StringComparison.Ordinal))
        {
            context.Masker.Add(value);
        }

        return value;
    }

    /// <summary>Changes merchant settings (webhook_url, api_version, notify_method); the originals come back after the scenario.</summary>
    public async Task ConfigureAsync(string provider, IReadOnlyDictionary<string, string?> settings)
    {
        if (!_originalSettings.TryGetValue(provider, out var originals))
        {
            var current = ApiReply.Field(await ControlAsync(HttpMethod.Get, $"/control/providers/{provider}"), "settings");
            _originalSettings[provider] = originals = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var property in current.EnumerateObject())
            {
                originals[property.Name] = property.Value.GetString();
            }
        }

        foreach (var key in settings.Keys)
        {
            originals.TryAdd(key, null);
        }

        await ControlAsync(HttpMethod.Put, $"/control/providers/{provider}/settings", settings);
    }

    /// <summary>A provider request that undoes what the scenario made there (an endpoint it registered), sent when it ends.</summary>
    public void UndoAtEnd(HttpMethod method, string url, string? bearer = null) => _undo.Add((method, url, bearer));

    /// <summary>Adds a fault for this scenario; it is removed when the scenario ends, fired or not.</summary>
    public async Task AddFaultAsync(string kind, string? provider = null, string? paymentId = null, int? count = null, int? seconds = null)
    {
        var fault = await ControlAsync(HttpMethod.Post, "/control/faults", new { kind, provider, payment_id = paymentId, count, seconds });
        _faults.Add(ApiReply.Text(ApiReply.Field(fault, "id")));
    }

    public async Task<JsonElement> FaultAsync(int index) =>
        (await ControlAsync(HttpMethod.Get, "/control/faults")).EnumerateArray().Single(f => ApiReply.Text(ApiReply.Field(f, "id")) == _faults[index]);

    /// <summary>Moves the sandbox clock; the control API expires payments and makes the attempts that fell due before it answers.</summary>
    public Task AdvanceAsync(TimeSpan by) =>
        ControlAsync(HttpMethod.Post, "/control/clock/advance", new { seconds = (long)by.TotalSeconds });

    /// <summary>Makes the attempts due now and waits for those in progress, so what was sent has arrived.</summary>
    public Task RunDueAsync() => ControlAsync(HttpMethod.Post, "/control/clock/run-due");

    public async Task<DateTimeOffset> NowAsync() =>
        DateTimeOffset.Parse(ApiReply.Text(ApiReply.Field(await ControlAsync(HttpMethod.Get, "/control/clock"), "now")), CultureInfo.InvariantCulture);

    public Task<JsonElement> PaymentAsync(string id) => ControlAsync(HttpMethod.Get, $"/control/payments/{Uri.EscapeDataString(id)}");

    public async Task<IReadOnlyList<JsonElement>> DeliveriesAsync(string paymentId) =>
        [.. (await ControlAsync(HttpMethod.Get, $"/control/deliveries?payment_id={Uri.EscapeDataString(paymentId)}")).EnumerateArray()];

    /// <summary>The one delivery of an event type about the payment under test.</summary>
    public async Task<JsonElement> DeliveryAsync(string? eventType = null)
    {
        var deliveries = (await DeliveriesAsync(ThePayment)).Where(d => eventType is null || ApiReply.Text(ApiReply.Field(d, "event_type")) == eventType).ToList();
        Check.Equal(1, deliveries.Count, $"deliveries{(eventType is null ? "" : " of " + eventType)} about {ThePayment}");
        return deliveries[0];
    }

    public string ThePayment => PaymentId ?? throw new AssertionException("the scenario has no payment yet");

    /// <summary>The payment under test, created the provider's usual way when there is none yet.</summary>
    public async Task<string> CurrentPaymentAsync() =>
        PaymentId ??= await (NewPayment ?? throw new AssertionException("no provider is set up to create a payment"))();

    /// <summary>The buyer clicks a button (pay, fail, cancel) on the hosted page: the page's own form post.</summary>
    public async Task<WireReply> ClickAsync(string action)
    {
        var id = await CurrentPaymentAsync();
        PayPage = await SendAsync(HttpMethod.Post, PayPageUrl(id), PayPageForm(action));
        await RunDueAsync();
        return PayPage;
    }

    /// <summary>
    /// The pay page's form: card pages (Stripe, Creem) read the success test card with a far expiry and any CVC; the
    /// other pages ignore the card fields.
    /// </summary>
    public static FormUrlEncodedContent PayPageForm(string action) => new(
    [
        new("action", action), new("card_number", "4242 4242 4242 4242"), new("card_expiry", "12 / 45"), new("card_cvc", "123"),
    ]);

    /// <summary>A webhook's event type: Stripe's <c>type</c>, Creem's <c>eventType</c> or WeChat Pay's <c>event_type</c>.</summary>
    public static string EventType(ReceivedRequest request)
    {
        var body = ParseJson(request.Body);
        return body.ValueKind == JsonValueKind.Object && (body.TryGetProperty("type", out var type) || body.TryGetProperty("eventType", out type) || body.TryGetProperty("event_type", out type))
            ? ApiReply.Text(type)
            : "(not an event)";
    }

    public static JsonElement ParseJson(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new AssertionException($"not JSON: {json}");
        }
    }

    public static IReadOnlyList<JsonElement> Attempts(JsonElement delivery) => [.. ApiReply.Field(delivery, "attempts").EnumerateArray()];

    /// <summary>When an attempt was made, on the sandbox clock.</summary>
    public static DateTimeOffset AttemptTime(JsonElement attempt) =>
        DateTimeOffset.Parse(ApiReply.Text(ApiReply.Field(attempt, "at")), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    public void Dispose()
    {
        _receiver?.Dispose();
        if (_faults.Count == 0 && _originalSettings.Count == 0 && _undo.Count == 0)
        {
            return;
        }

        // The scenario's client is gone by now; the clean-up has its own.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        void Send(HttpMethod method, string path, object? body = null)
        {
            using var request = new HttpRequestMessage(method, ControlUrl + path) { Content = body is null ? null : JsonContent.Create(body, options: Json) };
            using var response = http.Send(request);
        }

        foreach (var id in _faults)
        {
            Send(HttpMethod.Delete, $"/control/faults/{id}");
        }

        foreach (var (method, url, bearer) in _undo)
        {
            using var request = new HttpRequestMessage(method, url);
            if (bearer is not null)
            {
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
            }

            using var response = http.Send(request);
        }

        foreach (var (provider, settings) in _originalSettings)
        {
            Send(HttpMethod.Put, $"/control/providers/{provider}/settings", settings.ToDictionary(s => s.Key, s => s.Value ?? ""));
        }
    }
}
