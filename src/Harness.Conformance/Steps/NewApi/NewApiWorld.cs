using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.NewApi;

/// <summary>A New-API user a scenario made for itself: id, credentials, and the quota it had when made.</summary>
public sealed class NewApiAccount(string id, string username, string password, string token)
{
    public string Id { get; } = id;

    public string Username { get; } = username;

    public string Password { get; } = password;

    public string Token { get; set; } = token;

    public string? PreviousToken { get; set; }

    /// <summary>The quota the scenario expects before its own redeems: read when the user is made, raised by set-up redeems.</summary>
    public long StartingQuota { get; set; }
}

/// <summary>What a request carries: the <c>Authorization</c> header, <c>New-Api-User</c>, a cookie (each may be absent).</summary>
public sealed record NewApiCredentials(string? Authorization, string? UserHeader, string? Cookie = null);

/// <summary>A code a scenario created, by the label the feature gives it.</summary>
public sealed record NewApiCode(int Id, string Key, long Quota);

/// <summary>
/// A top-up order a scenario placed: its trade number, the money the provider is asked for, the amount bought (quota
/// units for Creem), and where the buyer pays (Epay: the gateway's submit URL with the signed form; Stripe and Creem:
/// the checkout URL).
/// </summary>
public sealed record NewApiTopUpOrder(string TradeNo, string Money, long Amount, string Provider, string? PayUrl = null, IReadOnlyDictionary<string, string>? PayForm = null);

/// <summary>One request as sent, so a step can send it again (with another language).</summary>
public sealed record NewApiCall(HttpMethod Method, string Path, string? Body, NewApiCredentials Credentials);

