using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Finance;

/// <summary>Who sends a request in a Finance scenario.</summary>
public enum Actor
{
    /// <summary>The scenario's user, with its JWT.</summary>
    User,

    /// <summary>A second user of the scenario.</summary>
    OtherUser,

    /// <summary>The scenario's user, sending its JWT as the <c>token</c> cookie instead of a header.</summary>
    UserByCookie,

    /// <summary>The agent engine: the OpenAPI routes with the API key, billing <see cref="FinanceWorld.BilledUser"/>.</summary>
    AgentEngine,

    /// <summary>The agent engine sending its key as <c>Authorization: Bearer</c> instead of <c>X-API-Key</c>.</summary>
    AgentEngineByBearer,

    /// <summary>No credentials at all.</summary>
    Anonymous,

    /// <summary>The user's token from before it signed in again (single-device sessions).</summary>
    PreviousSession,

    /// <summary>A bearer token the target never issued.</summary>
    ForgedToken,

    /// <summary>An API key the target never issued.</summary>
    UnknownApiKey,

    /// <summary>The profile's administrator, with the admin JWT.</summary>
    Admin,
}

/// <summary>A signed-in user of a scenario and the balance it had when the scenario took it.</summary>
public sealed record FinanceUser(string UserId, string Token, long StartingBalance);

