using Harness.Callbacks;
using Harness.Clock;
using Harness.Http;
using Harness.Portaly.Callbacks;
using Harness.Portaly.Checkout;
using Harness.Portaly.Emails;
using Harness.Portaly.HostedCheckout;
using Harness.Portaly.Orders;
using Harness.Portaly.Payments;
using Harness.Portaly.Subscriptions;
using Harness.Portaly.Auth;
using Harness.Portaly.Config;
using Harness.Portaly.Demo;
using Harness.Portaly.DiscountCodes;
using Harness.Portaly.Images;
using Harness.Portaly.Plans;
using Harness.Portaly.Portal;
using Harness.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Harness.Portaly;

/// <summary>
/// The Portaly ("creator-subscription") surface as an app of its own (port 8007 by default): API keys per
/// profile and mode, merchant config, plans, discount codes and image uploads so far. <c>builder.AddPortaly()</c>,
/// <c>app.UsePortaly()</c>, then <c>PreparePortaly()</c> before it listens.
/// </summary>
public static class PortalyApp
{
    public const int DefaultPort = 8007;
    public const string DatabaseFileName = "portaly.db";
    public const string BasePath = "/api/creator-subscription";

    /// <summary>The named HTTP client that delivers callbacks (tests point it at their receivers).</summary>
    public const string CallbackClient = "portaly-callbacks";

    public static WebApplicationBuilder AddPortaly(this WebApplicationBuilder builder)
    {
        builder.AddSurface(PortalyEnvelope.Instance, "Harness Portaly");
        var services = builder.Services;
        services.AddOpenApi(o => o.Describe(
            "Harness reference backend — Portaly",
            "Portaly creator-subscription surface (seed 002): API keys (live/test) per profile, merchant config, plans, discount codes."));
        services.Configure<PortalyOptions>(builder.Configuration.GetSection("Harness"));
        services.Configure<PortalyOptions>(builder.Configuration.GetSection("Portaly"));
        if (builder.Configuration.GetValue<bool>("Harness:TestClock"))
        {
            services.AddSingleton(_ => new AdjustableClock(TimeProvider.System));
            services.AddSingleton<TimeProvider>(sp => sp.GetRequiredService<AdjustableClock>());
        }

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(new WallClock(TimeProvider.System));
        services.AddSingleton(sp => new LiteDocumentStore(Path.Combine(Options(sp).DataDirectory, DatabaseFileName)));
        services.AddSingleton<IDocumentStore>(sp => sp.GetRequiredService<LiteDocumentStore>());
        services.AddSingleton<IKeyedLock, KeyedLock>();
        services.AddSingleton<ApiKeys>();
        services.AddSingleton<MerchantConfigs>();
        services.AddSingleton<PlanDescriptions>();
        services.AddSingleton<CreationTimes>();
        services.AddSingleton<PlanStore>();
        services.AddSingleton<DiscountCodeStore>();
        services.AddSingleton<ImageFiles>();
        services.AddSingleton<PortalyDemo>();
        services.AddSingleton<EmailOutbox>();
        services.AddSingleton<DiscountApplication>();
        services.AddSingleton<SignupRefCodes>();
        services.AddSingleton<CheckoutSessions>();
        services.AddSingleton<SubscriptionStore>();
        services.AddSingleton<OrderStore>();
        services.AddSingleton<CheckoutCompletion>();
        services.AddSingleton<ManualCompletion>();
        services.AddSingleton<BuyerProgressStore>();
        services.AddSingleton<CheckoutPage>();
        services.AddSingleton<BuyerSteps>();
        services.AddTransient<CardPayment>();
        services.AddSingleton<IDueWork, PaymentRecovery>();
        services.AddSingleton<SubscriptionLifecycle>();
        services.AddSingleton<Renewals>();
        services.AddSingleton<IDueWork>(sp => sp.GetRequiredService<Renewals>());
        services.AddSingleton<PortalSessions>();
        services.AddSingleton<Refunds>();
        services.AddSingleton<IDueWork>(sp => sp.GetRequiredService<Refunds>());
        services.AddHttpClient(CallbackClient);
        services.AddHttpClient<TapPayGateway>(http => http.Timeout = TimeSpan.FromSeconds(30));
        services.AddSingleton(sp => new CallbackDispatcher(
            sp.GetRequiredService<IDocumentStore>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(CallbackClient),
            TimeSpan.FromSeconds(10)));
        services.AddSingleton<PortalyCallbackSigner>();
        services.AddSingleton<PortalyCallbacks>();
        services.AddSingleton<PortalyScheduler>();
        if (builder.Configuration.GetValue("Portaly:BackgroundScheduler", true))
        {
            services.AddHostedService(sp => sp.GetRequiredService<PortalyScheduler>());
        }

        services.AddPortalyRateLimits(RateLimitSettings.From(builder.Configuration.GetSection("Portaly:RateLimits")));
        return builder;
    }

    public static WebApplication UsePortaly(this WebApplication app)
    {
        app.UseSurface();
        app.UsePortalyRateLimits();
        var api = app.MapGroup(BasePath);
        api.MapApiKeys();
        api.MapConfig();
        api.MapPlans();
        api.MapDiscountCodes();
        app.MapImages(api);
        api.MapCheckoutSessions();
        app.MapHostedCheckout();
        api.MapSubscriptions();
        api.MapPortalSessions();
        app.MapPortal();
        api.MapOrders();
        app.MapEmails();
        if (app.Services.GetService<AdjustableClock>() is not null)
        {
            app.MapTestClock();
        }

        return app;
    }

    /// <summary>Loads the keys and creates the demo merchant's keys on a first start; the admin token, for the banner.</summary>
    public static string PreparePortaly(this WebApplication app)
    {
        app.Services.GetRequiredService<PortalyDemo>().Ensure();
        app.Services.GetRequiredService<CallbackDispatcher>().RegisterSigner(app.Services.GetRequiredService<PortalyCallbackSigner>());
        return Options(app.Services).AdminToken;
    }

    private static PortalyOptions Options(IServiceProvider services) => services.GetRequiredService<IOptions<PortalyOptions>>().Value;
}