/// <summary>
/// The state a New-API scenario builds up (its users, codes and answers) and the HTTP calls its steps make to the
/// profile's <c>newApiUrl</c>, with New-API's credentials: <c>Authorization</c> (an access token, <c>Bearer </c>
/// optional) and <c>New-Api-User</c>, or the <c>session</c> cookie of a sign-in.
/// </summary>
public sealed class NewApiWorld(ScenarioContext context)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public ScenarioContext Context { get; } = context;

    public Dictionary<string, NewApiAccount> Users { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, NewApiCode> Codes { get; } = new(StringComparer.Ordinal);

    /// <summary>The top-up orders placed, by the role of the user who placed them.</summary>
    public Dictionary<string, NewApiTopUpOrder> Orders { get; } = new(StringComparer.Ordinal);

    /// <summary>The <c>session</c> cookie of the last successful sign-in (<c>session=…</c>).</summary>
    public string? SessionCookie { get; set; }

    /// <summary>The <c>Set-Cookie</c> headers of the last answer.</summary>
    public IReadOnlyList<string> LastCookies { get; private set; } = [];

    public ApiReply? LastReply { get; private set; }

    public NewApiCall? LastCall { get; private set; }

    /// <summary>The answers of the last requests sent at the same time.</summary>
    public IReadOnlyList<ApiReply> Concurrent { get; set; } = [];

    public ApiReply Last => LastReply ?? throw new AssertionException("no New-API request has been sent yet");

    public string BaseUrl => (Context.Profile.NewApiUrl ?? throw new AssertionException("the profile has no newApiUrl")).TrimEnd('/');

    public string AdminId => Context.Profile.NewApiAdminId ?? throw new AssertionException("the profile has no newApiAdminId");

    public NewApiCredentials Admin => new("Bearer " + (Context.Profile.NewApiAdminToken ?? throw new AssertionException("the profile has no newApiAdminToken")), AdminId);

    /// <summary>A name no other scenario uses, at most 10 characters, starting with a letter (so it is never read as an id).</summary>
    public string Name => "n" + Context.RunId[..9];

    public NewApiAccount User(string role) =>
        Users.GetValueOrDefault(role) ?? throw new AssertionException($"the scenario has no {role} yet");

    public NewApiTopUpOrder Order(string role) =>
        Orders.GetValueOrDefault(role) ?? throw new AssertionException($"the {role} has placed no top-up order in this scenario");

    /// <summary>The order of the trade number in a page of top-up orders (<c>data.items</c>), if listed.</summary>
    public static JsonElement? FindOrder(JsonElement page, string tradeNo)
    {
        foreach (var item in ApiReply.Field(page, "items").EnumerateArray())
        {
            if (ApiReply.Text(ApiReply.Field(item, "trade_no")) == tradeNo)
            {
                return item;
            }
        }

        return null;
    }

    public NewApiCode Code(string label) =>
        Codes.GetValueOrDefault(label) ?? throw new AssertionException($"the scenario has no code \"{label}\"");

    public static NewApiCredentials TokenOf(NewApiAccount user) => new("Bearer " + user.Token, user.Id);

    /// <summary>Sends a request; its answer becomes the last answer steps assert on.</summary>
    public async Task<ApiReply> SendAsync(NewApiCall call, string? language = null)
    {
        LastCall = call;
        var (reply, cookies, _) = await ExchangeAsync(call, language);
        LastReply = reply;
        LastCookies = cookies;
        return reply;
    }

    /// <summary>A call beside the scenario's own (set-up, quota checks): it does not become the last answer.</summary>
    public async Task<ApiReply> AsideAsync(NewApiCall call) => (await ExchangeAsync(call, null)).Reply;

    /// <summary>A set-up call that must succeed (HTTP 200, <c>success: true</c>); its <c>data</c>, if any.</summary>
    public async Task<JsonElement> MustAsync(NewApiCall call, string what)
    {
        var reply = await AsideAsync(call);
        Check.That(IsSuccess(reply), $"{what}: {call.Method} {call.Path} answered HTTP {(int)reply.Status}: {reply.Body}");
        return reply.Json.TryGetProperty("data", out var data) ? data.Clone() : default;
    }

    public static bool IsSuccess(ApiReply reply) =>
        reply.Status == HttpStatusCode.OK && reply.Json.ValueKind == JsonValueKind.Object
        && reply.Json.TryGetProperty("success", out var success) && success.ValueKind == JsonValueKind.True;

    /// <summary>The target's clock, from the <c>Date</c> header of a cheap call (whole seconds, possibly up to one behind).</summary>
    public async Task<long> TargetNowAsync()
    {
        var (_, _, date) = await ExchangeAsync(new NewApiCall(HttpMethod.Get, "/api/user/self", null, Admin), null);
        return (date ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds();
    }

    /// <summary>
    /// A user of the scenario's own: the admin creates it (<c>POST /api/user/</c>), finds its id
    /// (<c>GET /api/user/search</c>); the user signs in and takes an access token (<c>GET /api/user/token</c>).
    /// </summary>
    public async Task<NewApiAccount> NewUserAsync(string role)
    {
        var username = "u" + Guid.NewGuid().ToString("N")[..11];
        var password = "pw-" + Guid.NewGuid().ToString("N")[..12];
        await MustAsync(new NewApiCall(HttpMethod.Post, "/api/user/", JsonSerializer.Serialize(new { username, password, display_name = username }, Json), Admin), "creating a user as the admin");
        var found = await MustAsync(new NewApiCall(HttpMethod.Get, "/api/user/search?keyword=" + username, null, Admin), "finding the new user");
        var id = ApiReply.Field(found, "items").EnumerateArray().FirstOrDefault(u => ApiReply.Field(u, "username").GetString() == username);
        Check.That(id.ValueKind == JsonValueKind.Object, $"the search for {username} did not find the user just created");
        var userId = ApiReply.Text(ApiReply.Field(id, "id"));
        var cookie = await SignInAsync(username, password);
        var token = (await MustAsync(new NewApiCall(HttpMethod.Get, "/api/user/token", null, new NewApiCredentials(null, userId, cookie)), "taking the user's access token")).GetString()
            ?? throw new AssertionException("GET /api/user/token answered no token");
        Context.Masker.Add(token);
        var account = new NewApiAccount(userId, username, password, token);
        account.StartingQuota = await QuotaOfAsync(account);
        Users[role] = account;
        return account;
    }

    /// <summary>Signs in (aside); the session cookie (<c>session=…</c>).</summary>
    public async Task<string> SignInAsync(string username, string password)
    {
        var (reply, cookies, _) = await ExchangeAsync(new NewApiCall(HttpMethod.Post, "/api/user/login", JsonSerializer.Serialize(new { username, password }, Json), new NewApiCredentials(null, null)), null);
        Check.That(IsSuccess(reply), $"signing {username} in answered HTTP {(int)reply.Status}: {reply.Body}");
        return SessionOf(cookies) ?? throw new AssertionException("signing in set no session cookie");
    }

    public static string? SessionOf(IEnumerable<string> setCookies) =>
        setCookies.Select(c => c.Split(';')[0].Trim()).FirstOrDefault(c => c.StartsWith("session=", StringComparison.Ordinal) && c.Length > "session=".Length);

    public async Task<long> QuotaOfAsync(NewApiAccount user) =>
        ApiReply.Field(await MustAsync(new NewApiCall(HttpMethod.Get, "/api/user/self", null, TokenOf(user)), "reading the user's quota"), "quota").GetInt64();

    /// <summary>Creates one code named <c>{Name}-{label}</c> as the admin and finds its id by searching that name.</summary>
    public async Task<NewApiCode> NewCodeAsync(string label, long quota, long expiredTime = 0)
    {
        var name = $"{Name}-{label}";
        var keys = await MustAsync(new NewApiCall(HttpMethod.Post, "/api/redemption/", JsonSerializer.Serialize(new { name, quota, count = 1, expired_time = expiredTime }, Json), Admin), "creating a code as the admin");
        var key = keys[0].GetString()!;
        var found = await MustAsync(new NewApiCall(HttpMethod.Get, "/api/redemption/search?page_size=100&keyword=" + Uri.EscapeDataString(name), null, Admin), "finding the new code");
        var item = ApiReply.Field(found, "items").EnumerateArray().FirstOrDefault(c => ApiReply.Field(c, "key").GetString() == key);
        Check.That(item.ValueKind == JsonValueKind.Object, $"the search for {name} did not find the code just created");
        var code = new NewApiCode(ApiReply.Field(item, "id").GetInt32(), key, ApiReply.Field(item, "quota").GetInt64());
        Codes[label] = code;
        return code;
    }

    public static NewApiCall Call(string request, string? body, NewApiCredentials credentials)
    {
        var parts = request.Split(' ', 2);
        return parts.Length == 2 && parts[1].StartsWith('/')
            ? new NewApiCall(new HttpMethod(parts[0]), parts[1], body, credentials)
            : throw new FormatException($"Write requests as \"METHOD /path\", not \"{request}\".");
    }

    public static string Body(object value) => JsonSerializer.Serialize(value, Json);

    /// <summary>One exchange; a 429 fails the step with advice unless <paramref name="refuseRateLimit"/> is false (the scenario that expects it).</summary>
    public async Task<(ApiReply Reply, IReadOnlyList<string> Cookies, DateTimeOffset? Date)> ExchangeAsync(NewApiCall call, string? language, bool refuseRateLimit = true)
    {
        using var request = new HttpRequestMessage(call.Method, new Uri(BaseUrl + call.Path, UriKind.Absolute));
        if (call.Body is not null)
        {
            request.Content = new StringContent(call.Body, Encoding.UTF8, "application/json");
        }

        if (call.Credentials.Authorization is { } authorization)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        if (call.Credentials.UserHeader is { } user)
        {
            request.Headers.TryAddWithoutValidation("New-Api-User", user);
        }

        if (call.Credentials.Cookie is { } cookie)
        {
            request.Headers.TryAddWithoutValidation("Cookie", cookie);
        }

        if (language is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept-Language", language);
        }

        using var response = await Context.Http.SendAsync(request, Context.CancellationToken);
        if (refuseRateLimit && response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            throw new AssertionException(
                $"{call.Method} {call.Path} answered HTTP 429: the target's critical rate limit (upstream: 20 per 20 minutes per address) or its global "
                + "API limit (360 per 3 minutes) refused it. A conformance run redeems and calls far more often: raise both on the target (upstream and "
                + "the reference backend: CRITICAL_RATE_LIMIT, and GLOBAL_API_RATE_LIMIT_ENABLE=false).");
        }

        var cookies = response.Headers.TryGetValues("Set-Cookie", out var values) ? values.ToList() : [];
        var body = await response.Content.ReadAsStringAsync(Context.CancellationToken);
        return (new ApiReply(response.StatusCode, body), cookies, response.Headers.Date);
    }

    /// <summary>An integer as the feature writes it.</summary>
    public static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
