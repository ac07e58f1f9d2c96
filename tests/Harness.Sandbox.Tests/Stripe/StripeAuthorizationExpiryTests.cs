using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>An uncaptured PaymentIntent is canceled automatically seven days after its authorisation, on the sandbox clock.</summary>
public sealed class StripeAuthorizationExpiryTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static readonly DateTimeOffset Start = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static PaymentIntentCreateOptions Held(long amount = 1000) =>
        new() { Amount = amount, Currency = "usd", PaymentMethod = "pm_card_visa", Confirm = true, CaptureMethod = "manual" };

    [Fact]
    public async Task An_authorisation_not_captured_within_seven_days_is_canceled_released_and_can_no_longer_be_captured()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var lapsing = await stripe.V1.PaymentIntents.CreateAsync(Held(), cancellationToken: Ct);
        var captured = await stripe.V1.PaymentIntents.CreateAsync(Held(2000), cancellationToken: Ct);

        await sandbox.AdvanceAsync(StripeAuthorizations.CaptureWindow - TimeSpan.FromMinutes(1));
        Assert.Equal("requires_capture", (await stripe.V1.PaymentIntents.GetAsync(lapsing.Id, cancellationToken: Ct)).Status);
        Assert.Equal("succeeded", (await stripe.V1.PaymentIntents.CaptureAsync(captured.Id, cancellationToken: Ct)).Status);

        await sandbox.AdvanceAsync(TimeSpan.FromMinutes(1));
        var canceled = await stripe.V1.PaymentIntents.GetAsync(lapsing.Id, new PaymentIntentGetOptions { Expand = ["latest_charge"] }, cancellationToken: Ct);
        Assert.Equal(("canceled", "automatic", 0L), (canceled.Status, canceled.CancellationReason, canceled.AmountCapturable));
        Assert.Equal(Start.UtcDateTime + StripeAuthorizations.CaptureWindow, canceled.CanceledAt);
        Assert.Equal((false, true, 1000L), (canceled.LatestCharge.Captured, canceled.LatestCharge.Refunded, canceled.LatestCharge.AmountRefunded));
        Assert.Equal("succeeded", (await stripe.V1.PaymentIntents.GetAsync(captured.Id, cancellationToken: Ct)).Status);

        var late = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.PaymentIntents.CaptureAsync(lapsing.Id, cancellationToken: Ct));
        Assert.Equal(("payment_intent_unexpected_state", System.Net.HttpStatusCode.BadRequest), (late.StripeError.Code, late.HttpStatusCode));
        Assert.Contains("status of canceled", late.StripeError.Message, StringComparison.Ordinal);

        var events = new List<Event>();
        await CollectAsync(receiver, events, e => Count(e, "payment_intent.canceled") == 1);
        var lapse = events.Where(e => e.Type is "charge.expired" or "payment_intent.canceled").ToList();
        Assert.Equal(["charge.expired", "payment_intent.canceled"], lapse.Select(e => e.Type));
        Assert.Equal("automatic", ((PaymentIntent)lapse[1].Data.Object).CancellationReason);
        Assert.Equal(lapsing.LatestChargeId, ((Charge)lapse[0].Data.Object).Id);
    }

    [Fact]
    public async Task A_held_amount_is_canceled_after_a_restart_when_its_seven_days_have_passed()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-stripe-hold-" + Guid.NewGuid().ToString("N"));
        string held, canceledByHand;
        await using (var first = await TestSandbox.StartAsync(now: Start, configure: o => o.DataDirectory = data))
        {
            var stripe = Client(first);
            held = (await stripe.V1.PaymentIntents.CreateAsync(Held(), cancellationToken: Ct)).Id;
            canceledByHand = (await stripe.V1.PaymentIntents.CreateAsync(Held(), cancellationToken: Ct)).Id;
            await stripe.V1.PaymentIntents.CancelAsync(canceledByHand, new PaymentIntentCancelOptions { CancellationReason = "abandoned" }, cancellationToken: Ct);
        }

        await using (var second = await TestSandbox.StartAsync(now: Start.AddDays(6), configure: o => o.DataDirectory = data))
        {
            await second.RunDueAsync();
            Assert.Equal("requires_capture", (await Client(second).V1.PaymentIntents.GetAsync(held, cancellationToken: Ct)).Status);
        }

        await using (var third = await TestSandbox.StartAsync(now: Start.AddDays(8), configure: o => o.DataDirectory = data))
        {
            await third.RunDueAsync();
            var stripe = Client(third);
            var lapsed = await stripe.V1.PaymentIntents.GetAsync(held, cancellationToken: Ct);
            Assert.Equal(("canceled", "automatic"), (lapsed.Status, lapsed.CancellationReason));
            // One canceled by the merchant keeps its own reason.
            Assert.Equal("abandoned", (await stripe.V1.PaymentIntents.GetAsync(canceledByHand, cancellationToken: Ct)).CancellationReason);
            var events = await stripe.V1.Events.ListAsync(new EventListOptions { Type = "payment_intent.canceled" }, cancellationToken: Ct);
            Assert.Equal(2, events.Data.Count);
        }

        Directory.Delete(data, recursive: true);
    }
}
