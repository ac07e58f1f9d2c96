using System.Globalization;
using System.Net;
using System.Text.Json;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;
using Harness.Conformance.Steps.Providers;

namespace Harness.Conformance.Steps.NewApi;

/// <summary>A plan a scenario created: its id and duration.</summary>
public sealed record NewApiPlan(int Id, int DurationValue, string DurationUnit);

/// <summary>
/// Subscriptions (new-api.md §6): the admin's plans, what users see, orders paid through Epay (the suite signing the
/// notifies) or through Stripe on the sandbox's page, and — on the sandbox — Stripe's renewals and cancellation at
/// period end, which the reference turns into extensions and an end (upstream ignores both; docs/new-api.md).
/// </summary>
[Steps]
public sealed class SubscriptionSteps(ScenarioContext context)
{
    private const string AdminPlans = "/api/subscription/admin/plans";

    private readonly NewApiWorld _world = context.Get<NewApiWorld>();
    private readonly SandboxWorld _sandbox = context.Get<SandboxWorld>();
    private readonly Dictionary<string, NewApiPlan> _plans = new(StringComparer.Ordinal);
    private long _firstEnd;
    private long _endBeforeCancel;
    private string? _stripeSubscription;

    [ParameterType("plan-list-verdict", "includes|does not include")]
    public static bool Includes(string text) => text == "includes";

    [Given("the admin has created a plan {string} of {string} for {int} {word}")]
    [Needs(Need.NewApi)]
    public Task CreatePlan(string label, string price, int value, string unit) => CreateAsync(label, price, value, unit, 0);

    [Given("the admin has created a plan {string} of {string} for {int} {word}, at most {int} per user")]
    [Needs(Need.NewApi)]
    public Task CreateLimited(string label, string price, int value, string unit, int limit) => CreateAsync(label, price, value, unit, limit);

    /// <summary>A plan priced on the sandbox's published recurring Stripe price or Creem product (GET /control/providers).</summary>
    [Given("the admin has created a plan {string} of {string} for {int} {word} on the sandbox's {word} recurring price")]
    [Needs(Need.NewApiSandbox)]
    public async Task CreateOnProvider(string label, string price, int value, string unit, string provider) =>
        await CreateAsync(label, price, value, unit, 0, provider switch
        {
            "Stripe" => new("stripe_price_id", await _sandbox.CredentialAsync("stripe", "recurring_price")),
            "Creem" => new("creem_product_id", await _sandbox.CredentialAsync("creem", "recurring_product")),
            _ => throw new AssertionException($"plans are priced on Stripe or Creem, not {provider}"),
        });

    [When("the admin disables the plan {string}")]
    [Needs(Need.NewApi)]
    public Task Disable(string label) =>
        _world.MustAsync(new NewApiCall(HttpMethod.Patch, $"{AdminPlans}/{Plan(label).Id}", NewApiWorld.Body(new { enabled = false }), _world.Admin), "disabling the plan");

    [Then("the user's list of plans {plan-list-verdict} the plan {string}")]
    [Needs(Need.NewApi)]
    public async Task UserList(bool includes, string label)
    {
        var plans = await _world.MustAsync(new NewApiCall(HttpMethod.Get, "/api/subscription/plans", null, NewApiWorld.TokenOf(_world.User("user"))), "the user's plans");
        Check.Equal(includes, PlanIds(plans).Contains(Plan(label).Id), $"GET /api/subscription/plans lists plan {Plan(label).Id}");
    }

    [Then("the admin's list of plans shows the plan {string} {word}")]
    [Needs(Need.NewApi)]
    public async Task AdminList(string label, string state)
    {
        var plan = await AdminPlanAsync(label);
        Check.Equal(state == "enabled", ApiReply.Field(plan, "enabled").GetBoolean(), $"plan {Plan(label).Id} enabled");
    }

    private async Task<JsonElement> AdminPlanAsync(string label)
    {
        var plans = await _world.MustAsync(new NewApiCall(HttpMethod.Get, AdminPlans, null, _world.Admin), "the admin's plans");
        var plan = plans.EnumerateArray().Select(PlanOf).FirstOrDefault(p => ApiReply.Field(p, "id").GetInt32() == Plan(label).Id);
        Check.That(plan.ValueKind == JsonValueKind.Object, $"GET {AdminPlans} does not list plan {Plan(label).Id}");
        return plan;
    }

    /// <summary>Every subscription of the user as the admin lists them, newest end first.</summary>
    private async Task<IReadOnlyList<JsonElement>> OfUserAsync() =>
        [.. (await _world.MustAsync(new NewApiCall(HttpMethod.Get, $"/api/subscription/admin/users/{_world.User("user").Id}/subscriptions", null, _world.Admin), "the user's subscriptions as the admin sees them"))
            .EnumerateArray().Select(s => ApiReply.Field(s, "subscription"))];

