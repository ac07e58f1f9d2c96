using System.Net;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using Stripe.Checkout;
using Stripe.TestHelpers;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>Stripe recurring billing across a restart, and renewals too far ahead to be due: what the sandbox's store and scheduler keep.</summary>
public sealed class StripeRecurringRestartTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Subscriptions_and_events_survive_a_restart_and_a_clock_left_advancing_finishes_its_advance()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-sandbox-tests", Guid.NewGuid().ToString("N"));
        var options = new SandboxOptions
        {
            DataDirectory = data,
            BasePort = 0,
            Clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero)),
        };
        string clockId, subscriptionId;
        await using (var first = await SandboxServer.StartAsync(options, Ct))
        {
            var before = new StripeClient(StripeProvider.SecretKey, apiBase: first.BaseUrlOf("stripe"));
            clockId = (await before.V1.TestHelpers.TestClocks.CreateAsync(new TestClockCreateOptions { FrozenTime = Frozen }, cancellationToken: Ct)).Id;
            var customer = await before.V1.Customers.CreateAsync(new CustomerCreateOptions { TestClock = clockId }, cancellationToken: Ct);
            subscriptionId = (await before.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions { Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = StripeCatalog.MonthlyPrice }] }, cancellationToken: Ct)).Id;
        }

        // As if the sandbox stopped right after answering an advance to the first renewal.
        using (var store = new Harness.Storage.RocksDocumentStore(Path.Combine(data, "sandbox-store")))
        {
            var objects = new Harness.Sandbox.Payments.ProviderObjects(store, "stripe_objects");
            var clock = objects.Get(clockId, StripeCustomers.ClockType)!;
            clock["status"] = "advancing";
            clock["status_details"] = new System.Text.Json.Nodes.JsonObject
            {
                ["advancing"] = new System.Text.Json.Nodes.JsonObject { ["target_frozen_time"] = ((DateTimeOffset)Frozen.AddMonths(1)).ToUnixTimeSeconds() },
            };
            objects.Put(clock);
        }

        await using (var second = await SandboxServer.StartAsync(options, Ct))
        {
            var stripe = new StripeClient(StripeProvider.SecretKey, apiBase: second.BaseUrlOf("stripe"));
            Assert.Equal(Frozen.AddMonths(1), (await WaitReadyAsync(stripe, clockId)).FrozenTime);
            var renewed = await stripe.V1.Subscriptions.GetAsync(subscriptionId, cancellationToken: Ct);
            Assert.Equal("active", renewed.Status);
            Assert.Equal(Frozen.AddMonths(2), renewed.Items.Data[0].CurrentPeriodEnd);
            Assert.Equal(2, (await stripe.V1.Events.ListAsync(new EventListOptions { Type = "invoice.paid" }, cancellationToken: Ct)).Data.Count);

            await AdvanceClockAsync(stripe, clockId, Frozen.AddMonths(2));
            Assert.Equal(3, (await stripe.V1.Events.ListAsync(new EventListOptions { Type = "invoice.paid" }, cancellationToken: Ct)).Data.Count);
        }

        Directory.Delete(data, recursive: true);
    }

    /// <summary>A yearly plan started in 9999 renews past what dates hold: never due, and the scheduler keeps delivering.</summary>
    [Fact]
    public async Task A_renewal_past_the_last_date_is_never_due_and_the_scheduler_keeps_running()
    {
        await using var sandbox = await TestSandbox.StartAsync(new DateTimeOffset(9999, 6, 1, 0, 0, 0, TimeSpan.Zero));
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var yearly = await stripe.V1.Checkout.Sessions.CreateAsync(new SessionCreateOptions
        {
            Mode = "subscription",
            LineItems =
            [
                new SessionLineItemOptions
                {
                    Quantity = 1,
                    PriceData = new SessionLineItemPriceDataOptions
                    {
                        Currency = "usd",
                        UnitAmount = 12_000,
                        ProductData = new SessionLineItemPriceDataProductDataOptions { Name = "Yearly" },
                        Recurring = new SessionLineItemPriceDataRecurringOptions { Interval = "year" },
                    },
                },
            ],
            SuccessUrl = "https://merchant.example/done",
        }, cancellationToken: Ct);
        await sandbox.ActAsync(yearly.Id, "pay");
        var subscriptionId = (await stripe.V1.Checkout.Sessions.GetAsync(yearly.Id, cancellationToken: Ct)).SubscriptionId;
        using var renew = await sandbox.Control.PostAsync($"/control/stripe/subscriptions/{subscriptionId}/renew", content: null, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, renew.StatusCode);

        // Delivered by the background loop, which a failing due-time computation would have stopped.
        var session = await stripe.V1.Checkout.Sessions.CreateAsync(StripeNetRoundTripTests.NewPaymentSession(), cancellationToken: Ct);
        await stripe.V1.Checkout.Sessions.ExpireAsync(session.Id, cancellationToken: Ct);
        // Callbacks of different payments go out side by side, so the two may arrive in either order.
        var events = new List<Event>();
        await CollectAsync(receiver, events, e => Count(e, "checkout.session.expired") == 1 && Count(e, "invoice.paid") == 1);
        Assert.Equal((1, 1), (Count(events, "checkout.session.expired"), Count(events, "invoice.paid")));
    }
}
