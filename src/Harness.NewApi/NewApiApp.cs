using Harness.Http;
using Harness.Ledger;
using Harness.NewApi.Auth;
using Harness.NewApi.Demo;
using Harness.NewApi.Quota;
using Harness.NewApi.Redemption;
using Harness.NewApi.Subscriptions;
using Harness.NewApi.TopUp;
using Harness.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Harness.NewApi;

/// <summary>
/// The New-API surface as an app of its own (port 8006 by default): users with access tokens and the
/// New-Api-User rule, quota on the ledger, redemption codes, top-ups and subscriptions. <c>builder.AddNewApi()</c>, <c>app.UseNewApi()</c>,
/// then <c>PrepareNewApi()</c> before it listens.
/// </summary>
public static class NewApiApp
{
    public const int DefaultPort = 8006;
    public const string DatabaseFileName = "newapi.db";
    /// <summary>The ledger's name in the data directory: the store <c>newapi-ledger</c>.</summary>
    public const string LedgerName = "newapi";

    public static WebApplicationBuilder AddNewApi(this WebApplicationBuilder builder)
    {
        builder.AddSurface(
            NewApiEnvelope.Instance,
            "Harness New-API",
            errors => errors.Answer<LedgerUnavailableException>(ApiErrorKind.Unavailable, "the ledger is temporarily unavailable; nothing was credited, retry"));
        var services = builder.Services;
        services.AddOpenApi(o => o.Describe(
            "Harness reference backend — New-API",
            "New-API surface (QuantumNous/new-api, seed 001): users with access tokens and New-Api-User, redemption codes, quota on the ledger, Epay top-ups, subscriptions."));
        services.Configure<NewApiOptions>(builder.Configuration.GetSection("Harness"));
        var configuration = builder.Configuration;
        services.Configure<NewApiOptions>(o => ApplyUpstreamEnvironment(o, configuration));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new LiteDocumentStore(Path.Combine(Options(sp).DataDirectory, DatabaseFileName)));
        services.AddSingleton<IDocumentStore>(sp => sp.GetRequiredService<LiteDocumentStore>());
        services.AddLedger(sp => Options(sp).DataDirectory, LedgerName, _ => new LedgerOptions { MaxBalance = QuotaAccounts.MaxQuota });
        services.AddSingleton<IKeyedLock, KeyedLock>();
        services.AddSingleton<NewApiUsers>();
        services.AddSingleton<NewApiSessions>();
        services.AddSingleton<QuotaAccounts>();
        services.AddSingleton<Redemptions>();
        services.Configure<TopUpSettings>(configuration.GetSection("NewApi"));
        services.AddSingleton<TopUpOrders>();
        services.AddSingleton<TopUpCompletion>();
        services.AddHttpClient("creem");
        services.AddSingleton<SubscriptionStore>();
        services.AddSingleton<UserSubscriptions>();
        services.AddSingleton<ISubscriptionOrders, SubscriptionOrders>();
        services.AddSingleton<ProviderRenewals>();
        services.AddSingleton<NewApiDemo>();
        services.AddCriticalRateLimit();
        services.AddGlobalApiRateLimit();
        return builder;
    }

    public static WebApplication UseNewApi(this WebApplication app)
    {
        app.UseGlobalApiRateLimit();
        app.UseSurface();
        app.UseRateLimiter();
        var api = app.MapGroup("/api");
        api.MapAuth();
        api.MapUserAdmin();
        api.MapRedemption();
        api.MapTopUp();
        api.MapStripeTopUp();
        api.MapCreemTopUp();
        api.MapSubscriptions();
        api.MapSubscriptionEpay();
        api.MapSubscriptionCards();
        return app;
    }

    /// <summary>Loads the ledger and creates the demo users on a first start.</summary>
    public static NewApiDemoCredentials PrepareNewApi(this WebApplication app)
    {
        _ = app.Services.GetRequiredService<ILedger>();
        _ = app.Services.GetRequiredService<Redemptions>();
        return app.Services.GetRequiredService<NewApiDemo>().Ensure();
    }

    private static NewApiOptions Options(IServiceProvider services) => services.GetRequiredService<IOptions<NewApiOptions>>().Value;

    /// <summary>Upstream's own environment names for the rate limits win over the Harness section.</summary>
    private static void ApplyUpstreamEnvironment(NewApiOptions options, ConfigurationManager configuration)
    {
        if (int.TryParse(configuration["CRITICAL_RATE_LIMIT"], out var limit))
        {
            options.CriticalRateLimit = limit;
        }

        if (int.TryParse(configuration["CRITICAL_RATE_LIMIT_DURATION"], out var duration))
        {
            options.CriticalRateLimitDurationSeconds = duration;
        }

        if (bool.TryParse(configuration["CRITICAL_RATE_LIMIT_ENABLE"], out var enabled))
        {
            options.CriticalRateLimitEnabled = enabled;
        }

        if (int.TryParse(configuration["GLOBAL_API_RATE_LIMIT"], out var globalLimit))
        {
            options.GlobalApiRateLimit = globalLimit;
        }

        if (int.TryParse(configuration["GLOBAL_API_RATE_LIMIT_DURATION"], out var globalDuration))
        {
            options.GlobalApiRateLimitDurationSeconds = globalDuration;
        }

        if (bool.TryParse(configuration["GLOBAL_API_RATE_LIMIT_ENABLE"], out var globalEnabled))
        {
            options.GlobalApiRateLimitEnabled = globalEnabled;
        }
    }
}
