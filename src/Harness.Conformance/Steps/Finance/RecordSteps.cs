using System.Globalization;
using System.Text.RegularExpressions;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Finance;

/// <summary>Consumption records, summaries and service plans: what the user can read back.</summary>
[Steps]
public sealed partial class RecordSteps(ScenarioContext context)
{
    private readonly FinanceWorld _world = context.Get<FinanceWorld>();

    [When("{actor} lists the consumption records at {string}")]
    public Task Records(Actor actor, string path) => _world.PostAsync(actor, path, new Dictionary<string, object>());

    /// <summary>Filters as field | value; <c>createdAt of consumption N</c> stands for that answer's time.</summary>
    [When("{actor} lists the consumption records at {string} with:")]
    public Task RecordsWith(Actor actor, string path, StepTable filters) => _world.PostAsync(actor, path, Filters(filters));

    [When("{actor} asks for the consumption summary")]
    public Task Summary(Actor actor) => _world.PostAsync(actor, "/api/consumption/summary", new Dictionary<string, object>());

    [When("{actor} asks for the consumption summary with:")]
    public Task SummaryWith(Actor actor, StepTable filters) => _world.PostAsync(actor, "/api/consumption/summary", Filters(filters));

    [When("{actor} lists the service plans of {string}")]
    public Task Plans(Actor actor, string serviceCode) =>
        _world.SendAsync(actor, HttpMethod.Get, "/api/finance/servicePlan/list?serviceCode=" + Uri.EscapeDataString(serviceCode));

    [When("{actor} lists every service plan")]
    public Task AllPlans(Actor actor) => _world.SendAsync(actor, HttpMethod.Get, "/api/finance/servicePlan/list");

    [Then("the records list holds {int} record(s) of {int}")]
    public void RecordCount(int listed, int total)
    {
        var data = _world.Last.EnsureSuccess("the records").Data;
        Check.Equal(listed, ApiReply.Field(data, "list").GetArrayLength(), "records in the list");
        Check.Equal(total, ApiReply.Field(data, "total").GetInt64(), "total");
    }

    /// <summary>The listed columns of each record, in order; <c>consumption N</c> in <c>recordId</c> stands for that answer's id.</summary>
    [Then("the records, newest first, are:")]
    public void RecordsAre(StepTable expected) =>
        RowsAre(ApiReply.Field(_world.Last.EnsureSuccess("the records").Data, "list"), expected, "record");

    [Then("the plans listed are:")]
    public void PlansAre(StepTable expected) => RowsAre(_world.Last.EnsureSuccess("the service plans").Data, expected, "plan");

    /// <summary>Each row's plan (found by <c>id</c>) is listed with the row's columns; other plans may be listed too.</summary>
    [Then("the plans listed include:")]
    public void PlansInclude(StepTable expected)
    {
        var listed = _world.Last.EnsureSuccess("the service plans").Data.EnumerateArray().ToList();
        foreach (var row in expected.Rows)
        {
            var plan = listed.Where(p => ApiReply.Text(ApiReply.Field(p, "id")) == row["id"]).ToList();
            Check.Equal(1, plan.Count, $"plans listed with id {row["id"]}");
            foreach (var (column, value) in row)
            {
                Check.Equal(value, ApiReply.Text(ApiReply.Path(plan[0], column)), $"plan {row["id"]}, {column}");
            }
        }
    }

    [Then("the summary shows {int} coin(s) over {int} consumption(s)")]
    public void SummaryTotals(int coins, int count)
    {
        var data = _world.Last.EnsureSuccess("the summary").Data;
        Check.Equal(coins, ApiReply.Field(data, "totalCoins").GetInt64(), "totalCoins");
        Check.Equal(count, ApiReply.Field(data, "count").GetInt64(), "count");
    }

    [Then("the summary by consume type is:")]
    public void ByConsumeType(StepTable expected) => BreakdownIs("byConsumeType", "consumeType", expected);

    [Then("the summary by service code is:")]
    public void ByServiceCode(StepTable expected) => BreakdownIs("byServiceCode", "serviceCode", expected);

    private void BreakdownIs(string field, string key, StepTable expected)
    {
        var actual = ApiReply.Field(_world.Last.EnsureSuccess("the summary").Data, field).EnumerateArray()
            .ToDictionary(g => ApiReply.Text(ApiReply.Field(g, key)), g => $"{ApiReply.Text(ApiReply.Field(g, "coins"))} coins / {ApiReply.Text(ApiReply.Field(g, "count"))}", StringComparer.Ordinal);
        var wanted = expected.Rows.ToDictionary(r => r[key], r => $"{r["coins"]} coins / {r["count"]}", StringComparer.Ordinal);
        Check.Equal(Describe(wanted), Describe(actual), field);

        static string Describe(Dictionary<string, string> groups) =>
            string.Join("; ", groups.OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}: {g.Value}"));
    }

    private void RowsAre(System.Text.Json.JsonElement list, StepTable expected, string what)
    {
        Check.Equal(expected.Rows.Count, list.GetArrayLength(), $"{what}s listed");
        for (var i = 0; i < expected.Rows.Count; i++)
        {
            foreach (var (column, value) in expected.Rows[i])
            {
                Check.Equal(Resolve(value), ApiReply.Text(ApiReply.Path(list[i], column)), $"{what} {i + 1}, {column}");
            }
        }
    }

    private Dictionary<string, object> Filters(StepTable table) =>
        table.Pairs.ToDictionary(
            p => p.Key,
            p => long.TryParse(p.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? (object)n : Resolve(p.Value),
            StringComparer.Ordinal);

    /// <summary>Values that refer to an earlier answer of the scenario: <c>createdAt of consumption 2</c>, <c>recordId of consumption 1</c>.</summary>
    private string Resolve(string value)
    {
        var match = EarlierAnswer().Match(value);
        if (!match.Success)
        {
            return value;
        }

        var index = int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
        Check.That(index >= 1 && index <= _world.Consumptions.Count, $"'{value}': the scenario made {_world.Consumptions.Count} consumption(s)");
        return ApiReply.Text(ApiReply.Field(_world.Consumptions[index - 1].EnsureSuccess($"consumption {index}").Data, match.Groups[1].Value));
    }

    [GeneratedRegex(@"^(\w+) of consumption (\d+)$")]
    private static partial Regex EarlierAnswer();
}
