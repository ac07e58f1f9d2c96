using System.Text.RegularExpressions;
using Harness.Conformance.Tests.Support;

namespace Harness.Conformance.Tests;

/// <summary>
/// The coverage matrix in docs/conformance.md, checked both ways: every scenario is named in it, and every row
/// names scenarios that exist (or sits under "Not covered" with a reason), so it cannot fall behind the features.
/// </summary>
public sealed partial class CoverageMatrixTests
{
    private static readonly string Document = File.ReadAllText(Path.Combine(HarnessProcess.RepositoryRoot(), "docs", "conformance.md"));

    [Fact]
    public void The_coverage_matrix_names_every_scenario_of_the_served_surfaces()
    {
        var named = MatrixRows().Where(r => r.Header[^1] == "scenarios").SelectMany(r => Named(r.Cells[^1])).ToHashSet();

        var missing = Features.InProcess.Where(s => !named.Contains(s.Id))
            .Select(s => $"{FeatureKey(s)}: {s.Name}").Distinct(StringComparer.Ordinal).ToList();

        Assert.True(missing.Count == 0, "no row of the docs/conformance.md coverage matrix names: " + string.Join("; ", missing));
    }

    [Fact]
    public void Every_row_of_the_coverage_matrix_names_scenarios_that_exist()
    {
        var rows = MatrixRows().Where(r => r.Header[^1] == "scenarios").ToList();
        Assert.True(rows.Count > 50, $"only {rows.Count} rows found: has the matrix's layout changed?");

        var problems = rows.SelectMany(row => Problems(row.Cells[0], row.Cells[^1])).ToList();

        Assert.True(problems.Count == 0, "docs/conformance.md coverage matrix:\n" + string.Join("\n", problems));
    }

    [Fact]
    public void What_the_features_do_not_cover_is_listed_with_a_reason()
    {
        var uncovered = MatrixRows().Where(r => r.Header[^1] == "why not").ToList();

        Assert.NotEmpty(uncovered);
        Assert.All(uncovered, row => Assert.True(row.Cells[^1].Length > 10, $"'{row.Cells[0]}' is not covered and gives no reason"));
    }

    [Theory]
    [InlineData("auth: A user reads who is signed in; The health route answers without credentials", false)]
    [InlineData("records: all; validation: Invalid record filters are refused (page, pageSize)", false)]
    [InlineData("auth: A user reads who is signed in; A scenario that was renamed", true)]
    [InlineData("auth: A user reads who is signed in, The health route answers without credentials", true)]
    [InlineData("no-such-feature: all", true)]
    [InlineData("not yet", true)]
    public void A_row_naming_a_scenario_that_does_not_exist_is_found(string cell, bool wrong) =>
        Assert.Equal(wrong, Problems("a row", cell).Any());

    /// <summary>The scenarios a cell names, by id (an outline's examples all count).</summary>
    private static IEnumerable<string> Named(string cell) =>
        Segments(cell).SelectMany(s => Features.All.Scenarios.Where(scenario =>
            (s.Feature is null || FeatureKey(scenario) == s.Feature) && (s.Name == "all" || scenario.Name == s.Name))).Select(s => s.Id);

    /// <summary>
    /// A cell lists <c>feature: Scenario; Scenario; other-feature: all</c>; notes in parentheses or brackets, and
    /// anything after a dash, are commentary; <c>every …</c> describes steps. The feature name carries over.
    /// </summary>
    private static IEnumerable<(string? Feature, string Name)> Segments(string cell)
    {
        var feature = (string?)null;
        foreach (var raw in cell.Split(';'))
        {
            var segment = Commentary().Replace(raw, "");
            var dash = segment.IndexOf(" — ", StringComparison.Ordinal);
            segment = (dash >= 0 ? segment[..dash] : segment).Trim().Trim('`');
            if (FeaturePrefix().Match(segment) is { Success: true } prefix)
            {
                feature = prefix.Groups[1].Value;
                segment = segment[prefix.Length..].Trim();
            }

            if (segment.Length > 0 && !segment.StartsWith("every ", StringComparison.Ordinal))
            {
                yield return (feature, segment);
            }
        }
    }

    /// <summary>Each name must be a scenario of the feature named before it, and a row must name at least one.</summary>
    private static IEnumerable<string> Problems(string row, string cell)
    {
        var named = 0;
        foreach (var (feature, name) in Segments(cell))
        {
            var scenarios = Features.All.Scenarios.Where(s => feature is null || FeatureKey(s) == feature).ToList();
            if (scenarios.Count == 0)
            {
                yield return $"'{row}': no feature '{feature}'";
            }
            else if (name == "all" || scenarios.Any(s => s.Name == name))
            {
                named++;
            }
            else
            {
                yield return $"'{row}': '{name}' is not a scenario of {feature ?? "any feature"}";
            }
        }

        if (named == 0)
        {
            yield return $"'{row}' names no scenario (cover it, or move it to \"Not covered\" with a reason)";
        }
    }

    private static string FeatureKey(Gherkin.Scenario scenario) => Path.GetFileNameWithoutExtension(scenario.Feature.Uri);

    /// <summary>The rows of every table under the coverage-matrix headings, each with its table's header.</summary>
    private static IEnumerable<(string[] Header, string[] Cells)> MatrixRows()
    {
        var inMatrix = false;
        string[]? header = null;
        foreach (var line in Document.Split('\n'))
        {
            if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                inMatrix = line.StartsWith("## Coverage matrix", StringComparison.Ordinal);
            }

            if (!inMatrix || !line.StartsWith('|'))
            {
                header = line.StartsWith('|') ? header : null;
                continue;
            }

            var cells = line.Trim().Trim('|').Split(" | ").Select(c => c.Trim()).ToArray();
            if (header is null)
            {
                header = cells;
            }
            else if (!cells[0].StartsWith("---", StringComparison.Ordinal))
            {
                yield return (header, cells);
            }
        }
    }

    [GeneratedRegex(@"\([^)]*\)|\[[^\]]*\]")]
    private static partial Regex Commentary();

    [GeneratedRegex(@"^([a-z][a-z0-9-]*):\s")]
    private static partial Regex FeaturePrefix();
}
