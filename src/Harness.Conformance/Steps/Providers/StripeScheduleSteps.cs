using System.Globalization;
using System.Net;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// Subscription schedules (<c>/v1/subscription_schedules</c>) for the customer of <see cref="StripeRecurringSteps"/> on
/// its test clock: phases laid out now or for later, a subscription put on a schedule, the schedule's status and its
/// subscription's as the clock moves.
/// </summary>
[Steps]
public sealed class StripeScheduleSteps(ScenarioContext context)
{
    private string? _schedule;

    private StripeRecurringSteps Recurring => context.Get<StripeRecurringSteps>();

    private StripeSteps Stripe => context.Get<StripeSteps>();

    private string Schedule => _schedule ?? throw new AssertionException("the scenario has no subscription schedule yet");

    [When("the merchant schedules {string} for {int} iteration(s) then {string} for {int} iteration(s), starting now")]
    public async Task IntroThenNormal(string intro, int introIterations, string normal, int normalIterations) =>
        await CreateAsync([
            new("start_date", "now"),
            new("phases[0][items][0][price]", intro),
            new("phases[0][iterations]", Text(introIterations)),
            new("phases[1][items][0][price]", normal),
            new("phases[1][iterations]", Text(normalIterations)),
        ]);

    [When("the merchant schedules {string} to start in {int} days for {int} iteration(s) with end_behavior {string}")]
    public async Task FutureStart(string price, int days, int iterations, string endBehavior)
    {
        var clock = await Recurring.OkAsync(HttpMethod.Get, "/v1/customers/" + Recurring.Customer);
        var frozen = ApiReply.Field(await Recurring.OkAsync(HttpMethod.Get, "/v1/test_helpers/test_clocks/" + ApiReply.Text(ApiReply.Field(clock, "test_clock"))), "frozen_time").GetInt64();
        await CreateAsync([
            new("start_date", Text(frozen + (days * 86_400L))),
            new("end_behavior", endBehavior),
            new("phases[0][items][0][price]", price),
            new("phases[0][iterations]", Text(iterations)),
        ]);
    }

    /// <summary><c>from_subscription</c>, then an update keeping the current phase to its end and a second phase of the new price.</summary>
    [When("the merchant puts the subscription on a schedule that moves it to {string} at the period end")]
    public async Task DowngradeAtPeriodEnd(string price)
    {
        var schedule = await Recurring.OkAsync(HttpMethod.Post, "/v1/subscription_schedules", [new("from_subscription", Recurring.Subscription)]);
        _schedule = ApiReply.Text(ApiReply.Field(schedule, "id"));
        var current = ApiReply.Path(schedule, "phases.0");
        await Recurring.OkAsync(HttpMethod.Post, "/v1/subscription_schedules/" + _schedule, [
            new("phases[0][items][0][price]", ApiReply.Text(ApiReply.Path(current, "items.0.price"))),
            new("phases[0][start_date]", Text(ApiReply.Field(current, "start_date").GetInt64())),
            new("phases[0][end_date]", Text(ApiReply.Field(current, "end_date").GetInt64())),
            new("phases[1][items][0][price]", price),
            new("phases[1][iterations]", "1"),
        ]);
    }

    [Then("the schedule is {string}")]
    public async Task Status(string status) =>
        Check.Equal(status, ApiReply.Text(ApiReply.Field(await Recurring.OkAsync(HttpMethod.Get, "/v1/subscription_schedules/" + Schedule), "status")), "the schedule's status");

