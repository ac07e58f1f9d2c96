using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.NewApi;

/// <summary>
/// New-API users and requests: each scenario makes its own users through the admin's user routes, sends requests
/// as one of them (or with a credential problem), and asserts on New-API's <c>{success, message, data}</c> body.
/// </summary>
[Steps]
public sealed partial class NewApiSteps(ScenarioContext context)
{
    private readonly NewApiWorld _world = context.Get<NewApiWorld>();

    /// <summary>Who sends a New-API request, with which credentials.</summary>
    [ParameterType("caller", "the admin|the user, without Bearer,|the user's previous token|the user|the other user|the banned user|the signed-in browser without New-Api-User|the signed-in browser|an anonymous client")]
    public static string Caller(string text) => text;

    [ParameterType("common-user-verdict", "admitted|refused for lack of rights")]
    public static string Verdict(string text) => text;

    [Given("a new New-API user")]
    [Needs(Need.NewApi)]
    public Task NewUser() => _world.NewUserAsync("user");

    [Given("another new New-API user")]
    [Needs(Need.NewApi)]
    public Task OtherUser() => _world.NewUserAsync("other user");

    /// <summary>A user whose token worked, then banned by the admin (<c>POST /api/user/manage</c> action disable).</summary>
    [Given("a banned New-API user")]
    [Needs(Need.NewApi)]
    public async Task BannedUser()
    {
        var user = await _world.NewUserAsync("banned user");
        await _world.MustAsync(new NewApiCall(HttpMethod.Get, "/api/user/self", null, NewApiWorld.TokenOf(user)), "the user's token before the ban");
        await _world.MustAsync(new NewApiCall(HttpMethod.Post, "/api/user/manage", NewApiWorld.Body(new { id = int.Parse(user.Id, CultureInfo.InvariantCulture), action = "disable" }), _world.Admin), "banning the user");
    }

    [When("{caller} calls {string}")]
    [Needs(Need.NewApi)]
    public Task Calls(string caller, string request) => _world.SendAsync(NewApiWorld.Call(Substitute(request), BodyFor(request, null), Credentials(caller)));

    [When("{caller} calls {string} with body:")]
    [Needs(Need.NewApi)]
    public Task CallsWithBody(string caller, string request, string body) => _world.SendAsync(NewApiWorld.Call(Substitute(request), Substitute(body), Credentials(caller)));

    [When("that call is sent again with Accept-Language {string}")]
    public Task Again(string language) => _world.SendAsync(_world.LastCall ?? throw new AssertionException("no call to send again"), language);

    [When("the user signs in with its password")]
    public Task SignIn() => SignInAs(_world.User("user"), null);

    [When("the user signs in with a wrong password")]
    public Task WrongPassword() => SignInAs(_world.User("user"), "wrong-" + _world.User("user").Password);

    [When("the banned user signs in with its password")]
    public Task BannedSignIn() => SignInAs(_world.User("banned user"), null);

    [When("the user takes a new access token")]
    public async Task NewToken()
    {
        var user = _world.User("user");
        var reply = await _world.SendAsync(new NewApiCall(HttpMethod.Get, "/api/user/token", null, NewApiWorld.TokenOf(user)));
        Check.That(NewApiWorld.IsSuccess(reply), $"GET /api/user/token answered {reply.Body}");
        user.PreviousToken = user.Token;
        user.Token = reply.Data.GetString() ?? throw new AssertionException("GET /api/user/token answered no token");
        context.Masker.Add(user.Token);
        Check.That(user.Token != user.PreviousToken, "the new access token is the old one");
    }

    [When("the signed-in browser signs out")]
    public Task SignOut() => _world.SendAsync(new NewApiCall(HttpMethod.Get, "/api/user/logout", null, new NewApiCredentials(null, null, Session)));

    [Then("the answer sets an HttpOnly session cookie")]
    public void SetsSession()
    {
        var cookie = _world.LastCookies.FirstOrDefault(c => c.StartsWith("session=", StringComparison.Ordinal))
            ?? throw new AssertionException($"no session cookie was set (Set-Cookie: {string.Join(" | ", _world.LastCookies)})");
        Check.That(cookie.Contains("httponly", StringComparison.OrdinalIgnoreCase), $"the session cookie is not HttpOnly: {cookie}");
    }

    [Then("the answer sets no session cookie")]
    public void NoSession() =>
        Check.That(NewApiWorld.SessionOf(_world.LastCookies) is null, $"a session cookie was set: {string.Join(" | ", _world.LastCookies)}");

