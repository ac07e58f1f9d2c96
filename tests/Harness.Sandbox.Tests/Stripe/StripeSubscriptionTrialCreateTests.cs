using System.Net;
using System.Text.Json.Nodes;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using Stripe.Checkout;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// Trials started by <c>POST /v1/subscriptions</c> (<c>trial_period_days</c>, <c>trial_end</c>), a trial's end moved by
/// an update, and the card a subscription checkout saves as the subscription's <c>default_payment_method</c>, through
/// Stripe.net 53.1.0.
/// </summary>
public sealed class StripeSubscriptionTrialCreateTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static Task<Subscription> SubscribeAsync(StripeClient stripe, string customer, long? days = null, AnyOf<DateTime?, SubscriptionTrialEnd>? end = null) =>
        stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer,
            Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }],
            TrialPeriodDays = days,
            TrialEnd = end,
            Expand = ["latest_invoice"],
        }, cancellationToken: Ct);

    [Fact]
    public async Task Trial_period_days_starts_a_trialing_subscription_whose_end_moves_and_then_charges_the_default_card()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct);
        var card = (await stripe.V1.PaymentMethods.AttachAsync("pm_card_mastercard", new PaymentMethodAttachOptions { Customer = customer.Id }, cancellationToken: Ct)).Id;
        await stripe.V1.Customers.UpdateAsync(customer.Id, new CustomerUpdateOptions { InvoiceSettings = new CustomerInvoiceSettingsOptions { DefaultPaymentMethod = card } }, cancellationToken: Ct);

        var trialing = await SubscribeAsync(stripe, customer.Id, days: 7);
        var start = trialing.Created;
        Assert.Equal(("trialing", start, start.AddDays(7)), (trialing.Status, trialing.TrialStart, trialing.TrialEnd));
        Assert.Equal((start.AddDays(7), start.AddDays(7)), (trialing.Items.Data[0].CurrentPeriodEnd, trialing.BillingCycleAnchor));
        Assert.Equal(("paid", 0L), (trialing.LatestInvoice.Status, trialing.LatestInvoice.AmountDue));
        Assert.Empty((await stripe.V1.Charges.ListAsync(new ChargeListOptions { Customer = customer.Id }, cancellationToken: Ct)).Data);

        var moved = await stripe.V1.Subscriptions.UpdateAsync(trialing.Id, new SubscriptionUpdateOptions { TrialEnd = start.AddDays(10) }, cancellationToken: Ct);
        Assert.Equal(("trialing", start.AddDays(10), start.AddDays(10)), (moved.Status, moved.TrialEnd, moved.Items.Data[0].CurrentPeriodEnd));

        // Day 7: nothing yet (the notice is due on day 7 for the new end); day 10: the first charge, on the default card.
        await sandbox.AdvanceAsync(TimeSpan.FromDays(7));
        Assert.Equal("trialing", (await stripe.V1.Subscriptions.GetAsync(trialing.Id, cancellationToken: Ct)).Status);
        await sandbox.AdvanceAsync(TimeSpan.FromDays(3));
        var active = await stripe.V1.Subscriptions.GetAsync(trialing.Id, cancellationToken: Ct);
        // Dec 3 to Jan 3: a calendar month from the trial's end.
        Assert.Equal(("active", start.AddDays(10), start.AddDays(10).AddMonths(1)), (active.Status, active.Items.Data[0].CurrentPeriodStart, active.Items.Data[0].CurrentPeriodEnd));
        var charge = Assert.Single((await stripe.V1.Charges.ListAsync(new ChargeListOptions { Customer = customer.Id }, cancellationToken: Ct)).Data);
        Assert.Equal((card, 999L, "succeeded"), (charge.PaymentMethod, charge.Amount, charge.Status));

        var events = new List<Event>();
        await CollectAsync(receiver, events, e => Count(e, "invoice.paid") == 2 && Count(e, "customer.subscription.trial_will_end") == 1 && Count(e, "customer.subscription.updated") == 2);
        var trialMove = receiver.All.Select(r => JsonNode.Parse(r.Body)!).First(e => e["type"]!.GetValue<string>() == "customer.subscription.updated");
        Assert.Equal(((DateTimeOffset)start.AddDays(7)).ToUnixTimeSeconds(), trialMove["data"]!["previous_attributes"]!["trial_end"]!.GetValue<long>());
        Assert.Equal(start.AddDays(7), ((Subscription)events.Single(e => e.Type == "customer.subscription.trial_will_end").Data.Object).TrialEnd!.Value.AddDays(-3));
    }

    [Fact]
    public async Task A_short_trial_sends_trial_will_end_at_once_and_trial_end_now_charges_at_creation()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct);
        var now = sandbox.Server.Context.Clock.GetUtcNow().UtcDateTime;

        var shortTrial = await SubscribeAsync(stripe, customer.Id, end: now.AddDays(2));
        Assert.Equal("trialing", shortTrial.Status);
        var noTrial = await SubscribeAsync(stripe, customer.Id, end: SubscriptionTrialEnd.Now);
        Assert.Equal(("active", (DateTime?)null, "paid", 999L), (noTrial.Status, noTrial.TrialEnd, noTrial.LatestInvoice.Status, noTrial.LatestInvoice.AmountPaid));

        var events = new List<Event>();
        await CollectAsync(receiver, events, e => Count(e, "customer.subscription.trial_will_end") == 1 && Count(e, "customer.subscription.created") == 2);
        Assert.Equal(shortTrial.Id, ((Subscription)events.Single(e => e.Type == "customer.subscription.trial_will_end").Data.Object).Id);
    }

    [Theory]
    [InlineData("trial_period_days=0", "trial_period_days")]
    [InlineData("trial_period_days=731", "trial_period_days")]
    [InlineData("trial_period_days=seven", "trial_period_days")]
    [InlineData("trial_end=1000", "trial_end")]
    [InlineData("trial_end=soon", "trial_end")]
    [InlineData("trial_end=now&trial_period_days=3", "trial_end")]
    [InlineData("trial_period_days=3&trial_settings[end_behavior][missing_payment_method]=refund", "trial_settings[end_behavior][missing_payment_method]")]
    [InlineData("payment_settings[save_default_payment_method]=always", "payment_settings[save_default_payment_method]")]
    public async Task Bad_trial_and_payment_parameters_on_create_are_refused_naming_the_param(string form, string param)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct);
        using var http = StripeErrorTests.Http(sandbox);
        using var response = await http.PostAsync("/v1/subscriptions", new StringContent(
            $"customer={customer.Id}&items[0][price]={StripeCatalog.MonthlyPrice}&{form}", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"), Ct);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["error"]!;
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request_error", param), (response.StatusCode, error["type"]!.GetValue<string>(), error["param"]!.GetValue<string>()));
        Assert.Empty((await stripe.V1.Subscriptions.ListAsync(new SubscriptionListOptions { Status = "all" }, cancellationToken: Ct)).Data);
    }

    [Fact]
    public async Task Trial_end_on_an_update_must_be_future_and_not_for_a_canceled_subscription()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct);
        var trialing = await SubscribeAsync(stripe, customer.Id, days: 5);
        var now = trialing.Created;
        var active = await SubscribeAsync(stripe, customer.Id);

        async Task RefusedAsync(string id, DateTime end)
        {
            var refused = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Subscriptions.UpdateAsync(id, new SubscriptionUpdateOptions { TrialEnd = end }, cancellationToken: Ct));
            Assert.Equal((HttpStatusCode.BadRequest, "trial_end"), (refused.HttpStatusCode, refused.StripeError.Param));
        }

        await RefusedAsync(trialing.Id, now.AddDays(-1));
        await RefusedAsync(trialing.Id, now.AddDays(731));
        await stripe.V1.Subscriptions.CancelAsync(active.Id, cancellationToken: Ct);
        await RefusedAsync(active.Id, now.AddDays(3));
        Assert.Equal(now.AddDays(5), (await stripe.V1.Subscriptions.GetAsync(trialing.Id, cancellationToken: Ct)).TrialEnd);

        // Shortened to a day from now: the notice, three days before, is due at once.
        var shortened = await stripe.V1.Subscriptions.UpdateAsync(trialing.Id, new SubscriptionUpdateOptions { TrialEnd = now.AddDays(1) }, cancellationToken: Ct);
        Assert.Equal(now.AddDays(1), shortened.TrialEnd);
        await sandbox.RunDueAsync();
        Assert.Single((await stripe.V1.Events.ListAsync(new EventListOptions { Type = "customer.subscription.trial_will_end" }, cancellationToken: Ct)).Data);
    }

    [Fact]
    public async Task A_subscription_checkout_saves_the_buyers_card_as_the_default_payment_method_that_renewals_charge()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var session = await stripe.V1.Checkout.Sessions.CreateAsync(new SessionCreateOptions
        {
            Mode = "subscription",
            LineItems = [new SessionLineItemOptions { Price = StripeCatalog.MonthlyPrice, Quantity = 1 }],
            SuccessUrl = "https://merchant.example/done",
        }, cancellationToken: Ct);
        using (var browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(sandbox.Server.ControlBaseUrl) })
        using (var paid = await browser.PostAsync($"/pay/{session.Id}", new FormUrlEncodedContent(
            [new("action", "pay"), new("card_number", "5555555555554444"), new("card_expiry", "11 / 33"), new("card_cvc", "123")]), Ct))
        {
            Assert.True(paid.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.OK);
        }

        var done = await stripe.V1.Checkout.Sessions.GetAsync(session.Id, new SessionGetOptions { Expand = ["subscription"] }, cancellationToken: Ct);
        var card = await stripe.V1.PaymentMethods.GetAsync(done.Subscription.DefaultPaymentMethodId, cancellationToken: Ct);
        Assert.Equal((done.CustomerId, "4444", 11L, 2033L), (card.CustomerId, card.Card.Last4, card.Card.ExpMonth, card.Card.ExpYear));
        Assert.Equal(card.Id, ((PaymentMethod)Assert.Single((await stripe.V1.Events.ListAsync(new EventListOptions { Type = "payment_method.attached" }, cancellationToken: Ct)).Data).Data.Object).Id);
        Assert.Equal(card.Id, (await stripe.V1.Charges.ListAsync(new ChargeListOptions { Customer = done.CustomerId, Limit = 1 }, cancellationToken: Ct)).Data[0].PaymentMethod);

        await sandbox.PostJsonAsync($"/control/stripe/subscriptions/{done.SubscriptionId}/renew");
        var renewal = (await stripe.V1.Charges.ListAsync(new ChargeListOptions { Customer = done.CustomerId, Limit = 1 }, cancellationToken: Ct)).Data[0];
        Assert.Equal((card.Id, "succeeded", "4444"), (renewal.PaymentMethod, renewal.Status, renewal.PaymentMethodDetails.Card.Last4));
        Assert.Equal(2, (await stripe.V1.Charges.ListAsync(new ChargeListOptions { Customer = done.CustomerId }, cancellationToken: Ct)).Data.Count);
    }
}
