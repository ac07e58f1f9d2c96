using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Harness.Conformance.Running;
using Harness.Conformance.Targets;
using Harness.Conformance.Steps.Providers;

namespace Harness.Conformance.Steps.Portaly;

/// <summary>A Portaly merchant (profile) as the runner holds it: its test key, maybe its live key, and the callback secrets it knows.</summary>
public sealed record PortalyMerchant(string ProfileId, string TestKey, string? TestSecret, string? LiveKey = null, string? LiveSecret = null);

/// <summary>A checkout session a scenario created: its id, token, the mode of the key that created it, and its amount.</summary>
public sealed record PortalySession(string Id, string Token, string Mode, long Amount);

/// <summary>Who sends a request: the <c>Authorization</c> header (or none) and the key it is counted against.</summary>
public sealed record PortalyCaller(string? Authorization, string? Key)
{
    public static PortalyCaller Bearer(string key) => new("Bearer " + key, key);
}

/// <summary>
/// The state of a Portaly scenario — its merchants, plans, codes, checkout sessions, the receiver of the target's
/// callbacks — and the HTTP calls to the profile's <c>portalyUrl</c>. Every request with a key keeps within Portaly's
/// per-key limits (<see cref="PortalyRateBudget"/>) unless the scenario is tripping them on purpose.
/// </summary>
public sealed class PortalyWorld(ScenarioContext context) : IDisposable
{
    public const string BasePath = "/api/creator-subscription";

    /// <summary>
    /// Merchants made through the operator route, reused while their keys have writes to spare: per target instance,
    /// not per URL, since a target started after another one stopped may listen on the same loopback port without
    /// knowing the earlier one's keys.
    /// </summary>
    private static readonly ConditionalWeakTable<IConformanceTarget, List<PortalyMerchant>> Pool = [];

    /// <summary>
    /// A name per target instance for its rate budgets, for the same reason: the demo keys and the operator token are
    /// the same in every in-process app, and a new app's limits start afresh however much an earlier one at its
    /// address had used.
    /// </summary>
    private static readonly ConditionalWeakTable<IConformanceTarget, string> BudgetNames = [];

    private MerchantReceiver? _receiver;
    private int _made;

    public ScenarioContext Context { get; } = context;

    public PortalyMerchant? Merchant { get; set; }

    public PortalyMerchant? OtherMerchant { get; set; }

    /// <summary>A live key of the merchant's profile with the <c>integration</c> scope, when the scenario made one.</summary>
    public string? IntegrationKey { get; set; }

    public Dictionary<string, string> Plans { get; } = new(StringComparer.Ordinal);