/// <summary>
/// The state a Finance scenario builds up (its users, its API key, the answers it received) and the HTTP
/// calls every Finance step makes, with the surface's auth for each actor.
/// </summary>
public sealed class FinanceWorld(ScenarioContext context)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The documented wait between two codes to one phone, plus a second of margin.</summary>
    private static readonly TimeSpan SmsResendInterval = TimeSpan.FromSeconds(61);

    private readonly Dictionary<string, string> _phones = new(StringComparer.Ordinal);
    private int _credits;

    public ScenarioContext Context { get; } = context;

    public FinanceUser? User { get; set; }

    public FinanceUser? OtherUser { get; set; }

    public string? PreviousToken { get; set; }

    public string? ApiKey { get; set; }

    /// <summary>The id of <see cref="ApiKey"/> when the scenario created it (for revocation).</summary>
    public string? ApiKeyId { get; set; }

    /// <summary>The user the agent engine bills: the scenario's user unless a step says otherwise.</summary>
    public string? BilledUserId { get; set; }

    /// <summary>Every consume answer in order (successful or not), so steps can compare the first and the last.</summary>
    public List<ApiReply> Consumptions { get; } = [];

    /// <summary>The answers of the last batch of concurrent requests.</summary>
    public IReadOnlyList<ApiReply> Concurrent { get; set; } = [];

    public ApiReply? LastReply { get; set; }

    /// <summary>The phone a scenario signs in with by hand, and the code the SMS sandbox holds for it.</summary>
    public string? SmsPhone { get; set; }

    public string? SmsCode { get; set; }

    public ApiReply Last => LastReply ?? throw new AssertionException("no request has been sent yet");

    public FinanceUser TheUser => User ?? throw new AssertionException("the scenario has no user yet");

    public string BilledUser => BilledUserId ?? TheUser.UserId;

    /// <summary>The scenario's own idempotency key for a label used in the feature.</summary>
    public string Key(string label) => Context.Unique(label);

    public FinanceUser UserOf(Actor actor) => actor switch
    {
        Actor.OtherUser => OtherUser ?? throw new AssertionException("the scenario has no other user"),
        Actor.AgentEngine or Actor.AgentEngineByBearer => throw new AssertionException("the agent engine is not a signed-in user"),
        _ => TheUser,
    };

    public Task<ApiReply> SendAsync(Actor actor, HttpMethod method, string path, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = content };
        switch (actor)
        {
            case Actor.User or Actor.OtherUser:
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", UserOf(actor).Token);
                break;
            case Actor.UserByCookie:
                request.Headers.Add("Cookie", "token=" + TheUser.Token);
                break;
            case Actor.PreviousSession:
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", PreviousToken ?? throw new AssertionException("the user has not signed in again"));
                break;
            case Actor.ForgedToken:
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ForgedToken);
                break;
            case Actor.AgentEngine:
                request.Headers.Add("X-API-Key", ApiKey ?? throw new AssertionException("the agent engine has no API key yet"));
                break;
            case Actor.AgentEngineByBearer:
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey ?? throw new AssertionException("the agent engine has no API key yet"));
                break;
            case Actor.UnknownApiKey:
                request.Headers.Add("X-API-Key", "hk_unknown_" + Context.RunId);
                break;
            case Actor.Admin:
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Context.Profile.AdminJwt ?? throw new AssertionException("the profile has no admin JWT"));
                break;
        }

        return SendMessageAsync(request);
    }

    /// <summary>Sends a request the step built itself (and disposes it); its answer becomes the last answer.</summary>
    public async Task<ApiReply> SendMessageAsync(HttpRequestMessage request)
    {
        using var disposing = request;
        using var response = await Context.Http.SendAsync(request, Context.CancellationToken);
        var reply = new ApiReply(response.StatusCode, await response.Content.ReadAsStringAsync(Context.CancellationToken));
        LastReply = reply;
        return reply;
    }

    public Task<ApiReply> PostAsync(Actor actor, string path, object body) =>
        SendAsync(actor, HttpMethod.Post, path, JsonContent.Create(body, options: Json));

    public Task<ApiReply> SendRawAsync(Actor actor, HttpMethod method, string path, string body, string contentType = "application/json") =>
        SendAsync(actor, method, path, new StringContent(body, Encoding.UTF8, MediaTypeHeaderValue.Parse(contentType)));

    /// <summary>The committed balance of a user, as the user reads it.</summary>
    public async Task<long> BalanceOfAsync(FinanceUser user)
    {
        var reply = await SendAsideAsync(HttpMethod.Get, "/api/finance/balance", user.Token);
        return ApiReply.Field(reply.EnsureSuccess("reading the balance").Data, "balance").GetInt64();
    }

    /// <summary>A phone number no earlier scenario has used (11 digits, like the documents' examples).</summary>
    public static string NewPhone() => "19" + Random.Shared.NextInt64(100_000_000, 999_999_999).ToString(CultureInfo.InvariantCulture);

    public void RememberPhone(FinanceUser user, string phone) => _phones[user.UserId] = phone;

    public string? PhoneOf(FinanceUser user) => _phones.GetValueOrDefault(user.UserId);

    /// <summary>The live code the SMS sandbox holds for a phone, which must be the documented six digits.</summary>
    public async Task<string> SmsCodeOfAsync(string phone)
    {
        var reply = await SendAsync(Actor.Anonymous, HttpMethod.Get, "/api/auth/sms/sandbox/code?phone=" + Uri.EscapeDataString(phone));
        var code = ApiReply.Text(ApiReply.Field(reply.EnsureSuccess("reading the SMS sandbox").Data, "code"));
        Check.That(code.Length == 6 && code.All(char.IsAsciiDigit), $"the SMS code '{code}' is not six digits");
        return code;
    }

    /// <summary>Signs a phone number in through the SMS sandbox (signing it up the first time).</summary>
    public async Task<(string UserId, string Token)> SignUpAsync(string phone)
    {
        var sent = await PostAsync(Actor.Anonymous, "/api/auth/sms/sendCode", new { phone });
        if (sent.Status == HttpStatusCode.TooManyRequests)
        {
            // A code went to this phone moments ago (signing in again): wait out the resend interval once.
            await Context.Target.LetTimePassAsync(SmsResendInterval, Context.CancellationToken);
            sent = await PostAsync(Actor.Anonymous, "/api/auth/sms/sendCode", new { phone });
        }

        sent.EnsureSuccess("sending the SMS code");
        var code = await SmsCodeOfAsync(phone);
        var login = (await PostAsync(Actor.Anonymous, "/api/auth/login", new { phone, code })).EnsureSuccess("signing in").Data;
        var token = ApiReply.Field(login, "token").GetString()!;
        Context.Masker.Add(token);
        return (ApiReply.Path(login, "user.userId").GetString()!, token);
    }

    public async Task CreditAsync(string userId, long amount)
    {
        var key = Context.Unique($"credit-{userId}-{++_credits}");
        (await AdminPostAsync("/api/admin/finance/credit", new { userId, amount, idempotencyKey = key, reason = "conformance: " + Context.Scenario.Name }))
            .EnsureSuccess("crediting coins as the admin");
    }

    /// <summary>Set-up calls as the profile's admin.</summary>
    public Task<ApiReply> AdminPostAsync(string path, object body) =>
        SendAsideAsync(HttpMethod.Post, path, Context.Profile.AdminJwt, JsonContent.Create(body, options: Json));

    /// <summary>A call beside the scenario's own (set-up, balance checks): it does not become the last answer steps assert on.</summary>
    private async Task<ApiReply> SendAsideAsync(HttpMethod method, string path, string? token, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await Context.Http.SendAsync(request, Context.CancellationToken);
        return new ApiReply(response.StatusCode, await response.Content.ReadAsStringAsync(Context.CancellationToken));
    }

    /// <summary>Well-formed (three parts, HS256 header) but signed with a key the target does not have.</summary>
    private const string ForgedToken =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VySWQiOiJ1X2ZvcmdlZCIsInBob25lIjoiMTAwMDAwMDAwIiwiaWF0IjoxNzAwMDAwMDAwLCJleHAiOjQxMDAwMDAwMDB9.c2lnbmVkLXdpdGgtYS1rZXktdGhlLXRhcmdldC1kb2VzLW5vdC1oYXZl";
}
