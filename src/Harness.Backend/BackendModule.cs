using System.Text.Json.Serialization;
using Harness.Backend.Admin;
using Harness.Backend.Auth;
using Harness.Backend.Demo;
using Harness.Backend.Finance;
using Harness.Backend.Finance.Balance;
using Harness.Backend.Finance.Consumption;
using Harness.Backend.Finance.Records;
using Harness.Backend.Finance.ServicePlans;
using Harness.Backend.Platform;
using Harness.Core.Http;
using Harness.Core.Ledger;
using Harness.Core.Locks;
using Harness.Core.Security;
using Harness.Core.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Harness.Backend;

/// <summary>Wires the reference backend into a host: services, middleware and every surface's routes.</summary>
public static class BackendModule
{
    public const string DatabaseFileName = "harness.db";

    public static IServiceCollection AddBackend(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<BackendOptions>(configuration.GetSection("Harness"));
        services.TryAddSingleton(TimeProvider.System);
        services.AddApiErrors();
        services.ConfigureHttpJsonOptions(o =>
        {
            // A number sent as a string is a wrong type, not something to guess at.
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        });
        services.AddHarnessAuth();

        services.AddSingleton(sp => new LiteStore(Path.Combine(Options(sp).DataDirectory, DatabaseFileName)));
        services.AddSingleton<IDocumentStore, LiteDocumentStore>();
        services.AddSingleton<ILedgerStore>(sp => new JournalLedgerStore(
            Path.Combine(Options(sp).DataDirectory, JournalLedgerStore.DefaultFileName),
            sp.GetRequiredService<LiteStore>(),
            sp.GetRequiredService<ILogger<JournalLedgerStore>>()));
        services.AddSingleton(sp => new LedgerOptions { IdempotencyRetention = Options(sp).IdempotencyRetention });
        services.AddSingleton<ILedger, GroupCommitLedger>();
        services.AddSingleton<KeyedLock>();
        services.AddSingleton(sp => new Hs256Jwt(JwtKey.Load(Options(sp))));

        services.AddSingleton<UserDirectory>();
        services.AddSingleton<SessionRegistry>();
        services.AddSingleton<SmsCodes>();
        services.AddSingleton<ApiKeyRegistry>();
        services.AddSingleton<ServicePlanCatalog>();
        services.AddSingleton<Pricing>();
        services.AddSingleton<ConsumptionService>();
        services.AddSingleton<DemoData>();
        return services;
    }

    public static WebApplication UseBackend(this WebApplication app)
    {
        app.UseApiErrors();
        app.UseRouting();
        app.UseRequestGuards();
        return app;
    }

    public static WebApplication MapBackend(this WebApplication app)
    {
        var envelopes = app.Services.GetRequiredService<ErrorEnvelopes>();
        envelopes.Register("/api", FinanceEnvelope.Instance);
        envelopes.Register("/openapi", FinanceEnvelope.Instance);

        var api = app.MapGroup("/api").WithMetadata(FinanceEnvelope.Instance);
        api.MapHealth();
        api.MapAuth();

        var finance = api.MapGroup("/finance").RequireUser().WithTags("Finance");
        var consumption = api.MapGroup("/consumption").RequireUser().WithTags("Consumption");
        var admin = api.MapGroup("/admin").RequireAdmin().WithTags("Admin");
        var openApi = app.MapGroup("/openapi/coin").RequireApiKey()
            .WithMetadata(FinanceEnvelope.Instance).WithTags("OpenAPI (API key)");

        finance.MapBalance(openApi);
        finance.MapConsumption(openApi);
        finance.MapRecords(consumption);
        finance.MapServicePlans(admin);
        admin.MapAdmin();
        return app;
    }

    /// <summary>Loads the ledger and the caches, and seeds demo data; call before the host starts listening.</summary>
    public static async Task<DemoCredentials?> PrepareBackendAsync(this WebApplication app, CancellationToken cancellationToken = default)
    {
        _ = app.Services.GetRequiredService<ILedger>();
        _ = app.Services.GetRequiredService<SessionRegistry>();
        _ = app.Services.GetRequiredService<ApiKeyRegistry>();
        _ = app.Services.GetRequiredService<ServicePlanCatalog>();
        return Options(app.Services).SeedDemoData
            ? await app.Services.GetRequiredService<DemoData>().EnsureAsync(cancellationToken)
            : null;
    }

    private static BackendOptions Options(IServiceProvider services) => services.GetRequiredService<IOptions<BackendOptions>>().Value;
}

/// <summary>The HS256 key: configured, or generated once and kept beside the data so tokens survive restarts.</summary>
internal static class JwtKey
{
    public static byte[] Load(BackendOptions options)
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
