using System.Net;
using System.Text.RegularExpressions;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>The Stripe sandbox as a merchant backend uses it: Checkout Sessions with the secret key, and signed webhook events.</summary>
[Steps]
public sealed partial class StripeSteps(ScenarioContext context)
{
    /// <summary>Where the merchant's pages live; the sandbox only redirects there, nothing is fetched.</summary>
    public const string MerchantSite = "https://merchant.example";

    private readonly SandboxWorld _world = context.Get<SandboxWorld>();
    private readonly List<string> _sessions = [];
    private readonly List<WireReply> _creations = [];

    [Given("the Stripe sandbox with webhooks sent to the merchant's receiver")]
    [Needs(Need.Sandbox)]
    public Task Sandbox() => UseAsync(_world.Receiver.Url);

    /// <summary>Makes Stripe the scenario's provider, with webhooks to <paramref name="webhookUrl"/> and the default api_version.</summary>
    public async Task UseAsync(string webhookUrl)
    {
        _world.NewPayment = () => CreateSessionAsync("payment");
        await _world.ConfigureAsync("stripe", new Dictionary<string, string?> { ["webhook_url"] = webhookUrl, ["api_version"] = "" });
    }

    [When("the merchant creates a {string} checkout session for {int} of {string}")]
    public Task CreateFor(string mode, int quantity, string price) => CreateSessionAsync(mode, price, quantity);

    [Given("an open {string} checkout session")]
    [Given("an open {string} checkout session created without expires_at")]
    public Task OpenSession(string mode) => CreateSessionAsync(mode);

    [Given("an open {string} checkout session for {string}")]
    public Task OpenSessionFor(string mode, string price) => CreateSessionAsync(mode, price);

    [Given("an open {string} checkout session with success URL {string}")]
    public Task OpenSessionWithSuccessUrl(string mode, string successUrl) => CreateSessionAsync(mode, successUrl: successUrl);

    [Given("an open euro payment-mode checkout session that offers SEPA Direct Debit")]
    public async Task OpenEuroSessionWithDebit()
    {
        var reply = await StripeAsync(HttpMethod.Post, "/v1/checkout/sessions",
        [
            new("mode", "payment"),
            new("line_items[0][price_data][currency]", "eur"),
            new("line_items[0][price_data][unit_amount]", "1500"),
            new("line_items[0][price_data][product_data][name]", "Credits"),
            new("line_items[0][quantity]", "1"),
            new("payment_method_types[0]", "card"),
            new("payment_method_types[1]", "sepa_debit"),
            new("success_url", MerchantSite + "/done"),
            new("client_reference_id", context.Unique("order")),
        ]);
        Check.Equal(HttpStatusCode.OK, reply.Status, $"creating a euro checkout session with sepa_debit ({reply.Body})");
        _sessions.Add(_world.PaymentId = SessionId(reply));
    }

    [When("the buyer pays by SEPA Direct Debit from {string}")]
    public async Task PayByDebit(string iban)
    {
        var page = _world.PayPageUrl(await _world.CurrentPaymentAsync());
        _world.PayPage = await _world.SendAsync(HttpMethod.Post, page, new FormUrlEncodedContent([new("action", "pay-debit"), new("iban", iban)]));
        await _world.RunDueAsync();
    }

    [Given("a checkout session that has been paid")]
    public async Task PaidSession()
    {
        await CreateSessionAsync("payment");
        await _world.ClickAsync("pay");
    }

    [Given("{int} checkout sessions created one after another")]
    public async Task SessionsInTurn(int count)
    {
        for (var i = 0; i < count; i++)
        {
            await CreateSessionAsync("payment");
        }
    }

    [When("the merchant expires the session")]
    public Task Expire() => StripeAsync(HttpMethod.Post, $"/v1/checkout/sessions/{_world.ThePayment}/expire", []);

    [When("the merchant lists sessions with limit {int}")]
    public Task List(int limit) => StripeAsync(HttpMethod.Get, $"/v1/checkout/sessions?limit={limit}");