    /// <summary>The schedule's status and its subscription's (the one it manages, or the one it released or ended with).</summary>
    [Then("the schedule is {string} and its subscription is {string} on {string}")]
    public async Task StatusAndSubscription(string status, string subscriptionStatus, string price)
    {
        await Status(status);
        var subscription = await Recurring.OkAsync(HttpMethod.Get, "/v1/subscriptions/" + Recurring.Subscription);
        Check.Equal(subscriptionStatus, ApiReply.Text(ApiReply.Field(subscription, "status")), "the subscription's status");
        Check.Equal(price, ApiReply.Text(ApiReply.Path(subscription, "items.data.0.price.id")), "the subscription's price");
        // Managed, the subscription names its schedule; released, it names none (a subscription the schedule canceled keeps it).
        if (status is "active" or "released")
        {
            var schedule = ApiReply.Field(subscription, "schedule");
            Check.Equal(status == "active" ? Schedule : null, schedule.ValueKind == System.Text.Json.JsonValueKind.Null ? null : ApiReply.Text(schedule), "the subscription's schedule");
        }
    }

    /// <summary>The amounts paid on the subscription's invoices, oldest first.</summary>
    [Then("the subscription's paid invoices are {string}")]
    public async Task PaidInvoices(string amounts)
    {
        var list = await Recurring.OkAsync(HttpMethod.Get, $"/v1/invoices?limit=100&subscription={Recurring.Subscription}");
        var paid = ApiReply.Field(list, "data").EnumerateArray().Reverse().Select(i => Text(ApiReply.Field(i, "amount_paid").GetInt64()));
        Check.Equal(amounts, string.Join(", ", paid), "amount_paid of the subscription's invoices, oldest first");
    }

    [Then("the receiver gets a verifiable {string} event for the schedule")]
    public async Task Event(string type) =>
        Check.That((await Recurring.VerifiedAsync(type)).Any(e => ApiReply.Text(ApiReply.Path(e, "data.object.id")) == Schedule), $"a verified {type} event for {Schedule}");

    [Then("a phase with both iterations and end_date is refused naming {string}")]
    public async Task BothEndsRefused(string param) =>
        await RefusedAsync([
            new("customer", Recurring.Customer),
            new("phases[0][items][0][price]", "price_HarnessProMonthly"),
            new("phases[0][iterations]", "2"),
            new("phases[0][end_date]", "1900000000"),
        ], param);

    [Then("a schedule from the subscription with an end_behavior is refused naming {string}")]
    public async Task FromSubscriptionRefused(string param) =>
        await RefusedAsync([new("from_subscription", Recurring.Subscription), new("end_behavior", "cancel")], param);

    private async Task CreateAsync(List<KeyValuePair<string, string>> form)
    {
        form.Insert(0, new("customer", Recurring.Customer));
        var schedule = await Recurring.OkAsync(HttpMethod.Post, "/v1/subscription_schedules", form);
        Check.Equal("subscription_schedule", ApiReply.Text(ApiReply.Field(schedule, "object")), "the answer's object");
        _schedule = ApiReply.Text(ApiReply.Field(schedule, "id"));
        if (ApiReply.Field(schedule, "subscription").ValueKind == System.Text.Json.JsonValueKind.String)
        {
            Recurring.Subscribed(ApiReply.Text(ApiReply.Field(schedule, "subscription")));
        }
    }

    /// <summary>A schedule that starts later has its subscription once it starts: the scenario follows it from then.</summary>
    [When("the scenario follows the schedule's subscription")]
    public async Task Follow()
    {
        var schedule = await Recurring.OkAsync(HttpMethod.Get, "/v1/subscription_schedules/" + Schedule);
        Recurring.Subscribed(ApiReply.Text(ApiReply.Field(schedule, "subscription")));
    }

    private async Task RefusedAsync(List<KeyValuePair<string, string>> form, string param)
    {
        var reply = await Stripe.StripeAsync(HttpMethod.Post, "/v1/subscription_schedules", form);
        Check.Equal(HttpStatusCode.BadRequest, reply.Status, $"the refusal's status ({reply.Body})");
        Check.Equal("invalid_request_error", ApiReply.Text(ApiReply.Path(reply.Json, "error.type")), "the error's type");
        Check.Equal(param, ApiReply.Text(ApiReply.Path(reply.Json, "error.param")), "the error's param");
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
