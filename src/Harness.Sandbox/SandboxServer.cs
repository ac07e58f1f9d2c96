using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Harness.Callbacks;
using Harness.Sandbox.Alipay;
using Harness.Http;
using Harness.Clock;
using Harness.Sandbox.Control;
using Harness.Sandbox.Creem;
using Harness.Sandbox.Dashboard;
using Harness.Sandbox.Delivery;
using Harness.Sandbox.Epay;
using Harness.Sandbox.Faults;
using Harness.Sandbox.Keys;
using Harness.Sandbox.Payments;
using Harness.Sandbox.PayPages;
using Harness.Sandbox.Providers;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.TapPay;
using Harness.Sandbox.WeChatPay;
using Harness.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Harness.Sandbox;

/// <summary>
/// The running provider sandbox: one Kestrel listener for the control API and hosted pay pages, and one per
/// provider, so each provider has a base URL of its own and paths never collide. Start it with
/// <see cref="StartAsync"/>, print <see cref="Describe"/>, and dispose it to stop.
/// </summary>
public sealed class SandboxServer : IAsyncDisposable
{
    /// <summary>The provider registry: a new provider is one more entry (and one more port).</summary>
    private static readonly Func<SandboxContext, ISandboxProvider>[] ProviderFactories =
    [
        context => new StripeProvider(context),
        context => new CreemProvider(context),
        context => new EpayProvider(context),
        context => new WeChatPayProvider(context),
        context => new AlipayProvider(context),
        context => new TapPayProvider(context),
    ];

    private readonly List<WebApplication> _apps = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly RocksDocumentStore _store;
    private readonly HttpClient _callbackClient;
    private readonly SandboxScheduler _scheduler;
    private readonly ILoggerFactory _loggerFactory;
    private readonly List<(string Provider, string BaseUrl)> _endpoints = [];
    private Task _schedulerLoop = Task.CompletedTask;

    private SandboxServer(SandboxOptions options, RocksDocumentStore store, HttpClient callbackClient, SandboxContext context, IReadOnlyDictionary<string, ISandboxProvider> providers)
    {
        Options = options;
        _store = store;
        _callbackClient = callbackClient;
        Context = context;
        Providers = providers;
        _loggerFactory = LoggerFactory.Create(b => b.AddConsole().SetMinimumLevel(LogLevel.Warning));
        _scheduler = new SandboxScheduler(context, providers, _loggerFactory.CreateLogger<SandboxScheduler>());
    }

    public SandboxOptions Options { get; }

    /// <summary>Base URL of the control API and the hosted pay pages.</summary>
    public string ControlBaseUrl => Context.ControlBaseUrl;

    /// <summary>("control", url) first, then each provider's base URL — what an SDK's base-URL option takes.</summary>
    public IReadOnlyList<(string Provider, string BaseUrl)> Endpoints => _endpoints;

    internal SandboxContext Context { get; }

    /// <summary>Sends <paramref name="provider"/>'s webhooks to <paramref name="url"/> unless a webhook URL is already set (the host's out-of-the-box wiring).</summary>
    public void UseWebhookUrlIfUnset(string provider, string url)
    {
        if (Context.Settings.Get(provider, ProviderSettings.WebhookUrl) is null)
        {
            Context.Settings.Set(provider, new Dictionary<string, string?> { [ProviderSettings.WebhookUrl] = url });
        }
    }

    internal IReadOnlyDictionary<string, ISandboxProvider> Providers { get; }

    /// <summary>Each listener's name and base URL with the routes mapped on it, for tests that walk every route.</summary>
    internal IEnumerable<(string Listener, string BaseUrl, IReadOnlyList<RouteEndpoint> Routes)> Routes =>
        _endpoints.Zip(_apps, (endpoint, app) => (endpoint.Provider, endpoint.BaseUrl,
            (IReadOnlyList<RouteEndpoint>)[.. ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()]));

