using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.NewApi;

/// <summary>
/// Redemption codes (new-api.md §4): the scenario's own codes in each state (made through the admin routes, found by
/// their name, which is unique to the scenario), redeeming them alone and at the same time, and the admin's lists.
/// </summary>
[Steps]
public sealed partial class RedemptionSteps(ScenarioContext context)
{
    /// <summary>Rounds of two simultaneous redeems before concluding the target never says "processing".</summary>
    private const int ProcessingRounds = 6;

    private readonly NewApiWorld _world = context.Get<NewApiWorld>();
    private readonly NewApiSteps _steps = context.Get<NewApiSteps>();
    private int _processingSeen;
    private int _unexpected;
    private long _redeemedQuota;
    private ApiReply? _limited;

    [Given("a code {string} of {long} quota")]
    [Needs(Need.NewApi)]
    public Task Code(string label, long quota) => _world.NewCodeAsync(label, quota);

    [Given("codes {string} of {long} quota each")]
    [Needs(Need.NewApi)]
    public async Task Codes(string labels, long quota)
    {
        foreach (var label in Labels(labels))
        {
            await _world.NewCodeAsync(label, quota);
        }
    }

    [Given("a disabled code {string} of {long} quota")]
    [Needs(Need.NewApi)]
    public async Task Disabled(string label, long quota)
    {
        var code = await _world.NewCodeAsync(label, quota);
        await _world.MustAsync(new NewApiCall(HttpMethod.Put, "/api/redemption/?status_only=true", NewApiWorld.Body(new { id = code.Id, status = 2 }), _world.Admin), "disabling the code");
    }

    /// <summary>Created to expire two seconds later on the target's clock (read from its <c>Date</c> header), then waited out.</summary>
    [Given("an expired code {string} of {long} quota")]
    [Needs(Need.NewApi)]
    public async Task Expired(string label, long quota)
    {
        var now = await _world.TargetNowAsync();
        await _world.NewCodeAsync(label, quota, now + 2);
        await Task.Delay(TimeSpan.FromSeconds(3.5), context.CancellationToken);
    }

    [Given("a code {string} of {long} quota that the user has redeemed")]
    [Needs(Need.NewApi)]
    public async Task Used(string label, long quota)
    {
        var code = await _world.NewCodeAsync(label, quota);
        await _world.MustAsync(Redeem(NewApiWorld.TokenOf(_world.User("user")), code.Key), "redeeming the code as the user");
        _world.User("user").StartingQuota += code.Quota;
    }

    /// <summary>Deletes whatever disabled, used or expired codes are left, so the next delete counts only the scenario's.</summary>
    [Given("no invalid codes are left")]
    [Needs(Need.NewApi)]
    public Task NoInvalid() => _world.MustAsync(new NewApiCall(HttpMethod.Delete, "/api/redemption/invalid", null, _world.Admin), "deleting the invalid codes");

    [When("{caller} redeems the code {string}")]
    public Task Redeems(string caller, string label) => _world.SendAsync(Redeem(CallerCredentials(caller), _world.Code(label).Key));

    [When("{caller} redeems the code {string} with Accept-Language {string}")]
    public Task RedeemsIn(string caller, string label, string language) => _world.SendAsync(Redeem(CallerCredentials(caller), _world.Code(label).Key), language);

    [When("the user redeems an empty key")]
    public Task Empty() => _world.SendAsync(Redeem(NewApiWorld.TokenOf(_world.User("user")), ""));

    [When("the user and the other user redeem the code {string} at the same time")]
    public async Task Race(string label)
    {
        var key = _world.Code(label).Key;
        _world.Concurrent = await Task.WhenAll(
            _world.AsideAsync(Redeem(NewApiWorld.TokenOf(_world.User("user")), key)),
            _world.AsideAsync(Redeem(NewApiWorld.TokenOf(_world.User("other user")), key)));
    }