    /// <summary>A full update (PUT) of title and price without <c>enabled</c>: upstream writes every field, so the plan is disabled.</summary>
    [When("the admin updates the plan {string} to the title {string} and the price {string}, leaving enabled out")]
    [Needs(Need.NewApi)]
    public Task Update(string label, string title, string price)
    {
        var plan = Plan(label);
        var body = new { plan = new { title = $"{_world.Name}-{title}", price_amount = decimal.Parse(price, CultureInfo.InvariantCulture), duration_unit = plan.DurationUnit, duration_value = plan.DurationValue } };
        return _world.SendAsync(new NewApiCall(HttpMethod.Put, $"{AdminPlans}/{plan.Id}", NewApiWorld.Body(body), _world.Admin));
    }

    [Then("the admin's list of plans shows the plan {string} titled {string} at {string}")]
    [Needs(Need.NewApi)]
    public async Task AdminListTitled(string label, string title, string price)
    {
        var plan = await AdminPlanAsync(label);
        Check.Equal($"{_world.Name}-{title}", ApiReply.Text(ApiReply.Field(plan, "title")), "the plan's title");
        Check.Equal(decimal.Parse(price, CultureInfo.InvariantCulture), ApiReply.Field(plan, "price_amount").GetDecimal(), "the plan's price_amount");
    }

    [When("the admin binds the plan {string} to the user")]
    [Needs(Need.NewApi)]
    public Task Bind(string label) => _world.SendAsync(new NewApiCall(HttpMethod.Post, "/api/subscription/admin/bind",
        NewApiWorld.Body(new { user_id = int.Parse(_world.User("user").Id, CultureInfo.InvariantCulture), plan_id = Plan(label).Id }), _world.Admin));

    [When("the admin grants the user the plan {string} from the user's page")]
    [Needs(Need.NewApi)]
    public Task Grant(string label) => _world.SendAsync(new NewApiCall(HttpMethod.Post, $"/api/subscription/admin/users/{_world.User("user").Id}/subscriptions",
        NewApiWorld.Body(new { plan_id = Plan(label).Id }), _world.Admin));

    [Then("the admin sees {int} subscription(s) of the user, each from source {string}")]
    [Needs(Need.NewApi)]
    public async Task AdminSees(int count, string source)
    {
        var all = await OfUserAsync();
        Check.Equal(count, all.Count, $"subscriptions in GET /api/subscription/admin/users/{_world.User("user").Id}/subscriptions");
        Check.That(all.All(s => ApiReply.Text(ApiReply.Field(s, "source")) == source), $"a subscription of another source than {source}");
    }

    [When("the admin {word} the user's newest subscription")]
    [Needs(Need.NewApi)]
    public async Task Manage(string verb)
    {
        var all = await OfUserAsync();
        Check.That(all.Count > 0, "the user has no subscription to manage");
        var newest = all[0];
        var id = ApiReply.Text(ApiReply.Field(newest, "id"));
        var call = verb switch
        {
            "invalidates" => new NewApiCall(HttpMethod.Post, $"/api/subscription/admin/user_subscriptions/{id}/invalidate", null, _world.Admin),
            "deletes" => new NewApiCall(HttpMethod.Delete, $"/api/subscription/admin/user_subscriptions/{id}", null, _world.Admin),
            _ => throw new AssertionException($"the admin invalidates or deletes a subscription, not \"{verb}\""),
        };
        await _world.SendAsync(call);
    }

    [When("the user orders the plan {string} through Epay")]
    [Needs(Need.NewApiEpay)]
    public Task OrderByEpay(string label) => OrderByEpayWith(label, "alipay");

    [When("the user orders the plan {string} through Epay with payment method {string}")]
    [Needs(Need.NewApiEpay)]
    public async Task OrderByEpayWith(string label, string method)
    {
        var reply = await _world.SendAsync(new NewApiCall(HttpMethod.Post, "/api/subscription/epay/pay", NewApiWorld.Body(new { plan_id = Plan(label).Id, payment_method = method }), NewApiWorld.TokenOf(_world.User("user"))));
        if (reply.Status == HttpStatusCode.OK && reply.Message == "success")
        {
            var form = reply.Data.EnumerateObject().ToDictionary(p => p.Name, p => ApiReply.Text(p.Value), StringComparer.Ordinal);
            _world.Orders["subscription"] = new NewApiTopUpOrder(form["out_trade_no"], form["money"], 0, "epay", reply.Json.TryGetProperty("url", out var url) ? url.GetString() : null, form);
        }
    }

