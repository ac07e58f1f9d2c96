using System.Net;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Newtonsoft.Json.Linq;
using Stripe;
using Stripe.Checkout;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// A refund after it is made, through Stripe.net: the refund test cards (5126 fails later, 7726 is pending, then
/// succeeds) on the sandbox clock, across a restart, and the list, update and cancel routes.
/// </summary>
public sealed class StripeRefundLifecycleTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static Task<PaymentIntent> PaidAsync(StripeClient stripe, string paymentMethod, long amount = 1000) =>
        stripe.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions { Amount = amount, Currency = "usd", PaymentMethod = paymentMethod, Confirm = true }, cancellationToken: Ct);

    /// <summary>An event's <c>previous_attributes</c>, which Stripe.net hands over as a Json.NET object.</summary>
    private static JObject Previous(Event e) => Assert.IsType<JObject>((object)e.Data.PreviousAttributes);

    [Fact]
    public async Task A_refund_of_the_refund_fail_card_reads_succeeded_then_fails_and_gives_the_amount_back_to_the_charge()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var intent = await PaidAsync(stripe, "pm_card_refundFail");

        var refund = await stripe.V1.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = intent.Id, Amount = 400 }, cancellationToken: Ct);
        Assert.Equal("succeeded", refund.Status);
        Assert.Equal(400, (await stripe.V1.Charges.GetAsync(intent.LatestChargeId, cancellationToken: Ct)).AmountRefunded);

        await sandbox.AdvanceAsync(StripeRefunds.SettlementDelay - TimeSpan.FromSeconds(1));
        Assert.Equal("succeeded", (await stripe.V1.Refunds.GetAsync(refund.Id, cancellationToken: Ct)).Status);

        await sandbox.AdvanceAsync(TimeSpan.FromSeconds(1));
        var failed = await stripe.V1.Refunds.GetAsync(refund.Id, cancellationToken: Ct);
        Assert.Equal(("failed", StripeRefunds.FailureReason), (failed.Status, failed.FailureReason));
        var charge = await stripe.V1.Charges.GetAsync(intent.LatestChargeId, new ChargeGetOptions { Expand = ["refunds"] }, cancellationToken: Ct);
        Assert.Equal((0L, false), (charge.AmountRefunded, charge.Refunded));
        Assert.Equal("failed", Assert.Single(charge.Refunds.Data).Status);

        var events = new List<Event>();
        await CollectAsync(receiver, events, e => Count(e, "refund.failed") == 1);
        // Refund events are filed under the charge and keep their order; the payment's own go out beside them.
        var refundEvents = events.Select(e => e.Type).Where(t => t.StartsWith("refund.", StringComparison.Ordinal) || t.StartsWith("charge.refund", StringComparison.Ordinal));
        Assert.Equal(["refund.created", "charge.refunded", "refund.updated", "charge.refund.updated", "refund.failed"], refundEvents);
        var updated = events.Single(e => e.Type == "charge.refund.updated");
        Assert.Equal("failed", Assert.IsType<Refund>(updated.Data.Object).Status);
        Assert.Equal("succeeded", Previous(updated)["status"]!.ToString());

        // The amount is back on the charge, so it can be refunded again (to the same card, which fails again).
        var again = await stripe.V1.Refunds.CreateAsync(new RefundCreateOptions { Charge = charge.Id }, cancellationToken: Ct);
        Assert.Equal((1000L, "succeeded"), (again.Amount, again.Status));
    }

    [Fact]
    public async Task A_refund_of_the_pending_refund_card_is_pending_then_succeeds()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var intent = await PaidAsync(stripe, "pm_card_pendingRefund");

        var refund = await stripe.V1.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = intent.Id }, cancellationToken: Ct);
        Assert.Equal(("pending", "processing"), (refund.Status, refund.PendingReason));
        Assert.True((await stripe.V1.Charges.GetAsync(intent.LatestChargeId, cancellationToken: Ct)).Refunded);

        await sandbox.AdvanceAsync(StripeRefunds.SettlementDelay);
        var settled = await stripe.V1.Refunds.GetAsync(refund.Id, cancellationToken: Ct);
        Assert.Equal(("succeeded", null), (settled.Status, settled.PendingReason));
        var charge = await stripe.V1.Charges.GetAsync(intent.LatestChargeId, new ChargeGetOptions { Expand = ["refunds"] }, cancellationToken: Ct);
        Assert.Equal((1000L, true, "succeeded"), (charge.AmountRefunded, charge.Refunded, Assert.Single(charge.Refunds.Data).Status));

        var events = new List<Event>();
        await CollectAsync(receiver, events, e => Count(e, "charge.refund.updated") == 1);
        Assert.Equal(0, Count(events, "refund.failed"));
        Assert.Equal("pending", Previous(events.Single(e => e.Type == "refund.updated"))["status"]!.ToString());
    }

    [Fact]
    public async Task A_refund_of_an_ordinary_card_succeeds_at_once_and_nothing_changes_it_later()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var intent = await PaidAsync(stripe, "pm_card_visa");
        var refund = await stripe.V1.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = intent.Id }, cancellationToken: Ct);

        await sandbox.AdvanceAsync(TimeSpan.FromDays(1));
        var later = await stripe.V1.Refunds.GetAsync(refund.Id, cancellationToken: Ct);
        Assert.Equal(("succeeded", null, null), (later.Status, later.FailureReason, later.PendingReason));
    }

    [Fact]
    public async Task The_refund_fail_card_typed_on_the_checkout_page_pays_and_its_refund_fails_later()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var session = await stripe.V1.Checkout.Sessions.CreateAsync(new SessionCreateOptions
        {
            Mode = "payment",
            LineItems = [new SessionLineItemOptions { Price = StripeCatalog.CreditsPrice, Quantity = 1 }],
            SuccessUrl = "https://merchant.example/ok",
        }, cancellationToken: Ct);
        using var browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(sandbox.Server.ControlBaseUrl) };
        using var paid = await browser.PostAsync($"/pay/{session.Id}", new FormUrlEncodedContent(
            [new("action", "pay"), new("card_number", StripeTestCards.RefundFails), new("card_expiry", "12 / 34"), new("card_cvc", "123")]), Ct);
        Assert.Equal(HttpStatusCode.Redirect, paid.StatusCode);

        var intentId = (await stripe.V1.Checkout.Sessions.GetAsync(session.Id, cancellationToken: Ct)).PaymentIntentId;
        var refund = await stripe.V1.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = intentId }, cancellationToken: Ct);
        Assert.Equal("succeeded", refund.Status);
        await sandbox.AdvanceAsync(StripeRefunds.SettlementDelay);
        Assert.Equal("failed", (await stripe.V1.Refunds.GetAsync(refund.Id, cancellationToken: Ct)).Status);
    }

    [Fact]
    public async Task A_refund_waiting_to_fail_fails_after_a_restart()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-stripe-refund-" + Guid.NewGuid().ToString("N"));
        var start = new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
        string refundId;
        await using (var first = await TestSandbox.StartAsync(now: start, configure: o => o.DataDirectory = data))
        {
            var stripe = Client(first);
            var intent = await PaidAsync(stripe, "pm_card_refundFail");
            refundId = (await stripe.V1.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = intent.Id }, cancellationToken: Ct)).Id;
        }

        await using var second = await TestSandbox.StartAsync(now: start + StripeRefunds.SettlementDelay, configure: o => o.DataDirectory = data);
        await second.RunDueAsync();
        Assert.Equal("failed", (await Client(second).V1.Refunds.GetAsync(refundId, cancellationToken: Ct)).Status);
    }

    [Fact]
    public async Task Refunds_are_listed_by_charge_and_payment_intent_and_paged_both_ways()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var one = await PaidAsync(stripe, "pm_card_visa");
        var other = await PaidAsync(stripe, "pm_card_mastercard");
        var first = await stripe.V1.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = one.Id, Amount = 100 }, cancellationToken: Ct);
        var second = await stripe.V1.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = one.Id, Amount = 200 }, cancellationToken: Ct);
        var third = await stripe.V1.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = other.Id }, cancellationToken: Ct);

        var all = await stripe.V1.Refunds.ListAsync(new RefundListOptions(), cancellationToken: Ct);
        Assert.Equal([third.Id, second.Id, first.Id], all.Data.Select(r => r.Id));
        var byIntent = await stripe.V1.Refunds.ListAsync(new RefundListOptions { PaymentIntent = one.Id }, cancellationToken: Ct);
        Assert.Equal([second.Id, first.Id], byIntent.Data.Select(r => r.Id));
        var byCharge = await stripe.V1.Refunds.ListAsync(new RefundListOptions { Charge = other.LatestChargeId }, cancellationToken: Ct);
        Assert.Equal(third.Id, Assert.Single(byCharge.Data).Id);

        var page = await stripe.V1.Refunds.ListAsync(new RefundListOptions { Limit = 1, StartingAfter = third.Id }, cancellationToken: Ct);
        Assert.Equal((second.Id, true), (Assert.Single(page.Data).Id, page.HasMore));
        var back = await stripe.V1.Refunds.ListAsync(new RefundListOptions { Limit = 1, EndingBefore = first.Id }, cancellationToken: Ct);
        Assert.Equal((second.Id, true), (Assert.Single(back.Data).Id, back.HasMore));
        var later = await stripe.V1.Refunds.ListAsync(new RefundListOptions { Created = new DateRangeOptions { GreaterThan = third.Created } }, cancellationToken: Ct);
        Assert.Empty(later.Data);
        var byTime = await stripe.V1.Refunds.ListAsync(new RefundListOptions { Created = new DateRangeOptions { LessThanOrEqual = third.Created } }, cancellationToken: Ct);
        Assert.Equal(3, byTime.Data.Count);
    }

    [Fact]
    public async Task A_refund_update_merges_metadata_and_a_card_refund_cannot_be_canceled()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var intent = await PaidAsync(stripe, "pm_card_visa");
        var refund = await stripe.V1.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = intent.Id, Metadata = new() { ["ticket"] = "T-1", ["agent"] = "ann" } }, cancellationToken: Ct);

        var updated = await stripe.V1.Refunds.UpdateAsync(refund.Id, new RefundUpdateOptions { Metadata = new() { ["ticket"] = "T-2", ["agent"] = "" } }, cancellationToken: Ct);
        Assert.Equal(new Dictionary<string, string> { ["ticket"] = "T-2" }, updated.Metadata);
        var charge = await stripe.V1.Charges.GetAsync(intent.LatestChargeId, new ChargeGetOptions { Expand = ["refunds"] }, cancellationToken: Ct);
        Assert.Equal("T-2", Assert.Single(charge.Refunds.Data).Metadata["ticket"]);

        var events = new List<Event>();
        await CollectAsync(receiver, events, e => Count(e, "refund.updated") == 1);
        Assert.Equal("T-1", Previous(events.Single(e => e.Type == "refund.updated"))["metadata"]!["ticket"]!.ToString());

        var unknown = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Refunds.UpdateAsync(refund.Id, new RefundUpdateOptions { ExtraParams = { ["amount"] = 5 } }, cancellationToken: Ct));
        Assert.Equal(("parameter_unknown", "amount"), (unknown.StripeError.Code, unknown.StripeError.Param));
        var cancel = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Refunds.CancelAsync(refund.Id, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.BadRequest, "refund_cannot_be_canceled"), (cancel.HttpStatusCode, cancel.StripeError.Code));
        Assert.Contains("status of succeeded", cancel.StripeError.Message, StringComparison.Ordinal);
        var missing = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Refunds.UpdateAsync("re_missing", new RefundUpdateOptions(), cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.NotFound, "resource_missing"), (missing.HttpStatusCode, missing.StripeError.Code));
    }
}