    [Then("the New-API call succeeds")]
    public void Succeeds()
    {
        Check.Equal(HttpStatusCode.OK, _world.Last.Status, $"HTTP status (body {_world.Last.Body})");
        Check.Equal(true, ApiReply.Field(_world.Last.Json, "success").GetBoolean(), $"success (body {_world.Last.Body})");
        Check.Equal("", _world.Last.Message, "message");
    }

    /// <summary>A business refusal: HTTP 200, <c>success: false</c>, the exact message, and no <c>data</c> (new-api.md §1.1).</summary>
    [Then("the New-API call fails with {string}")]
    public void Fails(string message) => RefusedWith(200, message);

    [Then("the New-API call is refused with HTTP {int} and {string}")]
    public void RefusedWith(int status, string message)
    {
        Check.Equal(status, (int)_world.Last.Status, $"HTTP status (body {_world.Last.Body})");
        Check.Equal(false, ApiReply.Field(_world.Last.Json, "success").GetBoolean(), "success");
        Check.Equal(Substitute(message), _world.Last.Message, "message");
        Check.That(!_world.Last.Json.TryGetProperty("data", out _), $"a refusal carries no \"data\": {_world.Last.Body}");
    }

    /// <summary>Field paths under <c>data</c> (dotted, array items by index) and the values expected, as JSON text.</summary>
    [Then("the New-API data has:")]
    public void DataHas(StepTable expected)
    {
        Succeeds();
        foreach (var (path, value) in expected.Pairs)
        {
            Check.Equal(Substitute(value), ApiReply.Text(ApiReply.Path(_world.Last.Data, path)), path);
        }
    }

    [Then("the New-API data is {string}")]
    public void DataIs(string value)
    {
        Succeeds();
        Check.Equal(Substitute(value), ApiReply.Text(_world.Last.Data), "data");
    }

    /// <summary>
    /// Each row is sent to the route with that credential problem and must be refused with that status and message
    /// (success false); the scenario's user, banned user and the profile's admin fill in the tokens and ids.
    /// </summary>
    [Then("{string} refuses each credential problem:")]
    [Needs(Need.NewApi)]
    public async Task RefusesEach(string request, StepTable problems)
    {
        foreach (var row in problems.Rows)
        {
            var credentials = Problem(row["credentials"]);
            var reply = await _world.SendAsync(NewApiWorld.Call(Substitute(request), BodyFor(request, null), credentials));
            var what = $"{request} with {row["credentials"]}";
            Check.Equal(int.Parse(row["status"], CultureInfo.InvariantCulture), (int)reply.Status, $"{what}: HTTP status (body {reply.Body})");
            Check.Equal(false, ApiReply.Field(reply.Json, "success").GetBoolean(), $"{what}: success");
            Check.Equal(row["message"], reply.Message, $"{what}: message");
        }
    }

    /// <summary>A common user's valid credentials: admitted (whatever the handler then answers) or refused for its role.</summary>
    [Then("for a common user {string} is {common-user-verdict}")]
    public async Task CommonUser(string request, string verdict)
    {
        var reply = await _world.SendAsync(NewApiWorld.Call(Substitute(request), BodyFor(request, null), NewApiWorld.TokenOf(_world.User("user"))));
        if (verdict == "admitted")
        {
            Check.Equal(HttpStatusCode.OK, reply.Status, $"HTTP status (body {reply.Body})");
            Check.That(!reply.Message.StartsWith("无权进行此操作", StringComparison.Ordinal) && reply.Message != "用户已被封禁", $"the common user was refused: {reply.Body}");
        }
        else
        {
            RefusedWith(200, "无权进行此操作，权限不足");
        }
    }

    [Then("the user's quota has gone up by {long}")]
    public async Task QuotaUp(long amount) => await QuotaOf("user", amount);

    [Then("the user's quota is unchanged")]
    public Task QuotaUnchanged() => QuotaOf("user", 0);

    [Then("the other user's quota has gone up by {long}")]
    public Task OtherQuotaUp(long amount) => QuotaOf("other user", amount);

    [Then("the quota of the user and the other user has gone up by {long} in all")]
    public async Task BothUp(long amount)
    {
        var user = _world.User("user");
        var other = _world.User("other user");
        var gained = await _world.QuotaOfAsync(user) - user.StartingQuota + await _world.QuotaOfAsync(other) - other.StartingQuota;
        Check.Equal(amount, gained, "quota gained by the two users together");
    }