    [Given("the user has ordered the plan {string} through Epay")]
    [Needs(Need.NewApiEpay)]
    public async Task HasOrdered(string label)
    {
        await OrderByEpay(label);
        Check.That(_world.Orders.ContainsKey("subscription"), $"POST /api/subscription/epay/pay answered HTTP {(int)_world.Last.Status}: {_world.Last.Body}");
    }

    [Then("the user has an active subscription to the plan {string} lasting its duration")]
    [Needs(Need.NewApi)]
    public async Task ActiveFor(string label)
    {
        var plan = Plan(label);
        var subscription = (await ActiveAsync()).FirstOrDefault(s => ApiReply.Field(s, "plan_id").GetInt32() == plan.Id);
        Check.That(subscription.ValueKind == JsonValueKind.Object, $"GET /api/subscription/self lists no active subscription to plan {plan.Id}");
        var start = DateTimeOffset.FromUnixTimeSeconds(ApiReply.Field(subscription, "start_time").GetInt64());
        var end = plan.DurationUnit switch
        {
            "year" => start.AddYears(plan.DurationValue),
            "month" => start.AddMonths(plan.DurationValue),
            "day" => start.AddDays(plan.DurationValue),
            "hour" => start.AddHours(plan.DurationValue),
            _ => throw new AssertionException($"a plan of {plan.DurationUnit}s: write the duration in years, months, days or hours"),
        };
        Check.Equal(end.ToUnixTimeSeconds(), ApiReply.Field(subscription, "end_time").GetInt64(), $"end_time of the subscription that started at {start:u}");
    }

    [Then("the user has {int} active subscription(s)")]
    [Needs(Need.NewApi)]
    public async Task ActiveCount(int count) => Check.Equal(count, (await ActiveAsync()).Count, "active subscriptions in GET /api/subscription/self");

    [When("the user subscribes to the plan {string} through {word} and pays on the sandbox's page")]
    [Needs(Need.NewApiSandbox)]
    public async Task Subscribe(string label, string provider)
    {
        var (path, link) = provider switch
        {
            "Stripe" => ("/api/subscription/stripe/pay", "pay_link"),
            "Creem" => ("/api/subscription/creem/pay", "checkout_url"),
            _ => throw new AssertionException($"plans are bought through Stripe or Creem, not {provider}"),
        };
        var reply = await _world.SendAsync(new NewApiCall(HttpMethod.Post, path, NewApiWorld.Body(new { plan_id = Plan(label).Id }), NewApiWorld.TokenOf(_world.User("user"))));
        Check.That(reply.Status == HttpStatusCode.OK && reply.Message == "success", $"POST {path} answered HTTP {(int)reply.Status}: {reply.Body}");
        await SandboxPaySteps.PayOnPageAsync(_sandbox, ApiReply.Text(ApiReply.Field(reply.Data, link)));
        _firstEnd = await EndTimeAsync();
        if (provider == "Stripe")
        {
            var session = await StripeAsync(HttpMethod.Get, "/v1/checkout/sessions/" + Uri.EscapeDataString(_sandbox.PaymentId!), null);
            _stripeSubscription = ApiReply.Text(ApiReply.Field(session, "subscription"));
        }
    }

    [When("the sandbox renews the Stripe subscription {int} time(s)")]
    [Needs(Need.NewApiSandbox)]
    public async Task Renew(int times)
    {
        for (var i = 0; i < times; i++)
        {
            await _sandbox.ControlAsync(HttpMethod.Post, $"/control/stripe/subscriptions/{Uri.EscapeDataString(StripeSubscription())}/renew");
            await _sandbox.RunDueAsync();
        }
    }

    [Then("the user's subscription ends {int} days after its first end")]
    [Needs(Need.NewApiSandbox)]
    public async Task EndsLater(int days) =>
        Check.Equal(_firstEnd + (days * 86_400L), await EndTimeAsync(), $"end_time (the first was {_firstEnd})");

    [When("the merchant sets cancel_at_period_end on the Stripe subscription")]
    [Needs(Need.NewApiSandbox)]
    public async Task CancelAtPeriodEnd()
    {
        _endBeforeCancel = await EndTimeAsync();
        await StripeAsync(HttpMethod.Post, "/v1/subscriptions/" + Uri.EscapeDataString(StripeSubscription()), [new("cancel_at_period_end", "true")]);
        await _sandbox.RunDueAsync();
    }

    [Then("the user's subscription is still active and ends as before")]
    [Needs(Need.NewApiSandbox)]
    public async Task StillActive()
    {
        Check.Equal(1, (await ActiveAsync()).Count, "active subscriptions in GET /api/subscription/self");
        Check.Equal(_endBeforeCancel, await EndTimeAsync(), "end_time");
    }

