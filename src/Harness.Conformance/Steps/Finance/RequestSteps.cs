using System.Text.RegularExpressions;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Finance;

/// <summary>
/// Requests written out in full (<c>"POST /api/finance/consume"</c> with a JSON body) for the cases the
/// shorthand steps cannot express, and assertions on any answer and on balances.
/// </summary>
[Steps]
public sealed partial class RequestSteps(ScenarioContext context)
{
    private readonly FinanceWorld _world = context.Get<FinanceWorld>();

    [When("{actor} sends {string}")]
    public Task Send(Actor actor, string request)
    {
        var (method, path) = Split(request);
        return _world.SendAsync(actor, method, Substitute(path));
    }

    /// <summary>
    /// The body may use <c>{{userId}}</c>, <c>{{otherUserId}}</c>, <c>{{key}}</c> or <c>{{key:LABEL}}</c> (keys of this
    /// scenario) and <c>{{newService}}</c> (a service code of this scenario), as tester variables do.
    /// </summary>
    [When("{actor} sends {string} with body:")]
    public Task SendWithBody(Actor actor, string request, string body) => SendAs(actor, request, "application/json", body);

    [When("{actor} sends {string} as {string} with body:")]
    public Task SendAs(Actor actor, string request, string contentType, string body)
    {
        var (method, path) = Split(request);
        return _world.SendRawAsync(actor, method, Substitute(path), Substitute(body), contentType);
    }

    /// <summary>Any text as the <c>X-API-Key</c> header, for keys of the wrong shape.</summary>
    [When("an anonymous client sends {string} with the API key {string}")]
    public Task SendWithApiKey(string request, string apiKey)
    {
        var (method, path) = Split(request);
        var message = new HttpRequestMessage(method, new Uri(Substitute(path), UriKind.Relative));
        message.Headers.TryAddWithoutValidation("X-API-Key", Substitute(apiKey));
        return _world.SendMessageAsync(message);
    }

    [When("the admin sends {string}")]
    [Needs(Need.AdminJwt)]
    public Task AdminSends(string request) => Send(Actor.Admin, request);

    [When("the admin sends {string} with body:")]
    [Needs(Need.AdminJwt)]
    public Task AdminSendsWithBody(string request, string body) => SendWithBody(Actor.Admin, request, body);

    [When("{int} second(s) pass(es)")]
    public Task TimePasses(int seconds) => context.Target.LetTimePassAsync(TimeSpan.FromSeconds(seconds), context.CancellationToken);

    /// <summary>Long waits only where the runner moves the clock; a real target would keep the suite waiting for hours.</summary>
    [When("{int} hour(s) pass(es)")]
    [Needs(Need.ClockControl)]
    public Task HoursPass(int hours) => context.Target.LetTimePassAsync(TimeSpan.FromHours(hours), context.CancellationToken);

    [When("{int} minute(s) pass(es)")]
    [Needs(Need.ClockControl)]
    public Task MinutesPass(int minutes) => context.Target.LetTimePassAsync(TimeSpan.FromMinutes(minutes), context.CancellationToken);

    /// <summary>A session in use: after each wait the user's token must still open the balance.</summary>
    [When("the user reads the balance every {int} hours, {int} times")]
    [Needs(Need.ClockControl)]
    public async Task ReadsBalanceEvery(int hours, int times)
    {
        for (var i = 1; i <= times; i++)
        {
            await HoursPass(hours);
            await _world.SendAsync(Actor.User, HttpMethod.Get, "/api/finance/balance");
            _world.Last.EnsureSuccess($"reading the balance after {i * hours} hours");
        }
    }

    [Then("the request succeeds")]
    public void Succeeds()
    {
        _world.Last.EnsureSuccess("the request");
        Check.Equal("success", _world.Last.Message, "message");
    }

    [Then("the request fails with HTTP {int} and code {int}")]
    public void Fails(int status, int code)
    {
        Check.Equal(status, (int)_world.Last.Status, $"HTTP status (body {_world.Last.Body})");
        Check.Equal(code, _world.Last.Code, "code");
        Check.That(_world.Last.Json.TryGetProperty("data", out var data) && data.ValueKind == System.Text.Json.JsonValueKind.Null, "an error answer carries \"data\": null");
    }

    [Then("the error message mentions {string}")]
    public void MessageMentions(string text) =>
        Check.That(_world.Last.Message.Contains(text, StringComparison.OrdinalIgnoreCase), $"the message \"{_world.Last.Message}\" does not mention \"{text}\"");

    /// <summary>Field paths under <c>data</c> (dotted, array items by index) and the values expected, as JSON text.</summary>
    [Then("the response data has:")]
    public void DataHas(StepTable expected)
    {
        var data = _world.Last.EnsureSuccess("the request").Data;
        foreach (var (path, value) in expected.Pairs)
        {
            Check.Equal(Substitute(value), ApiReply.Text(ApiReply.Path(data, path)), path);
        }
    }

    [Then("the balance is {int} coin(s)")]
    public async Task BalanceIs(int coins) => Check.Equal(coins, await _world.BalanceOfAsync(_world.TheUser), "balance");

    [Then("the other user's balance is {int} coin(s)")]
    public async Task OtherBalanceIs(int coins) => Check.Equal(coins, await _world.BalanceOfAsync(_world.UserOf(Actor.OtherUser)), "the other user's balance");

    [Then("the balance has gone down by {int} coin(s)")]
    public async Task BalanceDown(int coins) =>
        Check.Equal(_world.TheUser.StartingBalance - coins, await _world.BalanceOfAsync(_world.TheUser), $"balance (started at {_world.TheUser.StartingBalance})");

    [Then("the balance is unchanged")]
    public Task BalanceUnchanged() => BalanceDown(0);

    private static (HttpMethod Method, string Path) Split(string request)
    {
        var parts = request.Split(' ', 2);
        return parts.Length == 2 && parts[1].StartsWith('/')
            ? (new HttpMethod(parts[0]), parts[1])
            : throw new FormatException($"Write requests as \"METHOD /path\", not \"{request}\".");
    }

    /// <summary>
    /// Besides the variables above: <c>{{key@128}}</c> is this scenario's key padded to exactly 128 characters, and
    /// <c>{{65 x a}}</c> is 65 times the character <c>a</c>, for limits too long to write out.
    /// </summary>
    private string Substitute(string text) => Repeated().Replace(
        KeyVariable().Replace(
            text
                .Replace("{{userId}}", _world.User?.UserId, StringComparison.Ordinal)
                .Replace("{{otherUserId}}", _world.OtherUser?.UserId, StringComparison.Ordinal)
                .Replace("{{newService}}", _world.Key("service"), StringComparison.Ordinal),
            m => Padded(_world.Key(m.Groups[1].Success ? m.Groups[1].Value : "body"), m.Groups[2])),
        m => new string(m.Groups[2].Value[0], int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)));

    private static string Padded(string key, Group length)
    {
        if (!length.Success)
        {
            return key;
        }

        var wanted = int.Parse(length.Value, System.Globalization.CultureInfo.InvariantCulture);
        Check.That(key.Length <= wanted, $"the scenario's key '{key}' is longer than {wanted} characters");
        return key.PadRight(wanted, 'k');
    }

    [GeneratedRegex(@"\{\{key(?::([\w-]+))?(?:@(\d+))?\}\}")]
    private static partial Regex KeyVariable();

    [GeneratedRegex(@"\{\{(\d+) x (\S)\}\}")]
    private static partial Regex Repeated();
}
