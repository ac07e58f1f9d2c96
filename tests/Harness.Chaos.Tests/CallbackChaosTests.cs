using Harness.Chaos.Campaigns;
using Harness.Finance.Consumption;
using Harness.Finance.Payments;
using Harness.Finance.Payments.Channels;
using Harness.Launcher;
using Harness.Ledger;
using Harness.NewApi;
using Harness.NewApi.Demo;
using Harness.NewApi.TopUp;
using Harness.Sandbox;
using Harness.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Harness.Chaos.Tests;

/// <summary>Callback chaos finds what a backend gets wrong about notifications: it fails on backends seeded with such faults.</summary>
public sealed class CallbackChaosTests
{
    [Fact]
    public async Task A_sound_backend_credits_each_payment_once_and_refuses_every_spoiled_notification()
    {
        var (figures, findings) = await RunAgainstAsync(_ => { });

        Assert.Empty(findings);
        Assert.Equal((0L, 0L), (figures.Excess, figures.Missing));
        Assert.Equal(figures.Spoiled, figures.SpoiledRefused);
        Assert.Equal(6, figures.Spoiled);
    }

    [Fact]
    public async Task A_backend_whose_clock_runs_three_minutes_slow_is_found_to_take_stale_notifications()
    {
        var slow = new FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(-3));

        var (figures, findings) = await RunAgainstAsync(services => services.Replace(ServiceDescriptor.Singleton(new ChannelClock(slow))));

