using System.Net;
using System.Text.Json.Nodes;
using Harness.Portaly.Checkout;
using Harness.Portaly.Demo;
using Harness.Portaly.Orders;
using Harness.Portaly.Payments;
using Harness.Portaly.Subscriptions;
using Harness.Security.Signing;
using Microsoft.Extensions.DependencyInjection;

namespace Harness.Tests.Portaly;

/// <summary>Refunds: who may ask, what is refused, the background refund through the TapPay sandbox, its retries and terminal callbacks.</summary>
public sealed class RefundTests : PortalyOnSandbox
{
    private const string TestPrime = "test_3a2fb2b7e892b914a03c95dd4dd5dc7970c908df67a49527c0a648b2bc9";
    private const string Refunded = "creator_subscription.payment.refunded";
    private const string RefundFailed = "creator_subscription.payment.refund_failed";
    private const string Canceled = "creator_subscription.canceled";


    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private TapPayGateway TapPay => App.Services.GetRequiredService<TapPayGateway>();

    [Fact]
    public async Task Who_may_refund_and_what_is_refused_before_anything_moves()
    {
        var live = App.Live();
        var order = await live.PaidManually(await live.CreatePlan());
        var testOrder = await App.Test().PaidManually(await App.Test().CreatePlan());
        var integration = (await App.Admin().Post("/api-keys", new { profileId = PortalyDemo.ProfileId, scope = "integration" })).Data["secret"]!.GetValue<string>();
        await live.Post("/discount-codes", new { code = "GIFT", rules = new[] { new { appliesTo = new { type = "all" }, discount = new { type = "free" } } } });
        var zero = await live.PaidManually(await live.CreatePlan("Gift"), discountCode: "GIFT");
        var reason = new { reason = "customer_requested" };

        Assert.Equal((HttpStatusCode.Conflict, "TEST_MODE_REFUND_UNSUPPORTED"), Of(await App.Test().Post($"/orders/{testOrder}/refund", reason)));
        Assert.Equal((HttpStatusCode.Conflict, "TEST_MODE_REFUND_UNSUPPORTED"), Of(await App.Test().Post("/orders/creatorSubscription_missing_1/refund", reason)));
        Assert.Equal((HttpStatusCode.Forbidden, "KEY_SCOPE_FORBIDDEN"), Of(await App.With(integration).Post($"/orders/{order}/refund", reason)));
        Assert.Equal((HttpStatusCode.BadRequest, "VALIDATION_ERROR"), Of(await live.Post($"/orders/{order}/refund", new { })));
        Assert.Equal((HttpStatusCode.BadRequest, "VALIDATION_ERROR"), Of(await live.Post($"/orders/{order}/refund", new { reason = "changed_mind" })));
        Assert.Equal((HttpStatusCode.BadRequest, "VALIDATION_ERROR"), Of(await live.Post($"/orders/{order}/refund", new { reason = "other", reasonNote = new string('x', 501) })));
        Assert.Equal((HttpStatusCode.BadRequest, "VALIDATION_ERROR"), Of(await live.Post($"/orders/{order}/refund", new { reason = "other", amount = 0 })));
        Assert.Equal((HttpStatusCode.BadRequest, "PARTIAL_REFUND_NOT_SUPPORTED"), Of(await live.Post($"/orders/{order}/refund", new { reason = "other", amount = 299 })));
        Assert.Equal((HttpStatusCode.NotFound, "NOT_FOUND"), Of(await live.Post("/orders/creatorSubscription_missing_1/refund", reason)));
        Assert.Equal((HttpStatusCode.NotFound, "NOT_FOUND"), Of(await live.Post($"/orders/{testOrder}/refund", reason)));
        Assert.Equal((HttpStatusCode.Conflict, "ZERO_AMOUNT_NOT_REFUNDABLE"), Of(await live.Post($"/orders/{zero}/refund", reason)));
        var store = App.Services.GetRequiredService<OrderStore>();
        store.Put(store.Get(zero)! with { Amount = 100, Status = OrderStatus.Failed });
        Assert.Equal((HttpStatusCode.Conflict, "ORDER_NOT_REFUNDABLE"), Of(await live.Post($"/orders/{zero}/refund", reason)));

        Assert.Equal("paid", (await live.Get("/orders/" + order)).Data["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_refund_is_accepted_then_made_through_TapPay_in_the_background_and_called_back_signed()
    {
        var (orderId, sessionId, orderNumber, tradeId) = await PaidThroughTapPay("tp-refund-1");
        var live = App.Live();

        var accepted = await live.Post($"/orders/{orderId}/refund", new { reason = "customer_requested", reasonNote = "Buyer asked", amount = 300 });

        Assert.Equal((HttpStatusCode.Accepted, "refund"), (accepted.Status, accepted.Data["status"]!.GetValue<string>()));
        Assert.Equal(App.Clock.GetUtcNow(), accepted.Data["refundRequestedAt"]!.GetValue<DateTimeOffset>());
        Assert.Null(accepted.Data["refundedAt"]);
        Assert.Equal(1, (await TapPay.RecordsOfOrderAsync(orderNumber, Cancel))!.Single().RecordStatus); // not refunded until the background step runs

        App.Clock.Advance(TimeSpan.FromSeconds(5));
        await App.RunDueAsync();

        var record = (await TapPay.RecordsOfOrderAsync(orderNumber, Cancel))!.Single();
        Assert.Equal((3, 0L), (record.RecordStatus, record.Amount));
        var order = (await live.Get("/orders/" + orderId)).Data;
        Assert.Equal(("refund", App.Clock.GetUtcNow()), (order["status"]!.GetValue<string>(), order["refundedAt"]!.GetValue<DateTimeOffset>()));
        Assert.Null(order["refundFailedAt"]);

        var callback = Receiver.Received.Single(r => r.Event == Refunded);
        Assert.Equal(PortalyVerdict.Valid, PortalySignature.Verify(PortalyDemo.LiveCallbackSecret, callback.Event, callback.Timestamp, callback.Signature, callback.Body, DateTimeOffset.UtcNow));
        var payload = JsonNode.Parse(callback.Body)!;
        Assert.Equal((Refunded, sessionId, orderId, tradeId, "tp-refund-1", "live", "canceled"), (
            Text(payload, "event"), Text(payload, "subscriptionId"), Text(payload, "orderId"), Text(payload, "paymentReference"),
            Text(payload, "orderMerchantOrderNumber"), Text(payload, "mode"), Text(payload, "status")));
        Assert.Equal((300L, 300L, "TWD"), (payload["amount"]!.GetValue<long>(), payload["refundedAmount"]!.GetValue<long>(), Text(payload, "currency")));
        Assert.Equal(("api", "customer_requested", "Buyer asked", "tappay", true), (
            Text(payload, "refundRequestedBy"), Text(payload, "refundReason"), Text(payload, "refundReasonNote"), Text(payload, "refundProvider"),
            payload["subscriptionCanceledByRefund"]!.GetValue<bool>()));
        Assert.StartsWith("pay_", Text(payload, "paymentId"), StringComparison.Ordinal);
        Assert.StartsWith("R", Text(payload, "refundReference"), StringComparison.Ordinal);
        Assert.Equal(App.Clock.GetUtcNow(), payload["refundedAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(accepted.Data["refundRequestedAt"]!.GetValue<DateTimeOffset>(), payload["refundRequestedAt"]!.GetValue<DateTimeOffset>());
        Assert.Null(payload["refundFailedAt"]);

        // The order was the subscription's latest charge: the subscription ended when the refund was accepted.
        var canceled = JsonNode.Parse(Receiver.Received.Single(r => r.Event == Canceled).Body)!;
        Assert.Equal(("canceled", false), (Text(canceled, "status"), canceled["cancelAtPeriodEnd"]!.GetValue<bool>()));
        Assert.Equal(accepted.Data["refundRequestedAt"]!.GetValue<DateTimeOffset>(), canceled["canceledAt"]!.GetValue<DateTimeOffset>());
        Assert.Null(canceled["nextBillingAt"]);
        var outbox = await Reply.Of(live.GetAsync("/api/creator-email/outbox", Cancel));
        Assert.Contains(outbox.Data.AsArray(), e => Text(e!, "type") == "subscription_canceled" && Text(e!, "to") == "buyer@example.com");
    }

    [Fact]
    public async Task Simultaneous_and_repeated_requests_make_one_refund()
    {
        var (orderId, _, orderNumber, _) = await PaidThroughTapPay("tp-refund-2");
        var live = App.Live();
        var body = new { reason = "duplicate" };

        var both = await Task.WhenAll(live.Post($"/orders/{orderId}/refund", body), App.Live().Post($"/orders/{orderId}/refund", body));
        await App.RunDueAsync();
        var again = await live.Post($"/orders/{orderId}/refund", body);
        await App.AdvanceAsync(TimeSpan.FromDays(3));

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Accepted], both.Select(r => r.Status).Order());
        Assert.All(both, r => Assert.Equal("refund", r.Data["status"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.NotNull(again.Data["refundedAt"]);
        Assert.Single(Receiver.Received, r => r.Event == Refunded);
        Assert.DoesNotContain(Receiver.Received, r => r.Event == RefundFailed);
        Assert.Single(Receiver.Received, r => r.Event == Canceled);
        Assert.Equal(3, (await TapPay.RecordsOfOrderAsync(orderNumber, Cancel))!.Single().RecordStatus);
    }

    [Fact]
    public async Task A_refund_TapPay_refuses_is_tried_daily_three_times_then_reported_failed()
    {
        var (orderId, _, _, tradeId) = await PaidThroughTapPay("tp-refund-3");
        var live = App.Live();
        Assert.Equal(0, (await TapPay.RefundAsync(tradeId, Cancel)).Status); // refunded at TapPay behind Portaly's back: TapPay refuses a second refund

        Assert.Equal(HttpStatusCode.Accepted, (await live.Post($"/orders/{orderId}/refund", new { reason = "fraudulent" })).Status);
        await App.RunDueAsync();
        await App.AdvanceAsync(TimeSpan.FromHours(23));
        await App.AdvanceAsync(TimeSpan.FromHours(1)); // the second attempt
        var pending = (await live.Get("/orders/" + orderId)).Data;
        var noTerminalYet = Receiver.Received.Where(r => r.Event is Refunded or RefundFailed).ToList();
        await App.AdvanceAsync(TimeSpan.FromDays(1)); // the third attempt, the last

        Assert.Empty(noTerminalYet);
        Assert.Equal("refund", pending["status"]!.GetValue<string>());
        Assert.Null(pending["refundFailedAt"]);
        var order = (await live.Get("/orders/" + orderId)).Data;
        Assert.Equal(App.Clock.GetUtcNow(), order["refundFailedAt"]!.GetValue<DateTimeOffset>());
        Assert.Null(order["refundedAt"]);
        Assert.StartsWith("TapPay refund failed", order["refundFailureReason"]!.GetValue<string>(), StringComparison.Ordinal);
        var callback = Receiver.Received.Single(r => r.Event == RefundFailed);
        Assert.Equal(PortalyVerdict.Valid, PortalySignature.Verify(PortalyDemo.LiveCallbackSecret, callback.Event, callback.Timestamp, callback.Signature, callback.Body, DateTimeOffset.UtcNow));
        var payload = JsonNode.Parse(callback.Body)!;
        Assert.Equal((orderId, "fraudulent", 0L, false, true), (
            Text(payload, "orderId"), Text(payload, "refundReason"), payload["refundedAmount"]!.GetValue<long>(),
            payload["refundFailureRetryable"]!.GetValue<bool>(), payload["subscriptionCanceledByRefund"]!.GetValue<bool>()));
        Assert.Equal(order["refundFailureReason"]!.GetValue<string>(), Text(payload, "refundFailureReason"));
        Assert.Equal(App.Clock.GetUtcNow(), payload["refundFailedAt"]!.GetValue<DateTimeOffset>());
        Assert.False(payload.AsObject().ContainsKey("refundedAt"));
        Assert.DoesNotContain(Receiver.Received, r => r.Event == Refunded);
        Assert.Equal((HttpStatusCode.Conflict, "REFUND_ATTEMPT_FAILED"), Of(await live.Post($"/orders/{orderId}/refund", new { reason = "other" })));
    }

    [Fact]
    public async Task An_order_paid_elsewhere_is_refunded_without_TapPay()
    {
        var live = App.Live();
        var orderId = await live.PaidManually(await live.CreatePlan(), callbackUrl: Receiver.Url);

        Assert.Equal(HttpStatusCode.Accepted, (await live.Post($"/orders/{orderId}/refund", new { reason = "manual" })).Status);
        await App.RunDueAsync();

        Assert.NotNull((await live.Get("/orders/" + orderId)).Data["refundedAt"]);
        var payload = JsonNode.Parse(Receiver.Received.Single(r => r.Event == Refunded).Body)!;
        Assert.Equal(("manual", true), (Text(payload, "refundProvider"), payload["subscriptionCanceledByRefund"]!.GetValue<bool>()));
        Assert.StartsWith("refund_", Text(payload, "refundReference"), StringComparison.Ordinal);
        Assert.Equal("manual", Text(JsonNode.Parse(Receiver.Received.Single(r => r.Event == Canceled).Body)!, "cancelReason"));
    }

    [Fact]
    public async Task Refunding_an_earlier_charge_leaves_the_subscription_alone()
    {
        var live = App.Live();
        var first = await live.PaidManually(await live.CreatePlan(), callbackUrl: Receiver.Url);
        var orders = App.Services.GetRequiredService<OrderStore>();
        var subscriptions = App.Services.GetRequiredService<SubscriptionStore>();
        var order = orders.Get(first)!;
        App.Clock.Advance(TimeSpan.FromDays(31));
        var now = App.Clock.GetUtcNow();
        var subscription = subscriptions.Get(order.CreatorSubscriptionId)!;
        subscriptions.Put(subscription with { ChargesMade = 2, NextBillingAt = subscription.PeriodEnd(2) }); // as a renewal leaves it
        orders.TryInsert(order with { Id = Order.IdOf(subscription.Id, 2), ChargeNumber = 2, PaymentId = "pay_renewal", CreatedAt = now, PaidAt = now });

        Assert.Equal(HttpStatusCode.Accepted, (await live.Post($"/orders/{first}/refund", new { reason = "customer_requested" })).Status);
        await App.RunDueAsync();

        Assert.False(JsonNode.Parse(Receiver.Received.Single(r => r.Event == Refunded).Body)!["subscriptionCanceledByRefund"]!.GetValue<bool>());
        Assert.DoesNotContain(Receiver.Received, r => r.Event == Canceled);
        Assert.Equal(SubscriptionStatus.Active, subscriptions.Get(subscription.Id)!.Status);
    }

    /// <summary>A live session paid through the TapPay sandbox with the published test prime and completed as the hosted page would.</summary>
    private async Task<(string OrderId, string SessionId, string OrderNumber, string TradeId)> PaidThroughTapPay(string orderNumber)
    {
        var live = App.Live();
        var planId = await live.CreatePlan();
        var sessionId = (await live.Post("/checkout-sessions", new { planId, callbackUrl = Receiver.Url, merchantOrderNumber = orderNumber })).Data["sessionId"]!.GetValue<string>();
        var charge = await TapPay.PayByPrimeAsync(TestPrime, 300, "TWD", "Pro", orderNumber, new Cardholder("Buyer", "buyer@example.com", "0912345678"), Cancel);
        Assert.True(charge.Succeeded, charge.FailureReason);
        var session = App.Services.GetRequiredService<CheckoutSessions>().Get(sessionId)!;
        await App.Services.GetRequiredService<CheckoutCompletion>().CompleteAsync(
            session, new Buyer("Buyer", "buyer@example.com", "0912345678"), new FirstCharge(charge.RecTradeId!, TapPayGateway.PaymentMethod, 300, charge.Card));
        await App.RunDueAsync();
        return (Order.IdOf(sessionId, 1), sessionId, orderNumber, charge.RecTradeId!);
    }

    private static string? Text(JsonNode node, string name) => node[name]?.GetValue<string>();

    private static (HttpStatusCode, string?) Of(Reply reply) => (reply.Status, reply.Code);
}