    private async Task QuotaOf(string role, long amount)
    {
        var user = _world.User(role);
        Check.Equal(user.StartingQuota + amount, await _world.QuotaOfAsync(user), $"{role}'s quota (started at {user.StartingQuota})");
    }

    private Task SignInAs(NewApiAccount user, string? password) => SignInWith(user.Username, password ?? user.Password);

    private async Task SignInWith(string username, string password)
    {
        await _world.SendAsync(new NewApiCall(HttpMethod.Post, "/api/user/login", NewApiWorld.Body(new { username, password }), new NewApiCredentials(null, null)));
        if (NewApiWorld.SessionOf(_world.LastCookies) is { } session)
        {
            _world.SessionCookie = session;
        }
    }

    private string Session => _world.SessionCookie ?? throw new AssertionException("the user has not signed in");

    private NewApiCredentials Credentials(string caller) => caller switch
    {
        "the admin" => _world.Admin,
        "the user, without Bearer," => new(_world.User("user").Token, _world.User("user").Id),
        "the user's previous token" => new("Bearer " + (_world.User("user").PreviousToken ?? throw new AssertionException("the user has not taken a new token")), _world.User("user").Id),
        "the user" => NewApiWorld.TokenOf(_world.User("user")),
        "the other user" => NewApiWorld.TokenOf(_world.User("other user")),
        "the banned user" => NewApiWorld.TokenOf(_world.User("banned user")),
        "the signed-in browser" => new(null, _world.User("user").Id, Session),
        "the signed-in browser without New-Api-User" => new(null, null, Session),
        _ => new(null, null),
    };

    /// <summary>The credential problems of the auth matrix, in the words of its table.</summary>
    private NewApiCredentials Problem(string name)
    {
        var user = _world.User("user");
        var unknown = "Bearer unknown-" + context.RunId;
        return name switch
        {
            "nothing" => new(null, null),
            "New-Api-User only" => new(null, user.Id),
            "an unknown token" => new(unknown, user.Id),
            "an unknown token without New-Api-User" => new(unknown, null),
            "the user's token without New-Api-User" => new("Bearer " + user.Token, null),
            "the user's token with New-Api-User abc" => new("Bearer " + user.Token, "abc"),
            "the user's token with New-Api-User 1.5" => new("Bearer " + user.Token, "1.5"),
            "the user's token with the admin's id" => new("Bearer " + user.Token, _world.AdminId),
            "the banned user's token" => NewApiWorld.TokenOf(_world.User("banned user")),
            _ => throw new FormatException($"unknown credential problem \"{name}\""),
        };
    }

    /// <summary>A JSON object for POST and PUT (the auth matrix sends one), nothing for the other methods.</summary>
    private static string? BodyFor(string request, string? body) =>
        body ?? (request.StartsWith("POST ", StringComparison.Ordinal) || request.StartsWith("PUT ", StringComparison.Ordinal) ? "{}" : null);

    /// <summary>
    /// <c>{{name}}</c> (the scenario's code name prefix), <c>{{userId}}</c>, <c>{{otherUserId}}</c>, <c>{{adminId}}</c>,
    /// <c>{{username}}</c>, <c>{{id:LABEL}}</c>, <c>{{key:LABEL}}</c> (the scenario's codes) and <c>{{21 x 码}}</c>
    /// (a character repeated).
    /// </summary>
    public string Substitute(string text) => Repeated().Replace(
        Variable().Replace(text, m => m.Groups[1].Value switch
        {
            "name" => _world.Name,
            "userId" => _world.User("user").Id,
            "username" => _world.User("user").Username,
            "otherUserId" => _world.User("other user").Id,
            "adminId" => _world.AdminId,
            "id" => _world.Code(m.Groups[2].Value).Id.ToString(CultureInfo.InvariantCulture),
            "key" => _world.Code(m.Groups[2].Value).Key,
            _ => m.Value,
        }),
        m => string.Concat(Enumerable.Repeat(m.Groups[2].Value, int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))));

    [GeneratedRegex(@"\{\{(name|userId|username|otherUserId|adminId|id|key)(?::([\w-]+))?\}\}")]
    private static partial Regex Variable();

    [GeneratedRegex(@"\{\{(\d+) x (\S+)\}\}")]
    private static partial Regex Repeated();
}