    /// <summary>Discount codes by label: id and code string.</summary>
    public Dictionary<string, (string Id, string Code)> Codes { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, PortalySession> Sessions { get; } = new(StringComparer.Ordinal);

    /// <summary>Order ids by the label of the checkout session that paid them.</summary>
    public Dictionary<string, string> Orders { get; } = new(StringComparer.Ordinal);

    /// <summary>Callbacks the merchant asked to be sent again, per session id (each allows one more delivery).</summary>
    public Dictionary<string, int> Resends { get; } = new(StringComparer.Ordinal);

    /// <summary>True while a scenario trips the rate limit on purpose: requests are neither paced nor retried.</summary>
    public bool Unpaced { get; set; }

    public ApiReply? LastReply { get; private set; }

    public HttpResponseHeadersView? LastHeaders { get; private set; }

    public ApiReply Last => LastReply ?? throw new AssertionException("no Portaly request has been sent yet");

    public string Url => (Context.Profile.PortalyUrl ?? throw new AssertionException("the profile has no portalyUrl")).TrimEnd('/');

    public PortalyMerchant TheMerchant => Merchant ?? throw new AssertionException("the scenario has no Portaly merchant yet");

    public MerchantReceiver Receiver => _receiver ??= MerchantReceiver.Start();

    /// <summary>Whether the merchant listens for callbacks (its sessions then name the receiver as <c>callbackUrl</c>).</summary>
    public bool Receiving => _receiver is not null;

    /// <summary>An email no other scenario uses.</summary>
    public string Email(string who = "buyer") => $"{who}-{Context.RunId}@example.com";

    public PortalyCaller TestKey => PortalyCaller.Bearer(TheMerchant.TestKey);

    public PortalyCaller LiveKey => PortalyCaller.Bearer(TheMerchant.LiveKey ?? throw new AssertionException("the merchant has no live key"));

    /// <summary>The key that created the session: requests about it go with that key.</summary>
    public PortalyCaller KeyOf(PortalySession session) => session.Mode == "live" ? LiveKey : TestKey;

    /// <summary>The orders of the session's subscription in its key's list (<c>GET /orders?limit=100</c>, newest first).</summary>
    public async Task<IReadOnlyList<JsonElement>> OrdersOfAsync(PortalySession session)
    {
        var reply = await SendAsync(HttpMethod.Get, "/orders?limit=100", null, KeyOf(session));
        Check.Equal(HttpStatusCode.OK, reply.Status, $"GET /orders (body {reply.Body})");
        return [.. reply.Data.EnumerateArray().Where(o => Text(o, "creatorSubscriptionId") == session.Id).Select(o => o.Clone())];
    }

    public string PlanId(string label) => Plans.GetValueOrDefault(label) ?? throw new AssertionException($"the scenario has no plan \"{label}\"");

    public PortalySession Session(string label) => Sessions.GetValueOrDefault(label) ?? throw new AssertionException($"the scenario has no checkout session \"{label}\"");

    /// <summary>The profile's own merchant: its keys and callback secrets are known, so its callbacks can be verified.</summary>
    public PortalyMerchant ProfileMerchant() => new(
        "",
        Context.Profile.PortalyTestKey!,
        Context.Profile.PortalyCallbackSecret,
        string.IsNullOrEmpty(Context.Profile.PortalyLiveKey) ? null : Context.Profile.PortalyLiveKey,
        Context.Profile.PortalyLiveCallbackSecret);

    /// <summary>
    /// A merchant of the run: one made earlier whose test key has writes to spare, else a new one (with the operator
    /// token); null without the operator token. <paramref name="besides"/> is a merchant it must not be (for "another merchant");
    /// with <paramref name="live"/>, one with a live key too.
    /// </summary>
    public async Task<PortalyMerchant?> PooledMerchantAsync(PortalyMerchant? besides = null, bool live = false)
    {
        if (string.IsNullOrEmpty(Context.Profile.PortalyAdminToken))
        {
            return null;
        }

        var pool = Pool.GetOrCreateValue(Context.Target);
        PortalyMerchant? found;
        lock (pool)
        {
            found = pool.FirstOrDefault(m => m.ProfileId != besides?.ProfileId && PortalyRateBudget.Used(Bucket(m.TestKey, write: true)) <= PortalyRateBudget.Writes / 2);
        }

        var merchant = found ?? await NewMerchantAsync("pool");
        if (live && merchant.LiveKey is null)
        {
            var (liveKey, liveSecret) = await NewKeyAsync(merchant.ProfileId, "live");
            merchant = merchant with { LiveKey = liveKey, LiveSecret = liveSecret };
        }

        lock (pool)
        {
            pool.RemoveAll(m => m.ProfileId == merchant.ProfileId);
            pool.Add(merchant);
        }

        return merchant;
    }

    /// <summary>A merchant of the scenario's own: a new profile with a test key made through the operator route.</summary>
    public async Task<PortalyMerchant> NewMerchantAsync(string label)
    {
        // Numbered: a scenario may make two (its own and "another"), and each must be a profile of its own.
        var profileId = $"conf-{Context.RunId}-{label}{++_made}";
        var (key, callbackSecret) = await NewKeyAsync(profileId, "test");
        return new(profileId, key, callbackSecret);
    }

    /// <summary>
    /// A new key for the profile (<c>POST /api-keys</c> with the operator token): its secret, and its callback secret
    /// when the answer shows it in clear (<c>data.callbackSecret</c>, the reference's; null otherwise).
    /// </summary>
    public async Task<(string Key, string? CallbackSecret)> NewKeyAsync(string profileId, string mode, string scope = "full")
    {
        var reply = await SendAsync(HttpMethod.Post, "/api-keys", Json(new { profileId, mode, scope }), Operator, aside: true);
        Check.That(reply.Status == HttpStatusCode.Created, $"creating a {mode} key for {profileId}: HTTP {(int)reply.Status}: {reply.Body}");
        var secret = ApiReply.Path(reply.Json, "data.secret").GetString()!;
        Context.Masker.Add(secret);
        var callbackSecret = reply.Json.TryGetProperty("data", out var data) && data.TryGetProperty("callbackSecret", out var clear) && clear.ValueKind == JsonValueKind.String
            ? clear.GetString()
            : null;
        if (callbackSecret is not null)
        {
            Context.Masker.Add(callbackSecret);
        }

        return (secret, callbackSecret);
    }

    public PortalyCaller Operator => new("Bearer " + (Context.Profile.PortalyAdminToken ?? throw new AssertionException("the profile has no portalyAdminToken")), null);

    /// <summary>
    /// Sends a request to <c>{portalyUrl}/api/creator-subscription{path}</c> (or to <c>{portalyUrl}{path}</c> when the
    /// path does not start with the base path's routes, e.g. <c>/files/…</c>); unless <paramref name="aside"/>, its
    /// answer becomes the last one steps assert on.
    /// </summary>
    public async Task<ApiReply> SendAsync(HttpMethod method, string path, string? body, PortalyCaller caller, bool aside = false)
    {
        // Paths of the API's own base are written without it; the files and the email routes are outside it.
        var outside = path.StartsWith("/files/", StringComparison.Ordinal) || path.StartsWith("/api/", StringComparison.Ordinal);
        var url = new Uri((outside ? Url : Url + BasePath) + path, UriKind.Absolute);
        for (var attempt = 1; ; attempt++)
        {
            if (!Unpaced)
            {
                await PaceAsync(method, path, caller);
            }

            using var request = new HttpRequestMessage(method, url);
            if (body is not null)
            {
                request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            }

            if (caller.Authorization is { } authorization)
            {
                request.Headers.TryAddWithoutValidation("Authorization", authorization);
            }

            using var response = await Context.Http.SendAsync(request, Context.CancellationToken);
            var reply = new ApiReply(response.StatusCode, await response.Content.ReadAsStringAsync(Context.CancellationToken));
            if (response.StatusCode == HttpStatusCode.TooManyRequests && !Unpaced && attempt < 3)
            {
                // Someone else used the key this minute (another run, an operator): wait as the answer says.
                await Task.Delay(TimeSpan.FromSeconds((response.Headers.RetryAfter?.Delta?.TotalSeconds ?? 60) + 1), Context.CancellationToken);
                continue;
            }

            if (!aside)
            {
                LastReply = reply;
                LastHeaders = new HttpResponseHeadersView(response);
            }

            return reply;
        }
    }

    /// <summary>Moves the target's Portaly clock (<c>portalyTestClockUrl</c>) forward.</summary>
    public async Task AdvanceClockAsync(TimeSpan by)
    {
        using var client = new HttpClient(Context.Target.Handler, disposeHandler: false);
        await MovableClock.AdvanceByUrlAsync(client, new Uri(Context.Profile.PortalyTestClockUrl!), by, Context.CancellationToken);
    }

    /// <summary>
    /// Moves the Portaly clock a minute past the <paramref name="to"/> time of the session's resource under
    /// <paramref name="route"/> (its session, its subscription), measured from its <paramref name="from"/> time: the
    /// target's own clock is not readable, and <paramref name="from"/> is its now, or nearly.
    /// </summary>
    public async Task PassAsync(string label, string route, string from, string to)
    {
        var session = Session(label);
        var data = await MustAsync(HttpMethod.Get, route + session.Id, null, KeyOf(session), $"reading {to} of {route}{session.Id}");
        await AdvanceClockAsync(ApiReply.Field(data, to).GetDateTimeOffset() - ApiReply.Field(data, from).GetDateTimeOffset() + TimeSpan.FromMinutes(1));
    }

    /// <summary>A set-up call that must succeed (2xx); its <c>data</c>.</summary>
    public async Task<JsonElement> MustAsync(HttpMethod method, string path, object? body, PortalyCaller caller, string what)
    {
        var reply = await SendAsync(method, path, body is null ? null : Json(body), caller, aside: true);
        Check.That((int)reply.Status is >= 200 and < 300, $"{what}: {method} {path} answered HTTP {(int)reply.Status}: {reply.Body}");
        return reply.Data.Clone();
    }

    private string BudgetName => BudgetNames.GetValue(Context.Target, _ => Guid.NewGuid().ToString("N"));

    private string Bucket(string key, bool write) => $"{BudgetName}|{key}|{(write ? "write" : "read")}";

    /// <summary>Checkout creation and the hosted pages are not limited; every other request of a key is a read (GET) or a write.</summary>
    private Task PaceAsync(HttpMethod method, string path, PortalyCaller caller)
    {
        if (path == "/api-keys" && caller.Key is null && caller.Authorization is { } admin)
        {
            return PortalyRateBudget.TakeAsync($"{BudgetName}|{admin}|keys", PortalyRateBudget.KeyCreations, Context.CancellationToken);
        }

        if (caller.Key is not { } key || (method == HttpMethod.Post && path == "/checkout-sessions"))
        {
            return Task.CompletedTask;
        }

        var write = method != HttpMethod.Get;
        return PortalyRateBudget.TakeAsync(Bucket(key, write), write ? PortalyRateBudget.Writes : PortalyRateBudget.Reads, Context.CancellationToken);
    }

    /// <summary>Counts a write sent unpaced, so later scenarios on the key still keep within its limit.</summary>
    public void CountWrite(string key) => PortalyRateBudget.Count(Bucket(key, write: true));

    public int WritesUsed(string key) => PortalyRateBudget.Used(Bucket(key, write: true));

    public static string Json(object value) => JsonSerializer.Serialize(value, JsonOptions);

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    /// <summary>The callbacks received so far, with their parsed bodies.</summary>
    public IReadOnlyList<(ReceivedRequest Request, JsonElement Body)> Callbacks() =>
        [.. (_receiver?.Received ?? []).Select(r => (r, ParseBody(r.Body)))];

    private static JsonElement ParseBody(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new AssertionException($"a callback's body is not JSON: {body}");
        }
    }

