using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Harness.Finance.Consumption;
using Harness.Finance.Payments;
using Harness.Finance.Payments.Channels;
using Harness.Ledger;
using Harness.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Harness.Tests.Finance.Recharge;

/// <summary>
/// Recharges settle once, whoever reports the payment and however often: notifications, repeats, concurrent
/// repeats, status queries after a lost notification, and a restart between the ledger credit and the order's save.
/// </summary>
public sealed class RechargeSettlementTests : IAsyncDisposable
{
    private static int _phones;
    private readonly ScriptedChannel _wechat = new("wechat");
    private readonly ScriptedChannel _alipay = new("alipay");
    private readonly FinanceTestApp _app;
    private readonly FinanceClient _client;

    public RechargeSettlementTests()
    {
        _app = new FinanceTestApp(configureServices: services =>
        {
            services.RemoveAll<IPaymentChannel>();
            services.AddSingleton<IPaymentChannel>(_wechat);
            services.AddSingleton<IPaymentChannel>(_alipay);
        });
        _client = new FinanceClient(_app.CreateClient());
    }

    [Fact]
    public async Task A_paid_notification_credits_the_plan_once_and_the_order_shows_it()
    {
        var (token, userId) = await NewUser();
        var created = await Create(token, "coins-600", "wechat");
        Assert.Equal("PENDING", created.GetProperty("status").GetString());
        Assert.StartsWith("weixin://", created.GetProperty("codeUrl").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("data:image/png;base64,", created.GetProperty("qrCodeDataUrl").GetString(), StringComparison.Ordinal);
        Assert.Equal(600, created.GetProperty("payAmount").GetInt64());

        Assert.Equal(HttpStatusCode.NoContent, await Notify("wechat", Paid(created, 600)));

        var status = (await _client.Get($"/api/finance/recharge/status/{created.GetProperty("orderNo").GetString()}", token)).EnsureOk().Data;
        Assert.Equal("PAID", status.GetProperty("status").GetString());
        Assert.Equal(660, status.GetProperty("creditedCoins").GetInt64());
        Assert.Equal(660, await _client.Balance(token));
        var entry = _app.Services.GetRequiredService<ILedger>().Query(new LedgerQuery(new LedgerFilter(ConsumptionService.AccountOf(userId)) { Kind = "recharge" }, 0, 10)).Items.Single();
        Assert.Equal(status.GetProperty("recordId").GetString(), entry.Id.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(created.GetProperty("orderNo").GetString(), entry.Reference);
    }

    [Fact]
    public async Task Repeated_and_concurrent_notifications_credit_once()
    {
        var (token, _) = await NewUser();
        var created = await Create(token, "coins-100", "alipay");
        var notification = Paid(created, 100);

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Notify("alipay", notification)));
        Assert.All(answers, status => Assert.Equal(HttpStatusCode.NoContent, status));
        Assert.Equal(HttpStatusCode.NoContent, await Notify("alipay", notification));

        Assert.Equal(100, await _client.Balance(token));
        var outcomes = _app.Services.GetRequiredService<PaymentLog>().Notifications(created.GetProperty("outTradeNo").GetString()).Select(n => n.Outcome).ToList();
        Assert.Equal(1, outcomes.Count(o => o == NotificationOutcome.Credited));
        Assert.Equal(8, outcomes.Count(o => o == NotificationOutcome.Duplicate));
    }

    [Fact]
    public async Task A_wrong_amount_is_acknowledged_flagged_and_not_credited()
    {
        var (token, _) = await NewUser();
        var created = await Create(token, "coins-600", "wechat");

        Assert.Equal(HttpStatusCode.NoContent, await Notify("wechat", Paid(created, 1)));

        Assert.Equal(0, await _client.Balance(token));
        Assert.Equal("PENDING", (await Status(token, created)).GetProperty("status").GetString());
        var review = Assert.Single(Reviews(created));
        Assert.Equal(ReviewKind.AmountMismatch, review.Kind);
        Assert.Equal(1, review.PaidAmount);
        Assert.Equal(600, review.ExpectedAmount);
    }

    [Fact]
    public async Task A_payment_for_an_unknown_order_is_acknowledged_and_flagged()
    {
        Assert.Equal(HttpStatusCode.NoContent, await Notify("wechat", """{"outTradeNo":"PAY-NOT-OURS","amount":100,"state":"Paid"}"""));

        var review = Assert.Single(_app.Services.GetRequiredService<PaymentLog>().Reviews(resolved: false), r => r.OutTradeNo == "PAY-NOT-OURS");
        Assert.Equal(ReviewKind.UnknownOrder, review.Kind);
    }

