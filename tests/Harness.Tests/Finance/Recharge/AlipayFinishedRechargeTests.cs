using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Harness.Finance.Consumption;
using Harness.Finance.Payments;
using Harness.Ledger;
using Harness.Sandbox;
using Harness.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Harness.Tests.Finance.Recharge;

/// <summary>
/// Alipay's second "paid" notify: a trade paid with TRADE_SUCCESS is notified again as TRADE_FINISHED when its
/// refundable period ends; and a merchant whose trades finish at payment is only ever told TRADE_FINISHED. The
/// backend runs behind a relay the provider sandbox notifies, with its real Alipay channel.
/// </summary>
public sealed class AlipayFinishedRechargeTests : IAsyncDisposable
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private readonly string _sandboxData = TempDirectory.Create("alipay-finished-sandbox");
    private SandboxServer? _sandbox;
    private LoopbackRelay? _relay;
    private FinanceTestApp? _backend;
    private HttpClient? _control;

    [Fact]
    public async Task The_TRADE_FINISHED_notify_after_the_refund_period_is_acknowledged_and_credits_nothing_more()
    {
        var (client, token, userId) = await StartAsync();
        var (outTradeNo, _, tradeNo) = await RechargePaidAsync(client, token);
        var paidNotify = Assert.Single(await DeliveriesAsync(tradeNo))!;
        Assert.Equal("TRADE_SUCCESS", (string?)paidNotify["event_type"]);
        Assert.Equal(100, await client.Balance(token));
        var records = await RecordsAsync(client, token);

        await AdvanceSandboxAsync(TimeSpan.FromDays(90) + TimeSpan.FromMinutes(1));

        var finished = (await DeliveriesAsync(tradeNo)).Single(d => (string?)d!["event_type"] == "TRADE_FINISHED")!;
        Assert.Equal("delivered", (string?)finished["status"]);
        Assert.Contains("trade_status=TRADE_FINISHED", (string?)finished["attempts"]![0]!["request_body"]!, StringComparison.Ordinal);
        Assert.Equal("success", (string?)finished["attempts"]![0]!["response_body"]!);
        Assert.Equal(100, await client.Balance(token));
        Assert.Equal(records, await RecordsAsync(client, token));
        Assert.Equal([NotificationOutcome.Credited, NotificationOutcome.Duplicate], Outcomes(outTradeNo));
        Assert.Single(RechargeEntries(userId));
    }

    [Fact]
    public async Task With_trades_finishing_at_payment_the_TRADE_FINISHED_payment_notify_credits_the_recharge_once()
    {
        var (client, token, userId) = await StartAsync();
        using var setting = await _control!.PutAsJsonAsync("/control/providers/alipay/settings", new { refund_period_days = "0" }, Ct);
        setting.EnsureSuccessStatusCode();

        var (outTradeNo, orderNo, tradeNo) = await RechargePaidAsync(client, token);

        var notify = Assert.Single(await DeliveriesAsync(tradeNo))!;
        Assert.Equal("TRADE_FINISHED", (string?)notify["event_type"]);
        Assert.Equal("success", (string?)notify["attempts"]![0]!["response_body"]!);
        Assert.Equal(100, await client.Balance(token));
        Assert.Equal([NotificationOutcome.Credited], Outcomes(outTradeNo));
        Assert.Single(RechargeEntries(userId));
        var status = (await client.Get($"/api/finance/recharge/status/{orderNo}", token)).EnsureOk().Data;
        Assert.Equal("PAID", status.GetProperty("status").GetString());

        // Nothing follows a trade that finished at payment.
        await AdvanceSandboxAsync(TimeSpan.FromDays(100));
        Assert.Single(await DeliveriesAsync(tradeNo));
        Assert.Equal(100, await client.Balance(token));
    }

    public async ValueTask DisposeAsync()
    {
        _control?.Dispose();
        if (_backend is not null)
        {
            await _backend.DisposeAsync();
        }

        if (_relay is not null)
        {
            await _relay.DisposeAsync();
        }

        if (_sandbox is not null)
        {
            await _sandbox.DisposeAsync();
        }

        TempDirectory.TryDelete(_sandboxData);
    }

    /// <summary>The sandbox (on the real clock, as the backend's channel times its orders by it), the backend behind a relay, and a signed-in user.</summary>
    private async Task<(FinanceClient Client, string Token, string UserId)> StartAsync()
    {
        _sandbox = await SandboxServer.StartAsync(new SandboxOptions { DataDirectory = _sandboxData, BasePort = 0 }, Ct);
        _control = new HttpClient { BaseAddress = new Uri(_sandbox.ControlBaseUrl) };
        _relay = LoopbackRelay.Start();
        _backend = new FinanceTestApp(settings: new Dictionary<string, string?>
        {
            ["Harness:PublicBaseUrl"] = _relay.BaseUrl,
            ["Harness:Payments:SandboxKeys"] = Path.Combine(_sandboxData, "keys"),
            ["ALIPAY_GATEWAY"] = _sandbox.BaseUrlOf("alipay") + "/gateway.do",
        });
        _relay.ForwardTo(_backend.Server.CreateHandler());
        var client = new FinanceClient(_backend.CreateClient());
        var (token, userId) = await client.SignIn("13912340001");
        return (client, token, userId);
    }

    /// <summary>A coins-100 recharge on Alipay, paid by the buyer, once its notify was delivered; its numbers and the trade_no.</summary>
    private async Task<(string OutTradeNo, string OrderNo, string TradeNo)> RechargePaidAsync(FinanceClient client, string token)
    {
        var created = (await client.Post("/api/finance/recharge/create", new { planId = "coins-100", channel = "alipay" }, token)).EnsureOk().Data;
        var codeUrl = created.GetProperty("codeUrl").GetString()!;
        var tradeNo = Uri.UnescapeDataString(codeUrl[(codeUrl.LastIndexOf('/') + 1)..]);
        using var paid = await _control!.PostAsJsonAsync($"/control/payments/{tradeNo}/pay", new { }, Ct);
        paid.EnsureSuccessStatusCode();
        for (var wait = 0; (await DeliveriesAsync(tradeNo)) is not [{ } delivery] || (string?)delivery["status"] != "delivered"; wait++)
        {
            Assert.True(wait < 100, "the payment notify was not delivered");
            await Task.Delay(100, Ct);
        }

        return (created.GetProperty("outTradeNo").GetString()!, created.GetProperty("orderNo").GetString()!, tradeNo);
    }

    /// <summary>
    /// Moves the sandbox clock, then waits for the callback attempts that made due (the finishing notify): the advance
    /// answers once they are sent, and their outcome is recorded just after.
    /// </summary>
    private async Task AdvanceSandboxAsync(TimeSpan by)
    {
        using var advanced = await _control!.PostAsJsonAsync("/control/clock/advance", new { seconds = (long)by.TotalSeconds }, Ct);
        advanced.EnsureSuccessStatusCode();
        using var settled = await _control!.PostAsJsonAsync("/control/clock/run-due", new { }, Ct);
        settled.EnsureSuccessStatusCode();
    }

    private async Task<JsonArray> DeliveriesAsync(string tradeNo) =>
        JsonNode.Parse(await _control!.GetStringAsync($"/control/deliveries?payment_id={tradeNo}", Ct))!.AsArray();

    private static async Task<string> RecordsAsync(FinanceClient client, string token) =>
        JsonSerializer.Serialize((await client.Post("/api/finance/recharge/records", new { page = 1, pageSize = 10 }, token)).EnsureOk().Data);

    /// <summary>What the backend logged for the order's notifications, in ordinal order (the test clock stamps them all alike).</summary>
    private List<string> Outcomes(string outTradeNo) =>
        [.. _backend!.Services.GetRequiredService<PaymentLog>().Notifications(outTradeNo).Select(n => n.Outcome).Order(StringComparer.Ordinal)];

    private IReadOnlyList<LedgerEntry> RechargeEntries(string userId) =>
        _backend!.Services.GetRequiredService<ILedger>().Query(new LedgerQuery(new LedgerFilter(ConsumptionService.AccountOf(userId)) { Kind = "recharge" }, 0, 10)).Items;
}
