using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Portaly;

/// <summary>
/// Checkout sessions and their callbacks as the merchant sees them: it creates sessions, records outcomes by the manual
/// completion route, receives the target's callbacks on a local port and verifies every one
/// (<see cref="PortalyWorld.VerifyCallbacks"/>), moves the target's test clock, and trips the rate limit on purpose.
/// </summary>
[Steps]
public sealed partial class PortalyCheckoutSteps(ScenarioContext context)
{
    /// <summary>How long a callback may take to arrive (the reference's scheduler looks once a second).</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <summary>How long the merchant listens for a callback that must not come (or a second one).</summary>
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(2.5);

    private readonly PortalyWorld _world = context.Get<PortalyWorld>();
    private readonly PortalySteps _steps = context.Get<PortalySteps>();

    [Given("the merchant receives callbacks")]
    public void ReceivesCallbacks() => _ = _world.Receiver.Url;

    [Given("the merchant's endpoint answers the next callback with HTTP {int}")]
    public void AnswerNext(int status) => _world.Receiver.Script((status, ""));

    [When("the merchant creates checkout session {string} for plan {string}")]
    public Task Create(string label, string plan) => CreateAs(_world.TestKey, "test", label, plan, null);

    [When("the merchant creates checkout session {string} for plan {string} with:")]
    public Task CreateWith(string label, string plan, string body) => CreateAs(_world.TestKey, "test", label, plan, body);

    [When("the merchant's live key creates checkout session {string} for plan {string}")]
    public Task CreateLive(string label, string plan) => CreateAs(_world.LiveKey, "live", label, plan, null);

    [When("the merchant's live key creates checkout session {string} for plan {string} with:")]
    public Task CreateLiveWith(string label, string plan, string body) => CreateAs(_world.LiveKey, "live", label, plan, body);

    /// <summary>
    /// <c>POST /checkout-sessions</c> for the plan, with the docstring's fields (and the receiver's URL as
    /// <c>callbackUrl</c> once the merchant receives callbacks); a 2xx answer is kept under the label.
    /// </summary>
    private async Task CreateAs(PortalyCaller caller, string mode, string label, string plan, string? extra)
    {
        var body = extra is null ? [] : JsonNode.Parse(_steps.Substitute(extra))!.AsObject();
        body["planId"] ??= _world.Plans.TryGetValue(plan, out var id) ? id : plan;
        if (_world.Receiving)
        {
            body["callbackUrl"] ??= _world.Receiver.Url;
        }

        var reply = await _world.SendAsync(HttpMethod.Post, "/checkout-sessions", body.ToJsonString(), caller);
        if ((int)reply.Status is >= 200 and < 300)
        {
            var data = reply.Data;
            _world.Sessions[label] = new PortalySession(
                ApiReply.Field(data, "sessionId").GetString()!, ApiReply.Field(data, "checkoutToken").GetString()!, mode, ApiReply.Field(data, "amount").GetInt64());
            context.Masker.Add(_world.Sessions[label].Token);
        }
    }

    [When("the merchant completes checkout session {string}")]
    public Task Complete(string label) => Record(label, "completed");

    [When("the merchant completes checkout session {string} again")]
    public Task CompleteAgain(string label) => Record(label, "completed");

    [When("the merchant records checkout session {string} as {word}")]
    public Task RecordAs(string label, string status) => Record(label, status);

    /// <summary><c>POST /checkout-sessions/{id}/complete</c> with the session's token and the scenario's buyer email, by the key that created it.</summary>
    private Task<ApiReply> Record(string label, string status)
    {
        var session = _world.Session(label);
        var body = PortalyWorld.Json(new { checkoutToken = session.Token, status, customerEmail = _world.Email(), customerName = "Buyer " + context.RunId });
        return _world.SendAsync(HttpMethod.Post, $"/checkout-sessions/{session.Id}/complete", body, _world.KeyOf(session));
    }

