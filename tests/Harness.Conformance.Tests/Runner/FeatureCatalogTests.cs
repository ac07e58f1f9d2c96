namespace Harness.Conformance.Tests.Runner;

public sealed class FeatureCatalogTests : IDisposable
{
    private readonly Sample _sample = new();

    public void Dispose() => _sample.Dispose();

    [Fact]
    public void Backgrounds_rules_outlines_doc_strings_and_tables_become_one_pickle_per_case()
    {
        var catalog = _sample.Write("shop/basket.feature", """"
            @shop
            Feature: Basket
              Background:
                Given a basket with 1 apple

              Scenario: Notes and tables
                When I write the note:
                  """
                  first line
                  second line
                  """
                Then the basket is:
                  | item  |
                  | Apple |

              Rule: Adding
                Background:
                  Given a basket with 2 pears

                @adding
                Scenario Outline: Adding <count> items
                  When I add <count> items
                  Then the basket holds <total> items

                  @small
                  Examples: few
                    | count | total |
                    | 1     | 4     |
                    | 2     | 5     |

            """");

        Assert.Equal(["Basket › Notes and tables", "Basket › Adding 1 items [1, 4]", "Basket › Adding 2 items [2, 5]"], catalog.Scenarios.Select(s => s.DisplayName));
        var outlineRow = catalog.Scenarios[1];
        Assert.Equal("shop/basket.feature:28", outlineRow.Id);
        Assert.Equal("shop", outlineRow.Surface);
        Assert.Equal(["shop", "adding", "small"], outlineRow.Tags);
        Assert.Equal(["a basket with 1 apple", "a basket with 2 pears", "I add 1 items", "the basket holds 4 items"], outlineRow.Steps.Select(s => s.Text));
        Assert.Equal(["Given", "Given", "When", "Then"], outlineRow.Steps.Select(s => s.Keyword));
        var notes = catalog.Scenarios[0];
        Assert.Equal(["a basket with 1 apple", "I write the note:", "the basket is:"], notes.Steps.Select(s => s.Text));
        Assert.Equal("first line\nsecond line", notes.Steps[1].DocString!.Content);
        Assert.Equal(["item", "Apple"], notes.Steps[2].Table!.Rows.Select(r => r.Cells[0].Value));
        Assert.Same(notes, catalog[notes.Id]);
    }

    [Fact]
    public void A_syntax_error_names_the_file()
    {
        var error = Assert.Throws<FormatException>(() => _sample.Write("broken.feature", "Feature: Broken\n  Scenario: x\n    Given ok\n  this line is no step\n"));

        Assert.Contains("broken.feature", error.Message, StringComparison.Ordinal);
    }
}
