using System.Net;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using Stripe.Billing;
using Stripe.Checkout;
using Stripe.TestHelpers;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// Billing meters, meter events, their cancel adjustments and summaries through Stripe.net 53.1.0
/// (<c>stripe.V1.Billing</c>), and the refusals around them: one active meter per event name, a deactivated meter
/// taking no events, identifiers de-duplicated within 24 hours, timestamps within 35 days.
/// </summary>
public sealed class StripeMeterTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    internal static Task<Meter> MeterAsync(StripeClient stripe, string eventName, string formula = "sum") =>
        stripe.V1.Billing.Meters.CreateAsync(new MeterCreateOptions
        {
            DisplayName = "API calls",
            EventName = eventName,
            DefaultAggregation = new MeterDefaultAggregationOptions { Formula = formula },
        }, cancellationToken: Ct);

    internal static Task<MeterEvent> ReportAsync(StripeClient stripe, string eventName, string customer, long value, DateTime? at = null, string? identifier = null) =>
        stripe.V1.Billing.MeterEvents.CreateAsync(new MeterEventCreateOptions
        {
            EventName = eventName,
            Payload = new Dictionary<string, string> { ["stripe_customer_id"] = customer, ["value"] = value.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            Timestamp = at,
            Identifier = identifier,
        }, cancellationToken: Ct);

    [Fact]
    public async Task A_meter_is_created_retrieved_renamed_listed_deactivated_and_reactivated_with_its_events()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);

        var meter = await stripe.V1.Billing.Meters.CreateAsync(new MeterCreateOptions
        {
            DisplayName = "Tokens",
            EventName = "tokens",
            DefaultAggregation = new MeterDefaultAggregationOptions { Formula = "sum" },
            CustomerMapping = new MeterCustomerMappingOptions { EventPayloadKey = "customer", Type = "by_id" },
            ValueSettings = new MeterValueSettingsOptions { EventPayloadKey = "tokens" },
        }, cancellationToken: Ct);
        Assert.StartsWith("mtr_", meter.Id, StringComparison.Ordinal);
        Assert.Equal(("billing.meter", "active", "sum", "customer", "by_id", "tokens"),
            (meter.Object, meter.Status, meter.DefaultAggregation.Formula, meter.CustomerMapping.EventPayloadKey, meter.CustomerMapping.Type, meter.ValueSettings.EventPayloadKey));
        Assert.Null(meter.StatusTransitions.DeactivatedAt);

        var renamed = await stripe.V1.Billing.Meters.UpdateAsync(meter.Id, new MeterUpdateOptions { DisplayName = "LLM tokens" }, cancellationToken: Ct);
        Assert.Equal(("LLM tokens", "tokens"), (renamed.DisplayName, (await stripe.V1.Billing.Meters.GetAsync(meter.Id, cancellationToken: Ct)).EventName));

        var taken = await Assert.ThrowsAsync<StripeException>(() => MeterAsync(stripe, "tokens"));
        Assert.Equal((HttpStatusCode.BadRequest, "event_name"), (taken.HttpStatusCode, taken.StripeError.Param));
        var badFormula = await Assert.ThrowsAsync<StripeException>(() => MeterAsync(stripe, "other", "max"));
        Assert.Equal("default_aggregation[formula]", badFormula.StripeError.Param);
        var noName = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Billing.Meters.CreateAsync(new MeterCreateOptions
        {
            EventName = "x", DefaultAggregation = new MeterDefaultAggregationOptions { Formula = "count" },
        }, cancellationToken: Ct));
        Assert.Equal(("parameter_missing", "display_name"), (noName.StripeError.Code, noName.StripeError.Param));

        var deactivated = await stripe.V1.Billing.Meters.DeactivateAsync(meter.Id, cancellationToken: Ct);
        Assert.Equal("inactive", deactivated.Status);
        Assert.Equal(new DateTime(2026, 11, 23, 12, 0, 0, DateTimeKind.Utc), deactivated.StatusTransitions.DeactivatedAt);
        Assert.Equal(HttpStatusCode.BadRequest, (await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Billing.Meters.DeactivateAsync(meter.Id, cancellationToken: Ct))).HttpStatusCode);
        // While it is inactive another meter may take its event name, and it cannot come back until that one goes.
        var second = await MeterAsync(stripe, "tokens", "count");
        var inactive = await stripe.V1.Billing.Meters.ListAsync(new MeterListOptions { Status = "inactive" }, cancellationToken: Ct);
        Assert.Equal([meter.Id], inactive.Data.Select(m => m.Id));
        var page = await stripe.V1.Billing.Meters.ListAsync(new MeterListOptions { Limit = 1 }, cancellationToken: Ct);
        Assert.Equal((second.Id, true), (Assert.Single(page.Data).Id, page.HasMore));
        var blocked = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Billing.Meters.ReactivateAsync(meter.Id, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.BadRequest, "event_name"), (blocked.HttpStatusCode, blocked.StripeError.Param));
        await stripe.V1.Billing.Meters.DeactivateAsync(second.Id, cancellationToken: Ct);

        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct);
        var refused = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Billing.MeterEvents.CreateAsync(new MeterEventCreateOptions
        {
            EventName = "tokens", Payload = new() { ["customer"] = customer.Id, ["tokens"] = "5" },
        }, cancellationToken: Ct));
        Assert.Equal("event_name", refused.StripeError.Param);
        var reactivated = await stripe.V1.Billing.Meters.ReactivateAsync(meter.Id, cancellationToken: Ct);
        Assert.Equal("active", reactivated.Status);
        Assert.Null(reactivated.StatusTransitions.DeactivatedAt);
        var counted = await stripe.V1.Billing.MeterEvents.CreateAsync(new MeterEventCreateOptions
        {
            EventName = "tokens", Payload = new() { ["customer"] = customer.Id, ["tokens"] = "5" },
        }, cancellationToken: Ct);
        Assert.Equal("5", counted.Payload["tokens"]);

        var types = (await stripe.V1.Events.ListAsync(new EventListOptions { Limit = 100 }, cancellationToken: Ct)).Data.Select(e => e.Type).Where(t => t.StartsWith("billing.meter", StringComparison.Ordinal)).Reverse();
        Assert.Equal(["billing.meter.created", "billing.meter.updated", "billing.meter.deactivated", "billing.meter.created", "billing.meter.deactivated", "billing.meter.reactivated"], types);
        var missing = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Billing.Meters.GetAsync("mtr_missing", cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.NotFound, "resource_missing"), (missing.HttpStatusCode, missing.StripeError.Code));
    }

    [Fact]
    public async Task Meter_events_are_summarised_deduplicated_canceled_and_refused_as_Stripe_does()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var meter = await MeterAsync(stripe, "api_calls");
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct);
        var now = new DateTime(2026, 11, 23, 12, 0, 0, DateTimeKind.Utc);

        var reported = await ReportAsync(stripe, "api_calls", customer.Id, 40, now.AddHours(-2), "call-1");
        Assert.Equal(("billing.meter_event", "call-1", "40", now.AddHours(-2)), (reported.Object, reported.Identifier, reported.Payload["value"], reported.Timestamp));
        await ReportAsync(stripe, "api_calls", customer.Id, 2, now.AddMinutes(-30));
        var toCancel = await ReportAsync(stripe, "api_calls", customer.Id, 1000, now.AddMinutes(-10));
        Assert.False(string.IsNullOrEmpty(toCancel.Identifier));

        var again = await Assert.ThrowsAsync<StripeException>(() => ReportAsync(stripe, "api_calls", customer.Id, 40, now, "call-1"));
        Assert.Equal((HttpStatusCode.BadRequest, "identifier"), (again.HttpStatusCode, again.StripeError.Param));

        var adjustment = await stripe.V1.Billing.MeterEventAdjustments.CreateAsync(new MeterEventAdjustmentCreateOptions
        {
            EventName = "api_calls", Type = "cancel", Cancel = new MeterEventAdjustmentCancelOptions { Identifier = toCancel.Identifier },
        }, cancellationToken: Ct);
        Assert.Equal(("billing.meter_event_adjustment", "cancel", toCancel.Identifier), (adjustment.Object, adjustment.Type, adjustment.Cancel.Identifier));
        var twice = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Billing.MeterEventAdjustments.CreateAsync(new MeterEventAdjustmentCreateOptions
        {
            EventName = "api_calls", Type = "cancel", Cancel = new MeterEventAdjustmentCancelOptions { Identifier = toCancel.Identifier },
        }, cancellationToken: Ct));
        Assert.Equal("cancel[identifier]", twice.StripeError.Param);

        var whole = await stripe.V1.Billing.Meters.EventSummaries.ListAsync(meter.Id, new MeterEventSummaryListOptions
        {
            Customer = customer.Id, StartTime = now.AddDays(-1), EndTime = now.AddHours(1),
        }, cancellationToken: Ct);
        var summary = Assert.Single(whole.Data);
        Assert.Equal(("billing.meter_event_summary", 42m, meter.Id, now.AddDays(-1), now.AddHours(1)), (summary.Object, summary.AggregatedValue, summary.Meter, summary.StartTime, summary.EndTime));
        var hourly = await stripe.V1.Billing.Meters.EventSummaries.ListAsync(meter.Id, new MeterEventSummaryListOptions
        {
            Customer = customer.Id, StartTime = now.AddHours(-3), EndTime = now, ValueGroupingWindow = "hour",
        }, cancellationToken: Ct);
        Assert.Equal([0m, 40m, 2m], hourly.Data.Select(s => s.AggregatedValue));
        var unaligned = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Billing.Meters.EventSummaries.ListAsync(meter.Id, new MeterEventSummaryListOptions
        {
            Customer = customer.Id, StartTime = now.AddMinutes(-90), EndTime = now, ValueGroupingWindow = "hour",
        }, cancellationToken: Ct));
        Assert.Equal("start_time", unaligned.StripeError.Param);

        var tooOld = await Assert.ThrowsAsync<StripeException>(() => ReportAsync(stripe, "api_calls", customer.Id, 1, now.AddDays(-36)));
        Assert.Equal("timestamp", tooOld.StripeError.Param);
        var ahead = await Assert.ThrowsAsync<StripeException>(() => ReportAsync(stripe, "api_calls", customer.Id, 1, now.AddMinutes(6)));
        Assert.Equal("timestamp", ahead.StripeError.Param);
        var nobody = await Assert.ThrowsAsync<StripeException>(() => ReportAsync(stripe, "api_calls", "cus_missing", 1));
        Assert.Equal((HttpStatusCode.NotFound, "payload[stripe_customer_id]"), (nobody.HttpStatusCode, nobody.StripeError.Param));
        var unknownName = await Assert.ThrowsAsync<StripeException>(() => ReportAsync(stripe, "no_such_meter", customer.Id, 1));
        Assert.Equal("event_name", unknownName.StripeError.Param);
        var fraction = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Billing.MeterEvents.CreateAsync(new MeterEventCreateOptions
        {
            EventName = "api_calls", Payload = new() { ["stripe_customer_id"] = customer.Id, ["value"] = "1.5" },
        }, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.BadRequest, "payload[value]"), (fraction.HttpStatusCode, fraction.StripeError.Param));
        var noValue = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Billing.MeterEvents.CreateAsync(new MeterEventCreateOptions
        {
            EventName = "api_calls", Payload = new() { ["stripe_customer_id"] = customer.Id },
        }, cancellationToken: Ct));
        Assert.Equal(("parameter_missing", "payload[value]"), (noValue.StripeError.Code, noValue.StripeError.Param));

        // The sandbox's bound: 1,000,000,000 units of one meter per customer, so billed amounts stay exact.
        var heavy = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct);
        for (var i = 0; i < 10; i++)
        {
            await ReportAsync(stripe, "api_calls", heavy.Id, StripeMeterEvents.MaxValue);
        }

        var bounded = await Assert.ThrowsAsync<StripeException>(() => ReportAsync(stripe, "api_calls", heavy.Id, 1));
        Assert.Equal((HttpStatusCode.BadRequest, "payload[stripe_customer_id]"), (bounded.HttpStatusCode, bounded.StripeError.Param));
        var over = await Assert.ThrowsAsync<StripeException>(() => ReportAsync(stripe, "api_calls", customer.Id, StripeMeterEvents.MaxValue + 1));
        Assert.Equal("payload[value]", over.StripeError.Param);
    }

    [Fact]
    public async Task A_metered_price_needs_an_active_meter_and_its_items_take_no_quantity()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var meter = await MeterAsync(stripe, "requests");

        var noMeter = await Assert.ThrowsAsync<StripeException>(() => MeteredPriceAsync(stripe, null));
        Assert.Equal((HttpStatusCode.BadRequest, "recurring[meter]"), (noMeter.HttpStatusCode, noMeter.StripeError.Param));
        var unknown = await Assert.ThrowsAsync<StripeException>(() => MeteredPriceAsync(stripe, "mtr_missing"));
        Assert.Equal((HttpStatusCode.NotFound, "recurring[meter]"), (unknown.HttpStatusCode, unknown.StripeError.Param));

        var price = await MeteredPriceAsync(stripe, meter.Id);
        Assert.Equal(("metered", meter.Id, "month"), (price.Recurring.UsageType, price.Recurring.Meter, price.Recurring.Interval));

        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct);
        var withQuantity = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = price.Id, Quantity = 2 }],
        }, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.BadRequest, "items[0][quantity]"), (withQuantity.HttpStatusCode, withQuantity.StripeError.Param));
        Assert.Contains("usage_type is `metered`", withQuantity.StripeError.Message, StringComparison.Ordinal);
        var checkout = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Checkout.Sessions.CreateAsync(new SessionCreateOptions
        {
            Mode = "subscription", LineItems = [new SessionLineItemOptions { Price = price.Id, Quantity = 1 }], SuccessUrl = "https://merchant.example/done",
        }, cancellationToken: Ct));
        Assert.Equal("line_items[0][quantity]", checkout.StripeError.Param);
        var session = await stripe.V1.Checkout.Sessions.CreateAsync(new SessionCreateOptions
        {
            Mode = "subscription",
            LineItems = [new SessionLineItemOptions { Price = StripeCatalog.MonthlyPrice, Quantity = 1 }, new SessionLineItemOptions { Price = price.Id }],
            SuccessUrl = "https://merchant.example/done",
        }, cancellationToken: Ct);
        Assert.Equal(999L, session.AmountTotal);
        await sandbox.ActAsync(session.Id, "pay");
        var paid = await stripe.V1.Checkout.Sessions.GetAsync(session.Id, cancellationToken: Ct);
        var subscribed = await stripe.V1.Subscriptions.GetAsync(paid.SubscriptionId, new SubscriptionGetOptions { Expand = ["latest_invoice"] }, cancellationToken: Ct);
        Assert.Equal([(StripeCatalog.MonthlyPrice, 1L), (price.Id, 0L)], subscribed.Items.Data.Select(i => (i.Price.Id, i.Quantity)));
        Assert.Equal([999L, 0L], subscribed.LatestInvoice.Lines.Data.Select(l => l.Amount));

        await stripe.V1.Billing.Meters.DeactivateAsync(meter.Id, cancellationToken: Ct);
        var inactive = await Assert.ThrowsAsync<StripeException>(() => MeteredPriceAsync(stripe, meter.Id));
        Assert.Equal((HttpStatusCode.BadRequest, "recurring[meter]"), (inactive.HttpStatusCode, inactive.StripeError.Param));
    }

    internal static Task<Price> MeteredPriceAsync(StripeClient stripe, string? meter, long unitAmount = 5) =>
        stripe.V1.Prices.CreateAsync(new PriceCreateOptions
        {
            Currency = "usd",
            UnitAmount = unitAmount,
            ProductData = new PriceProductDataOptions { Name = "API usage" },
            Recurring = new PriceRecurringOptions { Interval = "month", UsageType = "metered", Meter = meter },
        }, cancellationToken: Ct);

    internal static async Task<(TestClock Clock, Customer Customer)> ClockedCustomerAsync(StripeClient stripe)
    {
        var clock = await stripe.V1.TestHelpers.TestClocks.CreateAsync(new TestClockCreateOptions { FrozenTime = Frozen }, cancellationToken: Ct);
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "usage@example.com", TestClock = clock.Id }, cancellationToken: Ct);
        return (clock, customer);
    }
}