    public string BaseUrlOf(string provider) =>
        _endpoints.First(e => string.Equals(e.Provider, provider, StringComparison.OrdinalIgnoreCase)).BaseUrl;

    /// <summary>Raised (once the answer is out) when <c>POST /control/restart</c> asks for a restart; see <see cref="RestartAsync"/>.</summary>
    public event Action? RestartRequested;

    /// <summary>Each listener's port, control first, in registry order.</summary>
    public IReadOnlyList<int> Ports => [.. _endpoints.Select(e => new Uri(e.BaseUrl).Port)];

    public static Task<SandboxServer> StartAsync(SandboxOptions options, CancellationToken cancellationToken = default) =>
        StartOnAsync(options, ports: null, cancellationToken);

    /// <summary>Stops <paramref name="running"/> and starts it again on the same data folder and the same ports.</summary>
    public static async Task<SandboxServer> RestartAsync(SandboxServer running, CancellationToken cancellationToken = default)
    {
        var ports = running.Ports;
        await running.DisposeAsync();
        return await StartOnAsync(running.Options, ports, cancellationToken);
    }

    private static async Task<SandboxServer> StartOnAsync(SandboxOptions options, IReadOnlyList<int>? ports, CancellationToken cancellationToken)
    {
        if (options.WebhookUrls.FirstOrDefault(w => !HttpUrl.IsValid(w.Value)) is { Key: not null } bad)
        {
            throw new ArgumentException($"The {bad.Key} webhook URL must be an absolute http or https URL, not '{bad.Value}'.", nameof(options));
        }

        // sandbox.db is where versions before the RocksDB store kept the same documents.
        var documents = new RocksDocumentStore(Path.Combine(options.DataDirectory, "sandbox-store"), importFrom: Path.Combine(options.DataDirectory, "sandbox.db"));
        var clock = new AdjustableClock(options.Clock);
        var callbackClient = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { Timeout = Timeout.InfiniteTimeSpan };
        var dispatcher = new CallbackDispatcher(documents, clock, callbackClient, options.CallbackTimeout, options.CallbackLimits);
        var faults = new FaultBook();
        var settings = new ProviderSettings(documents);
        var context = new SandboxContext(documents, clock, options.WallClock, new PaymentBook(documents), faults, dispatcher, settings, new Notifier(dispatcher, faults), new ProviderKeys(documents, options.DataDirectory), options);

        var providers = new Dictionary<string, ISandboxProvider>(StringComparer.OrdinalIgnoreCase);
        foreach (var factory in ProviderFactories)
        {
            var provider = factory(context);
            providers.Add(provider.Name, provider);
            foreach (var signer in provider.Signers)
            {
                dispatcher.RegisterSigner(signer);
            }
        }

        foreach (var (provider, url) in options.WebhookUrls)
        {
            settings.Set(provider.ToLowerInvariant(), new Dictionary<string, string?> { [ProviderSettings.WebhookUrl] = url });
        }

        var server = new SandboxServer(options, documents, callbackClient, context, providers);
        try
        {
            await server.ListenAsync(ports, cancellationToken);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        server._schedulerLoop = Task.Run(() => server._scheduler.RunAsync(server._stopping.Token), CancellationToken.None);
        context.Ready = true;
        return server;
    }

    /// <summary>The start banner: where everything listens and what to configure a merchant with.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Provider sandbox (store {_store.Directory})");
        text.AppendLine(CultureInfo.InvariantCulture, $"  {"control + pay pages",-20} {ControlBaseUrl}  (OpenAPI {ControlBaseUrl}/openapi/v1.json)");
        text.AppendLine(CultureInfo.InvariantCulture, $"  {"dashboard",-20} {ControlBaseUrl}{DashboardEndpoints.Root}  (payments, callbacks with every attempt, resend, faults, clock, settings)");
        foreach (var (name, baseUrl) in _endpoints.Skip(1))
        {
            var provider = Providers[name];
            // PEM keys do not fit on a line: the banner names their folder, the control API has them whole.
            var credentials = string.Join("  ", provider.Credentials.Where(c => !c.Value.Contains('\n', StringComparison.Ordinal)).Select(c => $"{c.Key}={c.Value}"));
            text.AppendLine(CultureInfo.InvariantCulture, $"  {name,-20} {baseUrl}  {credentials}");
            if (provider.Credentials.Values.Any(v => v.Contains('\n', StringComparison.Ordinal)))
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  {"",-20} keys (PEM) in {Context.Keys.Folder(name)}");
            }
        }