    /// <summary>
    /// Two new codes redeemed by the user at once, in rounds until one round shows the second redeem refused while
    /// the first is in progress (a redeem pauses at random before it looks at the code, so the first may be over
    /// before the second arrives); every answer must be a success or "processing".
    /// </summary>
    [When("the user redeems two new codes of {long} quota at the same time")]
    [Needs(Need.NewApi)]
    public async Task Twice(long quota)
    {
        var user = NewApiWorld.TokenOf(_world.User("user"));
        for (var round = 1; round <= ProcessingRounds && _processingSeen == 0; round++)
        {
            var first = await _world.NewCodeAsync($"r{round}a", quota);
            var second = await _world.NewCodeAsync($"r{round}b", quota);
            var replies = await Task.WhenAll(_world.AsideAsync(Redeem(user, first.Key)), _world.AsideAsync(Redeem(user, second.Key)));
            foreach (var reply in replies)
            {
                if (NewApiWorld.IsSuccess(reply))
                {
                    _redeemedQuota += reply.Data.GetInt64();
                }
                else if (reply.Message == "Top-up is processing, please try again later")
                {
                    _processingSeen++;
                }
                else
                {
                    _unexpected++;
                    _world.Concurrent = replies;
                }
            }
        }
    }

    /// <summary>
    /// Redeems (an empty key: nothing is credited) until one is refused, at most the profile's limit and one more: on
    /// a target whose window earlier scenarios already used, the 429 comes sooner.
    /// </summary>
    [When("the user redeems an empty key until the critical rate limit refuses it")]
    [Needs(Need.NewApiRateLimit)]
    public async Task UntilLimited()
    {
        var limit = context.Profile.NewApiCriticalRateLimit ?? 0;
        var user = NewApiWorld.TokenOf(_world.User("user"));
        for (var i = 0; i <= limit; i++)
        {
            var (reply, _, _) = await _world.ExchangeAsync(Redeem(user, ""), null, refuseRateLimit: false);
            if (reply.Status == System.Net.HttpStatusCode.TooManyRequests)
            {
                _limited = reply;
                return;
            }

            Check.That(NewApiWorld.IsSuccess(reply) || reply.Message == "未提供兑换码", $"redeem {i + 1} answered neither 未提供兑换码 nor 429: {reply.Body}");
        }
    }

    [Then("a redeem within the limit and one more is refused with HTTP 429 and an empty body")]
    public void Limited()
    {
        var limit = context.Profile.NewApiCriticalRateLimit ?? 0;
        Check.That(_limited is not null, $"{limit + 1} redeems in a row were all admitted: the critical rate limit of {limit} is not enforced");
        Check.Equal("", _limited!.Body, "the body of the 429");
    }

    [Then("one of them was told {string} while the other was in progress")]
    public void ProcessingSeen(string message)
    {
        Check.That(_unexpected == 0, $"a redeem answered neither success nor \"{message}\": {string.Join(" | ", _world.Concurrent.Select(r => r.Body))}");
        Check.That(_processingSeen > 0, $"in {ProcessingRounds} rounds of two redeems at once, no redeem was told \"{message}\"");
    }

    [Then("the user's quota has gone up by exactly what was redeemed")]
    public async Task UpByRedeemed()
    {
        var user = _world.User("user");
        Check.That(_redeemedQuota > 0, "no redeem succeeded");
        Check.Equal(user.StartingQuota + _redeemedQuota, await _world.QuotaOfAsync(user), "the user's quota");
    }

    [Then("exactly one redeem succeeds with data {long} and the other fails with {string}")]
    public void OneWins(long quota, string message)
    {
        var bodies = string.Join(" | ", _world.Concurrent.Select(r => r.Body));
        var won = _world.Concurrent.Where(NewApiWorld.IsSuccess).ToList();
        Check.Equal(1, won.Count, $"successful redeems ({bodies})");
        Check.Equal(quota, won[0].Data.GetInt64(), "data of the successful redeem");
        var lost = _world.Concurrent.Single(r => !NewApiWorld.IsSuccess(r));
        Check.Equal(message, lost.Message, $"message of the other redeem ({bodies})");
    }

    [Then("the New-API data is {int} keys of 32 lowercase hex characters")]
    public void Keys(int count)
    {
        _steps.Succeeds();
        var keys = _world.Last.Data.EnumerateArray().Select(k => k.GetString() ?? "").ToList();
        Check.Equal(count, keys.Count, "keys");
        Check.That(keys.All(k => HexKey().IsMatch(k)), $"a key is not 32 lowercase hex characters: {string.Join(", ", keys.Where(k => !HexKey().IsMatch(k)))}");
        Check.Equal(count, keys.Distinct(StringComparer.Ordinal).Count(), "distinct keys");
    }

