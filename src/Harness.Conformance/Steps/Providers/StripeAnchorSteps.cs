using System.Globalization;
using System.Net;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// A future billing cycle anchor on <c>POST /v1/subscriptions</c> (<c>billing_cycle_anchor</c>, <c>billing_cycle_anchor_config</c>),
/// for the customer of <see cref="StripeRecurringSteps"/>, whose steps then check the periods and invoices.
/// </summary>
[Steps]
public sealed class StripeAnchorSteps(ScenarioContext context)
{
    private StripeRecurringSteps Recurring => context.Get<StripeRecurringSteps>();

    private StripeSteps Stripe => context.Get<StripeSteps>();

    /// <summary>An anchor as an ISO 8601 time (UTC), sent as Stripe's Unix timestamp.</summary>
    [When("the customer subscribes to {string} through the API anchored at {string}")]
    public Task Anchored(string price, string at) => SubscribeAsync(price, [new("billing_cycle_anchor", Unix(at))]);

    /// <summary>A trial of <paramref name="days"/> days first, then the time up to the anchor prorated.</summary>
    [When("the customer subscribes to {string} through the API with a {int}-day trial anchored at {string}")]
    public Task TrialThenAnchored(string price, int days, string at) =>
        SubscribeAsync(price, [new("trial_period_days", days.ToString(CultureInfo.InvariantCulture)), new("billing_cycle_anchor", Unix(at))], "trialing");

    [When("the customer subscribes to {string} through the API with billing_cycle_anchor_config day_of_month {int}")]
    public Task Configured(string price, int day) =>
        SubscribeAsync(price, [new("billing_cycle_anchor_config[day_of_month]", day.ToString(CultureInfo.InvariantCulture))]);

    /// <summary>A subscription checkout with <c>subscription_data[billing_cycle_anchor_config][day_of_month]</c>, paid on the hosted page.</summary>
    [When("the customer pays a subscription checkout for {string} with billing_cycle_anchor_config day_of_month {int}")]
    public async Task CheckoutConfigured(string price, int day)
    {
        var world = context.Get<SandboxWorld>();
        var form = await Stripe.SessionFormAsync("subscription", price);
        form.AddRange([new("customer", Recurring.Customer), new("subscription_data[billing_cycle_anchor_config][day_of_month]", day.ToString(CultureInfo.InvariantCulture))]);
        var session = await Recurring.OkAsync(HttpMethod.Post, "/v1/checkout/sessions", form);
        world.PaymentId = ApiReply.Text(ApiReply.Field(session, "id"));
        await world.ClickAsync("pay");
        var paid = await Recurring.OkAsync(HttpMethod.Get, "/v1/checkout/sessions/" + world.PaymentId);
        Check.Equal("complete", ApiReply.Text(ApiReply.Field(paid, "status")), "the paid session's status");
        Recurring.Subscribed(ApiReply.Text(ApiReply.Field(paid, "subscription")));
    }

    /// <summary>The config echoed, the anchor on its day (UTC) and the first period ending there.</summary>
    [Then("the subscription's first period ends at its billing cycle anchor, on day {int} of a month as its billing_cycle_anchor_config says")]
    public async Task FirstPeriodEndsOnConfiguredDay(int day)
    {
        var subscription = await Recurring.OkAsync(HttpMethod.Get, "/v1/subscriptions/" + Recurring.Subscription);
        var anchor = ApiReply.Field(subscription, "billing_cycle_anchor").GetInt64();
        Check.Equal(day.ToString(CultureInfo.InvariantCulture), ApiReply.Path(subscription, "billing_cycle_anchor_config.day_of_month").GetInt64().ToString(CultureInfo.InvariantCulture), "billing_cycle_anchor_config.day_of_month");
        Check.Equal(day.ToString(CultureInfo.InvariantCulture), DateTimeOffset.FromUnixTimeSeconds(anchor).Day.ToString(CultureInfo.InvariantCulture), "the anchor's day of month");
        Check.Equal(anchor.ToString(CultureInfo.InvariantCulture), ApiReply.Path(subscription, "items.data.0.current_period_end").GetInt64().ToString(CultureInfo.InvariantCulture), "the first period's end");
    }

    [Then("the subscription's billing cycle anchor is {string}")]
    public async Task AnchorIs(string at)
    {
        var subscription = await Recurring.OkAsync(HttpMethod.Get, "/v1/subscriptions/" + Recurring.Subscription);
        Check.Equal(Unix(at), ApiReply.Field(subscription, "billing_cycle_anchor").GetInt64().ToString(CultureInfo.InvariantCulture), "the subscription's billing_cycle_anchor");
    }

    /// <summary>Stripe's 400 for an anchor past the next natural billing date, and no subscription made.</summary>
    [Then("anchoring a subscription to {string} at {string} is refused naming {string}")]
    public async Task Refused(string price, string at, string param)
    {
        var reply = await Stripe.StripeAsync(HttpMethod.Post, "/v1/subscriptions",
            [new("customer", Recurring.Customer), new("items[0][price]", price), new("billing_cycle_anchor", Unix(at))]);
        Check.Equal(HttpStatusCode.BadRequest, reply.Status, $"an anchor at {at} ({reply.Body})");
        Check.Equal("invalid_request_error", ApiReply.Text(ApiReply.Path(reply.Json, "error.type")), "the error's type");
        Check.Equal(param, ApiReply.Text(ApiReply.Path(reply.Json, "error.param")), "the error's param");
    }

    private async Task SubscribeAsync(string price, List<KeyValuePair<string, string>> anchor, string status = "active")
    {
        var subscription = await Recurring.OkAsync(HttpMethod.Post, "/v1/subscriptions",
            [new("customer", Recurring.Customer), new("items[0][price]", price), .. anchor]);
        Check.Equal(status, ApiReply.Text(ApiReply.Field(subscription, "status")), "an anchored subscription's status");
        Recurring.Subscribed(ApiReply.Text(ApiReply.Field(subscription, "id")));
    }

    private static string Unix(string at) =>
        DateTimeOffset.Parse(at, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
}