    [When("the merchant creates a session twice with Idempotency-Key {string} and the same parameters")]
    public async Task CreateTwice(string key)
    {
        var form = await SessionFormAsync("payment");
        _creations.Add(await StripeAsync(HttpMethod.Post, "/v1/checkout/sessions", form, context.Unique(key)));
        _creations.Add(await StripeAsync(HttpMethod.Post, "/v1/checkout/sessions", form, context.Unique(key)));
    }

    [Given("a session created with Idempotency-Key {string}")]
    public async Task CreateWithKey(string key) =>
        _creations.Add(await StripeAsync(HttpMethod.Post, "/v1/checkout/sessions", await SessionFormAsync("payment"), context.Unique(key)));

    [When("the merchant creates a session with Idempotency-Key {string} and a different quantity")]
    public async Task CreateWithKeyOtherQuantity(string key) =>
        _creations.Add(await StripeAsync(HttpMethod.Post, "/v1/checkout/sessions", await SessionFormAsync("payment", quantity: 2), context.Unique(key)));

    /// <summary>The bad requests of the error-envelope outline, written as a merchant would describe them.</summary>
    [When("^the merchant sends \"(.*)\"$")]
    public async Task SendBadRequest(string request)
    {
        var valid = await SessionFormAsync("payment");
        List<KeyValuePair<string, string>> Without(params string[] names) => [.. valid.Where(p => !names.Contains(p.Key))];
        List<KeyValuePair<string, string>> With(string name, string value) => [.. valid.Where(p => p.Key != name), new(name, value)];
        var m = Quoted().Match(request);
        var (method, path, form) = Regex.Replace(request, "\"[^\"]*\"", "\"…\"") switch
        {
            "create without mode" => (HttpMethod.Post, "/v1/checkout/sessions", Without("mode")),
            "create with mode \"…\"" => (HttpMethod.Post, "/v1/checkout/sessions", With("mode", m.Groups[1].Value)),
            "create with an unknown parameter \"…\"" => (HttpMethod.Post, "/v1/checkout/sessions", [.. valid, new(m.Groups[1].Value, "red")]),
            "create in payment mode without line items" => (HttpMethod.Post, "/v1/checkout/sessions", Without("line_items[0][price]", "line_items[0][quantity]")),
            "create with price \"…\"" or "create in payment mode with the recurring price \"…\"" =>
                (HttpMethod.Post, "/v1/checkout/sessions", With("line_items[0][price]", m.Groups[1].Value)),
            "retrieve session \"…\"" => (HttpMethod.Get, "/v1/checkout/sessions/" + m.Groups[1].Value, (List<KeyValuePair<string, string>>?)null),
            _ => throw new FormatException($"Unknown Stripe request \"{request}\"."),
        };
        await StripeAsync(method, path, form);
    }

    [When("a request arrives without an Authorization header")]
    public Task Unauthenticated() => StripeAsync(HttpMethod.Get, "/v1/checkout/sessions", authenticated: false);

    [Given("the webhook endpoint's api_version is {string}")]
    public Task ApiVersion(string version) => _world.ConfigureAsync("stripe", new Dictionary<string, string?> { ["api_version"] = version });

    [When("an event is sent")]
    public async Task EventSent()
    {
        await CreateSessionAsync("payment");
        await _world.ClickAsync("pay");
    }

    /// <summary>Only the named event gets the scripted failures; the others are acknowledged at once.</summary>
    [Given("the receiver answers {string} with {int} twice and then {int}")]
    public void ReceiverFailsTwice(string eventType, int failure, int success)
    {
        _world.Receiver.Script((failure, ""), (failure, ""));
        _world.Receiver.Default = (success, "");
        _world.Receiver.ScriptApplies = r => SandboxWorld.EventType(r) == eventType;
    }

    [Then("the session id starts with {string}")]
    public void IdStartsWith(string prefix) =>
        Check.That(SessionId(_world.Last).StartsWith(prefix, StringComparison.Ordinal), $"the session id {SessionId(_world.Last)} does not start with {prefix}");

