using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Harness.Launcher;
using Harness.Load.Target;

namespace Harness.Load.Sandbox;

/// <summary>One provider of the sandbox as <c>GET /control/providers</c> describes it: its base URL and merchant credentials.</summary>
public sealed record SandboxProvider(string Name, Uri BaseUrl, IReadOnlyDictionary<string, string> Credentials, IReadOnlyDictionary<string, string> Settings)
{
    /// <summary>A credential the scenarios need; a sandbox that does not publish it cannot be loaded.</summary>
    public string Credential(string name) => Credentials.TryGetValue(name, out var value) && value.Length > 0
        ? value
        : throw new LoadSetupException($"the sandbox's {Name} provider publishes no '{name}' in /control/providers");
}

/// <summary>
/// The provider sandbox under load: its control URL, the providers the scenarios call (Stripe, Creem, Epay,
/// WeChat Pay, Alipay, TapPay) with their credentials, one lean transport per listener, and an
/// <see cref="HttpClient"/> for setup and the delivery audit. Owns the sandbox process when it started one.
/// </summary>
public sealed class SandboxTarget : IAsyncDisposable
{
    private readonly HarnessProcess? _process;
    private readonly List<ILoadTransport> _transports;

    private SandboxTarget(string description, HttpClient http, Uri controlUrl, IReadOnlyDictionary<string, SandboxProvider> providers, Func<Uri, ILoadTransport> transport, HarnessProcess? process)
    {
        Description = description;
        Http = http;
        ControlUrl = controlUrl;
        Stripe = Provider(providers, "stripe");
        Creem = Provider(providers, "creem");
        Epay = Provider(providers, "epay");
        WeChatPay = Provider(providers, "wechatpay");
        Alipay = Provider(providers, "alipay");
        TapPay = Provider(providers, "tappay");
        Control = transport(controlUrl);
        StripeApi = transport(Stripe.BaseUrl);
        CreemApi = transport(Creem.BaseUrl);
        EpayApi = transport(Epay.BaseUrl);
        WeChatPayApi = transport(WeChatPay.BaseUrl);
        AlipayApi = transport(Alipay.BaseUrl);
        TapPayApi = transport(TapPay.BaseUrl);
        _transports = [Control, StripeApi, CreemApi, EpayApi, WeChatPayApi, AlipayApi, TapPayApi];
        _process = process;
    }

    public string Description { get; }

    /// <summary>Setup and audit calls (settings, delivery log, session retrieval), each with its own deadline.</summary>
    public HttpClient Http { get; }

    public Uri ControlUrl { get; }

    public SandboxProvider Stripe { get; }

    public SandboxProvider Creem { get; }

    public SandboxProvider Epay { get; }

    public SandboxProvider WeChatPay { get; }

    public SandboxProvider Alipay { get; }

    public SandboxProvider TapPay { get; }

    /// <summary>The load's calls to the control listener (health, pay).</summary>
    public ILoadTransport Control { get; }

    public ILoadTransport StripeApi { get; }

    public ILoadTransport CreemApi { get; }

    public ILoadTransport EpayApi { get; }

    public ILoadTransport WeChatPayApi { get; }

    public ILoadTransport AlipayApi { get; }

    public ILoadTransport TapPayApi { get; }

    /// <summary>Starts the sandbox alone (<c>./run-harness.sh sandbox</c>) on free ports, on a fresh data directory (under <paramref name="dataRoot"/> when given).</summary>
    public static async Task<SandboxTarget> StartBuiltInAsync(string? dataRoot, int maxConnections, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var data = dataRoot is null ? TempDirectory.Create("load-sandbox") : Path.Combine(Path.GetFullPath(dataRoot), "harness-load-sandbox-" + Guid.NewGuid().ToString("N"));
        var process = await HarnessProcess.StartSandboxAsync(data, cancellationToken);
        try
        {
            var control = process.SandboxControlUrl ?? throw new LoadSetupException("the sandbox printed no control URL in its banner");
            return await ConnectAsync(control, $"built-in provider sandbox at {control} (separate process, data {process.DataDirectory})", maxConnections, timeout, process, cancellationToken);
        }
        catch
        {
            await StopAsync(process);
            throw;
        }
    }

