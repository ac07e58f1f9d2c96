using System.Net;
using System.Text.Json.Nodes;
using Harness.Portaly.Checkout;
using Harness.Portaly.Orders;
using Harness.Portaly.Subscriptions;
using Microsoft.Extensions.DependencyInjection;

namespace Harness.Tests.Portaly;

/// <summary>Nothing is applied twice or lost: simultaneous completions, the last redemption of a code, a restart with callbacks still owed.</summary>
public sealed class CheckoutConcurrencyTests
{
    [Fact]
    public async Task Completions_sent_at_once_record_one_subscription_one_order_and_one_callback()
    {
        await using var receiver = await CallbackReceiver.StartAsync();
        await using var app = new PortalyTestApp();
        var http = app.Test();
        var planId = await http.CreatePlan("Once", "one-time");
        var created = (await http.Post("/checkout-sessions", new { planId, callbackUrl = receiver.Url })).Data;
        var id = created["sessionId"]!.GetValue<string>();
        var body = new { checkoutToken = created["checkoutToken"]!.GetValue<string>(), status = "completed", customerEmail = "buyer@example.com" };

        var replies = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => http.Post($"/checkout-sessions/{id}/complete", body)));
        await app.RunDueAsync();

        Assert.All(replies, r => Assert.Equal((HttpStatusCode.OK, "completed"), (r.Status, r.Data["status"]!.GetValue<string>())));
        Assert.Single(receiver.Received);
        Assert.Single(app.Services.GetRequiredService<OrderStore>().OfSubscription(id));
        Assert.Single(app.Services.GetRequiredService<SubscriptionStore>().Of("demo-profile", "test"));
    }

    [Fact]
    public async Task The_last_redemption_of_a_code_goes_to_one_buyer_of_many_paying_at_once()
    {
        await using var app = new PortalyTestApp();
        var http = app.Test();
        var planId = await http.CreatePlan("Once", "one-time");
        await http.Post("/discount-codes", new { code = "ONLYONE", maxRedemptions = 1, rules = new[] { new { appliesTo = new { type = "all" }, discount = new { type = "percent", value = 10 } } } });
        var sessions = new List<JsonNode>();
        for (var i = 0; i < 6; i++)
        {
            sessions.Add((await http.Post("/checkout-sessions", new { planId, discountCode = "ONLYONE" })).Data);
        }

        var replies = await Task.WhenAll(sessions.Select((s, i) => http.Post($"/checkout-sessions/{s["sessionId"]!.GetValue<string>()}/complete",
            new { checkoutToken = s["checkoutToken"]!.GetValue<string>(), status = "completed", customerEmail = $"buyer{i}@example.com" })));

        Assert.Single(replies, r => r.Status == HttpStatusCode.OK);
        Assert.All(replies.Where(r => r.Status != HttpStatusCode.OK), r => Assert.Equal(("INVALID_DISCOUNT_CODE", "MAX_REDEMPTIONS_REACHED"), (r.Code, r.Body["reason"]!.GetValue<string>())));
        Assert.Equal(1, (await http.Get("/discount-codes/lookup?code=onlyone")).Data["timesRedeemed"]!.GetValue<int>());
        var afterwards = await http.Post("/checkout-sessions", new { planId, discountCode = "ONLYONE" });
        Assert.Equal(("INVALID_DISCOUNT_CODE", "MAX_REDEMPTIONS_REACHED"), (afterwards.Code, afterwards.Body["reason"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_payment_that_never_reports_back_stops_holding_the_last_redemption()
    {
        await using var app = new PortalyTestApp();
        var http = app.Test();
        var planId = await http.CreatePlan("Once", "one-time");
        await http.Post("/discount-codes", new { code = "LASTONE", maxRedemptions = 1, rules = new[] { new { appliesTo = new { type = "all" }, discount = new { type = "percent", value = 10 } } } });
        var id = (await http.Post("/checkout-sessions", new { planId, discountCode = "LASTONE" })).Data["sessionId"]!.GetValue<string>();
        var session = app.Services.GetRequiredService<CheckoutSessions>().Get(id)!;

        Assert.Null(await app.Services.GetRequiredService<DiscountApplication>().ReserveAsync(session with { CustomerEmail = "buyer@example.com" }));
        var whileHeld = await http.Post("/checkout-sessions", new { planId, discountCode = "LASTONE" });
        app.Clock.Advance(TimeSpan.FromMinutes(30) + DiscountApplication.HoldAfterExpiry);
        var afterwards = await http.Post("/checkout-sessions", new { planId, discountCode = "LASTONE" });

        Assert.Equal("MAX_REDEMPTIONS_REACHED", whileHeld.Body["reason"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, afterwards.Status);
    }

    [Fact]
    public async Task A_per_customer_cap_counts_the_buyers_email_in_any_case()
    {
        await using var app = new PortalyTestApp();
        var http = app.Test();
        var planId = await http.CreatePlan("Once", "one-time");
        await http.Post("/discount-codes", new { code = "ONCEEACH", maxRedemptionsPerCustomer = 1, rules = new[] { new { appliesTo = new { type = "all" }, discount = new { type = "fixed", value = 50 } } } });
        var first = (await http.Post("/checkout-sessions", new { planId, discountCode = "ONCEEACH", customerEmail = "Buyer@Example.com", emailVerified = true })).Data;
        await http.Post($"/checkout-sessions/{first["sessionId"]!.GetValue<string>()}/complete", new { checkoutToken = first["checkoutToken"]!.GetValue<string>(), status = "completed" });

        var again = await http.Post("/checkout-sessions", new { planId, discountCode = "ONCEEACH", customerEmail = "buyer@example.com", emailVerified = true });
        var unverified = await http.Post("/checkout-sessions", new { planId, discountCode = "ONCEEACH", customerEmail = "buyer@example.com" });
        var someoneElse = await http.Post("/checkout-sessions", new { planId, discountCode = "ONCEEACH", customerEmail = "other@example.com", emailVerified = true });

        Assert.Equal(("INVALID_DISCOUNT_CODE", "PER_CUSTOMER_LIMIT_REACHED"), (again.Code, again.Body["reason"]!.GetValue<string>()));
        Assert.Equal(250, someoneElse.Data["amount"]!.GetValue<long>());
        var late = unverified.Data; // an unconfirmed email is checked when the payment starts
        var completing = await http.Post($"/checkout-sessions/{late["sessionId"]!.GetValue<string>()}/complete", new { checkoutToken = late["checkoutToken"]!.GetValue<string>(), status = "completed" });
        Assert.Equal(("INVALID_DISCOUNT_CODE", "PER_CUSTOMER_LIMIT_REACHED"), (completing.Code, completing.Body["reason"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_callback_owed_before_a_restart_is_delivered_after_it()
    {
        await using var receiver = await CallbackReceiver.StartAsync();
        var directory = TempDirectory.Create("portaly-owed");
        try
        {
            string id;
            await using (var first = new PortalyTestApp(directory))
            {
                var http = first.Test();
                var planId = await http.CreatePlan("Once", "one-time");
                var created = (await http.Post("/checkout-sessions", new { planId, callbackUrl = receiver.Url })).Data;
                id = created["sessionId"]!.GetValue<string>();
                await http.Post($"/checkout-sessions/{id}/complete", new { checkoutToken = created["checkoutToken"]!.GetValue<string>(), status = "completed", customerEmail = "buyer@example.com" });
            }

            Assert.Empty(receiver.Received);
            await using var second = new PortalyTestApp(directory);
            await second.RunDueAsync();

            Assert.Equal(id, JsonNode.Parse(Assert.Single(receiver.Received).Body)!["sessionId"]!.GetValue<string>());
            Assert.Equal("completed", (await second.Test().Get("/checkout-sessions/" + id)).Data["status"]!.GetValue<string>());
        }
        finally
        {
            TempDirectory.TryDelete(directory);
        }
    }
}