        Assert.Equal(figures.Spoiled - 2, figures.SpoiledRefused);
        Assert.Equal(2, findings.Count(f => f.Kind == "accepted a stale notification"));
    }

    [Fact]
    public async Task A_backend_that_credits_every_notification_is_found_to_double_credit()
    {
        var (figures, findings) = await RunAgainstAsync(services =>
        {
            var original = services.Where(d => d.ServiceType == typeof(IPaymentChannel)).ToList();
            foreach (var descriptor in original)
            {
                services.Remove(descriptor);
                services.AddSingleton<IPaymentChannel>(sp => new CreditingAgain(
                    (IPaymentChannel)ActivatorUtilities.CreateInstance(sp, descriptor.ImplementationType!), sp.GetRequiredService<PaymentOrders>(), sp.GetRequiredService<ILedger>()));
            }
        });

        Assert.True(figures.Excess > 0);
        Assert.Contains(findings, f => f.Kind == "double credit");
    }

    [Fact]
    public async Task A_sound_New_API_credits_each_top_up_once_and_refuses_every_spoiled_callback()
    {
        var (figures, findings) = await RunAgainstNewApiAsync(_ => { });

        Assert.Empty(findings);
        Assert.Equal(("New-API", 3), (figures.Surface, figures.Channels));
        Assert.Equal((0L, 0L), (figures.Excess, figures.Missing));
        Assert.Equal(7, figures.Spoiled);
        Assert.Equal(figures.Spoiled, figures.SpoiledRefused);
    }

    [Fact]
    public async Task A_New_API_whose_top_ups_are_posted_twice_is_found_to_double_credit_on_every_channel()
    {
        var (figures, findings) = await RunAgainstNewApiAsync(services => services.Decorate<ILedger>(ledger => new PostingTopUpsTwice(ledger)));

        Assert.True(figures.Excess > 0);
        Assert.Equal(["epay", "stripe", "creem"], findings.Where(f => f.Kind == "double credit").Select(f => f.Request["New-API: ".Length..]));
    }

    private static async Task<(Reports.CallbackFigures Figures, IReadOnlyList<Reports.Finding> Findings)> RunAgainstAsync(Action<IServiceCollection> fault)
    {
        var cancellation = TestContext.Current.CancellationToken;
        var sandboxData = TempDirectory.Create("chaos-sandbox");
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { DataDirectory = sandboxData, BasePort = 0 }, cancellation);
        await using var relay = LoopbackRelay.Start();
        await using var backend = new FinanceTestApp(configureServices: fault, settings: new Dictionary<string, string?>
        {
            ["Harness:PublicBaseUrl"] = relay.BaseUrl,
            ["Harness:Payments:SandboxKeys"] = Path.Combine(sandboxData, "keys"),
            ["WECHAT_PAY_BASE_URL"] = sandbox.BaseUrlOf("wechatpay"),
            ["ALIPAY_GATEWAY"] = sandbox.BaseUrlOf("alipay") + "/gateway.do",
        });
        relay.ForwardTo(backend.Server.CreateHandler());
        await using var target = ChaosTarget.Connect(new Uri(relay.BaseUrl), new Uri(sandbox.ControlBaseUrl));
        using var control = new HttpClient { BaseAddress = new Uri(sandbox.ControlBaseUrl) };
        try
        {
            return await new CallbackChaos(target, control).RunAsync(TextWriter.Null, cancellation);
        }
        finally
        {
            TempDirectory.TryDelete(sandboxData);
        }
    }

    /// <summary>New-API in-process behind a relay the sandbox can call, paying through the sandbox's Epay, Stripe and Creem merchants.</summary>
    private static async Task<(Reports.CallbackFigures Figures, IReadOnlyList<Reports.Finding> Findings)> RunAgainstNewApiAsync(Action<IServiceCollection> fault)
    {
        var cancellation = TestContext.Current.CancellationToken;
        var sandboxData = TempDirectory.Create("chaos-sandbox");
        var newApiData = TempDirectory.Create("chaos-newapi");
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { DataDirectory = sandboxData, BasePort = 0 }, cancellation);
        await using var relay = LoopbackRelay.Start();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        builder.WebHost.UseTestServer();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Harness:DataDirectory"] = newApiData,
            ["Harness:CriticalRateLimitEnabled"] = "false",
            ["Harness:GlobalApiRateLimitEnabled"] = "false",
            ["NewApi:ServerAddress"] = relay.BaseUrl,
        });
        builder.Configuration.AddInMemoryCollection(NewApiOnSandbox.Settings(sandbox.BaseUrlOf));
        builder.AddNewApi();
        fault(builder.Services);
        var app = builder.Build();
        app.UseNewApi();
        app.PrepareNewApi();
        await app.StartAsync(cancellation);
        relay.ForwardTo(app.GetTestServer().CreateHandler());
        using var http = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = new Uri(relay.BaseUrl) };
        using var control = new HttpClient { BaseAddress = new Uri(sandbox.ControlBaseUrl) };
        try
        {
            return await new NewApiCallbackChaos(new NewApiClient(http, new NewApiAccount("1", NewApiDemo.RootToken)), control).RunAsync(TextWriter.Null, cancellation);
        }
        finally
        {
            // The app first: its ledger store flushes into the data directory as it closes.
            await app.DisposeAsync();
            TempDirectory.TryDelete(sandboxData);
            TempDirectory.TryDelete(newApiData);
        }
    }

    /// <summary>Posts every top-up credit a second time without its idempotency claim: a credit made twice.</summary>
    private sealed class PostingTopUpsTwice(ILedger inner) : ILedger
    {
        public async Task<LedgerOutcome> PostAsync(LedgerPosting posting, CancellationToken cancellationToken = default)
        {
            var outcome = await inner.PostAsync(posting, cancellationToken);
            if (posting.Kind == TopUpCompletion.LedgerKind)
            {
                await inner.PostAsync(posting with { Idempotency = null, Reference = null }, cancellationToken);
            }

            return outcome;
        }

        public AccountBalance GetBalance(string accountId) => inner.GetBalance(accountId);

        public LedgerEntry? FindClaim(string scope, string key) => inner.FindClaim(scope, key);

        public LedgerPage Query(LedgerQuery query) => inner.Query(query);

        public LedgerTotals Summarise(LedgerFilter filter) => inner.Summarise(filter);

        public LedgerAuditReport Audit() => inner.Audit();

        public long EntryCount => inner.EntryCount;
    }

    /// <summary>Credits a paid recharge again for every further "paid" notification: a handler keyed by notification, not by order.</summary>
    private sealed class CreditingAgain(IPaymentChannel inner, PaymentOrders orders, ILedger ledger) : IPaymentChannel
    {
        public string Name => inner.Name;

        public Task<ChannelOrder> PlaceAsync(ChannelOrderRequest request, CancellationToken cancellationToken) => inner.PlaceAsync(request, cancellationToken);

        public Task<ChannelTrade> QueryAsync(string outTradeNo, CancellationToken cancellationToken) => inner.QueryAsync(outTradeNo, cancellationToken);

        public Task CloseAsync(string outTradeNo, CancellationToken cancellationToken) => inner.CloseAsync(outTradeNo, cancellationToken);

        public async Task<ChannelNotification> ReadNotificationAsync(HttpRequest request, CancellationToken cancellationToken)
        {
            var notification = await inner.ReadNotificationAsync(request, cancellationToken);
            if (notification.Trade is { State: ChannelTradeState.Paid } trade && orders.Get(trade.OutTradeNo) is { Status: PaymentStatus.Success, Recharge: { } terms } order)
            {
                await ledger.PostAsync(new LedgerPosting(ConsumptionService.AccountOf(order.UserId), terms.TotalCoins(), PaymentSettlement.LedgerKind), cancellationToken);
            }

            return notification;
        }

        public IResult Acknowledge() => inner.Acknowledge();

        public IResult Refuse(string reason) => inner.Refuse(reason);
    }
}
