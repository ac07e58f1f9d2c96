using Harness.Clock;
using Harness.Finance.Admin;
using Harness.Finance.Auth;
using Harness.Finance.Balance;
using Harness.Finance.Consumption;
using Harness.Finance.Demo;
using Harness.Finance.Health;
using Harness.Finance.Payments;
using Harness.Finance.Payments.Channels;
using Harness.Finance.Payments.Channels.Alipay;
using Harness.Finance.Payments.Channels.WeChatPay;
using Harness.Finance.Recharge;
using Harness.Finance.Records;
using Harness.Finance.ServicePlans;
using Harness.Finance.TestClock;
using Harness.Http;
using Harness.Ledger;
using Harness.Security;
using Harness.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Harness.Finance;

/// <summary>
/// The Finance surface as an app of its own (port 8005 by default): its services, its envelope, its
/// auth and its routes. <c>builder.AddFinance()</c>, then <c>app.UseFinance()</c>, then
/// <c>await app.PrepareFinanceAsync()</c> before it listens.
/// </summary>
public static class FinanceApp
{
    public const int DefaultPort = 8005;
    public const string DatabaseFileName = "harness.db";

    /// <summary>The coin ledger's name in the data directory: the store <c>harness-ledger</c>.</summary>
    public const string LedgerName = "harness";

    public static WebApplicationBuilder AddFinance(this WebApplicationBuilder builder)
    {
        builder.AddSurface(
            FinanceEnvelope.Instance,
            "Harness Finance API",
            errors => errors.Answer<LedgerUnavailableException>(
                ApiErrorKind.Unavailable,
                "the ledger is temporarily unavailable; nothing was charged, retry with the same idempotency key"));

        var services = builder.Services;
        services.AddOpenApi(o => o.Describe(
            "Harness reference backend",
            "Finance surface: coin balance, idempotent consumption, records, service plans, OpenAPI coin consumption, recharge and payments on WeChat Pay and Alipay."));
        var section = builder.Configuration.GetSection("Harness");
        services.Configure<FinanceOptions>(section);
        if (section.GetValue<bool>(nameof(FinanceOptions.TestClock)))
        {
            services.AddTestClock();
        }

        services.TryAddSingleton(TimeProvider.System);
        services.AddFinanceAuth();

        services.AddSingleton(sp => new LiteDocumentStore(Path.Combine(Options(sp).DataDirectory, DatabaseFileName)));
        services.AddSingleton<IDocumentStore>(sp => sp.GetRequiredService<LiteDocumentStore>());
        services.AddLedger(
            sp => Options(sp).DataDirectory,
            LedgerName,
            sp => new LedgerOptions { IdempotencyRetention = Options(sp).IdempotencyRetention, MemoryBudget = (long)Options(sp).LedgerMemoryBudgetMb << 20 });
        services.AddSingleton<KeyedLock>();
        services.AddSingleton(sp => new Hs256Jwt(JwtKey.Load(Options(sp))));

        services.AddSingleton<UserDirectory>();
        services.AddSingleton<SessionRegistry>();
        services.AddSingleton<SmsCodes>();
        services.AddSingleton<ApiKeyRegistry>();
        services.AddSingleton<ServicePlanCatalog>();
        services.AddSingleton<Pricing>();
        services.AddSingleton<ConsumptionService>();
        services.AddSingleton<CoinCredits>();
        services.AddSingleton<ChannelSettings>();
        services.AddSingleton<ChannelHttp>();
        services.TryAddSingleton(new ChannelClock(TimeProvider.System));
        services.AddSingleton<IPaymentChannel, WeChatPayChannel>();
        services.AddSingleton<IPaymentChannel, AlipayChannel>();
        services.AddSingleton<RechargePlans>();
        services.AddSingleton<PaymentOrders>();
        services.AddSingleton<PaymentLog>();
        services.AddSingleton<PaymentSettlement>();
        services.AddSingleton<PaymentService>();
        services.AddSingleton<RechargeOrders>();
        services.AddSingleton<DemoData>();
        return builder;
    }

    /// <summary>Middleware, then every capability's routes, each group with its auth declared once.</summary>
    public static WebApplication UseFinance(this WebApplication app)
    {
        app.UseSurface();

        var api = app.MapGroup("/api").ValidateRequests();
        api.MapHealth();
        api.MapAuth();

        var finance = api.MapGroup("/finance").RequireUser().WithTags("Finance");
        var consumption = api.MapGroup("/consumption").RequireUser().WithTags("Consumption");
        var admin = api.MapGroup("/admin").RequireAdmin().WithTags("Admin");
        var openApi = app.MapGroup("/openapi/coin").RequireApiKey().ValidateRequests().WithTags("OpenAPI (API key)");

        finance.MapBalance(openApi);
        finance.MapConsumption(openApi);
        finance.MapRecords(consumption);
        finance.MapServicePlans(admin);
        finance.MapRecharge(admin);
        api.MapPayments(admin);
        admin.MapAdmin();
        if (app.Services.GetService<AdjustableClock>() is not null)
        {
            api.MapGroup("/test/clock").AllowAnonymous().WithTags("Test clock").MapTestClock();
        }

        return app;
    }

    /// <summary>Loads the ledger and the caches, and seeds demo data; call before the app starts listening.</summary>
    public static async Task<DemoCredentials?> PrepareFinanceAsync(this WebApplication app, CancellationToken cancellationToken = default)
    {
        _ = app.Services.GetRequiredService<ILedger>();
        _ = app.Services.GetRequiredService<SessionRegistry>();
        _ = app.Services.GetRequiredService<ApiKeyRegistry>();
        _ = app.Services.GetRequiredService<ServicePlanCatalog>();
        return Options(app.Services).SeedDemoData
            ? await app.Services.GetRequiredService<DemoData>().EnsureAsync(cancellationToken)
            : null;
    }

    private static FinanceOptions Options(IServiceProvider services) => services.GetRequiredService<IOptions<FinanceOptions>>().Value;
}

/// <summary>The HS256 key: configured, or generated once and kept beside the data so tokens survive restarts.</summary>
internal static class JwtKey
{
    public static byte[] Load(FinanceOptions options)
    {
        if (!string.IsNullOrEmpty(options.JwtSecret))
        {
            var configured = System.Text.Encoding.UTF8.GetBytes(options.JwtSecret);
            return configured.Length >= 32 ? configured : throw new InvalidOperationException("Harness:JwtSecret must be at least 32 bytes.");
        }

        var path = Path.Combine(options.DataDirectory, "jwt.secret");
        if (File.Exists(path))
        {
            return Convert.FromBase64String(File.ReadAllText(path).Trim());
        }

        Directory.CreateDirectory(options.DataDirectory);
        var key = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        File.WriteAllText(path, Convert.ToBase64String(key));
        return key;
    }
}