    /// <summary>Waits (up to <paramref name="patience"/>) until the callbacks received satisfy <paramref name="enough"/>.</summary>
    public async Task<IReadOnlyList<(ReceivedRequest Request, JsonElement Body)>> WaitForCallbacksAsync(
        Func<IReadOnlyList<(ReceivedRequest Request, JsonElement Body)>, bool> enough, TimeSpan patience)
    {
        var until = DateTimeOffset.UtcNow + patience;
        while (true)
        {
            var received = Callbacks();
            if (enough(received) || DateTimeOffset.UtcNow >= until)
            {
                return received;
            }

            await Task.Delay(100, Context.CancellationToken);
        }
    }

    /// <summary>
    /// Every callback received must verify as a merchant verifies it: the three headers, a fresh ISO timestamp with
    /// milliseconds, the signature with the callback secret of the key that created the session, the header's event
    /// equal to the body's, <c>mode</c> the key's; and the at-most-once rules: one acknowledged <c>checkout.completed</c>
    /// per session (plus one per resend asked), one acknowledged <c>canceled</c> per subscription.
    /// </summary>
    public void VerifyCallbacks()
    {
        var received = Callbacks();
        foreach (var (request, body) in received)
        {
            var subject = Text(body, "sessionId") ?? Text(body, "subscriptionId");
            var session = Sessions.Values.FirstOrDefault(s => s.Id == subject)
                ?? throw new AssertionException($"a callback about \"{subject}\", which the scenario never created: {request.Body}");
            var secret = (session.Mode == "live" ? TheMerchant.LiveSecret : TheMerchant.TestSecret)
                ?? throw new AssertionException($"the runner does not know the callback secret of the merchant's {session.Mode} key (use the profile's merchant, or a target whose key creation answers data.callbackSecret)");
            var problem = PortalySignatureV1.Problem(secret, request.Header(PortalySignatureV1.EventHeader), request.Header(PortalySignatureV1.TimestampHeader),
                request.Header(PortalySignatureV1.SignatureHeader), request.Body, request.ReceivedAt);
            Check.That(problem is null, $"a {Text(body, "event")} callback does not verify: {problem}");
            Check.Equal(session.Mode, Text(body, "mode") ?? "(none)", $"the \"mode\" of a {Text(body, "event")} callback about a session of the {session.Mode} key");
        }

        foreach (var group in received.Where(c => Acknowledged(c.Request) && Text(c.Body, "event") == PortalyEvents.CheckoutCompleted).GroupBy(c => Text(c.Body, "sessionId") ?? ""))
        {
            var allowed = 1 + Resends.GetValueOrDefault(group.Key);
            Check.That(group.Count() <= allowed, $"{PortalyEvents.CheckoutCompleted} for {group.Key} was delivered and acknowledged {group.Count()} times ({allowed} allowed)");
        }

        foreach (var group in received.Where(c => Acknowledged(c.Request) && Text(c.Body, "event") == PortalyEvents.Canceled).GroupBy(c => Text(c.Body, "subscriptionId") ?? ""))
        {
            Check.That(group.Count() <= 1, $"{PortalyEvents.Canceled} for {group.Key} was delivered and acknowledged {group.Count()} times: it is sent at most once");
        }
    }

    private static bool Acknowledged(ReceivedRequest request) => request.AnsweredStatus is >= 200 and < 300;

    public static string? Text(JsonElement body, string field) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    public void Dispose() => _receiver?.Dispose();
}

/// <summary>The headers of an answer kept past its disposal (rate-limit headers).</summary>
public sealed class HttpResponseHeadersView(HttpResponseMessage response)
{
    private readonly Dictionary<string, string> _headers = response.Headers.Concat(response.Content.Headers)
        .GroupBy(h => h.Key, StringComparer.OrdinalIgnoreCase)
        .ToDictionary(g => g.Key, g => string.Join(",", g.SelectMany(h => h.Value)), StringComparer.OrdinalIgnoreCase);

    public string? this[string name] => _headers.GetValueOrDefault(name);
}

/// <summary>The callback events of the contract the steps name.</summary>
public static class PortalyEvents
{
    public const string Prefix = "creator_subscription.";
    public const string CheckoutCompleted = Prefix + "checkout.completed";
    public const string Canceled = Prefix + "canceled";
}