    [When("the sandbox reaches the end of the Stripe subscription's period")]
    [Needs(Need.NewApiSandbox)]
    public Task PeriodEnd() => Renew(1);

    [Then("the user's subscription has ended, not renewed, and the Stripe subscription is {string}")]
    [Needs(Need.NewApiSandbox)]
    public async Task Ended(string status)
    {
        var self = await SelfAsync();
        Check.Equal(0, ApiReply.Field(self, "subscriptions").GetArrayLength(), "active subscriptions in GET /api/subscription/self");
        var all = ApiReply.Field(self, "all_subscriptions").EnumerateArray().Select(s => ApiReply.Field(s, "subscription")).ToList();
        Check.Equal(1, all.Count, "subscriptions in all_subscriptions");
        Check.Equal("expired", ApiReply.Text(ApiReply.Field(all[0], "status")), "the subscription's status");
        Check.That(ApiReply.Field(all[0], "end_time").GetInt64() <= _endBeforeCancel, $"the subscription was extended past {_endBeforeCancel} after the cancellation");
        var stripe = (await _sandbox.ControlAsync(HttpMethod.Get, "/control/stripe/subscriptions")).EnumerateArray()
            .First(s => ApiReply.Text(ApiReply.Field(s, "id")) == StripeSubscription());
        Check.Equal(status, ApiReply.Text(ApiReply.Field(stripe, "status")), "the Stripe subscription's status on the sandbox");
    }

    private async Task CreateAsync(string label, string price, int value, string unit, int limit, KeyValuePair<string, string>? pricedOn = null)
    {
        var plan = new Dictionary<string, object?>
        {
            ["title"] = $"{_world.Name}-{label}",
            ["price_amount"] = decimal.Parse(price, CultureInfo.InvariantCulture),
            ["duration_unit"] = unit.TrimEnd('s'),
            ["duration_value"] = value,
            ["max_purchase_per_user"] = limit,
            ["enabled"] = true,
        };
        if (pricedOn is { } provider)
        {
            plan[provider.Key] = provider.Value;
        }

        var created = await _world.MustAsync(new NewApiCall(HttpMethod.Post, AdminPlans, NewApiWorld.Body(new { plan }), _world.Admin), "creating a plan as the admin");
        _plans[label] = new NewApiPlan(ApiReply.Field(created, "id").GetInt32(), value, unit.TrimEnd('s'));
    }

    private NewApiPlan Plan(string label) => _plans.GetValueOrDefault(label) ?? throw new AssertionException($"the scenario has no plan \"{label}\"");

    private string StripeSubscription() => _stripeSubscription ?? throw new AssertionException("the user has no Stripe subscription in this scenario");

    /// <summary>A plan in a list: upstream wraps each as <c>{plan: {…}}</c>.</summary>
    private static JsonElement PlanOf(JsonElement item) => item.TryGetProperty("plan", out var plan) ? plan : item;

    private static HashSet<int> PlanIds(JsonElement plans) => [.. plans.EnumerateArray().Select(p => ApiReply.Field(PlanOf(p), "id").GetInt32())];

    private Task<JsonElement> SelfAsync() =>
        _world.MustAsync(new NewApiCall(HttpMethod.Get, "/api/subscription/self", null, NewApiWorld.TokenOf(_world.User("user"))), "the user's subscriptions");

    private async Task<IReadOnlyList<JsonElement>> ActiveAsync() =>
        [.. ApiReply.Field(await SelfAsync(), "subscriptions").EnumerateArray().Select(s => ApiReply.Field(s, "subscription"))];

    private async Task<long> EndTimeAsync()
    {
        var active = await ActiveAsync();
        Check.Equal(1, active.Count, "active subscriptions in GET /api/subscription/self");
        return ApiReply.Field(active[0], "end_time").GetInt64();
    }

    /// <summary>The sandbox's Stripe API as the merchant calls it, with the published secret key.</summary>
    private async Task<JsonElement> StripeAsync(HttpMethod method, string path, IEnumerable<KeyValuePair<string, string>>? form)
    {
        var secret = await _sandbox.CredentialAsync("stripe", "secret_key");
        var reply = await _sandbox.SendAsync(method, await _sandbox.BaseUrlAsync("stripe") + path, form is null ? null : new FormUrlEncodedContent(form), [new("Authorization", "Bearer " + secret)]);
        Check.That(reply.Status == HttpStatusCode.OK, $"{method} {path} on the sandbox's Stripe answered HTTP {(int)reply.Status}: {reply.Body}");
        return reply.Json;
    }
}