    [When("the merchant asks for the callback of checkout session {string} again")]
    public async Task Resend(string label)
    {
        var session = _world.Session(label);
        _world.Resends[session.Id] = _world.Resends.GetValueOrDefault(session.Id) + 1;
        await _world.SendAsync(HttpMethod.Post, $"/checkout-sessions/{session.Id}/retry-callback", "{}", _world.KeyOf(session));
    }

    [When("the merchant reads checkout session {string}")]
    public Task Read(string label) => _world.SendAsync(HttpMethod.Get, "/checkout-sessions/" + _world.Session(label).Id, null, _world.KeyOf(_world.Session(label)));

    /// <summary>Finds the order the session paid in the key's list (<c>creatorSubscriptionId</c>) and keeps its id as <c>{{order:L}}</c>.</summary>
    [When("the merchant looks up the order of checkout session {string}")]
    public async Task LookUpOrder(string label)
    {
        var session = _world.Session(label);
        var orders = await _world.OrdersOfAsync(session);
        Check.That(orders.Count > 0, $"no order of {label} ({session.Id}) in the list");
        _world.Orders[label] = PortalyWorld.Text(orders[0], "id")!;
    }

    [Then("checkout session {string} reads as {string}")]
    public async Task ReadsAs(string label, string status)
    {
        await Read(label);
        Check.Equal(HttpStatusCode.OK, _world.Last.Status, $"GET checkout session (body {_world.Last.Body})");
        Check.Equal(status, ApiReply.Path(_world.Last.Json, "data.status").GetString(), "the session's status");
    }

    /// <summary>
    /// Waits for that many callbacks of the event about the session (every attempt counts), listens a moment longer for
    /// extra ones, and verifies every callback received so far.
    /// </summary>
    [Then(@"^the merchant receives (\d+) verified ""([\w.]+)"" callbacks? about checkout session ""([^""]+)""$")]
    public async Task Receives(int count, string eventName, string label)
    {
        var id = _world.Session(label).Id;
        var full = PortalyEvents.Prefix + eventName;
        bool Matching((Providers.ReceivedRequest Request, JsonElement Body) c) => PortalyWorld.Text(c.Body, "event") == full && About(c.Body, id);
        await _world.WaitForCallbacksAsync(r => r.Count(Matching) >= count, Patience);
        var received = await _world.WaitForCallbacksAsync(r => r.Count(Matching) > count, Quiet);
        _world.VerifyCallbacks();
        Check.Equal(count, received.Count(Matching), $"{full} callbacks about {label} received (all: {string.Join(", ", received.Select(c => PortalyWorld.Text(c.Body, "event")))})");
    }

    [Then("the merchant receives no callback about checkout session {string}")]
    public async Task ReceivesNone(string label)
    {
        var id = _world.Session(label).Id;
        var received = await _world.WaitForCallbacksAsync(r => r.Any(c => About(c.Body, id)), Quiet);
        _world.VerifyCallbacks();
        Check.That(!received.Any(c => About(c.Body, id)), $"no callback about {label}, but got: {string.Join(", ", received.Select(c => PortalyWorld.Text(c.Body, "event")))}");
    }

    /// <summary>The fields of the last callback of the event about the session (paths from the body's root).</summary>
    [Then("the last {string} callback about checkout session {string} has:")]
    public void LastHas(string eventName, string label, StepTable expected)
    {
        var id = _world.Session(label).Id;
        var last = _world.Callbacks().LastOrDefault(c => PortalyWorld.Text(c.Body, "event") == PortalyEvents.Prefix + eventName && About(c.Body, id));
        Check.That(last.Request is not null, $"no {eventName} callback about {label} was received");
        _steps.Has(last.Body, expected, $"the {eventName} callback");
    }

