using System.Net;
using System.Net.Http.Json;
using Harness.Sandbox.Tests.Support;
using Stripe;
using Stripe.Radar;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>Radar's early fraud warnings through Stripe.net: the test card that draws one, retrieving and listing them, and what makes one not actionable.</summary>
public sealed class StripeEarlyFraudWarningTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static async Task<PaymentIntent> PaidAsync(StripeClient stripe, string paymentMethod = "pm_card_createIssuerFraudRecord") =>
        await stripe.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions { Amount = 2500, Currency = "usd", PaymentMethod = paymentMethod, Confirm = true }, cancellationToken: Ct);

    private static async Task<EarlyFraudWarning> WarningOfAsync(StripeClient stripe, string chargeId) =>
        Assert.Single((await stripe.V1.Radar.EarlyFraudWarnings.ListAsync(new EarlyFraudWarningListOptions { Charge = chargeId }, cancellationToken: Ct)).Data);

    /// <summary>The types of the events about one charge, oldest first (<c>GET /v1/events</c>).</summary>
    private static async Task<List<string>> EventTypesAsync(StripeClient stripe, params string[] types) =>
        [.. (await stripe.V1.Events.ListAsync(new EventListOptions { Types = [.. types] }, cancellationToken: Ct)).Data.Select(e => e.Type).Reverse()];

    [Fact]
    public async Task The_early_fraud_warning_card_pays_then_draws_an_actionable_warning_and_no_dispute()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var intent = await PaidAsync(stripe);
        Assert.Equal("succeeded", intent.Status);

        var warning = await WarningOfAsync(stripe, intent.LatestChargeId);
        Assert.StartsWith("issfr_", warning.Id, StringComparison.Ordinal);
        Assert.Equal((true, intent.LatestChargeId, intent.Id, "made_with_stolen_card", false, "radar.early_fraud_warning"),
            (warning.Actionable, warning.ChargeId, warning.PaymentIntentId, warning.FraudType, warning.Livemode, warning.Object));
        Assert.Equal(warning.Id, (await stripe.V1.Radar.EarlyFraudWarnings.GetAsync(warning.Id, cancellationToken: Ct)).Id);
        Assert.Empty((await stripe.V1.Disputes.ListAsync(cancellationToken: Ct)).Data);
        Assert.False((await stripe.V1.Charges.GetAsync(intent.LatestChargeId, cancellationToken: Ct)).Disputed);

        var events = new List<Event>();
        await CollectAsync(receiver, events, e => e.Any(x => x.Type == "radar.early_fraud_warning.created"));
        Assert.Equal(warning.Id, ((EarlyFraudWarning)events.Single(e => e.Type == "radar.early_fraud_warning.created").Data.Object).Id);
        // Filed under the charge's id, after the payment's own.
        Assert.Equal(["radar.early_fraud_warning.created"], [.. (await sandbox.DeliveriesAsync(intent.LatestChargeId)).Select(d => d!["event_type"]!.GetValue<string>())]);

        var missing = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Radar.EarlyFraudWarnings.GetAsync("issfr_missing", cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.NotFound, "resource_missing"), (missing.HttpStatusCode, missing.StripeError.Code));
    }

    [Fact]
    public async Task A_full_refund_makes_the_warning_not_actionable_a_partial_one_does_not()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var intent = await PaidAsync(stripe);

        await stripe.V1.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = intent.Id, Amount = 500 }, cancellationToken: Ct);
        Assert.True((await WarningOfAsync(stripe, intent.LatestChargeId)).Actionable);
        await stripe.V1.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = intent.Id }, cancellationToken: Ct);
        Assert.False((await WarningOfAsync(stripe, intent.LatestChargeId)).Actionable);

        Assert.Equal(["radar.early_fraud_warning.created", "charge.refunded", "charge.refunded", "radar.early_fraud_warning.updated"],
            await EventTypesAsync(stripe, "radar.early_fraud_warning.created", "charge.refunded", "radar.early_fraud_warning.updated"));
        var updated = Assert.Single((await stripe.V1.Events.ListAsync(new EventListOptions { Type = "radar.early_fraud_warning.updated" }, cancellationToken: Ct)).Data);
        Assert.False(((EarlyFraudWarning)updated.Data.Object).Actionable);
        Assert.True((bool)updated.Data.PreviousAttributes.actionable);
    }

    [Fact]
    public async Task A_dispute_on_the_charge_makes_the_warning_not_actionable()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var intent = await PaidAsync(stripe);

        using var opened = await sandbox.Control.PostAsJsonAsync($"/control/stripe/charges/{intent.LatestChargeId}/dispute", new { reason = "fraudulent" }, Ct);
        Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
        Assert.False((await WarningOfAsync(stripe, intent.LatestChargeId)).Actionable);
        Assert.Equal(["radar.early_fraud_warning.created", "charge.dispute.created", "charge.dispute.funds_withdrawn", "radar.early_fraud_warning.updated"],
            await EventTypesAsync(stripe, "radar.early_fraud_warning.created", "charge.dispute.created", "charge.dispute.funds_withdrawn", "radar.early_fraud_warning.updated"));
    }

    [Fact]
    public async Task Warnings_list_newest_first_by_charge_payment_intent_and_created_and_page()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var first = await PaidAsync(stripe);
        await sandbox.AdvanceAsync(TimeSpan.FromHours(1));
        var second = await PaidAsync(stripe);
        await sandbox.AdvanceAsync(TimeSpan.FromHours(1));
        var third = await PaidAsync(stripe);
        // An ordinary card draws none.
        await PaidAsync(stripe, "pm_card_visa");
        var (w1, w2, w3) = (await WarningOfAsync(stripe, first.LatestChargeId), await WarningOfAsync(stripe, second.LatestChargeId), await WarningOfAsync(stripe, third.LatestChargeId));

        Assert.Equal([w3.Id, w2.Id, w1.Id], (await stripe.V1.Radar.EarlyFraudWarnings.ListAsync(cancellationToken: Ct)).Data.Select(w => w.Id));
        Assert.Equal([w2.Id], (await stripe.V1.Radar.EarlyFraudWarnings.ListAsync(new EarlyFraudWarningListOptions { PaymentIntent = second.Id }, cancellationToken: Ct)).Data.Select(w => w.Id));
        var since = await stripe.V1.Radar.EarlyFraudWarnings.ListAsync(new EarlyFraudWarningListOptions { Created = new DateRangeOptions { GreaterThan = w1.Created } }, cancellationToken: Ct);
        Assert.Equal([w3.Id, w2.Id], since.Data.Select(w => w.Id));

        var page = await stripe.V1.Radar.EarlyFraudWarnings.ListAsync(new EarlyFraudWarningListOptions { Limit = 2 }, cancellationToken: Ct);
        Assert.Equal([w3.Id, w2.Id], page.Data.Select(w => w.Id));
        Assert.True(page.HasMore);
        var next = await stripe.V1.Radar.EarlyFraudWarnings.ListAsync(new EarlyFraudWarningListOptions { Limit = 2, StartingAfter = w2.Id }, cancellationToken: Ct);
        Assert.Equal([w1.Id], next.Data.Select(w => w.Id));
        Assert.False(next.HasMore);
        var back = await stripe.V1.Radar.EarlyFraudWarnings.ListAsync(new EarlyFraudWarningListOptions { EndingBefore = w1.Id }, cancellationToken: Ct);
        Assert.Equal([w3.Id, w2.Id], back.Data.Select(w => w.Id));

        using var http = StripeErrorTests.Http(sandbox);
        using var bad = await http.GetAsync("/v1/radar/early_fraud_warnings?created[lt]=later", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("created[lt]", await bad.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }
}
