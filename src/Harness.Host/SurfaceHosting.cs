using Harness.Finance;
using Harness.Finance.Demo;
using Harness.Http;
using Harness.NewApi;
using Harness.NewApi.Demo;
using Harness.Portaly;
using Harness.Portaly.Demo;

namespace Harness.Host;

/// <summary>
/// Runs each API surface as an app of its own on its own port, the way the sandbox runs one port per
/// provider: Finance on <c>--port</c> (8005), New-API on the next port, Portaly on the one after it. Surfaces share mechanisms, never routes, envelopes or auth.
/// With the sandbox in the same process, the payment channels are pointed at its listeners unless configured otherwise.
/// </summary>
public sealed class SurfaceHosting(HostSettings settings, IConfiguration configuration, SandboxHosting? sandbox) : IHostedService, IAsyncDisposable
{
    private WebApplication? _finance;
    private WebApplication? _newApi;
    private WebApplication? _portaly;

    /// <summary>The banner lines of every surface, ready once started.</summary>
    public IReadOnlyList<string> Description { get; private set; } = [];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = settings.RemainingArgs,
            ContentRootPath = AppContext.BaseDirectory, // appsettings.json travels with the binary, whatever the working directory
        });
        builder.Configuration.AddInMemoryCollection(settings.ToConfiguration());
        if (sandbox?.Server is { } server)
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["WECHAT_PAY_BASE_URL"] = configuration["WECHAT_PAY_BASE_URL"] ?? server.BaseUrlOf("wechatpay"),
                ["ALIPAY_GATEWAY"] = configuration["ALIPAY_GATEWAY"] ?? server.BaseUrlOf("alipay") + "/gateway.do",
            });
        }

        if (!settings.UrlsGiven)
        {
            builder.WebHost.UseUrls($"http://localhost:{settings.Port}");
        }

        var app = builder.AddFinance().Build();
        app.UseFinance();
        _finance = app;
        var demo = await app.PrepareFinanceAsync(cancellationToken);
        await app.StartAsync(cancellationToken);

        var lines = FinanceBanner.Describe(app.BaseUrl()!, configuration["Harness:DataDirectory"] ?? "data", demo, configuration.GetValue<bool>("Harness:TestClock")).ToList();
        lines.Add("");
        lines.AddRange(await StartNewApiAsync(cancellationToken));
        lines.Add("");
        lines.AddRange(await StartPortalyAsync(cancellationToken));

        Description = lines;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var app in new[] { _portaly, _newApi, _finance })
        {
            if (app is not null)
            {
                await app.StopAsync(cancellationToken);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in new[] { _portaly, _newApi, _finance })
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }
        }

        (_portaly, _newApi, _finance) = (null, null, null);
    }

    /// <summary>New-API on the port after Finance's (any free port when Finance's is 0); its banner lines.</summary>
    private async Task<IEnumerable<string>> StartNewApiAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = settings.RemainingArgs,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddInMemoryCollection(settings.ToConfiguration());
        if (sandbox?.Server is { } server)
        {
            // Out of the box, top-ups pay through the sandbox's Epay merchant (upstream's option names).
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["NewApi:PayAddress"] = configuration["NewApi:PayAddress"] ?? server.BaseUrlOf("epay"),
                ["NewApi:EpayId"] = configuration["NewApi:EpayId"] ?? Harness.Sandbox.Epay.EpayProvider.Pid,
                ["NewApi:EpayKey"] = configuration["NewApi:EpayKey"] ?? Harness.Sandbox.Epay.EpayProvider.Key,
            });
            builder.Configuration.AddInMemoryCollection(SandboxDefaults(server, configuration));
        }

        builder.WebHost.UseUrls(settings.Port == 0 ? "http://127.0.0.1:0" : $"http://localhost:{settings.Port + 1}");
        var app = builder.AddNewApi().Build();
        app.UseNewApi();
        _newApi = app;
        var demo = app.PrepareNewApi();
        await app.StartAsync(cancellationToken);
        var baseUrl = app.BaseUrl()!;
        sandbox?.Server?.UseWebhookUrlIfUnset("stripe", baseUrl + "/api/stripe/webhook");
        sandbox?.Server?.UseWebhookUrlIfUnset("creem", baseUrl + "/api/creem/webhook");
        return sandbox?.Server is { } paying ? [.. NewApiDemo.Banner(baseUrl, demo), PaymentProfileLine(app.Configuration, paying)] : NewApiDemo.Banner(baseUrl, demo);
    }

    /// <summary>Portaly on the port after New-API's (any free port when Finance's is 0), with its own data file; its banner lines.</summary>
    private async Task<IEnumerable<string>> StartPortalyAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = settings.RemainingArgs,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddInMemoryCollection(settings.ToConfiguration());
        if (sandbox?.Server is { } server)
        {
            // Out of the box, hosted checkouts charge through the sandbox's TapPay merchant.
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Portaly:TapPay:BaseUrl"] = configuration["Portaly:TapPay:BaseUrl"] ?? server.BaseUrlOf("tappay"),
                ["Portaly:TapPay:PartnerKey"] = configuration["Portaly:TapPay:PartnerKey"] ?? Harness.Sandbox.TapPay.TapPayProvider.PartnerKey,
                ["Portaly:TapPay:MerchantId"] = configuration["Portaly:TapPay:MerchantId"] ?? Harness.Sandbox.TapPay.TapPayProvider.MerchantId,
            });
        }

        builder.WebHost.UseUrls(settings.Port == 0 ? "http://127.0.0.1:0" : $"http://localhost:{settings.Port + 2}");
        var app = builder.AddPortaly().Build();
        app.UsePortaly();
        _portaly = app;
        var adminToken = app.PreparePortaly();
        await app.StartAsync(cancellationToken);
        // The runner pays on the hosted page only through the sandbox's own card form and test cards.
        var throughSandbox = sandbox?.Server is { } paying && app.Configuration["Portaly:TapPay:BaseUrl"] == paying.BaseUrlOf("tappay")
            && string.IsNullOrEmpty(app.Configuration["Portaly:TapPay:CardFormUrl"]);
        return PortalyDemo.Banner(app.BaseUrl()!, adminToken, app.Configuration.GetValue<bool>("Harness:TestClock"), throughSandbox);
    }

    /// <summary>The profile keys a conformance run needs to play New-API's providers, and whether it pays through this sandbox.</summary>
    private static string PaymentProfileLine(IConfiguration configuration, Harness.Sandbox.SandboxServer server)
    {
        var throughSandbox = configuration["NewApi:PayAddress"] == server.BaseUrlOf("epay")
            && configuration["NewApi:StripeApiBase"] == server.BaseUrlOf("stripe") && configuration["NewApi:CreemApiBase"] == server.BaseUrlOf("creem");
        return $"  conformance    profile \"newApiEpayKey\": \"{configuration["NewApi:EpayKey"]}\", \"newApiEpayPid\": \"{configuration["NewApi:EpayId"]}\", "
            + $"\"newApiStripeWebhookSecret\": \"{configuration["NewApi:StripeWebhookSecret"]}\", \"newApiCreemWebhookSecret\": \"{configuration["NewApi:CreemWebhookSecret"]}\", "
            + $"\"newApiSandbox\": {(throughSandbox ? "true" : "false")}";
    }

    /// <summary>New-API's Stripe and Creem options, pointed at the sandbox's merchants unless configured (upstream's option names).</summary>
    private static Dictionary<string, string?> SandboxDefaults(Harness.Sandbox.SandboxServer server, IConfiguration configuration)
    {
        var defaults = new Dictionary<string, string?>
        {
            ["StripeApiSecret"] = Harness.Sandbox.Stripe.StripeProvider.SecretKey,
            ["StripeWebhookSecret"] = Harness.Sandbox.Stripe.StripeProvider.WebhookSecret,
            ["StripePriceId"] = Harness.Sandbox.Stripe.StripeCatalog.CreditsPrice,
            ["StripeApiBase"] = server.BaseUrlOf("stripe"),
            ["CreemApiKey"] = Harness.Sandbox.Creem.CreemProvider.ApiKey,
            ["CreemWebhookSecret"] = Harness.Sandbox.Creem.CreemProvider.WebhookSecret,
            ["CreemTestMode"] = "true",
            ["CreemApiBase"] = server.BaseUrlOf("creem"),
            ["CreemProducts"] = $$"""[{"productId":"{{Harness.Sandbox.Creem.CreemProvider.OneTimeProduct}}","name":"Sandbox credits","price":10.00,"currency":"USD","quota":5000000}]""",
        };
        return defaults.ToDictionary(d => "NewApi:" + d.Key, d => configuration["NewApi:" + d.Key] ?? d.Value);
    }
}
