using System.Net;
using System.Net.Http.Json;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using Stripe.Checkout;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>Disputes through Stripe.net: the dispute test cards and PaymentMethods, evidence and its outcomes, closing, lists, the control routes.</summary>
public sealed class StripeDisputeTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static PaymentIntentCreateOptions Confirmed(string paymentMethod, long amount = 2500) =>
        new() { Amount = amount, Currency = "usd", PaymentMethod = paymentMethod, Confirm = true };

    private static async Task<Dispute> DisputeOfAsync(StripeClient stripe, string chargeId) =>
        Assert.Single((await stripe.V1.Disputes.ListAsync(new DisputeListOptions { Charge = chargeId }, cancellationToken: Ct)).Data);

    private static async Task<(PaymentIntent Intent, Dispute Dispute)> DisputedAsync(StripeClient stripe, string paymentMethod = "pm_card_createDispute")
    {
        var intent = await stripe.V1.PaymentIntents.CreateAsync(Confirmed(paymentMethod), cancellationToken: Ct);
        Assert.Equal("succeeded", intent.Status);
        return (intent, await DisputeOfAsync(stripe, intent.LatestChargeId));
    }

    private static async Task PayWithCardAsync(TestSandbox sandbox, string paymentId, string number)
    {
        using var browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(sandbox.Server.ControlBaseUrl) };
        using var paid = await browser.PostAsync($"/pay/{paymentId}", new FormUrlEncodedContent(
            [new("action", "pay"), new("card_number", number), new("card_expiry", "12 / 34"), new("card_cvc", "123")]), Ct);
        Assert.Equal(HttpStatusCode.Redirect, paid.StatusCode);
    }

    /// <summary>The Stripe events sent under <paramref name="subject"/> (a charge's id), in the order they were queued.</summary>
    private static async Task<List<string>> DeliveredTypesAsync(TestSandbox sandbox, string subject) =>
        [.. (await sandbox.DeliveriesAsync(subject)).Select(d => d!["event_type"]!.GetValue<string>())];

    /// <summary>The types of the <c>charge.dispute.*</c> events about one dispute, oldest first (<c>GET /v1/events</c>).</summary>
    private static async Task<List<string>> EventTypesOfAsync(StripeClient stripe, string disputeId) =>
        [.. (await stripe.V1.Events.ListAsync(new EventListOptions { Type = "charge.dispute.*", Limit = 100 }, cancellationToken: Ct)).Data
            .Where(e => ((Dispute)e.Data.Object).Id == disputeId).Select(e => e.Type).Reverse()];

    [Fact]
    public async Task A_dispute_card_typed_at_checkout_pays_then_opens_a_chargeback_with_its_events_after_the_payments()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var session = await stripe.V1.Checkout.Sessions.CreateAsync(StripeNetRoundTripTests.NewPaymentSession(), cancellationToken: Ct);

        Assert.Contains("4000 0000 0000 0259", await sandbox.Control.GetStringAsync($"/pay/{session.Id}", Ct), StringComparison.Ordinal);
        await PayWithCardAsync(sandbox, session.Id, "4000 0000 0000 0259");

        var intent = await stripe.V1.PaymentIntents.GetAsync((await stripe.V1.Checkout.Sessions.GetAsync(session.Id, cancellationToken: Ct)).PaymentIntentId, cancellationToken: Ct);
        var charge = await stripe.V1.Charges.GetAsync(intent.LatestChargeId, cancellationToken: Ct);
        Assert.Equal(("succeeded", true, "0259"), (charge.Status, charge.Disputed, charge.PaymentMethodDetails.Card.Last4));
        var dispute = await DisputeOfAsync(stripe, charge.Id);
        Assert.StartsWith("dp_", dispute.Id, StringComparison.Ordinal);
        Assert.Equal((charge.Amount, "usd", intent.Id, "fraudulent", "needs_response", false, false),
            (dispute.Amount, dispute.Currency, dispute.PaymentIntentId, dispute.Reason, dispute.Status, dispute.IsChargeRefundable, dispute.Livemode));
        Assert.Null(dispute.Evidence.UncategorizedText);
        Assert.Equal((false, false, 0L), (dispute.EvidenceDetails.HasEvidence, dispute.EvidenceDetails.PastDue, dispute.EvidenceDetails.SubmissionCount));
        // Seven days on the sandbox clock (frozen at 2026-11-23 12:00), to the end of that UTC day.
        Assert.Equal(new DateTime(2026, 11, 30, 23, 59, 59, DateTimeKind.Utc), dispute.EvidenceDetails.DueBy);
        var withdrawal = Assert.Single(dispute.BalanceTransactions);
        Assert.Equal((-charge.Amount, 1500L, -charge.Amount - 1500), (withdrawal.Amount, withdrawal.Fee, withdrawal.Net));

        // The events: the payment's, then the dispute's (filed under the charge), in that order.
        var events = new List<Event>();
        await CollectAsync(receiver, events, e => e.Count == 4);
        Assert.Equal(["charge.dispute.created", "charge.dispute.funds_withdrawn"], events.Where(e => e.Type.StartsWith("charge.dispute.", StringComparison.Ordinal)).Select(e => e.Type));
        Assert.Equal(dispute.Id, ((Dispute)events.Single(e => e.Type == "charge.dispute.created").Data.Object).Id);
        Assert.Equal(["charge.dispute.created", "charge.dispute.funds_withdrawn"], await DeliveredTypesAsync(sandbox, charge.Id));
        var logged = await stripe.V1.Events.ListAsync(cancellationToken: Ct);
        Assert.Equal(["checkout.session.completed", "payment_intent.succeeded", "charge.dispute.created", "charge.dispute.funds_withdrawn"],
            logged.Data.Select(e => e.Type).Reverse());
    }

    [Fact]
    public async Task A_dispute_card_that_pays_a_subscription_checkout_disputes_its_first_invoices_charge()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var session = await stripe.V1.Checkout.Sessions.CreateAsync(new SessionCreateOptions
        {
            Mode = "subscription",
            LineItems = [new SessionLineItemOptions { Price = StripeCatalog.MonthlyPrice, Quantity = 1 }],
            SuccessUrl = "https://merchant.example/done",
        }, cancellationToken: Ct);
        await PayWithCardAsync(sandbox, session.Id, "4000000000002685");

        var invoice = await stripe.V1.Invoices.GetAsync((await stripe.V1.Checkout.Sessions.GetAsync(session.Id, cancellationToken: Ct)).InvoiceId, cancellationToken: Ct);
        var dispute = Assert.Single((await stripe.V1.Disputes.ListAsync(cancellationToken: Ct)).Data);
        Assert.Equal(("product_not_received", "needs_response", invoice.AmountPaid), (dispute.Reason, dispute.Status, dispute.Amount));
        Assert.True((await stripe.V1.Charges.GetAsync(dispute.ChargeId, cancellationToken: Ct)).Disputed);
    }

    [Theory]
    [InlineData("pm_card_createDispute", "fraudulent", "needs_response")]
    [InlineData("pm_card_createDisputeProductNotReceived", "product_not_received", "needs_response")]
    [InlineData("pm_card_createDisputeInquiry", "fraudulent", "warning_needs_response")]
    public async Task A_dispute_PaymentMethod_disputes_its_charge_and_only_an_inquirys_charge_still_refunds(string method, string reason, string status)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var (intent, dispute) = await DisputedAsync(stripe, method);
        Assert.Equal((reason, status, 2500L), (dispute.Reason, dispute.Status, dispute.Amount));
        var inquiry = status == "warning_needs_response";
        Assert.Equal(inquiry, dispute.IsChargeRefundable);
        Assert.Equal(inquiry ? ["charge.dispute.created"] : ["charge.dispute.created", "charge.dispute.funds_withdrawn"],
            (await stripe.V1.Events.ListAsync(new EventListOptions { Type = "charge.dispute.*" }, cancellationToken: Ct)).Data.Select(e => e.Type).Reverse());

        if (inquiry)
        {
            Assert.Equal("succeeded", (await stripe.V1.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = intent.Id }, cancellationToken: Ct)).Status);
            return;
        }

        var refused = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Refunds.CreateAsync(new RefundCreateOptions { Charge = intent.LatestChargeId }, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.BadRequest, "charge_disputed", $"Charge {intent.LatestChargeId} has been charged back; cannot issue a refund."),
            (refused.HttpStatusCode, refused.StripeError.Code, refused.StripeError.Message));
    }

    [Theory]
    [InlineData("winning_evidence", "won", new[] { "charge.dispute.updated", "charge.dispute.closed", "charge.dispute.funds_reinstated" })]
    [InlineData("losing_evidence", "lost", new[] { "charge.dispute.updated", "charge.dispute.closed" })]
    public async Task Test_modes_evidence_text_decides_the_dispute_at_once(string text, string outcome, string[] types)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var (intent, dispute) = await DisputedAsync(stripe);

        var decided = await stripe.V1.Disputes.UpdateAsync(dispute.Id, new DisputeUpdateOptions
        {
            Evidence = new DisputeEvidenceOptions { UncategorizedText = text, ProductDescription = "Harness coins" },
            Metadata = new Dictionary<string, string> { ["case"] = "42" },
        }, cancellationToken: Ct);
        Assert.Equal((outcome, text, "Harness coins", "42"), (decided.Status, decided.Evidence.UncategorizedText, decided.Evidence.ProductDescription, decided.Metadata["case"]));
        Assert.Equal((true, 1L, "manual"), (decided.EvidenceDetails.HasEvidence, decided.EvidenceDetails.SubmissionCount, decided.EvidenceDetails.SubmissionMethod));
        Assert.Equal(outcome == "won" ? [-2500L, 2500L] : [-2500L], decided.BalanceTransactions.Select(t => t.Amount));

        var events = new List<Event>();
        await CollectAsync(receiver, events, e => e.Count(x => x.Type.StartsWith("charge.dispute.", StringComparison.Ordinal)) == 2 + types.Length);
        var disputeEvents = events.Where(e => e.Type.StartsWith("charge.dispute.", StringComparison.Ordinal)).Skip(2).ToList();
        Assert.Equal(types, disputeEvents.Select(e => e.Type));
        Assert.Equal("under_review", ((Dispute)disputeEvents[0].Data.Object).Status);
        Assert.Equal(outcome, ((Dispute)disputeEvents[1].Data.Object).Status);
        Assert.Equal(["charge.dispute.created", "charge.dispute.funds_withdrawn", .. types], await DeliveredTypesAsync(sandbox, intent.LatestChargeId));
    }

    [Fact]
    public async Task Staged_evidence_waits_and_other_submitted_evidence_stays_under_review_until_the_control_API_decides()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var (intent, dispute) = await DisputedAsync(stripe);

        var staged = await stripe.V1.Disputes.UpdateAsync(dispute.Id, new DisputeUpdateOptions
        {
            Evidence = new DisputeEvidenceOptions { ShippingTrackingNumber = "1Z999" },
            Submit = false,
        }, cancellationToken: Ct);
        Assert.Equal(("needs_response", true, 0L, "1Z999"), (staged.Status, staged.EvidenceDetails.HasEvidence, staged.EvidenceDetails.SubmissionCount, staged.Evidence.ShippingTrackingNumber));

        using var http = StripeErrorTests.Http(sandbox);
        using var unknown = await http.PostAsync($"/v1/disputes/{dispute.Id}", new FormUrlEncodedContent([new("evidence[bogus]", "x")]), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("Received unknown parameter: evidence[bogus]", await unknown.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        var submitted = await stripe.V1.Disputes.UpdateAsync(dispute.Id, new DisputeUpdateOptions
        {
            Evidence = new DisputeEvidenceOptions { UncategorizedText = "Delivered, signed for." },
        }, cancellationToken: Ct);
        Assert.Equal(("under_review", 1L, "1Z999"), (submitted.Status, submitted.EvidenceDetails.SubmissionCount, submitted.Evidence.ShippingTrackingNumber));
        var again = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Disputes.UpdateAsync(dispute.Id, new DisputeUpdateOptions
        {
            Evidence = new DisputeEvidenceOptions { UncategorizedText = "More." },
        }, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.BadRequest, again.HttpStatusCode);

        using var badOutcome = await sandbox.Control.PostAsJsonAsync($"/control/stripe/disputes/{dispute.Id}/resolve", new { outcome = "maybe" }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, badOutcome.StatusCode);
        using var noSuch = await sandbox.Control.PostAsJsonAsync("/control/stripe/disputes/dp_nope/resolve", new { outcome = "won" }, Ct);
        Assert.Equal(HttpStatusCode.NotFound, noSuch.StatusCode);

        var won = await sandbox.PostJsonAsync($"/control/stripe/disputes/{dispute.Id}/resolve", new { outcome = "won" });
        Assert.Equal(("won", intent.LatestChargeId), (won["status"]!.GetValue<string>(), won["charge"]!.GetValue<string>()));
        Assert.Equal("won", (await stripe.V1.Disputes.GetAsync(dispute.Id, cancellationToken: Ct)).Status);
        // Staging the evidence and submitting it were updates each.
        Assert.Equal(["charge.dispute.created", "charge.dispute.funds_withdrawn", "charge.dispute.updated", "charge.dispute.updated", "charge.dispute.closed", "charge.dispute.funds_reinstated"],
            (await stripe.V1.Events.ListAsync(new EventListOptions { Type = "charge.dispute.*" }, cancellationToken: Ct)).Data.Select(e => e.Type).Reverse());
        using var twice = await sandbox.Control.PostAsJsonAsync($"/control/stripe/disputes/{dispute.Id}/resolve", new { outcome = "lost" }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, twice.StatusCode);
    }

    [Fact]
    public async Task Closing_accepts_the_dispute_as_lost_an_inquiry_as_warning_closed_and_a_closed_dispute_refuses_evidence()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var (_, dispute) = await DisputedAsync(stripe);
        var (_, inquiry) = await DisputedAsync(stripe, "pm_card_createDisputeInquiry");

        Assert.Equal("lost", (await stripe.V1.Disputes.CloseAsync(dispute.Id, cancellationToken: Ct)).Status);
        Assert.Equal("warning_closed", (await stripe.V1.Disputes.CloseAsync(inquiry.Id, cancellationToken: Ct)).Status);
        Assert.Equal(2, (await stripe.V1.Events.ListAsync(new EventListOptions { Type = "charge.dispute.closed" }, cancellationToken: Ct)).Data.Count);

        var closed = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Disputes.UpdateAsync(dispute.Id, new DisputeUpdateOptions
        {
            Evidence = new DisputeEvidenceOptions { UncategorizedText = "winning_evidence" },
        }, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request_error"), (closed.HttpStatusCode, closed.StripeError.Type));
        Assert.Contains("already closed", closed.StripeError.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Disputes.CloseAsync(dispute.Id, cancellationToken: Ct));
        // Metadata stays the merchant's to change.
        var tagged = await stripe.V1.Disputes.UpdateAsync(dispute.Id, new DisputeUpdateOptions { Metadata = new Dictionary<string, string> { ["k"] = "v" } }, cancellationToken: Ct);
        Assert.Equal(("lost", "v"), (tagged.Status, tagged.Metadata["k"]));
        var missing = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Disputes.GetAsync("dp_missing", cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.NotFound, "resource_missing"), (missing.HttpStatusCode, missing.StripeError.Code));
    }

    [Fact]
    public async Task Disputes_list_newest_first_by_charge_payment_intent_and_created_and_page()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var (firstIntent, first) = await DisputedAsync(stripe);
        await sandbox.AdvanceAsync(TimeSpan.FromHours(1));
        var (_, second) = await DisputedAsync(stripe, "pm_card_createDisputeProductNotReceived");
        await sandbox.AdvanceAsync(TimeSpan.FromHours(1));
        var (_, third) = await DisputedAsync(stripe, "pm_card_createDisputeInquiry");
        // A charge to an ordinary card draws none.
        await stripe.V1.PaymentIntents.CreateAsync(Confirmed("pm_card_visa"), cancellationToken: Ct);

        var all = await stripe.V1.Disputes.ListAsync(cancellationToken: Ct);
        Assert.Equal([third.Id, second.Id, first.Id], all.Data.Select(d => d.Id));
        Assert.Equal([first.Id], (await stripe.V1.Disputes.ListAsync(new DisputeListOptions { PaymentIntent = firstIntent.Id }, cancellationToken: Ct)).Data.Select(d => d.Id));
        var since = await stripe.V1.Disputes.ListAsync(new DisputeListOptions { Created = new DateRangeOptions { GreaterThanOrEqual = second.Created } }, cancellationToken: Ct);
        Assert.Equal([third.Id, second.Id], since.Data.Select(d => d.Id));
        var before = await stripe.V1.Disputes.ListAsync(new DisputeListOptions { Created = new DateRangeOptions { LessThan = second.Created } }, cancellationToken: Ct);
        Assert.Equal([first.Id], before.Data.Select(d => d.Id));

        var page = await stripe.V1.Disputes.ListAsync(new DisputeListOptions { Limit = 2 }, cancellationToken: Ct);
        Assert.Equal([third.Id, second.Id], page.Data.Select(d => d.Id));
        Assert.True(page.HasMore);
        var next = await stripe.V1.Disputes.ListAsync(new DisputeListOptions { Limit = 2, StartingAfter = second.Id }, cancellationToken: Ct);
        Assert.Equal([first.Id], next.Data.Select(d => d.Id));
        Assert.False(next.HasMore);

        using var http = StripeErrorTests.Http(sandbox);
        using var bad = await http.GetAsync("/v1/disputes?created[gte]=soon", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("created[gte]", await bad.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_control_API_disputes_a_charge_paid_without_a_card_once_and_refuses_what_cannot_be_disputed()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var session = await stripe.V1.Checkout.Sessions.CreateAsync(StripeNetRoundTripTests.NewPaymentSession(), cancellationToken: Ct);
        await sandbox.ActAsync(session.Id, "pay");
        var chargeId = (await stripe.V1.PaymentIntents.GetAsync((await stripe.V1.Checkout.Sessions.GetAsync(session.Id, cancellationToken: Ct)).PaymentIntentId, cancellationToken: Ct)).LatestChargeId;
        Assert.Empty((await stripe.V1.Disputes.ListAsync(cancellationToken: Ct)).Data);

        using var badReason = await sandbox.Control.PostAsJsonAsync($"/control/stripe/charges/{chargeId}/dispute", new { reason = "bored" }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, badReason.StatusCode);
        using var noCharge = await sandbox.Control.PostAsJsonAsync("/control/stripe/charges/ch_nope/dispute", new { }, Ct);
        Assert.Equal(HttpStatusCode.NotFound, noCharge.StatusCode);

        var opened = await sandbox.PostJsonAsync($"/control/stripe/charges/{chargeId}/dispute", new { reason = "product_unacceptable" });
        Assert.Equal(("product_unacceptable", "needs_response", chargeId), (opened["reason"]!.GetValue<string>(), opened["status"]!.GetValue<string>(), opened["charge"]!.GetValue<string>()));
        var dispute = await stripe.V1.Disputes.GetAsync(opened["id"]!.GetValue<string>(), cancellationToken: Ct);
        Assert.Equal(("product_unacceptable", 100L), (dispute.Reason, dispute.Amount));
        Assert.True((await stripe.V1.Charges.GetAsync(chargeId, cancellationToken: Ct)).Disputed);
        Assert.Equal(["charge.dispute.created", "charge.dispute.funds_withdrawn"],
            (await stripe.V1.Events.ListAsync(new EventListOptions { Type = "charge.dispute.*" }, cancellationToken: Ct)).Data.Select(e => e.Type).Reverse());

        using var twice = await sandbox.Control.PostAsJsonAsync($"/control/stripe/charges/{chargeId}/dispute", new { }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, twice.StatusCode);
        Assert.Contains("already disputed", await twice.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        // An inquiry on a partly refunded charge is for what is left of it.
        var intent = await stripe.V1.PaymentIntents.CreateAsync(Confirmed("pm_card_visa"), cancellationToken: Ct);
        await stripe.V1.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = intent.Id, Amount = 500 }, cancellationToken: Ct);
        var inquiry = await sandbox.PostJsonAsync($"/control/stripe/charges/{intent.LatestChargeId}/dispute", new { reason = "general", inquiry = true });
        Assert.Equal(("warning_needs_response", 2000L), (inquiry["status"]!.GetValue<string>(), inquiry["amount"]!.GetValue<long>()));
    }

    [Fact]
    public async Task Disputes_survive_a_restart_and_are_answered_after_it()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-stripe-disputes-" + Guid.NewGuid().ToString("N"));
        Dispute dispute;
        await using (var first = await TestSandbox.StartAsync(configure: o => o.DataDirectory = data))
        {
            (_, dispute) = await DisputedAsync(Client(first));
        }

        await using var second = await TestSandbox.StartAsync(configure: o => o.DataDirectory = data);
        var stripe = Client(second);
        var stored = await stripe.V1.Disputes.GetAsync(dispute.Id, cancellationToken: Ct);
        Assert.Equal(("needs_response", dispute.EvidenceDetails.DueBy, true), (stored.Status, stored.EvidenceDetails.DueBy, (await stripe.V1.Charges.GetAsync(stored.ChargeId, cancellationToken: Ct)).Disputed));
        var won = await stripe.V1.Disputes.UpdateAsync(dispute.Id, new DisputeUpdateOptions { Evidence = new DisputeEvidenceOptions { UncategorizedText = "winning_evidence" } }, cancellationToken: Ct);
        Assert.Equal("won", won.Status);
    }

    [Fact]
    public async Task An_unanswered_dispute_is_conceded_when_its_deadline_passes_and_staged_evidence_is_submitted_then()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-stripe-deadlines-" + Guid.NewGuid().ToString("N"));
        Dispute chargeback, inquiry, staged, answered;
        await using (var first = await TestSandbox.StartAsync(configure: o => o.DataDirectory = data))
        {
            var before = Client(first);
            (_, chargeback) = await DisputedAsync(before);
            (_, inquiry) = await DisputedAsync(before, "pm_card_createDisputeInquiry");
            (_, staged) = await DisputedAsync(before);
            (_, answered) = await DisputedAsync(before);
            await before.V1.Disputes.UpdateAsync(staged.Id, new DisputeUpdateOptions
            {
                Evidence = new DisputeEvidenceOptions { UncategorizedText = "winning_evidence" },
                Submit = false,
            }, cancellationToken: Ct);
            Assert.Equal("won", (await before.V1.Disputes.UpdateAsync(answered.Id, new DisputeUpdateOptions
            {
                Evidence = new DisputeEvidenceOptions { UncategorizedText = "winning_evidence" },
            }, cancellationToken: Ct)).Status);
        }

        // The deadlines are kept with the disputes: they pass after a restart too.
        await using var sandbox = await TestSandbox.StartAsync(configure: o => o.DataDirectory = data);
        var stripe = Client(sandbox);
        // due_by is 2026-11-30 23:59:59: nothing happens up to it.
        await sandbox.AdvanceAsync(new DateTimeOffset(2026, 11, 30, 23, 59, 59, TimeSpan.Zero) - new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
        await sandbox.RunDueAsync();
        Assert.Equal("needs_response", (await stripe.V1.Disputes.GetAsync(chargeback.Id, cancellationToken: Ct)).Status);

        await sandbox.AdvanceAsync(TimeSpan.FromSeconds(1));
        await sandbox.RunDueAsync();
        var lost = await stripe.V1.Disputes.GetAsync(chargeback.Id, cancellationToken: Ct);
        Assert.Equal(("lost", false, 0L), (lost.Status, lost.EvidenceDetails.PastDue, lost.EvidenceDetails.SubmissionCount));
        Assert.Equal("warning_closed", (await stripe.V1.Disputes.GetAsync(inquiry.Id, cancellationToken: Ct)).Status);
        var submitted = await stripe.V1.Disputes.GetAsync(staged.Id, cancellationToken: Ct);
        Assert.Equal(("won", false, 1L), (submitted.Status, submitted.EvidenceDetails.PastDue, submitted.EvidenceDetails.SubmissionCount));
        Assert.Equal("won", (await stripe.V1.Disputes.GetAsync(answered.Id, cancellationToken: Ct)).Status);
        Assert.Equal(["charge.dispute.created", "charge.dispute.funds_withdrawn", "charge.dispute.closed"], await EventTypesOfAsync(stripe, chargeback.Id));
        Assert.Equal(["charge.dispute.created", "charge.dispute.closed"], await EventTypesOfAsync(stripe, inquiry.Id));
        Assert.Equal(["charge.dispute.created", "charge.dispute.funds_withdrawn", "charge.dispute.updated", "charge.dispute.updated", "charge.dispute.closed", "charge.dispute.funds_reinstated"],
            await EventTypesOfAsync(stripe, staged.Id));

        // Passed once: a later run sends nothing more.
        await sandbox.AdvanceAsync(TimeSpan.FromDays(1));
        await sandbox.RunDueAsync();
        Assert.Equal(3, (await EventTypesOfAsync(stripe, chargeback.Id)).Count);
    }

    [Fact]
    public async Task The_multiple_disputes_card_draws_two_chargebacks_on_its_charge()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var intent = await stripe.V1.PaymentIntents.CreateAsync(Confirmed("pm_card_createMultipleDisputes"), cancellationToken: Ct);
        Assert.Equal("succeeded", intent.Status);

        var disputes = (await stripe.V1.Disputes.ListAsync(new DisputeListOptions { Charge = intent.LatestChargeId }, cancellationToken: Ct)).Data;
        Assert.Equal(2, disputes.Count);
        Assert.NotEqual(disputes[0].Id, disputes[1].Id);
        Assert.All(disputes, d => Assert.Equal(("fraudulent", "needs_response", 2500L), (d.Reason, d.Status, d.Amount)));
        Assert.Equal(["charge.dispute.created", "charge.dispute.funds_withdrawn", "charge.dispute.created", "charge.dispute.funds_withdrawn"],
            (await stripe.V1.Events.ListAsync(new EventListOptions { Type = "charge.dispute.*" }, cancellationToken: Ct)).Data.Select(e => e.Type).Reverse());

        // Winning one opens nothing new and leaves the other open.
        Assert.Equal("won", (await stripe.V1.Disputes.UpdateAsync(disputes[1].Id, new DisputeUpdateOptions
        {
            Evidence = new DisputeEvidenceOptions { UncategorizedText = "winning_evidence" },
        }, cancellationToken: Ct)).Status);
        Assert.Equal(["needs_response", "won"],
            (await stripe.V1.Disputes.ListAsync(new DisputeListOptions { Charge = intent.LatestChargeId }, cancellationToken: Ct)).Data.Select(d => d.Status));

        // The card is typed on the hosted page too.
        var session = await stripe.V1.Checkout.Sessions.CreateAsync(StripeNetRoundTripTests.NewPaymentSession(), cancellationToken: Ct);
        await PayWithCardAsync(sandbox, session.Id, "4000 0004 0400 0079");
        var paid = await stripe.V1.PaymentIntents.GetAsync((await stripe.V1.Checkout.Sessions.GetAsync(session.Id, cancellationToken: Ct)).PaymentIntentId, cancellationToken: Ct);
        Assert.Equal(2, (await stripe.V1.Disputes.ListAsync(new DisputeListOptions { Charge = paid.LatestChargeId }, cancellationToken: Ct)).Data.Count);
    }

    [Fact]
    public async Task A_saved_dispute_card_draws_a_dispute_on_each_invoice_charge_after_the_invoices_events()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions
        {
            PaymentMethod = "pm_card_createDisputeProductNotReceived",
            InvoiceSettings = new CustomerInvoiceSettingsOptions { DefaultPaymentMethod = "pm_card_createDisputeProductNotReceived" },
        }, cancellationToken: Ct);
        var subscription = await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id,
            Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }],
        }, cancellationToken: Ct);
        Assert.Equal("active", subscription.Status);
        await sandbox.RunDueAsync();
        var first = Assert.Single((await stripe.V1.Disputes.ListAsync(cancellationToken: Ct)).Data);

        // The renewal a month later is charged to the same card and disputed too.
        await sandbox.AdvanceAsync(TimeSpan.FromDays(31));
        await sandbox.RunDueAsync();
        var disputes = (await stripe.V1.Disputes.ListAsync(cancellationToken: Ct)).Data;
        Assert.Equal(2, disputes.Count);
        var renewal = disputes[0];
        Assert.NotEqual(first.ChargeId, renewal.ChargeId);
        Assert.Equal(("product_not_received", "needs_response"), (renewal.Reason, renewal.Status));
        var invoices = (await stripe.V1.Invoices.ListAsync(new InvoiceListOptions { Subscription = subscription.Id }, cancellationToken: Ct)).Data;
        Assert.Equal(renewal.Amount, invoices[0].AmountPaid);
        Assert.True((await stripe.V1.Charges.GetAsync(renewal.ChargeId, cancellationToken: Ct)).Disputed);

        // Each dispute's events come after its invoice's.
        var logged = (await stripe.V1.Events.ListAsync(new EventListOptions { Types = ["invoice.paid", "charge.dispute.created"], Limit = 100 }, cancellationToken: Ct)).Data
            .Select(e => e.Type).Reverse();
        Assert.Equal(["invoice.paid", "charge.dispute.created", "invoice.paid", "charge.dispute.created"], logged);
    }
}
