using System.Net;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using Stripe.Checkout;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// Checkout's <c>subscription_data[billing_cycle_anchor_config]</c> (Stripe.net 53's <c>SessionSubscriptionDataOptions.BillingCycleAnchorConfig</c>):
/// the anchor on a day of the month, resolved when the session is created, then billed as a timestamp anchor is.
/// </summary>
public sealed class StripeCheckoutAnchorConfigTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static readonly DateTime April10 = new(2027, 4, 10, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task A_configured_day_anchors_the_subscription_prorated_up_to_it_and_echoes_the_config()
    {
        await using var sandbox = await TestSandbox.StartAsync(new DateTimeOffset(April10));
        var stripe = Client(sandbox);
        var session = await stripe.V1.Checkout.Sessions.CreateAsync(new SessionCreateOptions
        {
            Mode = "subscription",
            LineItems = [new SessionLineItemOptions { Price = StripeCatalog.MonthlyPrice, Quantity = 1 }],
            SubscriptionData = new SessionSubscriptionDataOptions
            {
                BillingCycleAnchorConfig = new SessionSubscriptionDataBillingCycleAnchorConfigOptions { DayOfMonth = 1, Hour = 6 },
            },
            SuccessUrl = "https://merchant.example/done",
        }, cancellationToken: Ct);
        // May 1 06:00 leaves 21 days and 6 hours of the 30 days from Apr 1 06:00: 999 × 510/720 = 707.6.
        Assert.Equal(708L, session.AmountTotal);

        await sandbox.ActAsync(session.Id, "pay");
        var completed = await stripe.V1.Checkout.Sessions.GetAsync(session.Id, new SessionGetOptions { Expand = ["subscription", "invoice"] }, cancellationToken: Ct);
        var may1 = new DateTime(2027, 5, 1, 6, 0, 0, DateTimeKind.Utc);
        var subscription = completed.Subscription;
        Assert.Equal(("complete", "paid", 708L), (completed.Status, completed.PaymentStatus, completed.Invoice.AmountPaid));
        Assert.Equal(("active", may1, April10, may1), (subscription.Status, subscription.BillingCycleAnchor, subscription.Items.Data[0].CurrentPeriodStart, subscription.Items.Data[0].CurrentPeriodEnd));
        Assert.Equal((1L, (long?)6, (long?)null), (subscription.BillingCycleAnchorConfig.DayOfMonth, subscription.BillingCycleAnchorConfig.Hour, subscription.BillingCycleAnchorConfig.Minute));
        Assert.True(completed.Invoice.Lines.Data[0].Parent.SubscriptionItemDetails.Proration);
    }

    [Fact]
    public async Task A_config_is_refused_with_an_anchor_a_trial_or_a_bad_field_naming_the_param()
    {
        await using var sandbox = await TestSandbox.StartAsync(new DateTimeOffset(April10));
        var stripe = Client(sandbox);

        async Task<StripeError> RefusedAsync(SessionSubscriptionDataOptions data)
        {
            var refused = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Checkout.Sessions.CreateAsync(new SessionCreateOptions
            {
                Mode = "subscription",
                LineItems = [new SessionLineItemOptions { Price = StripeCatalog.MonthlyPrice, Quantity = 1 }],
                SubscriptionData = data,
                SuccessUrl = "https://merchant.example/done",
            }, cancellationToken: Ct));
            Assert.Equal((HttpStatusCode.BadRequest, "invalid_request_error"), (refused.HttpStatusCode, refused.StripeError.Type));
            return refused.StripeError;
        }

        var both = await RefusedAsync(new() { BillingCycleAnchor = April10.AddDays(5), BillingCycleAnchorConfig = new() { DayOfMonth = 1 } });
        Assert.Equal(("subscription_data[billing_cycle_anchor]", "You may only specify one of these parameters: billing_cycle_anchor, billing_cycle_anchor_config."), (both.Param, both.Message));
        var trial = await RefusedAsync(new() { BillingCycleAnchorConfig = new() { DayOfMonth = 1 }, TrialPeriodDays = 7 });
        Assert.Equal(("subscription_data[billing_cycle_anchor_config]", "You may only specify one of these parameters: billing_cycle_anchor_config, trial_period_days."), (trial.Param, trial.Message));
        Assert.Equal("subscription_data[billing_cycle_anchor_config][hour]", (await RefusedAsync(new() { BillingCycleAnchorConfig = new() { DayOfMonth = 1, Hour = 24 } })).Param);
        Assert.Equal("subscription_data[billing_cycle_anchor_config][day_of_month]", (await RefusedAsync(new() { BillingCycleAnchorConfig = new() { Hour = 1 } })).Param);
        Assert.Equal("subscription_data[billing_cycle_anchor_config][month]", (await RefusedAsync(new() { BillingCycleAnchorConfig = new() { DayOfMonth = 1, Month = 6 } })).Param);
        Assert.Empty((await stripe.V1.Checkout.Sessions.ListAsync(cancellationToken: Ct)).Data);
    }
}
