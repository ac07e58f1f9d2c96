using Harness.Finance;
using Harness.Finance.Demo;
using Harness.Http;

namespace Harness.Host;

/// <summary>
/// Runs each API surface as an app of its own on its own port, the way the sandbox runs one port per
/// provider: Finance on <c>--port</c> (8005), New-API and Portaly on the two ports after it, reserved
/// until those surfaces are built. Surfaces share mechanisms, never routes, envelopes or auth.
/// With the sandbox in the same process, the payment channels are pointed at its listeners unless configured otherwise.
/// </summary>
public sealed class SurfaceHosting(HostSettings settings, IConfiguration configuration, SandboxHosting? sandbox) : IHostedService, IAsyncDisposable
{
    /// <summary>Surfaces not built yet, and their offset from the Finance port.</summary>
    private static readonly (string Name, int Offset)[] Reserved = [("New-API", 1), ("Portaly", 2)];

    private WebApplication? _finance;

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
        foreach (var (name, offset) in Reserved)
        {
            lines.Add(settings.Port == 0 ? $"{name,-16} not built yet" : $"{name,-16} port {settings.Port + offset} reserved (not built yet)");
        }

        Description = lines;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_finance is { } app)
        {
            await app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_finance is { } app)
        {
            _finance = null;
            await app.DisposeAsync();
        }
    }
}