    [Fact]
    public async Task A_refused_notification_is_answered_so_the_channel_retries_and_changes_nothing()
    {
        var (token, _) = await NewUser();
        var created = await Create(token, "coins-100", "wechat");

        Assert.Equal(HttpStatusCode.BadRequest, await Notify("wechat", """{"refuse":"signature does not verify"}"""));

        Assert.Equal(0, await _client.Balance(token));
        Assert.Contains(_app.Services.GetRequiredService<PaymentLog>().Notifications(null), n => n.Outcome == NotificationOutcome.Refused && n.Reason == "signature does not verify");
    }

    [Fact]
    public async Task A_payment_after_close_is_flagged_and_a_paid_order_cannot_be_closed()
    {
        var (token, _) = await NewUser();
        var closedOrder = await Create(token, "coins-100", "wechat");
        var outTradeNo = closedOrder.GetProperty("outTradeNo").GetString()!;
        Assert.Equal("CLOSED", (await _client.Post($"/api/payment/close/{outTradeNo}", null, token)).EnsureOk().Data.GetProperty("status").GetString());
        Assert.Contains(outTradeNo, _wechat.Closed);

        Assert.Equal(HttpStatusCode.NoContent, await Notify("wechat", Paid(closedOrder, 100)));
        Assert.Equal(0, await _client.Balance(token));
        Assert.Equal("CLOSED", (await Status(token, closedOrder)).GetProperty("status").GetString());
        Assert.Equal(ReviewKind.PaidAfterClose, Assert.Single(Reviews(closedOrder)).Kind);

        var paidOrder = await Create(token, "coins-100", "wechat");
        await Notify("wechat", Paid(paidOrder, 100));
        var refused = await _client.Post($"/api/payment/close/{paidOrder.GetProperty("outTradeNo").GetString()}", null, token);
        Assert.Equal(HttpStatusCode.Conflict, refused.Status);
        Assert.Equal(40900, refused.Code);
        Assert.Equal(100, await _client.Balance(token));
    }

    [Fact]
    public async Task A_lost_notification_is_recovered_by_the_status_query_and_the_late_one_credits_nothing_more()
    {
        var (token, _) = await NewUser();
        var created = await Create(token, "coins-3000", "alipay");
        _alipay.MarkPaid(created.GetProperty("outTradeNo").GetString()!, 3000);

        var status = await Status(token, created);
        Assert.Equal("PAID", status.GetProperty("status").GetString());
        Assert.Equal(3500, await _client.Balance(token));

        Assert.Equal(HttpStatusCode.NoContent, await Notify("alipay", Paid(created, 3000)));
        Assert.Equal(3500, await _client.Balance(token));
    }

    [Fact]
    public async Task A_close_racing_a_notification_ends_in_one_outcome()
    {
        for (var round = 0; round < 10; round++)
        {
            var (token, _) = await NewUser();
            var created = await Create(token, "coins-100", "wechat");
            var outTradeNo = created.GetProperty("outTradeNo").GetString()!;
            var close = _client.Post($"/api/payment/close/{outTradeNo}", null, token);
            var notify = Notify("wechat", Paid(created, 100));
            await Task.WhenAll(close, notify);

            var state = (await Status(token, created)).GetProperty("status").GetString();
            var balance = await _client.Balance(token);
            if ((await close).Status == HttpStatusCode.OK)
            {
                Assert.Equal(("CLOSED", 0L), (state, balance));
            }
            else
            {
                Assert.Equal((HttpStatusCode.Conflict, "PAID", 100L), ((await close).Status, state, balance));
            }
        }
    }

    [Fact]
    public async Task An_order_past_its_lifetime_expires_and_is_closed_at_the_channel()
    {
        var (token, _) = await NewUser();
        var created = await Create(token, "coins-100", "wechat");
        _app.Clock.Advance(TimeSpan.FromMinutes(16));

        Assert.Equal("EXPIRED", (await Status(token, created)).GetProperty("status").GetString());
        Assert.Contains(created.GetProperty("outTradeNo").GetString(), _wechat.Closed);
    }