    [Then("the session has:")]
    public void SessionHas(StepTable fields)
    {
        foreach (var (field, value) in fields.Pairs)
        {
            Check.Equal(value, ApiReply.Text(ApiReply.Path(_world.Last.Json, field)), field);
        }
    }

    [Then("the session url is the sandbox's hosted pay page")]
    public void UrlIsPayPage() => Check.Equal(_world.PayPageUrl(SessionId(_world.Last)), ApiReply.Text(ApiReply.Field(_world.Last.Json, "url")), "url");

    [Then("every event's Stripe-Signature verifies with the published webhook secret within the SDKs' 300-second tolerance")]
    public async Task EveryEventVerifies()
    {
        var received = await _world.ReceivedAsync();
        Check.That(received.Count > 0, "the receiver got no events");
        foreach (var request in received)
        {
            await VerifyAsync(request.Header("Stripe-Signature"), request.Body, DateTimeOffset.UtcNow);
        }
    }

    [Then("retrieving the session shows status {string}, payment_status {string} and no url")]
    public async Task RetrievedAs(string status, string paymentStatus)
    {
        var session = (await RetrieveAsync()).Json;
        Check.Equal(status, ApiReply.Text(ApiReply.Field(session, "status")), "status");
        Check.Equal(paymentStatus, ApiReply.Text(ApiReply.Field(session, "payment_status")), "payment_status");
        Check.Equal("null", ApiReply.Text(ApiReply.Field(session, "url")), "url");
    }

    [Then("the subscription is {string} and the session names it")]
    public async Task SubscriptionIs(string status)
    {
        var subscriptionId = ApiReply.Text(ApiReply.Field((await RetrieveAsync()).Json, "subscription"));
        Check.That(subscriptionId.StartsWith("sub_", StringComparison.Ordinal), $"the session names subscription \"{subscriptionId}\"");
        var subscription = await StripeAsync(HttpMethod.Get, "/v1/subscriptions/" + subscriptionId);
        Check.Equal(HttpStatusCode.OK, subscription.Status, "retrieving the subscription");
        Check.Equal(status, ApiReply.Text(ApiReply.Field(subscription.Json, "status")), "subscription status");
    }

    [Then("the session status is {string}")]
    public async Task StatusIs(string status) => Check.Equal(status, ApiReply.Text(ApiReply.Field((await RetrieveAsync()).Json, "status")), "session status");

    [Then("the receiver gets a verifiable {string} event")]
    public async Task VerifiableEvent(string type)
    {
        var request = await _world.EventAsync(type);
        await VerifyAsync(request.Header("Stripe-Signature"), request.Body, DateTimeOffset.UtcNow);
    }

    [Then("the answer is {int} with error type {string}")]
    public void ErrorType(int status, string type)
    {
        Check.Equal(status, (int)_world.Last.Status, $"HTTP status (body {_world.Last.Body})");
        Check.Equal(type, ApiReply.Text(ApiReply.Path(_world.Last.Json, "error.type")), "error.type");
    }

    [Then("the answer is {int} with error type {string}, code {string} and param {string}")]
    public void ErrorEnvelope(int status, string type, string code, string param)
    {
        ErrorType(status, type);
        Check.Equal(code, ApiReply.Text(ApiReply.Path(_world.Last.Json, "error.code")), "error.code");
        Check.Equal(param, ApiReply.Text(ApiReply.Path(_world.Last.Json, "error.param")), "error.param");
        Check.That(ApiReply.Text(ApiReply.Path(_world.Last.Json, "error.message")).Length > 0, "error.message is empty");
    }

    [Then("the answer carries a Request-Id header starting with {string}")]
    public void RequestId(string prefix) =>
        Check.That(_world.Last.Header("Request-Id").StartsWith(prefix, StringComparison.Ordinal), $"Request-Id \"{_world.Last.Header("Request-Id")}\" does not start with {prefix}");