    /// <summary>A sandbox already running, by its control URL (<c>--sandbox</c>).</summary>
    public static Task<SandboxTarget> ConnectAsync(Uri controlUrl, int maxConnections, TimeSpan timeout, CancellationToken cancellationToken) =>
        ConnectAsync(controlUrl, $"provider sandbox at {controlUrl} (by URL)", maxConnections, timeout, null, cancellationToken);

    private static async Task<SandboxTarget> ConnectAsync(Uri controlUrl, string description, int maxConnections, TimeSpan timeout, HarnessProcess? process, CancellationToken cancellationToken)
    {
        var http = new HttpClient { BaseAddress = controlUrl, Timeout = timeout };
        try
        {
            var providers = await ProvidersAsync(http, cancellationToken);
            return new SandboxTarget(description, http, controlUrl, providers, url => new Http1Transport(url, maxConnections, timeout), process);
        }
        catch
        {
            http.Dispose();
            throw;
        }
    }

    /// <summary>Points the provider's webhooks at <paramref name="url"/> (null removes the setting); returns the value it replaced.</summary>
    public async Task<string?> SetWebhookUrlAsync(string provider, string? url, CancellationToken cancellationToken)
    {
        var before = (await ProvidersAsync(Http, cancellationToken))[provider].Settings.GetValueOrDefault("webhook_url");
        using var response = await Http.PutAsJsonAsync($"/control/providers/{provider}/settings", new Dictionary<string, string> { ["webhook_url"] = url ?? "" }, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new LoadSetupException($"PUT /control/providers/{provider}/settings answered {(int)response.StatusCode}");
        }

        return before;
    }

    /// <summary>The event types the sandbox's delivery log holds for one payment, one entry per delivery.</summary>
    public async Task<IReadOnlyList<string>> DeliveredEventTypesAsync(string paymentId, CancellationToken cancellationToken)
    {
        using var document = JsonDocument.Parse(await Http.GetStringAsync("/control/deliveries?payment_id=" + Uri.EscapeDataString(paymentId), cancellationToken));
        return [.. document.RootElement.EnumerateArray().Select(d => d.GetProperty("event_type").GetString() ?? "")];
    }

    /// <summary>A Checkout Session's <c>payment_intent</c> as Stripe's API gives it; null when it has none (or is unknown).</summary>
    public async Task<string?> PaymentIntentOfAsync(string sessionId, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Stripe.BaseUrl, "/v1/checkout/sessions/" + Uri.EscapeDataString(sessionId)));
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + Stripe.Credential("secret_key"));
        using var response = await Http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        using var document = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(cancellationToken));
        return document.RootElement.TryGetProperty("payment_intent", out var intent) && intent.ValueKind == JsonValueKind.String ? intent.GetString() : null;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        foreach (var transport in _transports.OfType<IDisposable>())
        {
            transport.Dispose();
        }

        if (_process is not null)
        {
            await StopAsync(_process);
        }
    }

    private static async Task<Dictionary<string, SandboxProvider>> ProvidersAsync(HttpClient http, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(new Uri("/control/providers", UriKind.Relative), cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new LoadSetupException(string.Create(CultureInfo.InvariantCulture, $"GET /control/providers answered {(int)response.StatusCode}: is {http.BaseAddress} a sandbox's control URL?"));
        }

        using var document = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(cancellationToken));
        return document.RootElement.EnumerateArray().Select(p => new SandboxProvider(
                p.GetProperty("name").GetString()!,
                new Uri(p.GetProperty("base_url").GetString()!),
                Strings(p.GetProperty("credentials")),
                Strings(p.GetProperty("settings"))))
            .ToDictionary(p => p.Name, StringComparer.Ordinal);

        static Dictionary<string, string> Strings(JsonElement map) =>
            map.EnumerateObject().Where(e => e.Value.ValueKind == JsonValueKind.String).ToDictionary(e => e.Name, e => e.Value.GetString()!, StringComparer.Ordinal);
    }

    private static SandboxProvider Provider(IReadOnlyDictionary<string, SandboxProvider> providers, string name) =>
        providers.TryGetValue(name, out var provider) ? provider : throw new LoadSetupException($"the sandbox offers no '{name}' provider");

    private static async Task StopAsync(HarnessProcess process)
    {
        await process.DisposeAsync();
        TempDirectory.TryDelete(process.DataDirectory);
    }
}
