using Harness.Conformance.Binding;
using Harness.Conformance.Steps;

namespace Harness.Conformance.Tests.Runner;

/// <summary>A basket, for the runner's own tests: typed parameters, tables, doc strings, regexes and custom types.</summary>
public enum Fruit
{
    Apple,
    Pear,
}

[Steps]
public sealed class SampleSteps
{
    private readonly List<string> _basket = [];
    private string _note = "";

    [ParameterType("fruit", "apples?|pears?")]
    public static Fruit ParseFruit(string text) => text.StartsWith("apple", StringComparison.Ordinal) ? Fruit.Apple : Fruit.Pear;

    [Given("a basket with {int} {fruit}")]
    public void Basket(int count, Fruit fruit) => _basket.AddRange(Enumerable.Repeat(fruit.ToString(), count));

    [When("I add {string} to the basket")]
    public async Task Add(string item)
    {
        await Task.Yield();
        _basket.Add(item);
    }

    [When("^I add (\\d+) (?:items|item)(?: called (\\w+))?$")]
    public void AddMany(int count, string? name) => _basket.AddRange(Enumerable.Repeat(name ?? "item", count));

    [When("I write the note:")]
    public void Note(string text) => _note = text;

    [Then("the basket holds {int} item(s)")]
    public void Holds(int count) => Check.Equal(count, _basket.Count, "items in the basket");

    [Then("the basket is/are:")]
    public void BasketIs(StepTable table) => Check.Equal(string.Join(",", table.Rows.Select(r => r["item"])), string.Join(",", _basket), "basket");

    [Then("the note reads {string}")]
    public void NoteReads(string text) => Check.Equal(text, _note, "note");

    [Given("a step defined twice")]
    public void First()
    {
    }

    [Given("a step defined {word}")]
    public void Second(string how) => Check.That(how.Length > 0, "a word");

    [Given("a step that needs the admin")]
    [Needs(Need.AdminJwt, Need.FinanceApiKey)]
    public void NeedsAdmin()
    {
    }
}