    [Then("the session expires 24 hours after it was created")]
    public async Task ExpiresInADay()
    {
        var session = (await RetrieveAsync()).Json;
        var lifetime = ApiReply.Field(session, "expires_at").GetInt64() - ApiReply.Field(session, "created").GetInt64();
        Check.Equal(24L * 3600, lifetime, "expires_at - created (seconds)");
    }

    [Then("the two newest sessions are returned and has_more is true")]
    public void TwoNewest()
    {
        var ids = ApiReply.Field(_world.Last.Json, "data").EnumerateArray().Select(s => ApiReply.Text(ApiReply.Field(s, "id"))).ToList();
        Check.Equal(string.Join(", ", _sessions[^1], _sessions[^2]), string.Join(", ", ids), "sessions listed");
        Check.Equal("true", ApiReply.Text(ApiReply.Field(_world.Last.Json, "has_more")), "has_more");
    }

    [Then("listing with starting_after the second one returns the oldest")]
    public async Task StartingAfter()
    {
        var page = await StripeAsync(HttpMethod.Get, $"/v1/checkout/sessions?limit=1&starting_after={_sessions[^2]}");
        Check.Equal(_sessions[^3], ApiReply.Text(ApiReply.Path(page.Json, "data.0.id")), "the session after the second newest");
    }

    [Then("both answers are identical")]
    public void BothIdentical()
    {
        Check.Equal(HttpStatusCode.OK, _creations[0].Status, $"the first answer's status ({_creations[0].Body})");
        Check.Equal(_creations[0].Body, _creations[1].Body, "the replayed body");
    }

    [Then("the second carries the header {string}")]
    public void SecondCarries(string header)
    {
        var (name, value) = (header.Split(':', 2)[0].Trim(), header.Split(':', 2)[1].Trim());
        Check.Equal(value, _creations[1].Header(name), name);
    }

    [Then("only one session exists")]
    public async Task OnlyOne()
    {
        var reference = ApiReply.Text(ApiReply.Field(_creations[0].Json, "client_reference_id"));
        var list = await StripeAsync(HttpMethod.Get, "/v1/checkout/sessions?client_reference_id=" + Uri.EscapeDataString(reference));
        Check.Equal(1, ApiReply.Field(list.Json, "data").GetArrayLength(), $"sessions with client_reference_id {reference}");
    }

    [Then("its api_version is {string} rather than the default {string}")]
    public async Task EventApiVersion(string version, string defaultVersion)
    {
        Check.That(version != defaultVersion, "the scenario must configure a version other than the default");
        var received = await _world.ReceivedAsync();
        Check.That(received.Count > 0, "the receiver got no events");
        foreach (var request in received)
        {
            Check.Equal(version, ApiReply.Text(ApiReply.Field(SandboxWorld.ParseJson(request.Body), "api_version")), $"api_version of {SandboxWorld.EventType(request)}");
        }
    }

    [Then("the delivery log shows exactly three attempts, at 0 h, 1 h and 3 h, answered 500, 500 and 200")]
    public async Task ThreeAttemptsOverThreeHours()
    {
        var attempts = SandboxWorld.Attempts(await _world.DeliveryAsync("checkout.session.completed"));
        Check.Equal("500, 500, 200", string.Join(", ", attempts.Select(a => ApiReply.Text(ApiReply.Field(a, "response_status")))), "statuses of the attempts");
        var first = SandboxWorld.AttemptTime(attempts[0]);
        var hours = attempts.Select(a => Math.Round((SandboxWorld.AttemptTime(a) - first).TotalHours, 1));
        Check.Equal("0, 1, 3", string.Join(", ", hours), "hours after the first attempt (sandbox clock)");
    }

