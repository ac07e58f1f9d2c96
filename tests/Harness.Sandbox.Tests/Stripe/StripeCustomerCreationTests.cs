using System.Net;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using Stripe.Checkout;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// <c>customer_creation</c> through Stripe.net unmodified: a payment or setup checkout makes a Customer only when
/// asked to (<c>always</c>); by default (<c>if_required</c>) the buyer is a guest known by <c>customer_details</c>.
/// </summary>
public sealed class StripeCustomerCreationTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static SessionCreateOptions PaymentSession(string? customerCreation)
    {
        var options = StripeNetRoundTripTests.NewPaymentSession();
        options.CustomerEmail = "guest@example.com";
        options.CustomerCreation = customerCreation;
        return options;
    }

    [Fact]
    public async Task A_payment_checkout_without_customer_creation_makes_no_customer_and_fills_customer_details()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = new StripeClient(StripeProvider.SecretKey, apiBase: sandbox.BaseUrl("stripe"));
        var created = await stripe.V1.Checkout.Sessions.CreateAsync(PaymentSession(null), cancellationToken: Ct);
        Assert.Equal("if_required", created.CustomerCreation);

        await sandbox.ActAsync(created.Id, "pay");

        var completed = await receiver.NextAsync();
        var evt = EventUtility.ConstructEvent(completed.Body, completed.Header("Stripe-Signature"), StripeProvider.WebhookSecret);
        Assert.Null(Assert.IsType<Session>(evt.Data.Object).CustomerId);
        var session = await stripe.V1.Checkout.Sessions.GetAsync(created.Id, cancellationToken: Ct);
        Assert.Equal(("complete", "paid"), (session.Status, session.PaymentStatus));
        Assert.Null(session.CustomerId);
        Assert.Equal("guest@example.com", session.CustomerDetails.Email);
        Assert.NotNull(session.CustomerDetails.Name);
        var intent = await stripe.V1.PaymentIntents.GetAsync(session.PaymentIntentId, cancellationToken: Ct);
        Assert.Null(intent.CustomerId);
        Assert.Null((await stripe.V1.Charges.GetAsync(intent.LatestChargeId, cancellationToken: Ct)).CustomerId);
        Assert.Empty((await stripe.V1.Customers.ListAsync(new CustomerListOptions { Email = "guest@example.com" }, cancellationToken: Ct)).Data);

        // A guest's payment refunds like any other.
        var refund = await stripe.V1.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = intent.Id }, cancellationToken: Ct);
        Assert.Equal(("succeeded", 100L), (refund.Status, refund.Amount));
    }

    [Fact]
    public async Task A_payment_checkout_with_customer_creation_always_makes_a_retrievable_customer()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = new StripeClient(StripeProvider.SecretKey, apiBase: sandbox.BaseUrl("stripe"));
        var created = await stripe.V1.Checkout.Sessions.CreateAsync(PaymentSession("always"), cancellationToken: Ct);
        Assert.Equal("always", created.CustomerCreation);

        await sandbox.ActAsync(created.Id, "pay");

        var session = await stripe.V1.Checkout.Sessions.GetAsync(created.Id, cancellationToken: Ct);
        Assert.StartsWith("cus_", session.CustomerId, StringComparison.Ordinal);
        var customer = await stripe.V1.Customers.GetAsync(session.CustomerId, cancellationToken: Ct);
        Assert.Equal(("guest@example.com", "guest@example.com"), (customer.Email, session.CustomerDetails.Email));
        var intent = await stripe.V1.PaymentIntents.GetAsync(session.PaymentIntentId, cancellationToken: Ct);
        Assert.Equal(customer.Id, intent.CustomerId);
        Assert.Equal(customer.Id, (await stripe.V1.Charges.GetAsync(intent.LatestChargeId, cancellationToken: Ct)).CustomerId);
    }

    [Fact]
    public async Task Customer_creation_is_refused_in_subscription_mode_which_always_makes_a_customer()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = new StripeClient(StripeProvider.SecretKey, apiBase: sandbox.BaseUrl("stripe"));
        SessionCreateOptions Subscription(string? customerCreation) => new()
        {
            Mode = "subscription",
            LineItems = [new SessionLineItemOptions { Price = StripeCatalog.MonthlyPrice, Quantity = 1 }],
            SuccessUrl = "https://merchant.example/done",
            CustomerCreation = customerCreation,
        };

        foreach (var value in new[] { "always", "if_required" })
        {
            var refused = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Checkout.Sessions.CreateAsync(Subscription(value), cancellationToken: Ct));
            Assert.Equal(HttpStatusCode.BadRequest, refused.HttpStatusCode);
            Assert.Equal(("invalid_request_error", "customer_creation"), (refused.StripeError.Type, refused.StripeError.Param));
            Assert.Contains("payment", refused.StripeError.Message, StringComparison.Ordinal);
        }

        var created = await stripe.V1.Checkout.Sessions.CreateAsync(Subscription(null), cancellationToken: Ct);
        Assert.Null(created.CustomerCreation);
        await sandbox.ActAsync(created.Id, "pay");
        var session = await stripe.V1.Checkout.Sessions.GetAsync(created.Id, cancellationToken: Ct);
        Assert.Equal(session.CustomerId, (await stripe.V1.Customers.GetAsync(session.CustomerId, cancellationToken: Ct)).Id);
    }
}
