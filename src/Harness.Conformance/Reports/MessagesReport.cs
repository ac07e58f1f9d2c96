using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Cucumber.Messages;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;
using Io.Cucumber.Messages.Types;

namespace Harness.Conformance.Reports;

/// <summary>
/// Cucumber Messages as NDJSON, one envelope per line, in the order a Cucumber implementation emits them:
/// meta, sources, documents, pickles, step definitions, then the test run. Cucumber's own formatters
/// (html-formatter, junit-xml-formatter, json-formatter) read the file as if Cucumber had run.
/// </summary>
public static class MessagesReport
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,

        // Feature text stays readable in the file (quotes and apostrophes unescaped); still valid JSON.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new MessageEnumConverterFactory() },
    };

    public static IEnumerable<Envelope> Build(RunResult run, StepRegistry registry)
    {
        var started = Converters.ToTimestamp(run.StartedAt.UtcDateTime);
        var runId = "run-" + run.StartedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        yield return Envelope.Create(new Meta(
            ProtocolVersion.Version,
            new Product("harness-conformance", typeof(MessagesReport).Assembly.GetName().Version?.ToString() ?? "1.0"),
            new Product(".NET", Environment.Version.ToString()),
            new Product(RuntimeInformation.OSDescription, null),
            new Product(RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant(), null),
            null));
        foreach (var feature in run.Scenarios.Select(s => s.Scenario.Feature).Distinct())
        {
            yield return Envelope.Create(feature.Source);
            yield return Envelope.Create(feature.Document);
            foreach (var scenario in feature.Scenarios.Where(s => run.Scenarios.Any(r => r.Scenario == s)))
            {
                yield return Envelope.Create(scenario.Pickle);
            }
        }

        foreach (var definition in registry.Definitions)
        {
            yield return Envelope.Create(new Io.Cucumber.Messages.Types.StepDefinition(
                definition.Id,
                new StepDefinitionPattern(definition.Expression.Source, definition.Expression.IsRegex ? StepDefinitionPatternType.REGULAR_EXPRESSION : StepDefinitionPatternType.CUCUMBER_EXPRESSION),
                new SourceReference(definition.Location, null, null, null)));
        }

        yield return Envelope.Create(new TestRunStarted(started, runId));
        var testCases = run.Scenarios.Select((result, index) => (result, testCase: TestCaseOf(result, index, runId))).ToList();
        foreach (var (_, testCase) in testCases)
        {
            yield return Envelope.Create(testCase);
        }

        foreach (var (result, testCase) in testCases)
        {
            var caseStartedId = testCase.Id + "-started";
            var at = result.StartedAt.UtcDateTime;
            yield return Envelope.Create(new TestCaseStarted(0, caseStartedId, testCase.Id, null, Converters.ToTimestamp(at)));
            for (var i = 0; i < result.Steps.Count; i++)
            {
                var step = result.Steps[i];
                yield return Envelope.Create(new TestStepStarted(caseStartedId, testCase.TestSteps[i].Id, Converters.ToTimestamp(at)));
                at += step.Duration;
                yield return Envelope.Create(new TestStepFinished(
                    caseStartedId,
                    testCase.TestSteps[i].Id,
                    new TestStepResult(Converters.ToDuration(step.Duration), StepMessage(result, step), StatusOf(step.Status), null),
                    Converters.ToTimestamp(at)));
            }

            yield return Envelope.Create(new TestCaseFinished(caseStartedId, Converters.ToTimestamp(result.StartedAt.UtcDateTime + result.Duration), false));
        }

        yield return Envelope.Create(new TestRunFinished(
            run.Success ? null : $"{run.Scenarios.Count(s => !s.Passed && s.Status != ScenarioStatus.NotRun)} scenario(s) did not pass",
            run.Success,
            Converters.ToTimestamp((run.StartedAt + run.Duration).UtcDateTime),
            null,
            runId));
    }

    public static void Write(RunResult run, StepRegistry registry, string path)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
        foreach (var envelope in Build(run, registry))
        {
            writer.Write(JsonSerializer.Serialize(envelope, Json));
            writer.Write('\n');
        }
    }

    private static TestCase TestCaseOf(ScenarioResult result, int index, string runId)
    {
        var id = "tc" + index.ToString(CultureInfo.InvariantCulture);
        var steps = result.Steps.Select((step, i) => new TestStep(
            null,
            $"{id}-s{i}",
            step.Step.Pickle.Id,
            step.Match is { } match ? [match.Definition.Id] : [],
            step.Match is { } m
                ? [new StepMatchArgumentsList([.. m.Arguments.Select(a => new StepMatchArgument(new Group([], a.Start < 0 ? null : a.Start, a.Text), a.Type?.Name))])]
                : [])).ToList();
        return new TestCase(id, result.Scenario.Pickle.Id, steps, runId);
    }

    /// <summary>Why a step did not pass; a "not run" scenario tells its missing needs on its first step.</summary>
    private static string? StepMessage(ScenarioResult result, StepResult step) =>
        step.Error ?? (result.Status == ScenarioStatus.NotRun && ReferenceEquals(step, result.Steps[0]) ? result.Message : null);

    private static TestStepResultStatus StatusOf(StepStatus status) => status switch
    {
        StepStatus.Passed => TestStepResultStatus.PASSED,
        StepStatus.Failed => TestStepResultStatus.FAILED,
        StepStatus.Undefined => TestStepResultStatus.UNDEFINED,
        StepStatus.Ambiguous => TestStepResultStatus.AMBIGUOUS,
        _ => TestStepResultStatus.SKIPPED,
    };

    /// <summary>Message enums are written with their wire names (e.g. <c>text/x.cucumber.gherkin+plain</c>), given by each enum's <c>Value</c> extension.</summary>
    private sealed class MessageEnumConverterFactory : JsonConverterFactory
    {
        private static readonly ConcurrentDictionary<Type, Func<object, string>> Names = new();

        public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum && typeToConvert.Namespace == typeof(Envelope).Namespace;

        public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
            (JsonConverter)Activator.CreateInstance(typeof(WireNameConverter<>).MakeGenericType(typeToConvert))!;

        private static string WireName(object value) => Names.GetOrAdd(value.GetType(), type =>
        {
            var extension = type.Assembly.GetType(type.FullName + "Extensions")?.GetMethod("Value", BindingFlags.Public | BindingFlags.Static);
            return extension is null ? v => v.ToString()! : v => (string)extension.Invoke(null, [v])!;
        })(value);

        private sealed class WireNameConverter<T> : JsonConverter<T>
            where T : struct, Enum
        {
            public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
            {
                var name = reader.GetString();
                return Enum.GetValues<T>().First(v => WireName(v) == name);
            }

            public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(WireName(value));
        }
    }
}