    [Then("every attempt's Stripe-Signature verifies with a timestamp from the real clock, though the sandbox clock moved 3 hours")]
    public async Task SignedAfresh()
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var attempt in SandboxWorld.Attempts(await _world.DeliveryAsync("checkout.session.completed")))
        {
            await VerifyAsync(ApiReply.Text(ApiReply.Path(attempt, "request_headers.Stripe-Signature")), ApiReply.Text(ApiReply.Field(attempt, "request_body")), now);
        }
    }

    /// <summary>Checks a Stripe-Signature as the SDKs do: HMAC over "t.body" with the published secret (or <paramref name="secret"/>), t within the tolerance of <paramref name="now"/>.</summary>
    public async Task VerifyAsync(string header, string body, DateTimeOffset now, string? secret = null)
    {
        var (timestamp, v1) = ProviderSignatures.ParseStripeHeader(header);
        Check.Equal(ProviderSignatures.StripeV1(secret ?? await _world.CredentialAsync("stripe", "webhook_secret"), timestamp, body), v1, "Stripe-Signature v1 (HMAC-SHA256 of t.body)");
        var skew = TimeSpan.FromSeconds(Math.Abs(now.ToUnixTimeSeconds() - timestamp));
        Check.That(skew <= ProviderSignatures.StripeTolerance, $"Stripe-Signature t={timestamp} is {skew.TotalSeconds:0} s from the real clock (tolerance {ProviderSignatures.StripeTolerance.TotalSeconds:0} s)");
    }

    /// <summary>Creates a Checkout Session (with the published prices unless told otherwise) and makes it the scenario's payment.</summary>
    public async Task<string> CreateSessionAsync(string mode, string? price = null, int quantity = 1, string? successUrl = null, string? cancelUrl = null, string? idempotencyKey = null)
    {
        var form = await SessionFormAsync(mode, price, quantity, successUrl);
        if (cancelUrl is not null)
        {
            form.Add(new("cancel_url", cancelUrl));
        }

        var reply = await StripeAsync(HttpMethod.Post, "/v1/checkout/sessions", form, idempotencyKey);
        Check.Equal(HttpStatusCode.OK, reply.Status, $"creating a {mode} checkout session ({reply.Body})");
        var id = SessionId(reply);
        _sessions.Add(id);
        _world.PaymentId = id;
        return id;
    }

    /// <summary>A call to the Stripe API with the secret key, the merchant's own once registered (unless <paramref name="authenticated"/> is false); it becomes the last answer.</summary>
    public async Task<WireReply> StripeAsync(HttpMethod method, string path, IEnumerable<KeyValuePair<string, string>>? form = null, string? idempotencyKey = null, bool authenticated = true)
    {
        var headers = new List<KeyValuePair<string, string>>();
        if (authenticated)
        {
            headers.Add(new("Authorization", "Bearer " + (_ownKey ?? await _world.CredentialAsync("stripe", "secret_key"))));
        }

        if (idempotencyKey is not null)
        {
            headers.Add(new("Idempotency-Key", idempotencyKey));
        }

        var content = form is null ? null : new FormUrlEncodedContent(form);
        return _world.LastReply = await _world.SendAsync(method, await _world.BaseUrlAsync("stripe") + path, content, headers);
    }

    /// <summary>The form of a valid session: one line item, a success URL, and a reference unique to the scenario.</summary>
    public async Task<List<KeyValuePair<string, string>>> SessionFormAsync(string mode, string? price = null, int quantity = 1, string? successUrl = null) =>
    [
        new("mode", mode),
        new("line_items[0][price]", price ?? await _world.CredentialAsync("stripe", mode == "subscription" ? "recurring_price" : "one_time_price")),
        new("line_items[0][quantity]", quantity.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("success_url", successUrl ?? MerchantSite + "/done"),
        new("client_reference_id", context.Unique("order")),
    ];

    public Task<WireReply> RetrieveAsync() => StripeAsync(HttpMethod.Get, "/v1/checkout/sessions/" + _world.ThePayment);

    private static string SessionId(WireReply reply) => ApiReply.Text(ApiReply.Field(reply.Json, "id"));

    [GeneratedRegex("\"([^\"]*)\"")]
    private static partial Regex Quoted();
}
