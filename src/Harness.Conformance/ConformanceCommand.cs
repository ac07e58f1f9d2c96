using Harness.Conformance.Binding;
using Harness.Conformance.Gherkin;
using Harness.Conformance.Reports;
using Harness.Conformance.Running;
using Harness.Conformance.Targets;

namespace Harness.Conformance;

/// <summary>
/// The <c>conformance</c> verb: <c>--target URL --profile FILE [--tags EXPR] [--features DIR] [--out DIR]</c>
/// runs the features against an implementation and writes the reports; <c>--init [FILE]</c> writes a profile template.
/// </summary>
public static class ConformanceCommand
{
    public const string Usage = """
        Usage: conformance --target URL [--profile FILE] [--sandbox URL] [--tags EXPR] [--features DIR] [--out DIR]
               conformance --init [FILE]

          --target URL     the implementation under test (overrides the profile's baseUrl)
          --profile FILE   JSON profile: baseUrl, userJwt, userId, adminJwt, adminId, financeApiKey,
                           portalyLiveKey, portalyTestKey, portalyCallbackSecret, smsSandbox, sandboxUrl,
                           newApiUrl, newApiAdminToken, newApiAdminId, newApiCriticalRateLimit (the @new-api features)
          --sandbox URL    the provider sandbox's control URL, for @provider features (overrides sandboxUrl)
          --tags EXPR      Cucumber tag expression, e.g. "@finance and not @concurrency"
          --features DIR   feature files (default: features/ of the repository)
          --out DIR        reports (default: artifacts/conformance)
          --init [FILE]    write a commented profile template (default: conformance-profile.json)

        Exit code: 0 when every selected scenario passed or could not run for a stated need, 1 otherwise.
        """;

    public const string JUnitFile = "junit.xml";
    public const string MessagesFile = "cucumber-messages.ndjson";
    public const string HtmlFile = "report.html";

    public static async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken = default)
    {
        var options = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] is "conformance" && i == 0)
            {
                continue;
            }

            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                return Fail(output, $"unexpected argument '{args[i]}'");
            }

            options[args[i]] = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : null;
        }

        if (options.ContainsKey("--help"))
        {
            output.WriteLine(Usage);
            return 0;
        }

        if (options.TryGetValue("--init", out var initFile))
        {
            return Init(initFile ?? "conformance-profile.json", output);
        }

        TargetProfile profile;
        TagExpression tags;
        try
        {
            profile = options.GetValueOrDefault("--profile") is { } profilePath ? TargetProfile.Load(profilePath) : new TargetProfile();
            if (options.GetValueOrDefault("--target") is { } url)
            {
                profile = profile with { BaseUrl = url };
            }

            if (options.GetValueOrDefault("--sandbox") is { } sandboxUrl)
            {
                profile = profile with { SandboxUrl = sandboxUrl };
            }

            tags = TagExpression.Parse(options.GetValueOrDefault("--tags"));
        }
        catch (Exception ex) when (ex is IOException or FormatException or System.Text.Json.JsonException or UnauthorizedAccessException)
        {
            return Fail(output, ex.Message);
        }

        if (string.IsNullOrEmpty(profile.BaseUrl))
        {
            return Fail(output, "give --target URL (or baseUrl in the profile)");
        }

        using var target = new HttpTarget(profile);
        var catalog = FeatureCatalog.Load(options.GetValueOrDefault("--features") ?? FeatureCatalog.DefaultRoot());
        var outDirectory = options.GetValueOrDefault("--out") ?? Path.Combine("artifacts", "conformance");
        var run = await RunAndReportAsync(catalog, target, tags, Suite.Registry, outDirectory, output, cancellationToken);
        return run.Success ? 0 : 1;
    }

    /// <summary>Runs the selected scenarios with console progress, then writes the three reports.</summary>
    public static async Task<RunResult> RunAndReportAsync(
        FeatureCatalog catalog,
        IConformanceTarget target,
        TagExpression tags,
        StepRegistry registry,
        string outDirectory,
        TextWriter output,
        CancellationToken cancellationToken = default)
    {
        var selected = catalog.Scenarios.Where(s => tags.Matches(s.Tags)).ToList();
        var console = new ConsoleReporter(output);
        console.Started(target.Name, selected.Count);
        var run = await new SuiteRunner(new ScenarioRunner(registry)).RunAsync(selected, target, console.Finished, cancellationToken);

        Directory.CreateDirectory(outDirectory);
        var files = new[] { JUnitFile, MessagesFile, HtmlFile }.Select(f => Path.GetFullPath(Path.Combine(outDirectory, f))).ToArray();
        JUnitReport.Write(run, files[0]);
        MessagesReport.Write(run, registry, files[1]);
        HtmlReport.Write(run, files[2]);
        console.Summary(run, files);
        return run;
    }

    private static int Init(string path, TextWriter output)
    {
        if (File.Exists(path))
        {
            return Fail(output, $"{path} exists; not overwriting it");
        }

        File.WriteAllText(path, TargetProfile.Template);
        output.WriteLine($"Wrote {Path.GetFullPath(path)}: fill in what you have, then run: ./run-harness.sh conformance --target <url> --profile {path}");
        return 0;
    }

    private static int Fail(TextWriter output, string message)
    {
        output.WriteLine("error: " + message);
        output.WriteLine(Usage);
        return 2;
    }
}