        text.Append(CultureInfo.InvariantCulture, $"  credentials as JSON: GET {ControlBaseUrl}/control/providers");
        if (Options.RestartRoute)
        {
            text.AppendLine().Append(CultureInfo.InvariantCulture, $"  restart on request: POST {ControlBaseUrl}/control/restart");
        }
        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _schedulerLoop;
        foreach (var app in _apps)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        _scheduler.Dispose();
        _loggerFactory.Dispose();
        Context.Dispatcher.Dispose();
        _callbackClient.Dispose();
        _store.Dispose();
        _stopping.Dispose();
    }

    private async Task ListenAsync(IReadOnlyList<int>? ports, CancellationToken cancellationToken)
    {
        int PortOf(int listener) => ports?[listener] ?? (Options.BasePort == 0 ? 0 : Options.BasePort + listener);

        var control = NewApp(PortOf(0), PlainErrorEnvelope.Instance, outermost: null, services => services.AddOpenApi().ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        }));
        // The one document, by its literal path: a document-name parameter would answer unknown names in plain text.
        control.MapOpenApi("/openapi/v1.json");
        control.MapControlApi(Context, Providers, BaseUrlOf, _scheduler, Options.RestartRoute ? () => RestartRequested?.Invoke() : null);
        control.MapPayPages(Context, Providers);
        foreach (var provider in Providers.Values)
        {
            provider.MapPages(control);
        }

        control.MapDashboard(Context, Providers, BaseUrlOf, _scheduler);
        Context.ControlBaseUrl = await StartAppAsync(control, cancellationToken);
        _endpoints.Add(("control", Context.ControlBaseUrl));

        var index = 0;
        foreach (var provider in Providers.Values)
        {
            index++;
            var app = NewApp(PortOf(index), provider.Errors, provider.Outermost, _ => { });
            app.UseMiddleware<ApiFaultMiddleware>(provider, Context);
            provider.MapApi(app);
            _endpoints.Add((provider.Name, await StartAppAsync(app, cancellationToken)));
        }
    }

    private WebApplication NewApp(int port, IErrorEnvelope errors, Action<IApplicationBuilder>? outermost, Action<IServiceCollection> services)
    {
        var builder = WebApplication.CreateSlimBuilder();

        // The sandbox runs inside a host with its own configuration (appsettings, ASPNETCORE_URLS, Kestrel
        // endpoints); none of it may leak into the sandbox's listeners, whose addresses come from the options only.
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders().AddConsole().SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(Options.ListenOnAnyAddress ? IPAddress.Any : IPAddress.Loopback, port);

            // What a request may store stays far below the store's 16 MB document limit; past it, a 413 in the listener's shape.
            kestrel.Limits.MaxRequestBodySize = SurfaceApp.MaxRequestBodySize;
        });
        builder.Services.AddApiErrors(errors);
        services(builder.Services);
        var app = builder.Build();
        outermost?.Invoke(app);
        app.UseApiErrors();
        app.UseCharsetCheck();
        _apps.Add(app);
        return app;
    }

    private async Task<string> StartAppAsync(WebApplication app, CancellationToken cancellationToken)
    {
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return $"http://{Options.PublicHost}:{new Uri(address).Port}";
    }
}
