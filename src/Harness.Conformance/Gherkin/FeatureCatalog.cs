using Gherkin;
using Gherkin.CucumberMessages;
using Gherkin.CucumberMessages.Pickles;
using Messages = Io.Cucumber.Messages.Types;

namespace Harness.Conformance.Gherkin;

/// <summary>
/// Every <c>*.feature</c> under a folder, parsed by Cucumber's own parser and compiled into pickles:
/// backgrounds, rules and outline examples are expanded, so each <see cref="Scenario"/> is one runnable case.
/// </summary>
public sealed class FeatureCatalog
{
    private readonly Dictionary<string, Scenario> _byId;

    private FeatureCatalog(string root, IReadOnlyList<FeatureFile> features)
    {
        Root = root;
        Features = features;
        Scenarios = [.. features.SelectMany(f => f.Scenarios)];
        _byId = Scenarios.ToDictionary(s => s.Id, StringComparer.Ordinal);
    }

    /// <summary>The folder the feature paths are relative to.</summary>
    public string Root { get; }

    public IReadOnlyList<FeatureFile> Features { get; }

    public IReadOnlyList<Scenario> Scenarios { get; }

    public Scenario this[string id] =>
        _byId.TryGetValue(id, out var scenario) ? scenario : throw new KeyNotFoundException($"No scenario '{id}' under {Root}.");

    /// <summary>Parses every feature file under <paramref name="root"/>; a syntax error names the file and line.</summary>
    public static FeatureCatalog Load(string root)
    {
        // One id generator for the whole run: message ids must be unique across documents.
        var ids = new IncrementingIdGenerator();
        var features = Directory.EnumerateFiles(root, "*.feature", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(root, path).Replace('\\', '/'))
            .OrderBy(uri => uri, StringComparer.Ordinal)
            .Select(uri => Parse(uri, File.ReadAllText(Path.Combine(root, uri)), ids))
            .ToList();
        return new FeatureCatalog(root, features);
    }

    /// <summary>The <c>features</c> folder of the repository the binary was built in.</summary>
    public static string DefaultRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "features");
            if (Directory.Exists(candidate) && File.Exists(Path.Combine(dir.FullName, "Harness.sln")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("No features/ folder found above " + AppContext.BaseDirectory + "; pass --features DIR.");
    }

    private static FeatureFile Parse(string uri, string text, IIdGenerator ids)
    {
        global::Gherkin.Ast.GherkinDocument ast;
        try
        {
            ast = new Parser().Parse(new StringReader(text));
        }
        catch (CompositeParserException ex)
        {
            throw new FormatException($"{uri}: {string.Join("; ", ex.Errors.Select(e => e.Message))}", ex);
        }
        catch (ParserException ex)
        {
            throw new FormatException($"{uri}: {ex.Message}", ex);
        }

        var document = new AstMessagesConverter(ids).ConvertGherkinDocumentToEventArgs(ast, uri);
        var pickles = new PickleCompiler(ids).Compile(document);
        var (steps, rows) = Index(document);
        var featureName = document.Feature?.Name ?? uri;
        var source = new Messages.Source(uri, text, Messages.SourceMediaType.TEXT_X_CUCUMBER_GHERKIN_PLAIN);
        var file = new FeatureFile(uri, featureName, source, document);
        file.Scenarios = [.. pickles.Select(p => new Scenario(
            file,
            p,
            [.. p.Steps.Select(s => new ScenarioStep(s, steps[s.AstNodeIds[0]]))],
            p.AstNodeIds.Count > 1 ? rows[p.AstNodeIds[1]] : null))];
        return file;
    }

    /// <summary>
    /// The written steps and example rows by AST id: a pickle step points at its source step (keyword,
    /// line), an outline's pickle at its example row (shown in the test name).
    /// </summary>
    private static (Dictionary<string, Messages.Step> Steps, Dictionary<string, string> Rows) Index(Messages.GherkinDocument document)
    {
        var steps = new Dictionary<string, Messages.Step>(StringComparer.Ordinal);
        var rows = new Dictionary<string, string>(StringComparer.Ordinal);
        void Add(IEnumerable<Messages.Step>? list)
        {
            foreach (var step in list ?? [])
            {
                steps[step.Id] = step;
            }
        }

        void AddScenario(Messages.Scenario? scenario)
        {
            if (scenario is null)
            {
                return;
            }

            Add(scenario.Steps);
            foreach (var row in scenario.Examples.SelectMany(e => e.TableBody))
            {
                rows[row.Id] = string.Join(", ", row.Cells.Select(c => c.Value));
            }
        }

        void AddChildren(IEnumerable<Messages.FeatureChild>? children)
        {
            foreach (var child in children ?? [])
            {
                Add(child.Background?.Steps);
                AddScenario(child.Scenario);
                foreach (var ruleChild in child.Rule?.Children ?? [])
                {
                    Add(ruleChild.Background?.Steps);
                    AddScenario(ruleChild.Scenario);
                }
            }
        }

        AddChildren(document.Feature?.Children);
        return (steps, rows);
    }
}

/// <summary>One parsed feature file.</summary>
public sealed class FeatureFile(string uri, string name, Messages.Source source, Messages.GherkinDocument document)
{
    /// <summary>Path relative to the features folder, with forward slashes (e.g. <c>finance/balance.feature</c>).</summary>
    public string Uri { get; } = uri;

    public string Name { get; } = name;

    public Messages.Source Source { get; } = source;

    public Messages.GherkinDocument Document { get; } = document;

    public IReadOnlyList<Scenario> Scenarios { get; internal set; } = [];
}

/// <summary>A pickle: one scenario, or one example row of an outline, with background steps prepended.</summary>
public sealed class Scenario(FeatureFile feature, Messages.Pickle pickle, IReadOnlyList<ScenarioStep> steps, string? example)
{
    public FeatureFile Feature { get; } = feature;

    public Messages.Pickle Pickle { get; } = pickle;

    public IReadOnlyList<ScenarioStep> Steps { get; } = steps;

    /// <summary>Stable across runs and machines: <c>uri:line</c> of the scenario or example row.</summary>
    public string Id { get; } = $"{feature.Uri}:{pickle.Location.Line}";

    public string Name => Pickle.Name;

    /// <summary>The example row's values, for a pickle of a scenario outline.</summary>
    public string? Example { get; } = example;

    /// <summary>Tags without <c>@</c>, inherited from feature, rule and examples.</summary>
    public IReadOnlyList<string> Tags { get; } = [.. pickle.Tags.Select(t => t.Name.TrimStart('@')).Distinct(StringComparer.Ordinal)];

    /// <summary>The first folder under features/, e.g. <c>finance</c>.</summary>
    public string Surface => Feature.Uri.Contains('/', StringComparison.Ordinal) ? Feature.Uri[..Feature.Uri.IndexOf('/', StringComparison.Ordinal)] : "";

    /// <summary><c>Feature › Scenario [example]</c>.</summary>
    public string DisplayName => Example is null ? $"{Feature.Name} › {Name}" : $"{Feature.Name} › {Name} [{Example}]";

    public override string ToString() => DisplayName;
}

/// <summary>A pickle step with the keyword and line it was written with.</summary>
public sealed record ScenarioStep(Messages.PickleStep Pickle, Messages.Step Source)
{
    public string Text => Pickle.Text;

    public string Keyword => Source.Keyword.Trim();

    public long Line => Source.Location.Line;

    public Messages.PickleTable? Table => Pickle.Argument?.DataTable;

    public Messages.PickleDocString? DocString => Pickle.Argument?.DocString;

    public override string ToString() => $"{Keyword} {Text}";
}