    /// <summary>Each delivery of the event carries the same payload, each freshly stamped and signed (and verified).</summary>
    [Then("every {string} callback about checkout session {string} carries the same payload, each with its own timestamp")]
    public void SamePayload(string eventName, string label)
    {
        var id = _world.Session(label).Id;
        var all = _world.Callbacks().Where(c => PortalyWorld.Text(c.Body, "event") == PortalyEvents.Prefix + eventName && About(c.Body, id)).ToList();
        Check.That(all.Count > 1, $"only {all.Count} {eventName} callback(s) about {label}");
        var stable = all.Select(c => PortalySignatureV1.StableJson(c.Body)).Distinct(StringComparer.Ordinal).ToList();
        Check.That(stable.Count == 1, $"the deliveries carry different payloads: {string.Join(" | ", stable)}");
        var stamps = all.Select(c => c.Request.Header(PortalySignatureV1.TimestampHeader)).ToList();
        Check.That(stamps.Distinct(StringComparer.Ordinal).Count() == stamps.Count || all.Count == 1, $"deliveries reuse a timestamp: {string.Join(", ", stamps)}");
    }

    [When(@"^(\d+) (seconds?|minutes?|hours?|days?) pass(?:es)? on the Portaly clock$")]
    [Needs(Need.PortalyClock)]
    public async Task Pass(int amount, string unit)
    {
        var by = unit[0] switch
        {
            'm' => TimeSpan.FromMinutes(amount),
            'h' => TimeSpan.FromHours(amount),
            'd' => TimeSpan.FromDays(amount),
            _ => TimeSpan.FromSeconds(amount),
        };
        await _world.AdvanceClockAsync(by);
    }

    /// <summary>Moves the target's clock a minute past the session's <c>expiresAt</c>, measured from its <c>createdAt</c>.</summary>
    [When("the Portaly clock passes the expiry of checkout session {string}")]
    [Needs(Need.PortalyClock)]
    public Task PassExpiry(string label) => _world.PassAsync(label, "/checkout-sessions/", "createdAt", "expiresAt");

    /// <summary>Writes (<c>PUT /config</c>) with the merchant's key, unpaced, until it has sent the limit's 20 in this minute; each is admitted.</summary>
    [When("the merchant uses up its writes of the minute")]
    public async Task UseUpWrites()
    {
        _world.Unpaced = true;
        var key = _world.TheMerchant.TestKey;
        while (_world.WritesUsed(key) < PortalyRateBudget.Writes)
        {
            _world.CountWrite(key);
            var reply = await _world.SendAsync(HttpMethod.Put, "/config", PortalyWorld.Json(new { merchantName = "Shop " + context.RunId }), _world.TestKey);
            Check.Equal(HttpStatusCode.OK, reply.Status, $"write {_world.WritesUsed(key)} of the minute (body {reply.Body})");
            Check.Equal(PortalyWorld.Number(PortalyRateBudget.Writes), _world.LastHeaders?["X-RateLimit-Limit"], "X-RateLimit-Limit");
        }
    }

    [Then("the merchant's next write is refused with HTTP 429 and Retry-After")]
    public async Task NextWriteRefused()
    {
        _world.CountWrite(_world.TheMerchant.TestKey);
        var reply = await _world.SendAsync(HttpMethod.Put, "/config", PortalyWorld.Json(new { merchantName = "Shop" }), _world.TestKey);
        Check.Equal(HttpStatusCode.TooManyRequests, reply.Status, $"HTTP status (body {reply.Body})");
        var retryAfter = _world.LastHeaders?["Retry-After"];
        Check.That(int.TryParse(retryAfter, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds is >= 1 and <= 60, $"Retry-After is whole seconds within the minute: '{retryAfter}'");
        var text = ApiReply.Field(reply.Json, "error").GetString() ?? "";
        var words = LimitText().Match(text);
        Check.That(words.Success, $"the body says \"Rate limit exceeded. Try again in N seconds.\": {reply.Body}");
        Check.Equal(retryAfter, words.Groups[1].Value, "the seconds in the text and in Retry-After");
    }

    private static bool About(JsonElement body, string id) => PortalyWorld.Text(body, "sessionId") == id || PortalyWorld.Text(body, "subscriptionId") == id;

    [GeneratedRegex(@"^Rate limit exceeded\. Try again in (\d+) seconds\.$")]
    private static partial Regex LimitText();
}