    [Then("a search for {string} finds {int} code(s) of {long} quota, each enabled")]
    public async Task Finds(string name, int count, long quota)
    {
        var page = await _world.MustAsync(new NewApiCall(HttpMethod.Get, "/api/redemption/search?page_size=100&keyword=" + Uri.EscapeDataString(_steps.Substitute(name)), null, _world.Admin), "searching the codes");
        var items = Items(page).ToList();
        Check.Equal(count, items.Count, "codes found");
        Check.That(items.All(c => ApiReply.Field(c, "quota").GetInt64() == quota && ApiReply.Field(c, "status").GetInt32() == 1), $"not every code has quota {quota} and status 1: {page}");
    }

    [Then("no code named {string} exists")]
    public Task NoneNamed(string name) => Finds(name, 0, 0);

    [Then("the page has {int} item(s)")]
    public void PageCount(int count)
    {
        _steps.Succeeds();
        Check.Equal(count, Items(_world.Last.Data).Count(), "items");
    }

    [Then("the page's total is at least {int}")]
    public void TotalAtLeast(int total)
    {
        _steps.Succeeds();
        var actual = ApiReply.Field(_world.Last.Data, "total").GetInt32();
        Check.That(actual >= total, $"total: expected at least {total}, got {actual}");
    }

    /// <summary>The first items of the page are these codes, in this order (newest first).</summary>
    [Then("the page begins with the codes {string}")]
    public void BeginsWith(string labels)
    {
        _steps.Succeeds();
        var expected = Labels(labels).Select(l => _world.Code(l).Key).ToList();
        var actual = Items(_world.Last.Data).Take(expected.Count).Select(c => ApiReply.Field(c, "key").GetString()).ToList();
        Check.Equal(string.Join(", ", expected), string.Join(", ", actual), $"first keys of the page (codes {labels})");
    }

    [Then("the page lists exactly the codes {string}")]
    public void Exactly(string labels)
    {
        PageCount(Labels(labels).Count);
        BeginsWith(labels);
        Check.Equal(Labels(labels).Count, ApiReply.Field(_world.Last.Data, "total").GetInt32(), "total");
    }

    [Then("the page includes the code {string}")]
    public void Includes(string label)
    {
        _steps.Succeeds();
        var key = _world.Code(label).Key;
        Check.That(Items(_world.Last.Data).Any(c => ApiReply.Field(c, "key").GetString() == key), $"the page does not include the code \"{label}\": {_world.Last.Body}");
    }

    [Then("the code {string} is gone")]
    public async Task Gone(string label)
    {
        var reply = await _world.AsideAsync(new NewApiCall(HttpMethod.Get, "/api/redemption/" + _world.Code(label).Id.ToString(CultureInfo.InvariantCulture), null, _world.Admin));
        Check.That(!NewApiWorld.IsSuccess(reply) && reply.Message == "record not found", $"the code \"{label}\" is still there: {reply.Body}");
    }

    [Then("the code {string} is still there")]
    public async Task StillThere(string label) =>
        await _world.MustAsync(new NewApiCall(HttpMethod.Get, "/api/redemption/" + _world.Code(label).Id.ToString(CultureInfo.InvariantCulture), null, _world.Admin), $"reading the code \"{label}\"");

    private static NewApiCall Redeem(NewApiCredentials credentials, string key) =>
        new(HttpMethod.Post, "/api/user/topup", NewApiWorld.Body(new { key }), credentials);

    private NewApiCredentials CallerCredentials(string caller) => caller switch
    {
        "the other user" => NewApiWorld.TokenOf(_world.User("other user")),
        "the banned user" => NewApiWorld.TokenOf(_world.User("banned user")),
        "the user" => NewApiWorld.TokenOf(_world.User("user")),
        _ => throw new AssertionException($"{caller} does not redeem codes in these features"),
    };

    private static List<string> Labels(string labels) => [.. labels.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];

    private static JsonElement.ArrayEnumerator Items(JsonElement page) => ApiReply.Field(page, "items").EnumerateArray();

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex HexKey();
}
