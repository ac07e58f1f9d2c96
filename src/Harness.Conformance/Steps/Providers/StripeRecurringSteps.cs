using System.Globalization;
using System.Net;
using System.Text.Json;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// Stripe recurring billing over HTTP as a merchant backend drives it in test mode: a customer on a test clock,
/// a subscription, clock advances, cancellation, a failing card (through the sandbox's control API) and refunds.
/// Only test clocks move: the shared sandbox clock is left alone.
/// </summary>
[Steps]
public sealed class StripeRecurringSteps(ScenarioContext context)
{
    private const long Day = 86_400;

    private readonly SandboxWorld _world = context.Get<SandboxWorld>();
    private string? _clock;
    private long _start;
    private string? _customer;
    private string? _subscription;

    private StripeSteps Stripe => context.Get<StripeSteps>();

    /// <summary>The scenario's subscription (for <see cref="StripePlanChangeSteps"/> too).</summary>
    internal string Subscription => _subscription ?? throw new AssertionException("the scenario has no subscription yet");

    internal string Customer => _customer ?? throw new AssertionException("the scenario has no customer yet");

    /// <summary>Makes a subscription another step class started the scenario's.</summary>
    internal void Subscribed(string id) => _subscription = id;

    [Given("a customer on a new Stripe test clock")]
    public Task CustomerOnClock() => CustomerOnClockAsync(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    /// <summary>A clock frozen at an ISO 8601 time (UTC), e.g. on a 31st to watch the calendar.</summary>
    [Given("a customer on a new Stripe test clock frozen at {string}")]
    public Task CustomerOnClockAt(string at) => CustomerOnClockAsync(DateTimeOffset.Parse(at, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal));

    private async Task CustomerOnClockAsync(DateTimeOffset frozen)
    {
        _start = frozen.ToUnixTimeSeconds();
        var clock = await OkAsync(HttpMethod.Post, "/v1/test_helpers/test_clocks", [new("frozen_time", Text(_start)), new("name", context.Unique("clock"))]);
        Check.Equal("ready", ApiReply.Text(ApiReply.Field(clock, "status")), "a new test clock's status");
        _clock = ApiReply.Text(ApiReply.Field(clock, "id"));
        var customer = await OkAsync(HttpMethod.Post, "/v1/customers", [new("email", context.Unique("buyer") + "@example.com"), new("test_clock", _clock)]);
        Check.Equal(_clock, ApiReply.Text(ApiReply.Field(customer, "test_clock")), "the customer's test_clock");
        _customer = ApiReply.Text(ApiReply.Field(customer, "id"));
    }

    [Given("the customer paid a subscription checkout for {string}")]
    public async Task PaidCheckout(string price) => await PayCheckoutAsync(price, trialDays: null);

    /// <summary>A trial leaves nothing to pay now: the session completes with <c>payment_status: no_payment_required</c>.</summary>
    [Given("the customer paid a subscription checkout for {string} with a {int}-day trial")]
    public async Task PaidTrialCheckout(string price, int days)
    {
        var paid = await PayCheckoutAsync(price, days);
        Check.Equal("no_payment_required", ApiReply.Text(ApiReply.Field(paid, "payment_status")), "a trial checkout's payment_status");
    }

    [Given("the customer subscribes to {string} through the API")]
    public async Task SubscribeByApi(string price)
    {
        var subscription = await OkAsync(HttpMethod.Post, "/v1/subscriptions", [new("customer", _customer!), new("items[0][price]", price), new("items[0][quantity]", "1")]);
        Check.Equal("active", ApiReply.Text(ApiReply.Field(subscription, "status")), "a new subscription's status");
        _subscription = ApiReply.Text(ApiReply.Field(subscription, "id"));
    }

    [When("the customer subscribes to {string} through the API with payment_behavior {string}")]
    public async Task SubscribeWithBehavior(string price, string behavior)
    {
        var subscription = await OkAsync(HttpMethod.Post, "/v1/subscriptions", [new("customer", _customer!), new("items[0][price]", price), new("payment_behavior", behavior)]);
        _subscription = ApiReply.Text(ApiReply.Field(subscription, "id"));
    }

    [When("the customer subscribes to {string} through the API with a {int}-day trial")]
    public async Task SubscribeWithTrial(string price, int days)
    {
        var subscription = await OkAsync(HttpMethod.Post, "/v1/subscriptions", [new("customer", _customer!), new("items[0][price]", price), new("trial_period_days", Text(days))]);
        _subscription = ApiReply.Text(ApiReply.Field(subscription, "id"));
    }

    [When("the customer subscribes to {string} through the API with a {int}-day trial and missing_payment_method {string}")]
    public async Task SubscribeWithTrialSettings(string price, int days, string behavior)
    {
        var subscription = await OkAsync(HttpMethod.Post, "/v1/subscriptions", [
            new("customer", _customer!), new("items[0][price]", price), new("trial_period_days", Text(days)),
            new("trial_settings[end_behavior][missing_payment_method]", behavior)]);
        Check.Equal(behavior, ApiReply.Text(ApiReply.Path(subscription, "trial_settings.end_behavior.missing_payment_method")), "trial_settings.end_behavior.missing_payment_method");
        _subscription = ApiReply.Text(ApiReply.Field(subscription, "id"));
    }

    /// <summary>Confirms the open first invoice's PaymentIntent, found as current API versions expose it: <c>latest_invoice.payments</c>.</summary>
    [When("the merchant confirms the first invoice's PaymentIntent with {string}")]
    public async Task ConfirmFirstInvoice(string paymentMethod)
    {
        var subscription = await OkAsync(HttpMethod.Get, $"/v1/subscriptions/{Subscription}?expand[]=latest_invoice.payments");
        var intent = ApiReply.Text(ApiReply.Path(subscription, "latest_invoice.payments.data.0.payment.payment_intent"));
        var confirmed = await OkAsync(HttpMethod.Post, $"/v1/payment_intents/{intent}/confirm", [new("payment_method", paymentMethod)]);
        Check.Equal("succeeded", ApiReply.Text(ApiReply.Field(confirmed, "status")), "the confirmed PaymentIntent's status");
    }

    [When("the merchant moves the trial's end to day {int} of the clock")]
    public async Task MoveTrial(int day)
    {
        var moved = await OkAsync(HttpMethod.Post, "/v1/subscriptions/" + Subscription, [new("trial_end", Text(_start + (day * Day)))]);
        Check.Equal(_start + (day * Day), ApiReply.Field(moved, "trial_end").GetInt64(), "the subscription's trial_end");
    }

    [When("the merchant adds a trial to the subscription until day {int} of the clock")]
    public async Task AddTrial(int day)
    {
        var trialing = await OkAsync(HttpMethod.Post, "/v1/subscriptions/" + Subscription, [new("trial_end", Text(_start + (day * Day)))]);
        Check.Equal("trialing", ApiReply.Text(ApiReply.Field(trialing, "status")), "the subscription's status once a trial is added");
        Check.Equal(_start + (day * Day), ApiReply.Field(trialing, "billing_cycle_anchor").GetInt64(), "the subscription's billing_cycle_anchor");
    }

    [Then("the subscription's default payment method is a card saved to the customer")]
    public async Task SavedDefault()
    {
        var subscription = await OkAsync(HttpMethod.Get, "/v1/subscriptions/" + Subscription);
        var card = await OkAsync(HttpMethod.Get, "/v1/payment_methods/" + ApiReply.Text(ApiReply.Field(subscription, "default_payment_method")));
        Check.Equal(ApiReply.Text(ApiReply.Field(subscription, "customer")), ApiReply.Text(ApiReply.Field(card, "customer")), "the default payment method's customer");
    }

    [Then("the latest invoice's charge is {string} on the subscription's card")]
    public async Task LatestChargeOnSubscriptionCard(string status)
    {
        var subscription = await OkAsync(HttpMethod.Get, "/v1/subscriptions/" + Subscription);
        // The subscription's own card, else its customer's default, as renewals choose.
        var card = ApiReply.Text(ApiReply.Field(subscription, "default_payment_method"));
        if (card == "null")
        {
            card = ApiReply.Text(ApiReply.Path(await OkAsync(HttpMethod.Get, "/v1/customers/" + _customer), "invoice_settings.default_payment_method"));
        }

        var charge = ApiReply.Path(await OkAsync(HttpMethod.Get, $"/v1/charges?customer={_customer}&limit=1"), "data.0");
        Check.Equal(status, ApiReply.Text(ApiReply.Field(charge, "status")), "the charge's status");
        Check.Equal(card, ApiReply.Text(ApiReply.Field(charge, "payment_method")), "the charge's payment_method");
    }

    /// <summary>Saves a test card to the customer (a fresh pm_ object) and makes it the card its invoices charge.</summary>
    [Given("the customer saves {string} as its default card")]
    public async Task DefaultCard(string testCard)
    {
        var card = ApiReply.Text(ApiReply.Field(await OkAsync(HttpMethod.Post, $"/v1/payment_methods/{testCard}/attach", [new("customer", _customer!)]), "id"));
        var customer = await OkAsync(HttpMethod.Post, "/v1/customers/" + _customer, [new("invoice_settings[default_payment_method]", card)]);
        Check.Equal(card, ApiReply.Text(ApiReply.Path(customer, "invoice_settings.default_payment_method")), "invoice_settings.default_payment_method");
    }

    [Then("the latest invoice's charge is {string} on the customer's default card")]
    public async Task LatestCharge(string status)
    {
        var customer = await OkAsync(HttpMethod.Get, "/v1/customers/" + _customer);
        var charges = await OkAsync(HttpMethod.Get, $"/v1/charges?customer={_customer}&limit=1");
        var charge = ApiReply.Path(charges, "data.0");
        Check.Equal(status, ApiReply.Text(ApiReply.Field(charge, "status")), "the charge's status");
        Check.Equal(ApiReply.Text(ApiReply.Path(customer, "invoice_settings.default_payment_method")), ApiReply.Text(ApiReply.Field(charge, "payment_method")), "the charge's payment_method");
    }

    [Given("the control API makes the subscription's charges fail")]
    public Task ChargesFail() => _world.ControlAsync(HttpMethod.Post, $"/control/stripe/subscriptions/{Subscription}/payment-failure", new { fail = true });

    [When("the merchant sets cancel_at_period_end to {string}")]
    public async Task CancelAtPeriodEnd(string value)
    {
        var subscription = await OkAsync(HttpMethod.Post, "/v1/subscriptions/" + Subscription, [new("cancel_at_period_end", value)]);
        Check.Equal(value, ApiReply.Text(ApiReply.Field(subscription, "cancel_at_period_end")), "cancel_at_period_end");
    }

    [When("the test clock is advanced by {int} days, {int} time(s)")]
    public Task Advance(int days, int times) => AdvanceAsync(times, frozen => frozen + (days * Day));

    /// <summary>Calendar months from the clock's frozen time (UTC).</summary>
    [When("the test clock is advanced by {int} month(s), {int} time(s)")]
    public Task AdvanceMonths(int months, int times) =>
        AdvanceAsync(times, frozen => DateTimeOffset.FromUnixTimeSeconds(frozen).AddMonths(months).ToUnixTimeSeconds());

    /// <summary>To the subscription's <c>current_period_end</c> as the API answers it.</summary>
    [When("the test clock is advanced to the subscription's period end, {int} time(s)")]
    public async Task AdvanceToPeriodEnd(int times)
    {
        for (var i = 0; i < times; i++)
        {
            var end = ApiReply.Field(await OkAsync(HttpMethod.Get, "/v1/subscriptions/" + Subscription), "current_period_end").GetInt64();
            await AdvanceAsync(1, _ => end);
        }
    }

    /// <summary>Advances the customer's test clock to where <paramref name="target"/> takes its frozen time, <paramref name="times"/> times.</summary>
    private async Task AdvanceAsync(int times, Func<long, long> target)
    {
        for (var i = 0; i < times; i++)
        {
            var clock = await OkAsync(HttpMethod.Get, "/v1/test_helpers/test_clocks/" + _clock);
            await AdvanceToAsync(target(ApiReply.Field(clock, "frozen_time").GetInt64()));
        }
    }

    /// <summary>Advances the customer's test clock to <paramref name="target"/> (Unix seconds) and polls it until it is ready again, as Stripe's docs say to.</summary>
    internal async Task AdvanceToAsync(long target)
    {
        var advancing = await OkAsync(HttpMethod.Post, $"/v1/test_helpers/test_clocks/{_clock}/advance", [new("frozen_time", Text(target))]);
        Check.Equal("advancing", ApiReply.Text(ApiReply.Field(advancing, "status")), "the clock's status while it advances");
        for (var poll = 0; ; poll++)
        {
            var clock = await OkAsync(HttpMethod.Get, "/v1/test_helpers/test_clocks/" + _clock);
            if (ApiReply.Text(ApiReply.Field(clock, "status")) == "ready")
            {
                Check.Equal(target, ApiReply.Field(clock, "frozen_time").GetInt64(), "the clock's frozen_time once ready");
                return;
            }

            Check.That(poll < 600, $"test clock {_clock} is still advancing after 30 s");
            await Task.Delay(50, context.CancellationToken);
        }
    }

    [When("the merchant refunds {int} of the session's payment intent")]
    public async Task Refund(int amount)
    {
        var session = await OkAsync(HttpMethod.Get, "/v1/checkout/sessions/" + _world.ThePayment);
        await Stripe.StripeAsync(HttpMethod.Post, "/v1/refunds", [new("payment_intent", ApiReply.Text(ApiReply.Field(session, "payment_intent"))), new("amount", Text(amount))]);
    }

    [Then("the answer is a {string} refund of {int}")]
    public void RefundAnswer(string status, int amount)
    {
        Check.Equal(HttpStatusCode.OK, _world.Last.Status, $"the refund's answer ({_world.Last.Body})");
        Check.Equal(status, ApiReply.Text(ApiReply.Field(_world.Last.Json, "status")), "refund status");
        Check.Equal(amount, ApiReply.Field(_world.Last.Json, "amount").GetInt64(), "refund amount");
    }

    [Then("the receiver gets a verifiable {string} event whose charge has {int} refunded")]
    public async Task ChargeRefunded(string type, int refunded)
    {
        var events = await VerifiedAsync(type);
        Check.Equal(1, events.Count, $"{type} events");
        Check.Equal(refunded, ApiReply.Path(events[0], "data.object.amount_refunded").GetInt64(), "the charge's amount_refunded");
    }

    [Then("the receiver gets {int} verifiable {string} event(s), {int} of them for renewals")]
    public async Task Invoices(int count, string type, int renewals)
    {
        var events = (await VerifiedAsync(type)).Where(e => ApiReply.Text(ApiReply.Path(e, "data.object.parent.subscription_details.subscription")) == Subscription).ToList();
        Check.Equal(count, events.Count, $"{type} events for {Subscription}");
        var reasons = events.Select(e => ApiReply.Text(ApiReply.Path(e, "data.object.billing_reason"))).ToList();
        Check.Equal(string.Join(", ", Enumerable.Repeat("subscription_create", count - renewals).Concat(Enumerable.Repeat("subscription_cycle", renewals))), string.Join(", ", reasons), "billing_reason of each");
    }

    [Then("the receiver gets {int} verifiable {string} events with next attempts {int}, {int} and {int} days after the first, then none")]
    public async Task Retries(int count, string type, int first, int second, int third)
    {
        var events = await VerifiedAsync(type);
        Check.Equal(count, events.Count, $"{type} events");
        var periodStart = ApiReply.Path(events[0], "data.object.period_start").GetInt64();
        var next = events.Select(e => ApiReply.Path(e, "data.object.next_payment_attempt") is { ValueKind: JsonValueKind.Number } n
            ? ((n.GetInt64() - periodStart) / Day).ToString(CultureInfo.InvariantCulture)
            : "none");
        Check.Equal($"{first}, {second}, {third}, none", string.Join(", ", next), "next_payment_attempt of each, in days after the first attempt");
        Check.Equal("1, 2, 3, 4", string.Join(", ", events.Select(e => ApiReply.Path(e, "data.object.attempt_count").GetInt64())), "attempt_count of each");
    }

    [Then("the subscription is {string}")]
    public async Task Status(string status) =>
        Check.Equal(status, ApiReply.Text(ApiReply.Field(await OkAsync(HttpMethod.Get, "/v1/subscriptions/" + Subscription), "status")), "subscription status");

    [Then("the subscription is {string} with its items' period from day {int} to day {int} of the clock")]
    public async Task Period(string status, int from, int to)
    {
        var subscription = await OkAsync(HttpMethod.Get, "/v1/subscriptions/" + Subscription);
        Check.Equal(status, ApiReply.Text(ApiReply.Field(subscription, "status")), "subscription status");
        var item = ApiReply.Path(subscription, "items.data.0");
        Check.Equal(_start + (from * Day), ApiReply.Field(item, "current_period_start").GetInt64(), "the item's current_period_start");
        Check.Equal(_start + (to * Day), ApiReply.Field(item, "current_period_end").GetInt64(), "the item's current_period_end");
    }

    /// <summary>The period as calendar dates (UTC, yyyy-MM-dd) at the clock's time of day, on the subscription and its item.</summary>
    [Then("the subscription is {string} with its items' period from {string} to {string}")]
    public async Task PeriodDates(string status, string from, string to)
    {
        var subscription = await OkAsync(HttpMethod.Get, "/v1/subscriptions/" + Subscription);
        Check.Equal(status, ApiReply.Text(ApiReply.Field(subscription, "status")), "subscription status");
        var item = ApiReply.Path(subscription, "items.data.0");
        foreach (var (field, expected) in new[] { ("current_period_start", from), ("current_period_end", to) })
        {
            Check.Equal(expected, Date(ApiReply.Field(subscription, field).GetInt64()), $"the subscription's {field}");
            Check.Equal(expected, Date(ApiReply.Field(item, field).GetInt64()), $"the item's {field}");
            Check.Equal(_start % Day, ApiReply.Field(item, field).GetInt64() % Day, $"the item's {field} time of day");
        }
    }

    private static string Date(long unix) => DateTimeOffset.FromUnixTimeSeconds(unix).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    [Then("the event log lists {int} {string} events for the subscription")]
    public async Task EventLog(int count, string type)
    {
        var list = await OkAsync(HttpMethod.Get, "/v1/events?limit=100&type=" + Uri.EscapeDataString(type));
        // Other scenarios' standalone invoices are in the log too, with no subscription parent (parent: null).
        var mine = ApiReply.Field(list, "data").EnumerateArray()
            .Count(e => ApiReply.Text(ApiReply.Path(e, "type")) == type
                && ApiReply.Path(e, "data.object.parent") is { ValueKind: JsonValueKind.Object } parent
                && parent.TryGetProperty("subscription_details", out var details)
                && ApiReply.Text(ApiReply.Field(details, "subscription")) == Subscription);
        Check.Equal(count, mine, $"{type} events for {Subscription} in GET /v1/events");
    }

    /// <summary>The events of one type the receiver got, each after its Stripe-Signature verified.</summary>
    internal async Task<List<JsonElement>> VerifiedAsync(string type)
    {
        var events = new List<JsonElement>();
        foreach (var request in (await _world.ReceivedAsync()).Where(r => SandboxWorld.EventType(r) == type))
        {
            await Stripe.VerifyAsync(request.Header("Stripe-Signature"), request.Body, DateTimeOffset.UtcNow);
            events.Add(SandboxWorld.ParseJson(request.Body));
        }

        return events;
    }

    internal async Task<JsonElement> OkAsync(HttpMethod method, string path, List<KeyValuePair<string, string>>? form = null)
    {
        var reply = await Stripe.StripeAsync(method, path, form);
        Check.Equal(HttpStatusCode.OK, reply.Status, $"{method} {path} ({reply.Body})");
        return reply.Json;
    }

    /// <summary>Creates a subscription checkout for the customer (with a trial of so many days), pays it and returns the paid session.</summary>
    private async Task<JsonElement> PayCheckoutAsync(string price, int? trialDays)
    {
        var form = await Stripe.SessionFormAsync("subscription", price);
        form.Add(new("customer", _customer!));
        if (trialDays is { } days)
        {
            form.Add(new("subscription_data[trial_period_days]", Text(days)));
        }

        var session = await OkAsync(HttpMethod.Post, "/v1/checkout/sessions", form);
        _world.PaymentId = ApiReply.Text(ApiReply.Field(session, "id"));
        await _world.ClickAsync("pay");
        var paid = await OkAsync(HttpMethod.Get, "/v1/checkout/sessions/" + _world.PaymentId);
        _subscription = ApiReply.Text(ApiReply.Field(paid, "subscription"));
        return paid;
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
