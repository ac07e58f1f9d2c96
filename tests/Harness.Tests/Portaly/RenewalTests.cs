using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Harness.Portaly;
using Harness.Portaly.Checkout;
using Harness.Portaly.Demo;
using Harness.Portaly.Orders;
using Harness.Portaly.Payments;
using Harness.Portaly.Subscriptions;
using Harness.Sandbox.TapPay;
using Harness.Security.Signing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Harness.Tests.Portaly;

/// <summary>Renewals on the test clock against the TapPay sandbox: charges, catch-up, discounts, cancellation, failures.</summary>
public sealed class RenewalTests : PortalyOnSandbox
{
    private const string TestPrime = "test_3a2fb2b7e892b914a03c95dd4dd5dc7970c908df67a49527c0a648b2bc9";
    private const string RenewalsDeclineCard = "4000000000000341";

    [Fact]
    public async Task Without_a_stored_card_renewals_fail_a_day_apart_and_the_third_failure_cancels()
    {
        var http = App.Test();
        var id = await Subscribing.ManuallyAsync(http, await http.CreatePlan(), "buyer@example.com", Receiver.Url);
        var anchor = App.Clock.GetUtcNow();

        await At(anchor.AddMonths(1));
        var first = (await http.Get("/subscriptions/" + id)).Data;
        Assert.Equal(("past_due", 1, "no stored payment method"), (first["status"]!.GetValue<string>(), first["failureCount"]!.GetValue<int>(), first["lastFailureReason"]!.GetValue<string>()));
        Assert.Equal(anchor.AddMonths(1).AddDays(1), first["nextRetryAt"]!.GetValue<DateTimeOffset>());
        await At(anchor.AddMonths(1).AddHours(23));
        Assert.Equal(1, (await http.Get("/subscriptions/" + id)).Data["failureCount"]!.GetValue<int>());
        await At(anchor.AddMonths(1).AddDays(1));
        await At(anchor.AddMonths(1).AddDays(2));

        var last = (await http.Get("/subscriptions/" + id)).Data;
        Assert.Equal(("canceled", 3), (last["status"]!.GetValue<string>(), last["failureCount"]!.GetValue<int>()));
        Assert.Null(last["nextRetryAt"]);
        Assert.Equal(("payment_failures", "system"), (last["cancelReason"]!.GetValue<string>(), last["cancelRequestedBy"]!.GetValue<string>()));
        Assert.Equal(
            ["creator_subscription.checkout.completed", "creator_subscription.active", "creator_subscription.payment.failed", "creator_subscription.payment.failed", "creator_subscription.payment.failed", "creator_subscription.canceled"],
            Receiver.Received.Select(r => r.Event));
        var failures = Receiver.Received.Where(r => r.Event == "creator_subscription.payment.failed").Select(r => JsonNode.Parse(r.Body)!).ToList();
        Assert.Equal([1, 2, 3], failures.Select(f => f["failureCount"]!.GetValue<int>()));
        Assert.Equal([false, false, true], failures.Select(f => f["willCancel"]!.GetValue<bool>()));
        Assert.Null(failures[2]["nextRetryAt"]);
        Assert.Equal(300, failures[0]["amount"]!.GetValue<long>());
        await At(anchor.AddMonths(3));
        Assert.Equal(6, Receiver.Received.Count);
        AllVerify();
    }

