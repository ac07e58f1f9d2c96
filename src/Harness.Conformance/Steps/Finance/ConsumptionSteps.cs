using System.Net;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Finance;

/// <summary>Consuming and pre-checking coins, on the user routes (JWT) and their OpenAPI twins (API key).</summary>
[Steps]
public sealed class ConsumptionSteps(ScenarioContext context)
{
    private readonly FinanceWorld _world = context.Get<FinanceWorld>();

    [When("{actor} consumes {charge}")]
    public Task Consume(Actor actor, Charge charge) => ConsumeAsync(actor, charge, _world.Key("consume-" + _world.Consumptions.Count), null);

    [When("{actor} consumes {charge} with key {string}")]
    public Task ConsumeWithKey(Actor actor, Charge charge, string key) => ConsumeAsync(actor, charge, _world.Key(key), null);

    /// <summary>Extra fields of the body: <c>bizId</c>, <c>description</c>, and <c>metadata.NAME</c> entries.</summary>
    [When("{actor} consumes {charge} with details:")]
    public Task ConsumeWithDetails(Actor actor, Charge charge, StepTable details) =>
        ConsumeAsync(actor, charge, _world.Key("consume-" + _world.Consumptions.Count), details);

    [When("{actor} consumes {charge} with key {string} and details:")]
    public Task ConsumeWithKeyAndDetails(Actor actor, Charge charge, string key, StepTable details) => ConsumeAsync(actor, charge, _world.Key(key), details);

    [When("{actor} pre-checks {charge}")]
    public Task PreCheck(Actor actor, Charge charge) =>
        actor == Actor.AgentEngine
            ? _world.PostAsync(actor, "/openapi/coin/preCheck", charge.Body(userId: _world.BilledUser))
            : _world.PostAsync(actor, "/api/finance/preCheck", charge.Body());

    [When("{actor} asks for the balance")]
    public Task Balance(Actor actor) =>
        _world.SendAsync(actor, HttpMethod.Get, actor == Actor.AgentEngine ? "/openapi/coin/balance?userId=" + Uri.EscapeDataString(_world.BilledUser) : "/api/finance/balance");

    /// <summary>Duplicates racing each other: the documented guarantee is one charge, whatever the interleaving.</summary>
    [When("the user sends {int} identical consumptions of {charge} at once with key {string}")]
    public Task IdenticalAtOnce(int count, Charge charge, string key) =>
        AtOnceAsync(count, _ => charge.Body(_world.Key(key)));

    [When("the user sends {int} consumptions of {charge} at once, each with its own key")]
    public Task DistinctAtOnce(int count, Charge charge) =>
        AtOnceAsync(count, i => charge.Body(_world.Key("parallel-" + i)));

    [Then("{int} coin(s) is/are charged")]
    public void Charged(int coins)
    {
        var data = _world.Last.EnsureSuccess("the consumption").Data;
        Check.Equal(coins, ApiReply.Field(data, "coins").GetInt64(), "coins charged");
        Check.Equal(false, ApiReply.Field(data, "replayed").GetBoolean(), "replayed");
        var before = ApiReply.Field(data, "balanceBefore").GetInt64();
        Check.Equal(before - coins, ApiReply.Field(data, "balanceAfter").GetInt64(), $"balanceAfter (balanceBefore {before} minus {coins})");
    }

    /// <summary>The record id and time every consumption answers with (ISO 8601 in UTC, as documented).</summary>
    [Then("the answer has a record id and a creation time in UTC")]
    public void RecordIdAndTime()
    {
        var data = _world.Last.EnsureSuccess("the consumption").Data;
        Check.That(ApiReply.Text(ApiReply.Field(data, "recordId")).Length > 0, "recordId is empty");
        var createdAt = ApiReply.Field(data, "createdAt").GetString() ?? "";
        Check.That(
            DateTimeOffset.TryParse(createdAt, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var time)
                && time.Offset == TimeSpan.Zero && (createdAt.EndsWith('Z') || createdAt.EndsWith("+00:00", StringComparison.Ordinal)),
            $"createdAt \"{createdAt}\" is not an ISO 8601 time in UTC");
    }