    [Fact]
    public async Task A_credit_posted_before_a_crash_is_found_again_instead_of_posted_twice()
    {
        var (token, userId) = await NewUser();
        var created = await Create(token, "coins-600", "wechat");
        var orders = _app.Services.GetRequiredService<PaymentOrders>();
        var order = orders.Get(created.GetProperty("outTradeNo").GetString()!)!;

        // What a crash leaves: the order durably says a credit started, the ledger holds it (its key long forgotten), the order was never saved as paid.
        order.CreditStartedAt = DateTime.UtcNow;
        orders.Save(order);
        await _app.Services.GetRequiredService<ILedger>().PostAsync(
            new LedgerPosting(ConsumptionService.AccountOf(userId), 660, PaymentSettlement.LedgerKind) { Reference = order.BizOrderNo },
            TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NoContent, await Notify("wechat", Paid(created, 600)));

        Assert.Equal(660, await _client.Balance(token));
        Assert.Equal("PAID", (await Status(token, created)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_channel_that_refuses_the_order_is_answered_503_and_the_order_failed()
    {
        var (token, _) = await NewUser();
        _alipay.PlaceFailure = "ACQ.SYSTEM_ERROR";
        try
        {
            var reply = await _client.Post("/api/finance/recharge/create", new { planId = "coins-100", channel = "alipay" }, token);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, reply.Status);
            Assert.Equal(50300, reply.Code);
            Assert.Contains("ACQ.SYSTEM_ERROR", reply.Message, StringComparison.Ordinal);
        }
        finally
        {
            _alipay.PlaceFailure = null;
        }

        var records = (await _client.Post("/api/finance/recharge/records", new { page = 1, pageSize = 10 }, token)).EnsureOk().Data;
        Assert.Equal("FAILED", records.GetProperty("list")[0].GetProperty("status").GetString());
    }

    [Fact]
    public async Task Summary_and_records_agree_with_the_ledger()
    {
        var (token, _) = await NewUser();
        var paidWeChat = await Create(token, "coins-600", "wechat");
        var paidAlipay = await Create(token, "coins-100", "alipay");
        await Create(token, "coins-3000", "wechat");
        await Notify("wechat", Paid(paidWeChat, 600));
        await Notify("alipay", Paid(paidAlipay, 100));

        var summary = (await _client.Post("/api/finance/recharge/summary", new { }, token)).EnsureOk().Data;
        Assert.Equal(3, summary.GetProperty("count").GetInt64());
        Assert.Equal(2, summary.GetProperty("paidCount").GetInt64());
        Assert.Equal(700, summary.GetProperty("totalPaidAmount").GetInt64());
        Assert.Equal(760, summary.GetProperty("totalCreditedCoins").GetInt64());
        Assert.Equal(760, summary.GetProperty("ledgerCreditedCoins").GetInt64());
        Assert.Equal(760, await _client.Balance(token));

        var records = (await _client.Post("/api/finance/recharge/records", new { page = 1, pageSize = 2, status = "PAID" }, token)).EnsureOk().Data;
        Assert.Equal(2, records.GetProperty("total").GetInt64());
        Assert.Equal(760, records.GetProperty("list").EnumerateArray().Sum(r => r.GetProperty("creditedCoins").GetInt64()));
        Assert.True(_app.Services.GetRequiredService<ILedger>().Audit().Consistent);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private async Task<(string Token, string UserId)> NewUser() =>
        await _client.SignIn("1391" + Interlocked.Increment(ref _phones).ToString("D7", CultureInfo.InvariantCulture));

    private async Task<JsonElement> Create(string token, string planId, string channel) =>
        (await _client.Post("/api/finance/recharge/create", new { planId, channel }, token)).EnsureOk().Data;

    private async Task<JsonElement> Status(string token, JsonElement created) =>
        (await _client.Get($"/api/finance/recharge/status/{created.GetProperty("orderNo").GetString()}", token)).EnsureOk().Data;

    private IEnumerable<PaymentReview> Reviews(JsonElement created) =>
        _app.Services.GetRequiredService<PaymentLog>().Reviews(resolved: null).Where(r => r.OutTradeNo == created.GetProperty("outTradeNo").GetString());

    private static string Paid(JsonElement created, long amount) =>
        $$"""{"outTradeNo":"{{created.GetProperty("outTradeNo").GetString()}}","amount":{{amount}},"state":"Paid"}""";

    private async Task<HttpStatusCode> Notify(string channel, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var answer = await _client.Http.PostAsync(new Uri($"/api/payment/notify/{channel}", UriKind.Relative), content);
        return answer.StatusCode;
    }
}
