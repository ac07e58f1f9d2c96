using System.Net;
using System.Text.Json.Nodes;
using Harness.Portaly.Orders;

namespace Harness.Tests.Portaly;

/// <summary>Orders through the API: the contract's fields, the filters (status list, Taipei dates, plan), pages, modes, invoices.</summary>
public sealed class OrderTests : IAsyncLifetime
{
    private static readonly string[] OrderFields =
    [
        "id", "profileId", "amount", "netTotal", "fee", "feeAmount", "taxFee", "taxFeeAmount", "currency", "status", "name", "email",
        "paymentMethod", "merchantOrderNumber", "creatorSubscriptionId", "creatorSubscriptionPlanId", "refundRequestedAt", "refundedAt",
        "refundFailedAt", "refundFailureReason", "createdAt", "paidAt",
    ];

    private static readonly string[] InvoiceFields =
    [
        "id", "creatorSubscriptionId", "checkoutSessionId", "profileId", "mode", "planId", "planName", "amount", "currency", "status",
        "customerName", "customerEmail", "invoice", "invoiceStatus", "invoiceTaskId", "invoiceLastError", "invoiceIssuedAt", "timestamp",
        "createdAt", "updatedAt", "ecpayInvoice", "appliedDiscount",
    ];

    private readonly PortalyTestApp _app = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task An_order_answers_exactly_the_contracts_fields_to_its_own_profile_and_mode()
    {
        var http = _app.Live();
        var planId = await http.CreatePlan();
        var orderId = await http.PaidManually(planId, merchantOrderNumber: "m-7");

        var reply = await http.Get("/orders/" + orderId);

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        var order = reply.Data.AsObject();
        Assert.Equal(OrderFields.Order(), order.Select(p => p.Key).Order());
        var sessionId = order["creatorSubscriptionId"]!.GetValue<string>();
        Assert.Equal(Order.IdOf(sessionId, 1), orderId);
        Assert.Equal((300L, 300L, 0L, "TWD", "paid", "Buyer", "buyer@example.com", "custom", "m-7", planId), (
            order["amount"]!.GetValue<long>(), order["netTotal"]!.GetValue<long>(), order["feeAmount"]!.GetValue<long>(), order["currency"]!.GetValue<string>(),
            order["status"]!.GetValue<string>(), order["name"]!.GetValue<string>(), order["email"]!.GetValue<string>(), order["paymentMethod"]!.GetValue<string>(),
            order["merchantOrderNumber"]!.GetValue<string>(), order["creatorSubscriptionPlanId"]!.GetValue<string>()));
        Assert.Equal(_app.Clock.GetUtcNow(), order["createdAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(order["createdAt"]!.GetValue<DateTimeOffset>(), order["paidAt"]!.GetValue<DateTimeOffset>());
        Assert.All(new[] { "refundRequestedAt", "refundedAt", "refundFailedAt", "refundFailureReason" }, f => Assert.Null(order[f]));
        var list = await http.Get("/orders");
        Assert.Equal([orderId], Ids(list));
        Assert.Equal(OrderFields.Order(), list.Data[0]!.AsObject().Select(p => p.Key).Order());

        var other = (await _app.Admin().Post("/api-keys", new { profileId = "another-profile" })).Data["secret"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.NotFound, (await _app.With(other).Get("/orders/" + orderId)).Status);
        Assert.Empty(Ids(await _app.With(other).Get("/orders")));
        Assert.Equal(HttpStatusCode.NotFound, (await _app.Test().Get("/orders/" + orderId)).Status);
        Assert.Equal((HttpStatusCode.NotFound, "NOT_FOUND"), Of(await http.Get("/orders/creatorSubscription_missing_1")));
        Assert.Equal(HttpStatusCode.Unauthorized, (await _app.Anonymous().GetAsync(PortalyHttp.Base + "/orders", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task A_live_key_does_not_see_test_orders_or_invoices()
    {
        var planId = await _app.Test().CreatePlan();
        var testOrder = await _app.Test().PaidManually(planId);

        Assert.Equal([testOrder], Ids(await _app.Test().Get("/orders")));
        Assert.Empty(Ids(await _app.Live().Get("/orders")));
        Assert.Equal(HttpStatusCode.NotFound, (await _app.Live().Get("/orders/" + testOrder)).Status);
        Assert.Single(Items(await _app.Test().Get("/invoices")));
        Assert.Empty(Items(await _app.Live().Get("/invoices")));
    }

    [Fact]
    public async Task The_status_list_filters_and_an_unknown_status_is_400()
    {
        var http = _app.Live();
        var planId = await http.CreatePlan();
        var kept = await http.PaidManually(planId);
        _app.Clock.Advance(TimeSpan.FromMinutes(1));
        var refunded = await http.PaidManually(planId, "other@example.com");
        Assert.Equal(HttpStatusCode.Accepted, (await http.Post($"/orders/{refunded}/refund", new { reason = "duplicate" })).Status);

        Assert.Equal([kept], Ids(await http.Get("/orders?status=paid")));
        Assert.Equal([refunded], Ids(await http.Get("/orders?status=refund")));
        Assert.Equal([refunded, kept], Ids(await http.Get("/orders?status=paid,refund")));
        Assert.Empty(Ids(await http.Get("/orders?status=liquid,pending,awaiting_atm,failed,tracked")));
        Assert.Equal((HttpStatusCode.BadRequest, "VALIDATION_ERROR"), Of(await http.Get("/orders?status=paid,bogus")));
        Assert.Equal((HttpStatusCode.BadRequest, "VALIDATION_ERROR"), Of(await http.Get("/orders?status=PAID")));
        Assert.Equal((HttpStatusCode.BadRequest, "VALIDATION_ERROR"), Of(await http.Get("/orders?status=paid,")));
    }

    [Fact]
    public async Task Dates_are_Taipei_days_and_times_unless_an_offset_is_given()
    {
        var http = _app.Live();
        var planId = await http.CreatePlan();
        _app.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 1, 15, 59, 59, 999, TimeSpan.Zero)); // 23:59:59.999 on 1 Dec in Taipei
        var lastOfDay = await http.PaidManually(planId);
        _app.Clock.Advance(TimeSpan.FromMilliseconds(1)); // 16:00Z: midnight, 2 Dec in Taipei
        var firstOfNext = await http.PaidManually(planId);

        Assert.Equal([firstOfNext], Ids(await http.Get("/orders?startDate=2026-12-02")));
        Assert.Equal([lastOfDay], Ids(await http.Get("/orders?endDate=2026-12-01")));
        Assert.Equal([firstOfNext, lastOfDay], Ids(await http.Get("/orders?startDate=2026-12-01&endDate=2026-12-02")));
        Assert.Equal([firstOfNext], Ids(await http.Get("/orders?startDate=2026-12-02T00:00:00")));
        Assert.Equal([lastOfDay], Ids(await http.Get("/orders?endDate=2026-12-01T23:59:59.999")));
        Assert.Equal([firstOfNext], Ids(await http.Get("/orders?startDate=2026-12-01T16:00:00Z")));
        Assert.Equal([firstOfNext], Ids(await http.Get("/orders?startDate=2026-12-01T17:00:00%2B01:00")));
        Assert.Equal([firstOfNext], Ids(await http.Get("/orders?startDate=2026-12-01T17:00:00+01:00"))); // an unencoded '+' arrives as a space
        Assert.Equal([firstOfNext, lastOfDay], Ids(await http.Get("/orders?startDate=2026-12-01T15:59:59.999Z")));
        Assert.Empty(Ids(await http.Get("/orders?startDate=2026-12-01T16:00:00.001Z")));

        Assert.Equal((HttpStatusCode.BadRequest, "VALIDATION_ERROR"), Of(await http.Get("/orders?startDate=2026-12-02&endDate=2026-12-01")));
        Assert.Equal((HttpStatusCode.BadRequest, "VALIDATION_ERROR"), Of(await http.Get("/orders?startDate=2026-12-01T00:00:01&endDate=2026-12-01T00:00:00")));
        Assert.Equal((HttpStatusCode.BadRequest, "VALIDATION_ERROR"), Of(await http.Get("/orders?startDate=yesterday")));
        Assert.Equal((HttpStatusCode.BadRequest, "VALIDATION_ERROR"), Of(await http.Get("/orders?endDate=2026-02-30")));
        Assert.Equal((HttpStatusCode.BadRequest, "VALIDATION_ERROR"), Of(await http.Get("/orders?endDate=2026-12-01T10:00:00%2B25:00")));
        Assert.Equal((HttpStatusCode.BadRequest, "VALIDATION_ERROR"), Of(await http.Get("/orders?startDate=0001-01-01")));
    }

    [Fact]
    public async Task PlanId_filters_and_pages_walk_the_orders_newest_first()
    {
        var http = _app.Live();
        var pro = await http.CreatePlan();
        var basic = await http.CreatePlan("Basic");
        var ordered = new List<string>();
        foreach (var email in new[] { "a@example.com", "b@example.com", "c@example.com" })
        {
            ordered.Insert(0, await http.PaidManually(pro, email));
            _app.Clock.Advance(TimeSpan.FromMinutes(1));
        }

        var other = await http.PaidManually(basic);

        Assert.Equal(ordered, Ids(await http.Get("/orders?planId=" + pro)));
        Assert.Equal([other], Ids(await http.Get("/orders?planId=" + basic)));
        Assert.Empty(Ids(await http.Get("/orders?planId=plan_missing")));
        var first = await http.Get($"/orders?planId={pro}&limit=2");
        Assert.Equal(ordered[..2], Ids(first));
        Assert.Equal((true, ordered[1], 2), (first.Body["pagination"]!["hasMore"]!.GetValue<bool>(), first.Body["pagination"]!["nextCursor"]!.GetValue<string>(), first.Body["pagination"]!["count"]!.GetValue<int>()));
        var second = await http.Get($"/orders?planId={pro}&limit=2&startAfter={ordered[1]}");
        Assert.Equal(ordered[2..], Ids(second));
        Assert.False(second.Body["pagination"]!["hasMore"]!.GetValue<bool>());
        Assert.Null(second.Body["pagination"]!["nextCursor"]);
        Assert.Equal((HttpStatusCode.BadRequest, "VALIDATION_ERROR"), Of(await http.Get($"/orders?planId={pro}&startAfter={other}")));
        Assert.Equal((HttpStatusCode.BadRequest, "VALIDATION_ERROR"), Of(await http.Get("/orders?limit=0")));
    }

    [Fact]
    public async Task Invoices_list_every_attempt_newest_first_with_the_contracts_fields()
    {
        var http = _app.Live();
        var planId = await http.CreatePlan();
        var paid = (await http.Get("/orders/" + await http.PaidManually(planId))).Data["creatorSubscriptionId"]!.GetValue<string>();
        _app.Clock.Advance(TimeSpan.FromMinutes(1));
        var created = (await http.Post("/checkout-sessions", new { planId })).Data;
        var failedSession = created["sessionId"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.OK, (await http.Post($"/checkout-sessions/{failedSession}/complete", new { checkoutToken = created["checkoutToken"]!.GetValue<string>(), status = "failed", failureReason = "card declined" })).Status);

        var invoices = Items(await http.Get("/invoices"));

        Assert.Equal([(failedSession, "FAILED"), (paid, "SUCCESS")], invoices.Select(i => (i["creatorSubscriptionId"]!.GetValue<string>(), i["status"]!.GetValue<string>())));
        Assert.All(invoices, i => Assert.Equal(InvoiceFields.Order(), i.AsObject().Select(p => p.Key).Order()));
        var invoice = invoices[1];
        Assert.Equal(("live", planId, "Pro", 300L, "TWD", "not_applicable", "buyer@example.com"), (
            invoice["mode"]!.GetValue<string>(), invoice["planId"]!.GetValue<string>(), invoice["planName"]!.GetValue<string>(), invoice["amount"]!.GetValue<long>(),
            invoice["currency"]!.GetValue<string>(), invoice["invoiceStatus"]!.GetValue<string>(), invoice["customerEmail"]!.GetValue<string>()));
        Assert.Null(invoice["appliedDiscount"]);
    }

    private static List<string> Ids(Reply reply)
    {
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        return [.. reply.Data.AsArray().Select(o => o!["id"]!.GetValue<string>())];
    }

    private static List<JsonNode> Items(Reply reply)
    {
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        return [.. reply.Data.AsArray().Select(o => o!)];
    }

    private static (HttpStatusCode, string?) Of(Reply reply) => (reply.Status, reply.Code);
}

/// <summary>Orders made the exception way: a session completed by the merchant's manual call (no TapPay involved).</summary>
public static class PortalyOrders
{
    /// <summary>Creates a session of the plan and completes it by hand; the order's id.</summary>
    public static async Task<string> PaidManually(
        this HttpClient http, string planId, string email = "buyer@example.com", string? callbackUrl = null, string? merchantOrderNumber = null, string? discountCode = null)
    {
        var session = new Dictionary<string, object?> { ["planId"] = planId };
        foreach (var (name, value) in new[] { ("callbackUrl", callbackUrl), ("merchantOrderNumber", merchantOrderNumber), ("discountCode", discountCode) })
        {
            if (value is not null)
            {
                session[name] = value;
            }
        }

        var created = await http.Post("/checkout-sessions", session);
        Assert.Equal(HttpStatusCode.OK, created.Status);
        var id = created.Data["sessionId"]!.GetValue<string>();
        var completed = await http.Post($"/checkout-sessions/{id}/complete", new
        {
            checkoutToken = created.Data["checkoutToken"]!.GetValue<string>(),
            status = "completed",
            customerEmail = email,
            customerName = "Buyer",
            paymentMethod = "custom",
        });
        Assert.Equal(HttpStatusCode.OK, completed.Status);
        return Order.IdOf(id, 1);
    }
}