    [Then("the last consumption repeats the first one as a replay")]
    public void LastRepeatsFirst()
    {
        Check.That(_world.Consumptions.Count >= 2, "the scenario needs two consumptions to compare");
        var first = _world.Consumptions[0].EnsureSuccess("the first consumption").Data;
        var last = _world.Consumptions[^1].EnsureSuccess("the repeated consumption").Data;
        Check.Equal(true, ApiReply.Field(last, "replayed").GetBoolean(), "replayed of the repeat");
        foreach (var field in new[] { "recordId", "idempotencyKey", "consumeType", "serviceCode", "coins", "balanceBefore", "balanceAfter", "createdAt" })
        {
            Check.Equal(ApiReply.Text(ApiReply.Field(first, field)), ApiReply.Text(ApiReply.Field(last, field)), $"{field} of the repeat");
        }
    }

    [Then("exactly one of them is charged and the others replay it")]
    public void OneChargedOthersReplay()
    {
        var data = _world.Concurrent.Select(r => r.EnsureSuccess("a concurrent duplicate").Data).ToList();
        var charged = data.Where(d => !ApiReply.Field(d, "replayed").GetBoolean()).ToList();
        Check.Equal(1, charged.Count, "answers not marked as replays");
        var recordIds = data.Select(d => ApiReply.Text(ApiReply.Field(d, "recordId"))).Distinct().ToList();
        Check.Equal(1, recordIds.Count, $"distinct recordIds among the answers ({string.Join(", ", recordIds)})");
    }

    [Then("{int} of them succeed and {int} are refused for insufficient balance")]
    public void SomeSucceedOthersRefused(int succeeded, int refused)
    {
        Check.Equal(succeeded, _world.Concurrent.Count(r => r.IsSuccess), "successful answers");
        Check.Equal(refused, _world.Concurrent.Count(r => r.Status == HttpStatusCode.PaymentRequired && r.Code == 40200), "answers HTTP 402 with code 40200");
    }

    [Then("the pre-check finds the balance sufficient for {int} coin(s)")]
    public async Task PreCheckSufficient(int coins)
    {
        var data = _world.Last.EnsureSuccess("the pre-check").Data;
        Check.Equal(true, ApiReply.Field(data, "sufficient").GetBoolean(), "sufficient");
        Check.Equal(coins, ApiReply.Field(data, "requiredCoins").GetInt64(), "requiredCoins");
        Check.Equal(0L, ApiReply.Field(data, "shortfall").GetInt64(), "shortfall");
        Check.Equal(await _world.BalanceOfAsync(_world.TheUser), ApiReply.Field(data, "balance").GetInt64(), "balance reported by the pre-check");
    }

    private async Task ConsumeAsync(Actor actor, Charge charge, string key, StepTable? details)
    {
        var body = actor == Actor.AgentEngine ? charge.Body(key, _world.BilledUser) : charge.Body(key);
        foreach (var (field, value) in details?.Pairs ?? [])
        {
            if (field.StartsWith("metadata.", StringComparison.Ordinal))
            {
                var metadata = (Dictionary<string, string>)(body.TryGetValue("metadata", out var existing) ? existing : body["metadata"] = new Dictionary<string, string>(StringComparer.Ordinal));
                metadata[field["metadata.".Length..]] = value;
            }
            else
            {
                body[field] = value;
            }
        }

        var reply = await _world.PostAsync(actor, actor == Actor.AgentEngine ? "/openapi/coin/consume" : "/api/finance/consume", body);
        _world.Consumptions.Add(reply);
    }

    private async Task AtOnceAsync(int count, Func<int, Dictionary<string, object>> body)
    {
        // Start every request before awaiting any, so they reach the target together.
        var requests = Enumerable.Range(0, count).Select(i => _world.PostAsync(Actor.User, "/api/finance/consume", body(i))).ToList();
        _world.Concurrent = await Task.WhenAll(requests);
    }
}
