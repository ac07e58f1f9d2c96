using System.Net;
using System.Text.Json.Nodes;
using Harness.Portaly.Demo;
using Harness.Portaly.Emails;
using Harness.Security.Signing;
using Microsoft.Extensions.DependencyInjection;

namespace Harness.Tests.Portaly;

/// <summary>Subscriptions through the API: the list and the record, cancel at period end and resume, their refusals.</summary>
public sealed class SubscriptionTests : IAsyncLifetime
{
    private readonly PortalyTestApp _app = new();
    private CallbackReceiver _receiver = null!;

    public async ValueTask InitializeAsync() => _receiver = await CallbackReceiver.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task The_list_and_the_record_show_the_keys_subscriptions_of_its_mode_without_the_card()
    {
        var http = _app.Test();
        var planId = await http.CreatePlan();
        await http.Post("/discount-codes", new { code = "HALF", rules = new[] { new { appliesTo = new { type = "all" }, discount = new { type = "percent", value = 50 }, duration = new { type = "repeating", cycles = 2 } } } });
        var first = await Subscribing.ManuallyAsync(http, planId, "one@example.com", discountCode: "HALF");
        _app.Clock.Advance(TimeSpan.FromMinutes(1));
        var second = await Subscribing.ManuallyAsync(http, planId, "Two@Example.com");
        var anchor = _app.Clock.GetUtcNow().AddMinutes(-1);

        var list = await http.Get("/subscriptions");
        Assert.Equal(HttpStatusCode.OK, list.Status);
        Assert.Equal([second, first], list.Data.AsArray().Select(i => i!["id"]!.GetValue<string>()));
        var item = list.Data[1]!.AsObject();
        Assert.Equal(
            ["id", "profileId", "planId", "planName", "amount", "currency", "billingPeriod", "status", "mode", "cancelAtPeriodEnd", "nextBillingAt", "customerName", "customerEmail", "createdAt", "discount"],
            item.Select(p => p.Key));
        Assert.Equal((300L, "active", "test", "monthly"), (item["amount"]!.GetValue<long>(), item["status"]!.GetValue<string>(), item["mode"]!.GetValue<string>(), item["billingPeriod"]!.GetValue<string>()));
        Assert.Equal(anchor.AddMonths(1), item["nextBillingAt"]!.GetValue<DateTimeOffset>());
        var discount = item["discount"]!;
        Assert.Equal(("HALF", "manual", 300L, 150L, anchor.AddMonths(2)), (discount["code"]!.GetValue<string>(), discount["source"]!.GetValue<string>(), discount["originalAmount"]!.GetValue<long>(), discount["finalAmount"]!.GetValue<long>(), discount["endsAt"]!.GetValue<DateTimeOffset>()));
        Assert.Equal(50, discount["appliedRule"]!["discount"]!["value"]!.GetValue<int>());
        Assert.Null(discount["cycles"]);

        var record = await http.Get("/subscriptions/" + first);
        Assert.Equal((0, "manual_"), (record.Data["failureCount"]!.GetValue<int>(), record.Data["lastPaymentReference"]!.GetValue<string>()[..7]));
        foreach (var field in new[] { "lastChargedAt", "lastFailureReason", "lastFailureAt", "nextRetryAt", "cancelRequestedAt", "cancelEffectiveAt", "canceledAt" })
        {
            Assert.True(record.Data.AsObject().ContainsKey(field), field);
        }

        Assert.DoesNotContain("card", record.Body.ToJsonString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal([second], (await http.Get("/subscriptions?customerEmail=two@example.COM")).Data.AsArray().Select(i => i!["id"]!.GetValue<string>()));
        Assert.Empty((await http.Get("/subscriptions?status=past_due")).Data.AsArray());
        var paged = await http.Get("/subscriptions?limit=1");
        Assert.Equal((true, second), (paged.Body["pagination"]!["hasMore"]!.GetValue<bool>(), paged.Body["pagination"]!["nextCursor"]!.GetValue<string>()));
        Assert.Equal(first, (await http.Get("/subscriptions?limit=1&startAfter=" + second)).Data[0]!["id"]!.GetValue<string>());
        Assert.Equal((HttpStatusCode.BadRequest, "VALIDATION_ERROR"), Of(await http.Get("/subscriptions?status=paused")));
        Assert.Empty((await _app.Live().Get("/subscriptions")).Data.AsArray());
        Assert.Equal((HttpStatusCode.NotFound, "NOT_FOUND"), Of(await _app.Live().Get("/subscriptions/" + first)));
        Assert.Equal((HttpStatusCode.NotFound, "NOT_FOUND"), Of(await http.Get("/subscriptions/session_missing")));
    }

    [Fact]
    public async Task Cancel_is_pending_until_the_period_ends_idempotent_and_resume_clears_it()
    {
        var http = _app.Test();
        var planId = await http.CreatePlan();
        var id = await Subscribing.ManuallyAsync(http, planId, "buyer@example.com", _receiver.Url);
        var anchor = _app.Clock.GetUtcNow();
        _app.Clock.Advance(TimeSpan.FromDays(3));

        var canceled = await http.Post($"/subscriptions/{id}/cancel", new { reason = "customer_requested", reasonNote = "too expensive" });
        _app.Clock.Advance(TimeSpan.FromMinutes(5));
        var again = await http.Post($"/subscriptions/{id}/cancel", new { });
        await _app.RunDueAsync();

        Assert.Equal(HttpStatusCode.OK, canceled.Status);
        Assert.Equal(["id", "status", "cancelAtPeriodEnd", "cancelRequestedAt", "cancelEffectiveAt", "canceledAt", "nextBillingAt"], canceled.Data.AsObject().Select(p => p.Key));
        Assert.Equal(("active", true), (canceled.Data["status"]!.GetValue<string>(), canceled.Data["cancelAtPeriodEnd"]!.GetValue<bool>()));
        Assert.Equal(anchor.AddDays(3), canceled.Data["cancelRequestedAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(anchor.AddMonths(1), canceled.Data["cancelEffectiveAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(canceled.Data.ToJsonString(), again.Data.ToJsonString());
        var record = (await http.Get("/subscriptions/" + id)).Data;
        Assert.Equal(("customer_requested", "too expensive", "api"), (record["cancelReason"]!.GetValue<string>(), record["cancelReasonNote"]!.GetValue<string>(), record["cancelRequestedBy"]!.GetValue<string>()));
        var requested = Assert.Single(_receiver.Received, r => r.Event == "creator_subscription.cancel_requested");
        var payload = JsonNode.Parse(requested.Body)!;
        Assert.Equal((id, true, "api"), (payload["subscriptionId"]!.GetValue<string>(), payload["cancelAtPeriodEnd"]!.GetValue<bool>(), payload["cancelRequestedBy"]!.GetValue<string>()));
        var email = Assert.Single(_app.Services.GetRequiredService<EmailOutbox>().Of(PortalyDemo.ProfileId, "test"), e => e.Type == EmailTypes.SubscriptionCanceled);
        Assert.Equal("buyer@example.com", email.To);

        var resumed = await http.Post($"/subscriptions/{id}/resume", new { });
        await _app.RunDueAsync();

        Assert.Equal((HttpStatusCode.OK, false), (resumed.Status, resumed.Data["cancelAtPeriodEnd"]!.GetValue<bool>()));
        Assert.Null(resumed.Data["cancelEffectiveAt"]);
        Assert.Equal(anchor.AddMonths(1), resumed.Data["nextBillingAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal("creator_subscription.active", _receiver.Received[^1].Event);
        Assert.Equal((HttpStatusCode.Conflict, "NOT_PENDING_CANCELLATION"), Of(await http.Post($"/subscriptions/{id}/resume", new { })));
        Assert.All(_receiver.Received, r => Assert.Equal(PortalyVerdict.Valid, PortalySignature.Verify(PortalyDemo.TestCallbackSecret, r.Event, r.Timestamp, r.Signature, r.Body, DateTimeOffset.UtcNow)));
    }

    [Fact]
    public async Task Refusals_one_time_plans_other_modes_bad_reasons_and_turned_off_emails()
    {
        var http = _app.Test();
        var once = await Subscribing.ManuallyAsync(http, await http.CreatePlan("Once", "one-time"), "buyer@example.com");
        var monthly = await Subscribing.ManuallyAsync(http, await http.CreatePlan(), "buyer@example.com");
        _app.Services.GetRequiredService<EmailOutbox>().SetEnabled(PortalyDemo.ProfileId, EmailTypes.SubscriptionCanceled, false);

        Assert.Equal((HttpStatusCode.UnprocessableEntity, "NOT_RECURRING"), Of(await http.Post($"/subscriptions/{once}/cancel", new { })));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "NOT_RECURRING"), Of(await http.Post($"/subscriptions/{once}/resume", new { })));
        Assert.Equal((HttpStatusCode.NotFound, "NOT_FOUND"), Of(await _app.Live().Post($"/subscriptions/{monthly}/cancel", new { })));
        Assert.Equal((HttpStatusCode.BadRequest, "VALIDATION_ERROR"), Of(await http.Post($"/subscriptions/{monthly}/cancel", new { reason = "bored" })));
        Assert.Equal((HttpStatusCode.BadRequest, "VALIDATION_ERROR"), Of(await http.Post($"/subscriptions/{monthly}/cancel", new { reasonNote = new string('x', 501) })));
        Assert.Equal((HttpStatusCode.Conflict, "NOT_PENDING_CANCELLATION"), Of(await http.Post($"/subscriptions/{monthly}/resume", new { })));

        Assert.Equal(HttpStatusCode.OK, (await Reply.Of(http.PostAsync(PortalyHttp.Base + $"/subscriptions/{monthly}/cancel", null, TestContext.Current.CancellationToken))).Status);
        Assert.True((await http.Get("/subscriptions/" + monthly)).Data["cancelAtPeriodEnd"]!.GetValue<bool>());
        Assert.DoesNotContain(_app.Services.GetRequiredService<EmailOutbox>().Of(PortalyDemo.ProfileId, "test"), e => e.Type == EmailTypes.SubscriptionCanceled);

        _app.Clock.Advance(TimeSpan.FromDays(40));
        await _app.RunDueAsync();
        var ended = (await http.Get("/subscriptions/" + monthly)).Data;
        Assert.Equal("canceled", ended["status"]!.GetValue<string>());
        Assert.Equal((HttpStatusCode.Conflict, "SUBSCRIPTION_CANCELED"), Of(await http.Post($"/subscriptions/{monthly}/cancel", new { })));
        Assert.Equal((HttpStatusCode.Conflict, "SUBSCRIPTION_CANCELED"), Of(await http.Post($"/subscriptions/{monthly}/resume", new { })));
    }

    [Fact]
    public async Task Cancelling_a_past_due_subscription_ends_it_at_once_and_stops_the_retries()
    {
        var http = _app.Test();
        var id = await Subscribing.ManuallyAsync(http, await http.CreatePlan(), "buyer@example.com", _receiver.Url);
        await _app.AdvanceAsync(TimeSpan.FromDays(32));
        Assert.Equal("past_due", (await http.Get("/subscriptions/" + id)).Data["status"]!.GetValue<string>());

        var canceled = await http.Post($"/subscriptions/{id}/cancel", new { reason = "payment_failures" });
        await _app.AdvanceAsync(TimeSpan.FromDays(3));

        Assert.Equal(("canceled", _app.Clock.GetUtcNow().AddDays(-3)), (canceled.Data["status"]!.GetValue<string>(), canceled.Data["canceledAt"]!.GetValue<DateTimeOffset>()));
        Assert.Equal(canceled.Data["canceledAt"]!.GetValue<DateTimeOffset>(), canceled.Data["cancelEffectiveAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(1, (await http.Get("/subscriptions/" + id)).Data["failureCount"]!.GetValue<int>());
        Assert.Equal(
            ["creator_subscription.checkout.completed", "creator_subscription.active", "creator_subscription.payment.failed", "creator_subscription.cancel_requested", "creator_subscription.canceled"],
            _receiver.Received.Select(r => r.Event));
    }

    private static (HttpStatusCode, string?) Of(Reply reply) => (reply.Status, reply.Code);
}

/// <summary>Ways to get a subscription in tests: the merchant's manual completion (no card kept).</summary>
public static class Subscribing
{
    /// <summary>Creates a checkout of the plan and completes it by hand; the subscription's id.</summary>
    public static async Task<string> ManuallyAsync(HttpClient http, string planId, string email, string? callbackUrl = null, string? discountCode = null)
    {
        var created = await http.Post("/checkout-sessions", new { planId, callbackUrl, discountCode });
        Assert.Equal(HttpStatusCode.OK, created.Status);
        var id = created.Data["sessionId"]!.GetValue<string>();
        var completed = await http.Post($"/checkout-sessions/{id}/complete", new { checkoutToken = created.Data["checkoutToken"]!.GetValue<string>(), status = "completed", customerEmail = email, customerName = "Buyer" });
        Assert.Equal(HttpStatusCode.OK, completed.Status);
        return id;
    }
}
