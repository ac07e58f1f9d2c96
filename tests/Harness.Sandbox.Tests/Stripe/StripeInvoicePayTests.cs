using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// <c>POST /v1/invoices/{id}/pay</c> through Stripe.net 53.1.0: a past_due renewal's open invoice paid with another card
/// (a decline first is the card's 402), an incomplete subscription's first invoice paid through its PaymentIntent,
/// <c>paid_out_of_band</c>, and the refusals for a paid or void invoice; and <c>DELETE</c> of an incomplete subscription
/// voiding its invoice.
/// </summary>
public sealed class StripeInvoicePayTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static async Task<Customer> CustomerAsync(StripeClient stripe, string card)
    {
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "pay@example.com" }, cancellationToken: Ct);
        await DefaultCardAsync(stripe, customer.Id, card);
        return customer;
    }

    /// <summary>Saves the test card to the customer and makes it the card its invoices charge.</summary>
    internal static async Task DefaultCardAsync(StripeClient stripe, string customer, string card)
    {
        var saved = await stripe.V1.PaymentMethods.AttachAsync(card, new PaymentMethodAttachOptions { Customer = customer }, cancellationToken: Ct);
        await stripe.V1.Customers.UpdateAsync(customer, new CustomerUpdateOptions { InvoiceSettings = new CustomerInvoiceSettingsOptions { DefaultPaymentMethod = saved.Id } }, cancellationToken: Ct);
    }

    private static Task<Subscription> SubscribeAsync(StripeClient stripe, string customer) =>
        stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer,
            Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }],
            Expand = ["latest_invoice.payments"],
        }, cancellationToken: Ct);

    private static Task<Subscription> GetAsync(StripeClient stripe, string id) =>
        stripe.V1.Subscriptions.GetAsync(id, new SubscriptionGetOptions { Expand = ["latest_invoice"] }, cancellationToken: Ct);

    private static async Task<StripeException> RefusedAsync(Task task) => await Assert.ThrowsAsync<StripeException>(() => task);

    [Fact]
    public async Task A_past_due_renewal_is_paid_with_another_card_after_the_saved_one_declines_and_the_subscription_is_active_again()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var customer = await CustomerAsync(stripe, "pm_card_visa");
        var subscription = await SubscribeAsync(stripe, customer.Id);
        await DefaultCardAsync(stripe, customer.Id, "pm_card_chargeCustomerFail");
        await AdvanceToPeriodEndAsync(sandbox, stripe, subscription.Id);
        var pastDue = await GetAsync(stripe, subscription.Id);
        Assert.Equal(("past_due", "open", 1L), (pastDue.Status, pastDue.LatestInvoice.Status, pastDue.LatestInvoice.AttemptCount));

        var declined = await RefusedAsync(stripe.V1.Invoices.PayAsync(pastDue.LatestInvoiceId, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.PaymentRequired, "card_error", "card_declined"), (declined.HttpStatusCode, declined.StripeError.Type, declined.StripeError.Code));
        var stillOpen = await stripe.V1.Invoices.GetAsync(pastDue.LatestInvoiceId, cancellationToken: Ct);
        Assert.Equal(("open", 2L), (stillOpen.Status, stillOpen.AttemptCount));
        Assert.Equal("past_due", (await GetAsync(stripe, subscription.Id)).Status);

        var paid = await stripe.V1.Invoices.PayAsync(pastDue.LatestInvoiceId, new InvoicePayOptions { PaymentMethod = "pm_card_visa" }, cancellationToken: Ct);
        Assert.Equal(("paid", 999L, 0L, 3L), (paid.Status, paid.AmountPaid, paid.AmountRemaining, paid.AttemptCount));
        Assert.Null(paid.NextPaymentAttempt);
        Assert.Equal("active", (await GetAsync(stripe, subscription.Id)).Status);
        var charge = (await stripe.V1.Charges.ListAsync(new ChargeListOptions { Customer = customer.Id, Limit = 1 }, cancellationToken: Ct)).Data.Single();
        Assert.Equal(("succeeded", 999L, "4242"), (charge.Status, charge.Amount, charge.PaymentMethodDetails.Card.Last4));

        var again = await RefusedAsync(stripe.V1.Invoices.PayAsync(paid.Id, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request_error", "Invoice is already paid"), (again.HttpStatusCode, again.StripeError.Type, again.StripeError.Message));

        var events = new List<Event>();
        await CollectAsync(receiver, events, e => Count(e, "invoice.payment_succeeded") == 2 && Count(e, "customer.subscription.updated") == 2);
        Assert.Equal(2, Count(events, "invoice.payment_failed"));
        var reactivated = receiver.All.Select(r => JsonNode.Parse(r.Body)!).Last(e => e["type"]!.GetValue<string>() == "customer.subscription.updated");
        Assert.Equal(("past_due", "active"), (reactivated["data"]!["previous_attributes"]!["status"]!.GetValue<string>(), reactivated["data"]!["object"]!["status"]!.GetValue<string>()));

        // The paid invoice is no longer retried.
        await sandbox.AdvanceAsync(TimeSpan.FromDays(3));
        Assert.Equal(3L, (await stripe.V1.Invoices.GetAsync(paid.Id, cancellationToken: Ct)).AttemptCount);
    }

    [Fact]
    public async Task An_incomplete_subscriptions_first_invoice_is_paid_through_its_payment_intent()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var customer = await CustomerAsync(stripe, "pm_card_chargeCustomerFail");
        var subscription = await SubscribeAsync(stripe, customer.Id);
        Assert.Equal("incomplete", subscription.Status);

        var declined = await RefusedAsync(stripe.V1.Invoices.PayAsync(subscription.LatestInvoiceId, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.PaymentRequired, "card_declined"), (declined.HttpStatusCode, declined.StripeError.Code));
        Assert.Equal("incomplete", (await GetAsync(stripe, subscription.Id)).Status);

        var other = await CustomerAsync(stripe, "pm_card_visa");
        var othersCard = (await stripe.V1.Customers.GetAsync(other.Id, cancellationToken: Ct)).InvoiceSettings.DefaultPaymentMethodId;
        var notTheirs = await RefusedAsync(stripe.V1.Invoices.PayAsync(subscription.LatestInvoiceId, new InvoicePayOptions { PaymentMethod = othersCard }, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.BadRequest, "payment_method"), (notTheirs.HttpStatusCode, notTheirs.StripeError.Param));

        var paid = await stripe.V1.Invoices.PayAsync(subscription.LatestInvoiceId, new InvoicePayOptions { PaymentMethod = "pm_card_mastercard" }, cancellationToken: Ct);
        Assert.Equal(("paid", 999L), (paid.Status, paid.AmountPaid));
        Assert.Equal("active", (await GetAsync(stripe, subscription.Id)).Status);
        var intent = await stripe.V1.PaymentIntents.GetAsync(subscription.LatestInvoice.Payments.Data.Single().Payment.PaymentIntentId, cancellationToken: Ct);
        Assert.Equal(("succeeded", 999L), (intent.Status, intent.AmountReceived));
    }

    [Fact]
    public async Task Paid_out_of_band_marks_the_invoice_paid_without_a_charge()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct);
        var subscription = await SubscribeAsync(stripe, customer.Id);
        (await sandbox.Control.PostAsJsonAsync($"/control/stripe/subscriptions/{subscription.Id}/payment-failure", new { fail = true }, Ct)).EnsureSuccessStatusCode();
        await AdvanceToPeriodEndAsync(sandbox, stripe, subscription.Id);
        var pastDue = await GetAsync(stripe, subscription.Id);
        Assert.Equal("past_due", pastDue.Status);
        var charges = (await stripe.V1.Charges.ListAsync(new ChargeListOptions { Customer = customer.Id }, cancellationToken: Ct)).Data.Count;

        var paid = await stripe.V1.Invoices.PayAsync(pastDue.LatestInvoiceId, new InvoicePayOptions { PaidOutOfBand = true }, cancellationToken: Ct);
        Assert.Equal(("paid", 999L, 0L), (paid.Status, paid.AmountPaid, paid.AmountRemaining));
        Assert.Equal("active", (await GetAsync(stripe, subscription.Id)).Status);
        Assert.Equal(charges, (await stripe.V1.Charges.ListAsync(new ChargeListOptions { Customer = customer.Id }, cancellationToken: Ct)).Data.Count);

        var events = new List<Event>();
        await CollectAsync(receiver, events, e => Count(e, "invoice.paid") == 2 && Count(e, "customer.subscription.updated") == 2);
        Assert.Equal(1, Count(events, "invoice.payment_succeeded"));
    }

    [Fact]
    public async Task Canceling_an_incomplete_subscription_voids_its_first_invoice_which_can_then_not_be_paid()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var customer = await CustomerAsync(stripe, "pm_card_chargeCustomerFail");
        var subscription = await SubscribeAsync(stripe, customer.Id);

        var canceled = await stripe.V1.Subscriptions.CancelAsync(subscription.Id, cancellationToken: Ct);
        Assert.Equal("canceled", canceled.Status);
        var invoice = await stripe.V1.Invoices.GetAsync(subscription.LatestInvoiceId, cancellationToken: Ct);
        Assert.Equal("void", invoice.Status);
        Assert.NotNull(invoice.StatusTransitions.VoidedAt);
        var intent = await stripe.V1.PaymentIntents.GetAsync(subscription.LatestInvoice.Payments.Data.Single().Payment.PaymentIntentId, cancellationToken: Ct);
        Assert.Equal(("canceled", "void_invoice"), (intent.Status, intent.CancellationReason));

        var refused = await RefusedAsync(stripe.V1.Invoices.PayAsync(invoice.Id, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request_error"), (refused.HttpStatusCode, refused.StripeError.Type));
        var missing = await RefusedAsync(stripe.V1.Invoices.PayAsync("in_missing", cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.NotFound, "resource_missing"), (missing.HttpStatusCode, missing.StripeError.Code));

        var events = new List<Event>();
        await CollectAsync(receiver, events, e => Count(e, "customer.subscription.deleted") == 1);
        var types = events.Select(e => e.Type).ToList();
        Assert.True(types.IndexOf("invoice.voided") < types.IndexOf("customer.subscription.deleted") && types.Contains("invoice.voided"));

        // The sandbox's 23-hour expiry has nothing left to do.
        await sandbox.AdvanceAsync(TimeSpan.FromDays(1));
        Assert.Equal("canceled", (await GetAsync(stripe, subscription.Id)).Status);
    }
}