    [Fact]
    public async Task A_stored_card_renews_month_by_month()
    {
        var http = App.Test();
        var id = await PaidAsync(await http.CreatePlan(), TestPrime);
        var anchor = App.Clock.GetUtcNow();

        for (var month = 1; month <= 3; month++)
        {
            await At(anchor.AddMonths(month).AddSeconds(-1));
            Assert.Equal(month, Orders(id).Count);
            await At(anchor.AddMonths(month));
            Assert.Equal(month + 1, Orders(id).Count);
        }

        var record = (await http.Get("/subscriptions/" + id)).Data;
        Assert.Equal(("active", 0), (record["status"]!.GetValue<string>(), record["failureCount"]!.GetValue<int>()));
        Assert.Equal(anchor.AddMonths(4), record["nextBillingAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(anchor.AddMonths(3), record["lastChargedAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal([1, 2, 3, 4], Orders(id).Select(o => o.ChargeNumber));
        Assert.All(Orders(id), o => Assert.Equal((300L, "paid"), (o.Amount, o.Status)));
        Assert.Equal(Orders(id)[^1].PaymentReference, record["lastPaymentReference"]!.GetValue<string>());
        var succeeded = Receiver.Received.Where(r => r.Event == "creator_subscription.payment.succeeded").Select(r => JsonNode.Parse(r.Body)!).ToList();
        Assert.Equal([anchor.AddMonths(2), anchor.AddMonths(3), anchor.AddMonths(4)], succeeded.Select(s => s["nextBillingAt"]!.GetValue<DateTimeOffset>()));
        Assert.Equal(Orders(id).Skip(1).Select(o => o.Id), succeeded.Select(s => s["orderId"]!.GetValue<string>()));
        Assert.Single(Receiver.Received, r => r.Event == "creator_subscription.active"); // the checkout's: renewals of an active subscription send none
        AllVerify();
    }

    [Fact]
    public async Task A_jump_of_three_months_makes_the_three_charges_in_one_run()
    {
        var http = App.Test();
        var id = await PaidAsync(await http.CreatePlan(), TestPrime);
        var anchor = App.Clock.GetUtcNow();

        await At(anchor.AddMonths(3).AddDays(2));

        Assert.Equal([1, 2, 3, 4], Orders(id).Select(o => o.ChargeNumber));
        Assert.Equal(anchor.AddMonths(4), (await http.Get("/subscriptions/" + id)).Data["nextBillingAt"]!.GetValue<DateTimeOffset>());
        await At(anchor.AddMonths(3).AddDays(3));
        Assert.Equal(4, Orders(id).Count);
        Assert.Equal(3, Receiver.Received.Count(r => r.Event == "creator_subscription.payment.succeeded"));
        AllVerify();
    }

    [Fact]
    public async Task A_discount_of_two_cycles_prices_the_checkout_and_the_first_renewal_only()
    {
        var http = App.Test();
        var planId = await http.CreatePlan();
        await http.Post("/discount-codes", new { code = "TWOHALF", rules = new[] { new { appliesTo = new { type = "all" }, discount = new { type = "percent", value = 50 }, duration = new { type = "repeating", cycles = 2 } } } });
        var id = await PaidAsync(planId, TestPrime, "TWOHALF");
        var anchor = App.Clock.GetUtcNow();

        await At(anchor.AddMonths(3));

        Assert.Equal([150L, 150L, 300L, 300L], Orders(id).Select(o => o.Amount));
        Assert.Equal([150L, 300L, 300L], Receiver.Received.Where(r => r.Event == "creator_subscription.payment.succeeded").Select(r => JsonNode.Parse(r.Body)!["amount"]!.GetValue<long>()));
        Assert.Equal(300, (await http.Get("/subscriptions/" + id)).Data["amount"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_cancellation_ends_the_subscription_at_the_period_end_without_a_charge_and_resume_before_it_keeps_renewing()
    {
        var http = App.Test();
        var planId = await http.CreatePlan();
        var ending = await PaidAsync(planId, TestPrime);
        var resuming = await PaidAsync(planId, TestPrime);
        var anchor = App.Clock.GetUtcNow();
        await http.Post($"/subscriptions/{ending}/cancel", new { reason = "other" });
        await http.Post($"/subscriptions/{resuming}/cancel", new { });
        await At(anchor.AddDays(20));
        Assert.Equal(HttpStatusCode.OK, (await http.Post($"/subscriptions/{resuming}/resume", new { })).Status);

        await At(anchor.AddMonths(1));
        await At(anchor.AddMonths(2));

        var ended = (await http.Get("/subscriptions/" + ending)).Data;
        Assert.Equal(("canceled", anchor.AddMonths(1)), (ended["status"]!.GetValue<string>(), ended["canceledAt"]!.GetValue<DateTimeOffset>()));
        Assert.Null(ended["nextBillingAt"]);
        Assert.Single(Orders(ending));
        Assert.Single(Receiver.Received, r => r.Event == "creator_subscription.canceled");
        Assert.DoesNotContain(Receiver.Received, r => r.Event == "creator_subscription.payment.succeeded" && r.Body.Contains(ending, StringComparison.Ordinal));
        Assert.Equal(3, Orders(resuming).Count);
        Assert.Equal((HttpStatusCode.Conflict, "SUBSCRIPTION_CANCELED"), Of(await http.Post($"/subscriptions/{ending}/resume", new { })));
        AllVerify();
    }

    [Fact]
    public async Task Resume_after_the_period_end_is_refused_even_before_the_renewals_record_the_end()
    {
        var http = App.Test();
        var id = await PaidAsync(await http.CreatePlan(), TestPrime);
        var anchor = App.Clock.GetUtcNow();
        await http.Post($"/subscriptions/{id}/cancel", new { });

        App.Clock.SetUtcNow(anchor.AddMonths(1));

        Assert.Equal((HttpStatusCode.Conflict, "SUBSCRIPTION_CANCELED"), Of(await http.Post($"/subscriptions/{id}/resume", new { })));
        await App.RunDueAsync();
        Assert.Equal("canceled", (await http.Get("/subscriptions/" + id)).Data["status"]!.GetValue<string>());
        Assert.Single(Orders(id));
    }

    [Fact]
    public async Task A_card_that_declines_renewals_fails_three_times_a_day_apart_and_is_canceled()
    {
        var http = App.Test();
        var id = await PaidAsync(await http.CreatePlan(), await PrimeOfAsync(RenewalsDeclineCard));
        var anchor = App.Clock.GetUtcNow();

        await At(anchor.AddMonths(1));
        var first = (await http.Get("/subscriptions/" + id)).Data;
        Assert.Equal(("past_due", 1), (first["status"]!.GetValue<string>(), first["failureCount"]!.GetValue<int>()));
        Assert.Contains("Do not honour", first["lastFailureReason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(anchor.AddMonths(1).AddDays(1), first["nextRetryAt"]!.GetValue<DateTimeOffset>());
        await At(anchor.AddMonths(1).AddDays(1));
        Assert.Equal(2, (await http.Get("/subscriptions/" + id)).Data["failureCount"]!.GetValue<int>());
        await At(anchor.AddMonths(1).AddDays(2));

        Assert.Equal("canceled", (await http.Get("/subscriptions/" + id)).Data["status"]!.GetValue<string>());
        var failed = Receiver.Received.Where(r => r.Event == "creator_subscription.payment.failed").Select(r => JsonNode.Parse(r.Body)!).ToList();
        Assert.Equal([(1, false), (2, false), (3, true)], failed.Select(f => (f["failureCount"]!.GetValue<int>(), f["willCancel"]!.GetValue<bool>())));
        Assert.Equal("creator_subscription.canceled", Receiver.Received[^1].Event);
        Assert.Single(Orders(id));
        AllVerify();
    }

    [Fact]
    public async Task A_past_due_subscription_that_pays_on_retry_is_active_again_and_says_so()
    {
        var http = App.Test();
        var id = await PaidAsync(await http.CreatePlan(), TestPrime);
        var anchor = App.Clock.GetUtcNow();
        var tappay = App.Services.GetRequiredService<IOptions<PortalyOptions>>().Value.TapPay;
        var baseUrl = tappay.BaseUrl;
        tappay.BaseUrl = null; // the operator's TapPay settings are missing for a day

        await At(anchor.AddMonths(1));
        Assert.Equal("past_due", (await http.Get("/subscriptions/" + id)).Data["status"]!.GetValue<string>());
        tappay.BaseUrl = baseUrl;
        await At(anchor.AddMonths(1).AddDays(1));

        var record = (await http.Get("/subscriptions/" + id)).Data;
        Assert.Equal(("active", 0), (record["status"]!.GetValue<string>(), record["failureCount"]!.GetValue<int>()));
        Assert.Equal(anchor.AddMonths(2), record["nextBillingAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(
            ["creator_subscription.checkout.completed", "creator_subscription.active", "creator_subscription.payment.failed", "creator_subscription.payment.succeeded", "creator_subscription.active"],
            Receiver.Received.Select(r => r.Event));
        AllVerify();
    }

    [Fact]
    public async Task A_charge_sent_before_a_crash_is_found_in_tappays_record_and_not_made_again()
    {
        var http = App.Test();
        var id = await PaidAsync(await http.CreatePlan(), TestPrime);
        var anchor = App.Clock.GetUtcNow();
        var subscriptions = App.Services.GetRequiredService<SubscriptionStore>();
        var stored = subscriptions.Get(id)!;
        // The run that stopped half-way: the mark was written and TapPay charged, nothing was recorded.
        var sent = await App.Services.GetRequiredService<TapPayGateway>().PayByTokenAsync(stored.Card!, 300, "TWD", "Pro #2", id + "-2", TestContext.Current.CancellationToken);
        subscriptions.Put(stored with { ChargeUnderWay = 2 });

        await At(anchor.AddMonths(1));

        Assert.Equal([1, 2], Orders(id).Select(o => o.ChargeNumber));
        Assert.Equal(sent.RecTradeId, Orders(id)[1].PaymentReference);
        Assert.Equal(1, await TradesOfAsync(id + "-2"));
        Assert.Null(subscriptions.Get(id)!.ChargeUnderWay);
        Assert.Single(Receiver.Received, r => r.Event == "creator_subscription.payment.succeeded");
    }

    [Fact]
    public async Task With_test_renewals_off_only_live_subscriptions_are_charged()
    {
        await using var app = new PortalyTestApp(settings: new Dictionary<string, string?> { ["Portaly:RenewTestSubscriptions"] = "false" });
        var test = await Subscribing.ManuallyAsync(app.Test(), await app.Test().CreatePlan(), "buyer@example.com");
        var live = await Subscribing.ManuallyAsync(app.Live(), await app.Live().CreatePlan("Live"), "buyer@example.com");
        var ending = await Subscribing.ManuallyAsync(app.Test(), await app.Test().CreatePlan("Ending"), "buyer@example.com");
        await app.Test().Post($"/subscriptions/{ending}/cancel", new { });

        await app.AdvanceAsync(TimeSpan.FromDays(32));

        Assert.Equal((0, "active"), ((await app.Test().Get("/subscriptions/" + test)).Data["failureCount"]!.GetValue<int>(), (await app.Test().Get("/subscriptions/" + test)).Data["status"]!.GetValue<string>()));
        Assert.Equal("past_due", (await app.Live().Get("/subscriptions/" + live)).Data["status"]!.GetValue<string>());
        Assert.Equal("canceled", (await app.Test().Get("/subscriptions/" + ending)).Data["status"]!.GetValue<string>());
    }

    /// <summary>A checkout paid by card through the sandbox (as the hosted page pays it), completed by the completion service.</summary>
    private async Task<string> PaidAsync(string planId, string prime, string? discountCode = null)
    {
        var created = await App.Test().Post("/checkout-sessions", new { planId, callbackUrl = Receiver.Url, discountCode });
        var id = created.Data["sessionId"]!.GetValue<string>();
        var session = App.Services.GetRequiredService<CheckoutSessions>().Get(id)!;
        var charge = await App.Services.GetRequiredService<TapPayGateway>().PayByPrimeAsync(
            prime, session.Amount, session.Currency, session.PlanName, id + "-1", new Cardholder("Buyer", "buyer@example.com", "0912345678"), TestContext.Current.CancellationToken);
        Assert.True(charge.Succeeded, charge.FailureReason);
        Assert.NotNull(charge.Card);
        await App.Services.GetRequiredService<CheckoutCompletion>().CompleteAsync(
            session with { CustomerEmail = "buyer@example.com" }, new Buyer("Buyer", "buyer@example.com", "0912345678"),
            new FirstCharge(charge.RecTradeId!, TapPayGateway.PaymentMethod, session.Amount, charge.Card));
        return id;
    }

    private async Task<string> PrimeOfAsync(string card)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Sandbox.Server.BaseUrlOf("tappay") + "/sandbox/get-prime")
        {
            Content = JsonContent.Create(new { app_id = TapPayProvider.AppId, card_number = card, card_expiry = "12/30", card_ccv = "123" }),
        };
        request.Headers.Add("x-api-key", TapPayProvider.AppKey);
        using var http = new HttpClient();
        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        var answer = await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken);
        return answer!["prime"]!.GetValue<string>();
    }

    /// <summary>How many TapPay records the sandbox holds for a merchant order number.</summary>
    private async Task<int> TradesOfAsync(string orderNumber)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Sandbox.Server.BaseUrlOf("tappay") + "/tpc/transaction/query")
        {
            Content = JsonContent.Create(new { partner_key = TapPayProvider.PartnerKey, records_per_page = 50, filters = new { order_number = orderNumber } }),
        };
        request.Headers.Add("x-api-key", TapPayProvider.PartnerKey);
        using var http = new HttpClient();
        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        var answer = await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken);
        return (answer!["trade_records"] as JsonArray)?.Count ?? 0;
    }

    private async Task At(DateTimeOffset time)
    {
        App.Clock.SetUtcNow(time);
        await App.RunDueAsync();
    }

    private IReadOnlyList<Order> Orders(string subscriptionId) => App.Services.GetRequiredService<OrderStore>().OfSubscription(subscriptionId);

    private void AllVerify() => Assert.All(Receiver.Received, r =>
        Assert.Equal(PortalyVerdict.Valid, PortalySignature.Verify(PortalyDemo.TestCallbackSecret, r.Event, r.Timestamp, r.Signature, r.Body, DateTimeOffset.UtcNow)));

    private static (HttpStatusCode, string?) Of(Reply reply) => (reply.Status, reply.Code);
}
