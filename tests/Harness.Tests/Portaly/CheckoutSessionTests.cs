using System.Net;
using System.Text.Json.Nodes;
using Harness.Portaly.Demo;
using Harness.Security.Signing;

namespace Harness.Tests.Portaly;

/// <summary>Checkout sessions through the API: creation rules, discounts, manual completion, the signed checkout callback.</summary>
public sealed class CheckoutSessionTests : IAsyncLifetime
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
    public async Task A_session_of_a_fixed_plan_is_ready_with_the_plans_amount_and_a_hosted_page()
    {
        var planId = await _app.Test().CreatePlan();

        var created = await _app.Test().Post("/checkout-sessions", new { planId, merchantOrderNumber = "order-1", metadata = new { source = "web" } });

        Assert.Equal(HttpStatusCode.OK, created.Status);
        var id = created.Data["sessionId"]!.GetValue<string>();
        Assert.Equal("checkout_ready", created.Data["status"]!.GetValue<string>());
        Assert.Equal(300, created.Data["amount"]!.GetValue<long>());
        Assert.Null(created.Data["appliedDiscount"]);
        Assert.EndsWith("/checkout/subscription/" + id, created.Data["checkoutUrl"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(64, created.Data["checkoutToken"]!.GetValue<string>().Length);
        Assert.Equal(_app.Clock.GetUtcNow().AddMinutes(30), created.Data["expiresAt"]!.GetValue<DateTimeOffset>());

        var read = await _app.Test().Get("/checkout-sessions/" + id);
        Assert.Equal(("checkout_ready", "order-1", "monthly", true), (read.Data["status"]!.GetValue<string>(), read.Data["merchantOrderNumber"]!.GetValue<string>(), read.Data["billingPeriod"]!.GetValue<string>(), read.Data["collectPhone"]!.GetValue<bool>()));
        Assert.Equal(planId, read.Data["plan"]!["id"]!.GetValue<string>());
        Assert.Equal("""{"name":null,"email":null,"phone":""}""", read.Data["customer"]!.ToJsonString()); // the contract's empty phone
        Assert.Null(read.Data["metadata"]);
        Assert.Null(read.Data["completedAt"]);
        Assert.Equal(HttpStatusCode.NotFound, (await _app.Live().Get("/checkout-sessions/" + id)).Status); // the other mode's
    }

    [Fact]
    public async Task Creation_refusals_carry_their_documented_status_and_code()
    {
        var http = _app.Test();
        var inactive = (await http.Post("/plans", new { name = "Old", amount = 100, billingPeriod = "monthly", status = "inactive" })).Data["id"]!.GetValue<string>();
        var dynamic = (await http.Post("/plans", new { name = "Tip", pricingType = "dynamic", billingPeriod = "one-time" })).Data["id"]!.GetValue<string>();
        var other = (await _app.Admin().Post("/api-keys", new { profileId = "another-profile", mode = "test" })).Data["secret"]!.GetValue<string>();
        var foreign = await _app.With(other).CreatePlan();

        Assert.Equal((HttpStatusCode.NotFound, "PLAN_NOT_FOUND"), Of(await http.Post("/checkout-sessions", new { planId = "plan_missing" })));
        Assert.Equal((HttpStatusCode.Forbidden, "FORBIDDEN"), Of(await http.Post("/checkout-sessions", new { planId = foreign })));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "PLAN_INACTIVE"), Of(await http.Post("/checkout-sessions", new { planId = inactive })));
        Assert.Equal((HttpStatusCode.BadRequest, "VALIDATION_ERROR"), Of(await http.Post("/checkout-sessions", new { planId = dynamic })));
        Assert.Equal((HttpStatusCode.BadRequest, "VALIDATION_ERROR"), Of(await http.Post("/checkout-sessions", new { planId = dynamic, amount = 0 })));
        Assert.Equal(500, (await http.Post("/checkout-sessions", new { planId = dynamic, amount = 500 })).Data["amount"]!.GetValue<long>());
        Assert.Equal((HttpStatusCode.BadRequest, "VALIDATION_ERROR"), Of(await http.Post("/checkout-sessions", new { planId = foreign, profitSharingId = "" })));
        Assert.Equal((HttpStatusCode.BadRequest, "VALIDATION_ERROR"), Of(await http.Post("/checkout-sessions", new { planId = foreign, callbackUrl = "ftp://merchant" })));
        Assert.Equal((HttpStatusCode.BadRequest, "VALIDATION_ERROR"), Of(await http.Post("/checkout-sessions", new { })));
    }

    [Fact]
    public async Task With_the_contracts_toggle_on_a_yearly_plan_cannot_be_checked_out()
    {
        await using var app = new PortalyTestApp(settings: new Dictionary<string, string?> { ["Portaly:YearlyTemporarilyUnsupported"] = "true" });
        var yearly = await app.Test().CreatePlan("Year", "yearly");
        var monthly = await app.Test().CreatePlan("Month", "monthly");

        Assert.Equal((HttpStatusCode.UnprocessableEntity, "YEARLY_TEMPORARILY_UNSUPPORTED"), Of(await app.Test().Post("/checkout-sessions", new { planId = yearly })));
        Assert.Equal(HttpStatusCode.OK, (await app.Test().Post("/checkout-sessions", new { planId = monthly })).Status);
        Assert.Equal(HttpStatusCode.OK, (await _app.Test().Post("/checkout-sessions", new { planId = await _app.Test().CreatePlan("Year", "yearly") })).Status); // off by default
    }

    [Fact]
    public async Task A_discount_code_prices_the_session_and_a_code_that_does_not_apply_says_why()
    {
        var http = _app.Test();
        var planId = await http.CreatePlan();
        var otherPlan = await http.CreatePlan("Other");
        await http.Post("/discount-codes", new { code = "half", rules = new[] { new { appliesTo = new { type = "specific", planIds = new[] { planId } }, discount = new { type = "percent", value = 50 }, duration = new { type = "repeating", cycles = 3 } } } });
        await http.Post("/discount-codes", new { code = "late", rules = new[] { new { appliesTo = new { type = "all" }, discount = new { type = "free" } } }, redeemFrom = _app.Clock.GetUtcNow().AddDays(1), redeemBy = _app.Clock.GetUtcNow().AddDays(2) });

        var created = await http.Post("/checkout-sessions", new { planId, discountCode = "HaLf" });

        Assert.Equal(150, created.Data["amount"]!.GetValue<long>());
        var applied = created.Data["appliedDiscount"]!;
        Assert.Equal(("HALF", 300, 150, 150, "manual"), (applied["code"]!.GetValue<string>(), applied["originalAmount"]!.GetValue<long>(), applied["discountedAmount"]!.GetValue<long>(), applied["finalAmount"]!.GetValue<long>(), applied["source"]!.GetValue<string>()));
        Assert.Equal(("INVALID_DISCOUNT_CODE", "NOT_FOUND"), Reason(await http.Post("/checkout-sessions", new { planId, discountCode = "nope" })));
        Assert.Equal(("INVALID_DISCOUNT_CODE", "NOT_APPLICABLE_TO_PLAN"), Reason(await http.Post("/checkout-sessions", new { planId = otherPlan, discountCode = "half" })));
        Assert.Equal(("INVALID_DISCOUNT_CODE", "OUTSIDE_REDEMPTION_WINDOW"), Reason(await http.Post("/checkout-sessions", new { planId, discountCode = "late" })));
    }

    [Fact]
    public async Task Manual_completion_persists_the_order_and_sends_one_signed_callback_that_verifies()
    {
        var http = _app.Test();
        var planId = await http.CreatePlan();
        await http.Post("/discount-codes", new { code = "TENOFF", rules = new[] { new { appliesTo = new { type = "all" }, discount = new { type = "fixed", value = 10 } } } });
        var created = (await http.Post("/checkout-sessions", new { planId, discountCode = "TENOFF", callbackUrl = _receiver.Url, merchantOrderNumber = "m-42", metadata = new { cart = "c1" } })).Data;
        var id = created["sessionId"]!.GetValue<string>();
        var complete = new { checkoutToken = created["checkoutToken"]!.GetValue<string>(), status = "completed", customerEmail = "buyer@example.com", customerName = "Buyer", paymentReference = "txn_1", paymentMethod = "custom", paidAmount = 290 };

        var first = await http.Post($"/checkout-sessions/{id}/complete", complete);
        var again = await http.Post($"/checkout-sessions/{id}/complete", complete);
        await _app.RunDueAsync();

        Assert.Equal((HttpStatusCode.OK, "completed"), (first.Status, first.Data["status"]!.GetValue<string>()));
        Assert.Equal((HttpStatusCode.OK, "completed"), (again.Status, again.Data["status"]!.GetValue<string>()));
        Assert.Equal(["creator_subscription.checkout.completed", "creator_subscription.active"], _receiver.Received.Select(r => r.Event));
        var callback = _receiver.Received[0];
        Assert.Equal(PortalyVerdict.Valid, PortalySignature.Verify(PortalyDemo.TestCallbackSecret, callback.Event, callback.Timestamp, callback.Signature, callback.Body, DateTimeOffset.UtcNow));
        var payload = JsonNode.Parse(callback.Body)!;
        Assert.Equal(("creator_subscription.checkout.completed", id, id, "test", 290L, "m-42", "txn_1", "c1"), (
            payload["event"]!.GetValue<string>(), payload["sessionId"]!.GetValue<string>(), payload["subscriptionId"]!.GetValue<string>(), payload["mode"]!.GetValue<string>(),
            payload["amount"]!.GetValue<long>(), payload["merchantOrderNumber"]!.GetValue<string>(), payload["paymentReference"]!.GetValue<string>(), payload["metadata"]!["cart"]!.GetValue<string>()));
        Assert.Equal("TENOFF", payload["appliedDiscount"]!["code"]!.GetValue<string>());
        Assert.Null(payload["customerPhone"]);
        Assert.Equal(1, (await http.Get("/discount-codes/lookup?code=tenoff")).Data["timesRedeemed"]!.GetValue<int>());
        Assert.Equal((HttpStatusCode.Conflict, "SESSION_NOT_OPEN"), Of(await http.Post($"/checkout-sessions/{id}/complete", complete with { status = "canceled" })));
    }

    [Fact]
    public async Task Manual_completion_checks_the_token_the_amount_and_the_sessions_state()
    {
        var http = _app.Test();
        var planId = await http.CreatePlan();
        var created = (await http.Post("/checkout-sessions", new { planId })).Data;
        var id = created["sessionId"]!.GetValue<string>();
        var token = created["checkoutToken"]!.GetValue<string>();

        Assert.Equal((HttpStatusCode.Forbidden, "INVALID_CHECKOUT_TOKEN"), Of(await http.Post($"/checkout-sessions/{id}/complete", new { checkoutToken = "wrong", status = "completed", customerEmail = "a@b.co" })));
        Assert.Equal((HttpStatusCode.BadRequest, "PAID_AMOUNT_MISMATCH"), Of(await http.Post($"/checkout-sessions/{id}/complete", new { checkoutToken = token, status = "completed", customerEmail = "a@b.co", paidAmount = 299 })));
        Assert.Equal((HttpStatusCode.BadRequest, "VALIDATION_ERROR"), Of(await http.Post($"/checkout-sessions/{id}/complete", new { checkoutToken = token, status = "completed" })));
        Assert.Equal((HttpStatusCode.BadRequest, "VALIDATION_ERROR"), Of(await http.Post($"/checkout-sessions/{id}/complete", new { checkoutToken = token, status = "paid" })));
        Assert.Equal((HttpStatusCode.NotFound, "NOT_FOUND"), Of(await _app.Live().Post($"/checkout-sessions/{id}/complete", new { checkoutToken = token, status = "completed", customerEmail = "a@b.co" })));

        _app.Clock.Advance(TimeSpan.FromMinutes(31));
        Assert.Equal("expired", (await http.Get("/checkout-sessions/" + id)).Data["status"]!.GetValue<string>());
        Assert.Equal((HttpStatusCode.Conflict, "SESSION_EXPIRED"), Of(await http.Post($"/checkout-sessions/{id}/complete", new { checkoutToken = token, status = "completed", customerEmail = "a@b.co" })));
    }

    [Fact]
    public async Task A_failed_or_canceled_checkout_calls_nobody_back_and_retry_callback_says_so()
    {
        var http = _app.Test();
        var planId = await http.CreatePlan();
        var created = (await http.Post("/checkout-sessions", new { planId, callbackUrl = _receiver.Url })).Data;
        var id = created["sessionId"]!.GetValue<string>();

        var failed = await http.Post($"/checkout-sessions/{id}/complete", new { checkoutToken = created["checkoutToken"]!.GetValue<string>(), status = "failed", failureReason = "card declined" });
        await _app.RunDueAsync();

        Assert.Equal(("failed", "card declined"), (failed.Data["status"]!.GetValue<string>(), failed.Data["failureReason"]!.GetValue<string>()));
        Assert.Empty(_receiver.Received);
        Assert.Equal((HttpStatusCode.Conflict, "NO_CALLBACK"), Of(await http.Post($"/checkout-sessions/{id}/retry-callback", new { })));
    }

    [Fact]
    public async Task A_profile_that_turns_checkout_failed_on_gets_it_signed_with_portalys_metadata()
    {
        var created = (await _app.Admin().Post("/api-keys", new { profileId = "shop-failed", mode = "test" })).Data;
        var http = _app.With(created["secret"]!.GetValue<string>());
        await http.Put("/config", new { sendCheckoutFailedCallbacks = true });
        var planId = await http.CreatePlan();
        var session = (await http.Post("/checkout-sessions", new { planId, callbackUrl = _receiver.Url, metadata = new { campaign = "夏季", paidAmount = "mine" } })).Data;
        var id = session["sessionId"]!.GetValue<string>();

        await http.Post($"/checkout-sessions/{id}/complete", new { checkoutToken = session["checkoutToken"]!.GetValue<string>(), status = "failed", failureReason = "card declined", paymentMethod = "atm", paymentReference = "ref-1", customerEmail = "buyer@example.com" });
        await _app.RunDueAsync();
        var demo = (await _app.Test().Post("/checkout-sessions", new { planId = await _app.Test().CreatePlan(), callbackUrl = _receiver.Url })).Data;
        await _app.Test().Post($"/checkout-sessions/{demo["sessionId"]!.GetValue<string>()}/complete", new { checkoutToken = demo["checkoutToken"]!.GetValue<string>(), status = "failed" });
        await _app.RunDueAsync();

        var callback = Assert.Single(_receiver.Received); // the demo profile kept the default: nothing
        Assert.Equal("creator_subscription.checkout.failed", callback.Event);
        Assert.Equal(PortalyVerdict.Valid, PortalySignature.Verify(created["callbackSecret"]!.GetValue<string>(), callback.Event, callback.Timestamp, callback.Signature, callback.Body, DateTimeOffset.UtcNow));
        var payload = JsonNode.Parse(callback.Body)!.AsObject();
        Assert.Equal((id, "shop-failed", "test", 300L, "buyer@example.com", "card declined"), (
            payload["sessionId"]!.GetValue<string>(), payload["profileId"]!.GetValue<string>(), payload["mode"]!.GetValue<string>(),
            payload["amount"]!.GetValue<long>(), payload["customerEmail"]!.GetValue<string>(), payload["failureReason"]!.GetValue<string>()));
        Assert.False(payload.ContainsKey("subscriptionId"));
        Assert.Equal(
            """{"campaign":"夏季","failureReason":"card declined","paidAmount":300,"paymentMethod":"atm","paymentReference":"ref-1"}""",
            PortalyStableJson.Of(payload["metadata"]));
        var retried = await http.Post($"/checkout-sessions/{id}/retry-callback", new { });
        Assert.Equal(("creator_subscription.checkout.failed", true), (retried.Data["event"]!.GetValue<string>(), retried.Data["acknowledged"]!.GetValue<bool>()));
    }

    [Fact]
    public async Task An_unacknowledged_callback_is_retried_on_its_schedule_and_retry_callback_resends_it_freshly_signed()
    {
        var http = _app.Test();
        var planId = await http.CreatePlan("Once", "one-time");
        var created = (await http.Post("/checkout-sessions", new { planId, callbackUrl = _receiver.Url })).Data;
        var id = created["sessionId"]!.GetValue<string>();
        _receiver.AnswerNext(500, 503);
        await http.Post($"/checkout-sessions/{id}/complete", new { checkoutToken = created["checkoutToken"]!.GetValue<string>(), status = "completed", customerEmail = "buyer@example.com" });

        await _app.RunDueAsync();
        await _app.AdvanceAsync(TimeSpan.FromSeconds(59));
        Assert.Single(_receiver.Received); // the first retry waits a minute
        await _app.AdvanceAsync(TimeSpan.FromSeconds(1));
        await _app.AdvanceAsync(TimeSpan.FromMinutes(5));
        await _app.AdvanceAsync(TimeSpan.FromHours(1));

        Assert.Equal(3, _receiver.Received.Count);
        Assert.Single(_receiver.Received.Select(r => r.Body).Distinct()); // the same bytes every time
        var log = (await http.Get($"/checkout-sessions/{id}/callbacks")).Data.AsArray();
        Assert.Equal(("delivered", 3), (log[0]!["status"]!.GetValue<string>(), log[0]!["attempts"]!.AsArray().Count));

        var retried = await http.Post($"/checkout-sessions/{id}/retry-callback", new { });
        Assert.Equal((200, true), (retried.Data["responseStatus"]!.GetValue<int>(), retried.Data["acknowledged"]!.GetValue<bool>()));
        Assert.Equal(4, _receiver.Received.Count);
        Assert.All(_receiver.Received, r => Assert.Equal(PortalyVerdict.Valid, PortalySignature.Verify(PortalyDemo.TestCallbackSecret, r.Event, r.Timestamp, r.Signature, r.Body, DateTimeOffset.UtcNow)));
    }

    private static (HttpStatusCode, string?) Of(Reply reply) => (reply.Status, reply.Code);

    private static (string?, string?) Reason(Reply reply) => (reply.Code, reply.Body["reason"]?.GetValue<string>());
}
