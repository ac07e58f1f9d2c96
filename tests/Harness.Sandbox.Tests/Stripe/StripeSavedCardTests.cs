using System.Net;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using Stripe.Checkout;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>Cards saved to customers in the existing flows: renewals, off-session PaymentIntents, setup_future_usage and Checkout.</summary>
public sealed class StripeSavedCardTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static async Task<(Customer Customer, string Card)> CustomerWithDefaultAsync(StripeClient stripe, string testCard)
    {
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "saved@example.com" }, cancellationToken: Ct);
        var card = (await stripe.V1.PaymentMethods.AttachAsync(testCard, new PaymentMethodAttachOptions { Customer = customer.Id }, cancellationToken: Ct)).Id;
        var updated = await stripe.V1.Customers.UpdateAsync(customer.Id, new CustomerUpdateOptions { InvoiceSettings = new CustomerInvoiceSettingsOptions { DefaultPaymentMethod = card } }, cancellationToken: Ct);
        Assert.Equal(card, updated.InvoiceSettings.DefaultPaymentMethodId);
        return (updated, card);
    }

    private static Task<Subscription> SubscribeAsync(StripeClient stripe, string customer, string? card = null) =>
        stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer, DefaultPaymentMethod = card, Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }],
        }, cancellationToken: Ct);

    private static async Task<Charge> LatestChargeAsync(StripeClient stripe, string customer) =>
        (await stripe.V1.Charges.ListAsync(new ChargeListOptions { Customer = customer, Limit = 1 }, cancellationToken: Ct)).Data[0];

    [Fact]
    public async Task A_renewal_charges_the_customers_default_card_and_the_subscriptions_own_card_comes_first()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var (customer, card) = await CustomerWithDefaultAsync(stripe, "pm_card_mastercard");
        var subscription = await SubscribeAsync(stripe, customer.Id);

        await sandbox.PostJsonAsync($"/control/stripe/subscriptions/{subscription.Id}/renew");
        var renewal = await LatestChargeAsync(stripe, customer.Id);
        Assert.Equal(("succeeded", card, "4444"), (renewal.Status, renewal.PaymentMethod, renewal.PaymentMethodDetails.Card.Last4));

        var amex = (await stripe.V1.PaymentMethods.AttachAsync("pm_card_amex", new PaymentMethodAttachOptions { Customer = customer.Id }, cancellationToken: Ct)).Id;
        var switched = await stripe.V1.Subscriptions.UpdateAsync(subscription.Id, new SubscriptionUpdateOptions { DefaultPaymentMethod = amex }, cancellationToken: Ct);
        Assert.Equal(amex, switched.DefaultPaymentMethodId);
        await sandbox.PostJsonAsync($"/control/stripe/subscriptions/{subscription.Id}/renew");
        Assert.Equal((amex, "8431"), ((await LatestChargeAsync(stripe, customer.Id)).PaymentMethod, (await LatestChargeAsync(stripe, customer.Id)).PaymentMethodDetails.Card.Last4));

        var events = new List<Event>();
        await CollectAsync(receiver, events, e => Count(e, "invoice.paid") == 3);
        Assert.Equal(1, Count(events, "customer.updated"));
        Assert.Equal(2, Count(events, "payment_method.attached"));
        var previous = events.First(e => e.Type == "customer.updated").Data.PreviousAttributes;
        Assert.NotNull(previous);
    }

    [Fact]
    public async Task A_declining_saved_card_fails_the_renewal_into_the_retry_schedule_and_a_good_card_pays_the_retry()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var (customer, _) = await CustomerWithDefaultAsync(stripe, "pm_card_visa");
        var subscription = await SubscribeAsync(stripe, customer.Id);
        Assert.Equal("active", subscription.Status);

        // The card then becomes one that declines: the renewal fails (a first payment with it would leave the subscription incomplete).
        var failing = (await stripe.V1.PaymentMethods.AttachAsync("pm_card_chargeCustomerFail", new PaymentMethodAttachOptions { Customer = customer.Id }, cancellationToken: Ct)).Id;
        await stripe.V1.Customers.UpdateAsync(customer.Id, new CustomerUpdateOptions { InvoiceSettings = new CustomerInvoiceSettingsOptions { DefaultPaymentMethod = failing } }, cancellationToken: Ct);

        await sandbox.PostJsonAsync($"/control/stripe/subscriptions/{subscription.Id}/renew");
        var failed = await LatestChargeAsync(stripe, customer.Id);
        Assert.Equal(("failed", "card_declined", "0341"), (failed.Status, failed.FailureCode, failed.PaymentMethodDetails.Card.Last4));
        var pastDue = await stripe.V1.Subscriptions.GetAsync(subscription.Id, new SubscriptionGetOptions { Expand = ["latest_invoice"] }, cancellationToken: Ct);
        Assert.Equal(("past_due", "open", 1L), (pastDue.Status, pastDue.LatestInvoice.Status, pastDue.LatestInvoice.AttemptCount));

        var good = (await stripe.V1.PaymentMethods.AttachAsync("pm_card_visa", new PaymentMethodAttachOptions { Customer = customer.Id }, cancellationToken: Ct)).Id;
        await stripe.V1.Customers.UpdateAsync(customer.Id, new CustomerUpdateOptions { InvoiceSettings = new CustomerInvoiceSettingsOptions { DefaultPaymentMethod = good } }, cancellationToken: Ct);
        await sandbox.AdvanceAsync(TimeSpan.FromDays(StripeBilling.RetryDelayDays[0]));
        var retried = await stripe.V1.Subscriptions.GetAsync(subscription.Id, new SubscriptionGetOptions { Expand = ["latest_invoice"] }, cancellationToken: Ct);
        Assert.Equal(("active", "paid", 2L), (retried.Status, retried.LatestInvoice.Status, retried.LatestInvoice.AttemptCount));
        Assert.Equal((good, "succeeded"), ((await LatestChargeAsync(stripe, customer.Id)).PaymentMethod, (await LatestChargeAsync(stripe, customer.Id)).Status));
    }

    [Fact]
    public async Task An_intent_with_the_customer_and_a_saved_card_confirms_off_session_and_setup_future_usage_saves_the_card()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "onfile@example.com" }, cancellationToken: Ct);

        var first = await stripe.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions
        {
            Amount = 2000, Currency = "usd", Customer = customer.Id, PaymentMethod = "pm_card_visa", SetupFutureUsage = "off_session", Confirm = true,
        }, cancellationToken: Ct);
        Assert.Equal("succeeded", first.Status);
        var saved = await stripe.V1.PaymentMethods.GetAsync(first.PaymentMethodId, cancellationToken: Ct);
        Assert.Equal(customer.Id, saved.CustomerId);

        var later = await stripe.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions
        {
            Amount = 1500, Currency = "usd", Customer = customer.Id, PaymentMethod = saved.Id, OffSession = true, Confirm = true,
        }, cancellationToken: Ct);
        Assert.Equal(("succeeded", saved.Id), (later.Status, later.PaymentMethodId));

        // Without its customer, or with another, the saved card is refused.
        var stranger = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct);
        foreach (var who in new[] { null, stranger.Id })
        {
            var refused = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions
            {
                Amount = 1500, Currency = "usd", Customer = who, PaymentMethod = saved.Id, Confirm = true,
            }, cancellationToken: Ct));
            Assert.Equal((HttpStatusCode.BadRequest, "payment_method"), (refused.HttpStatusCode, refused.StripeError.Param));
        }

        // A card used without a customer is used up.
        var once = await stripe.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions { Amount = 1000, Currency = "usd", PaymentMethod = "pm_card_visa", Confirm = true }, cancellationToken: Ct);
        var usedUp = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.PaymentMethods.AttachAsync(once.PaymentMethodId, new PaymentMethodAttachOptions { Customer = customer.Id }, cancellationToken: Ct));
        Assert.Equal("payment_method_unexpected_state", usedUp.StripeError.Code);

        var events = new List<Event>();
        await CollectAsync(receiver, events, e => Count(e, "payment_intent.succeeded") == 3);
        // Each payment's events arrive in order; different payments' may interleave.
        var firsts = events.Where(e => e.Data.Object switch
        {
            PaymentIntent i => i.Id == first.Id,
            Charge c => c.PaymentIntentId == first.Id,
            PaymentMethod m => m.Id == saved.Id,
            _ => false,
        }).ToList();
        Assert.Equal(["payment_intent.created", "charge.succeeded", "payment_method.attached", "payment_intent.succeeded"], firsts.Select(e => e.Type));
        Assert.Equal(customer.Id, ((PaymentMethod)firsts[2].Data.Object).CustomerId);
    }

    [Fact]
    public async Task A_setup_checkout_leaves_the_buyers_card_saved_to_the_customer()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var session = await stripe.V1.Checkout.Sessions.CreateAsync(new SessionCreateOptions
        {
            Mode = "setup", Currency = "usd", CustomerCreation = "always", SuccessUrl = "https://merchant.example/saved",
        }, cancellationToken: Ct);

        await PayWithCardAsync(sandbox, session.Id, "5555555555554444");

        var done = await stripe.V1.Checkout.Sessions.GetAsync(session.Id, new SessionGetOptions { Expand = ["setup_intent"] }, cancellationToken: Ct);
        var card = await stripe.V1.PaymentMethods.GetAsync(done.SetupIntent.PaymentMethodId, cancellationToken: Ct);
        Assert.Equal((done.CustomerId, "4444", "mastercard"), (card.CustomerId, card.Card.Last4, card.Card.Brand));
        Assert.Equal([card.Id], (await stripe.V1.Customers.PaymentMethods.ListAsync(done.CustomerId, cancellationToken: Ct)).Data.Select(m => m.Id));
        Assert.Equal(card.Id, ((PaymentMethod)Assert.Single((await stripe.V1.Events.ListAsync(new EventListOptions { Type = "payment_method.attached" }, cancellationToken: Ct)).Data).Data.Object).Id);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_payment_checkout_that_saves_the_card_leaves_it_on_the_customer(bool setupFutureUsage)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "checkout@example.com" }, cancellationToken: Ct);
        var options = StripeNetRoundTripTests.NewPaymentSession();
        options.Customer = customer.Id;
        if (setupFutureUsage)
        {
            options.PaymentIntentData = new SessionPaymentIntentDataOptions { SetupFutureUsage = "off_session" };
        }
        else
        {
            options.SavedPaymentMethodOptions = new SessionSavedPaymentMethodOptionsOptions { PaymentMethodSave = "enabled" };
        }

        var session = await stripe.V1.Checkout.Sessions.CreateAsync(options, cancellationToken: Ct);
        await PayWithCardAsync(sandbox, session.Id, "4242424242424242");

        var paid = await stripe.V1.Checkout.Sessions.GetAsync(session.Id, new SessionGetOptions { Expand = ["payment_intent"] }, cancellationToken: Ct);
        var card = await stripe.V1.PaymentMethods.GetAsync(paid.PaymentIntent.PaymentMethodId, cancellationToken: Ct);
        Assert.Equal((customer.Id, "4242"), (card.CustomerId, card.Card.Last4));
        Assert.Equal(card.Id, (await stripe.V1.Charges.GetAsync(paid.PaymentIntent.LatestChargeId, cancellationToken: Ct)).PaymentMethod);

        // The saved card then pays off session.
        var later = await stripe.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions
        {
            Amount = 700, Currency = "usd", Customer = customer.Id, PaymentMethod = card.Id, OffSession = true, Confirm = true,
        }, cancellationToken: Ct);
        Assert.Equal("succeeded", later.Status);
    }

    [Fact]
    public async Task A_payment_checkout_gives_its_payment_intent_the_description_and_metadata_it_was_created_with()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var options = StripeNetRoundTripTests.NewPaymentSession();
        options.PaymentIntentData = new SessionPaymentIntentDataOptions
        {
            Description = "Top-up order 42", Metadata = new Dictionary<string, string> { ["order_id"] = "42" }, CaptureMethod = "automatic",
        };

        var session = await stripe.V1.Checkout.Sessions.CreateAsync(options, cancellationToken: Ct);
        await PayWithCardAsync(sandbox, session.Id, "4242424242424242");

        var paid = await stripe.V1.Checkout.Sessions.GetAsync(session.Id, new SessionGetOptions { Expand = ["payment_intent"] }, cancellationToken: Ct);
        Assert.Equal(("Top-up order 42", "42"), (paid.PaymentIntent.Description, paid.PaymentIntent.Metadata["order_id"]));
    }

    [Theory]
    [InlineData("mode=setup&currency=usd&success_url=https://m.example/ok&payment_intent_data[setup_future_usage]=off_session", "payment_intent_data[setup_future_usage]")]
    [InlineData("mode=payment&line_items[0][price]=price_HarnessCredits&line_items[0][quantity]=1&payment_intent_data[setup_future_usage]=later", "payment_intent_data[setup_future_usage]")]
    [InlineData("mode=payment&line_items[0][price]=price_HarnessCredits&line_items[0][quantity]=1&saved_payment_method_options[payment_method_save]=maybe", "saved_payment_method_options[payment_method_save]")]
    [InlineData("mode=payment&line_items[0][price]=price_HarnessCredits&line_items[0][quantity]=1&payment_intent_data[capture_method]=manual", "payment_intent_data[capture_method]")]
    [InlineData("mode=payment&line_items[0][price]=price_HarnessCredits&line_items[0][quantity]=1&payment_intent_data[transfer_group]=g1", "payment_intent_data[transfer_group]")]
    [InlineData("mode=payment&line_items[0][price]=price_HarnessCredits&line_items[0][quantity]=1&payment_intent_data[colour]=red", "payment_intent_data[colour]")]
    [InlineData("mode=payment&line_items[0][price]=price_HarnessCredits&line_items[0][quantity]=1&payment_intent_data[metadata]=x", "payment_intent_data[metadata]")]
    [InlineData("mode=subscription&line_items[0][price]=price_HarnessProMonthly&line_items[0][quantity]=1&success_url=https://m.example/ok&payment_intent_data[description]=x", "payment_intent_data")]
    public async Task Bad_saving_options_on_a_checkout_are_refused_naming_the_param(string form, string param)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var http = StripeErrorTests.Http(sandbox);
        using var response = await http.PostAsync("/v1/checkout/sessions", new StringContent(form, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"), Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"\"param\":\"{param}\"", body, StringComparison.Ordinal);
    }

    private static async Task PayWithCardAsync(TestSandbox sandbox, string sessionId, string number)
    {
        using var browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(sandbox.Server.ControlBaseUrl) };
        using var paid = await browser.PostAsync($"/pay/{sessionId}", new FormUrlEncodedContent(
            [new("action", "pay"), new("card_number", number), new("card_expiry", "12 / 34"), new("card_cvc", "123")]), Ct);
        Assert.True(paid.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.OK, await paid.Content.ReadAsStringAsync(Ct));
        Assert.Equal("paid", (await sandbox.GetJsonAsync($"/control/payments/{sessionId}"))["status"]!.GetValue<string>());
    }
}
