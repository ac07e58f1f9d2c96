using System.Globalization;
using System.Net;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// Usage-based billing on the customer and test clock of <see cref="StripeRecurringSteps"/>: a billing meter
/// (<c>POST /v1/billing/meters</c>), a metered price on it, meter events, the meter's event summary and the refusal of a
/// quantity on a metered item. Each scenario's meter has an event name of its own, so runs against one sandbox never meet.
/// </summary>
[Steps]
public sealed class StripeMeterSteps(ScenarioContext context)
{
    private const long Day = 86_400;

    private string? _eventName;
    private string? _meter;
    private string? _price;

    private StripeRecurringSteps Recurring => context.Get<StripeRecurringSteps>();

    private StripeSteps Stripe => context.Get<StripeSteps>();

    /// <summary>The scenario's billing meter, which other steps' metered prices count on too.</summary>
    internal string Meter => _meter ?? throw new AssertionException("the scenario has no billing meter yet");

    private string Price => _price ?? throw new AssertionException("the scenario has no metered price yet");

    [Given("a billing meter summing its events")]
    public async Task CreateMeter()
    {
        _eventName = context.Unique("tokens");
        var meter = await Recurring.OkAsync(HttpMethod.Post, "/v1/billing/meters",
            [new("display_name", "Tokens"), new("event_name", _eventName), new("default_aggregation[formula]", "sum")]);
        Check.Equal("billing.meter", ApiReply.Text(ApiReply.Field(meter, "object")), "the answer's object");
        Check.Equal("active", ApiReply.Text(ApiReply.Field(meter, "status")), "a new meter's status");
        _meter = ApiReply.Text(ApiReply.Field(meter, "id"));
    }

    [Given("a monthly metered price of {int} per unit on the meter")]
    public async Task CreatePrice(int unitAmount)
    {
        var price = await Recurring.OkAsync(HttpMethod.Post, "/v1/prices", [
            new("currency", "usd"), new("unit_amount", Text(unitAmount)), new("product_data[name]", "Tokens"),
            new("recurring[interval]", "month"), new("recurring[usage_type]", "metered"), new("recurring[meter]", Meter)]);
        Check.Equal(Meter, ApiReply.Text(ApiReply.Path(price, "recurring.meter")), "the price's recurring.meter");
        _price = ApiReply.Text(ApiReply.Field(price, "id"));
    }

    [When("the customer subscribes to {string} and the metered price through the API")]
    public async Task Subscribe(string licensed)
    {
        var subscription = await Recurring.OkAsync(HttpMethod.Post, "/v1/subscriptions",
            [new("customer", Recurring.Customer), new("items[0][price]", licensed), new("items[1][price]", Price)]);
        Recurring.Subscribed(ApiReply.Text(ApiReply.Field(subscription, "id")));
    }

    /// <summary>Stripe's 400: a metered item bills its usage and takes no quantity.</summary>
    [Then("subscribing with a quantity of the metered price is refused naming {string}")]
    public async Task QuantityRefused(string param)
    {
        var reply = await Stripe.StripeAsync(HttpMethod.Post, "/v1/subscriptions",
            [new("customer", Recurring.Customer), new("items[0][price]", Price), new("items[0][quantity]", "3")]);
        Check.Equal(HttpStatusCode.BadRequest, reply.Status, $"a quantity on a metered item ({reply.Body})");
        Check.Equal(param, ApiReply.Text(ApiReply.Path(reply.Json, "error.param")), "the error's param");
    }

    [When("the customer's usage of {int} on day {int} of the subscription is reported to the meter")]
    public async Task Report(int value, int day)
    {
        var meterEvent = await Recurring.OkAsync(HttpMethod.Post, "/v1/billing/meter_events", [
            new("event_name", _eventName!), new("payload[stripe_customer_id]", Recurring.Customer), new("payload[value]", Text(value)),
            new("timestamp", Text(await StartAsync() + (day * Day)))]);
        Check.Equal("billing.meter_event", ApiReply.Text(ApiReply.Field(meterEvent, "object")), "the answer's object");
    }

    [Then("the meter's summary of the customer's usage over the first {int} days is {int}")]
    public async Task Summary(int days, int total)
    {
        var start = await StartAsync();
        var list = await Recurring.OkAsync(HttpMethod.Get,
            $"/v1/billing/meters/{Meter}/event_summaries?customer={Recurring.Customer}&start_time={Text(start)}&end_time={Text(start + (days * Day))}");
        var summary = ApiReply.Field(list, "data").EnumerateArray().Single();
        Check.Equal(total, ApiReply.Field(summary, "aggregated_value").GetInt64(), "the summary's aggregated_value");
    }

    /// <summary>The subscription's first day (its <c>start_date</c>, on the customer's test clock).</summary>
    private async Task<long> StartAsync() =>
        ApiReply.Field(await Recurring.OkAsync(HttpMethod.Get, "/v1/subscriptions/" + Recurring.Subscription), "start_date").GetInt64();

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
