using System.Globalization;
using System.Text;

namespace Harness.Chaos.Reports;

/// <summary>The report as Markdown: the goals first, then each part's figures, then every finding.</summary>
public static class MarkdownReport
{
    public static string Summary(ChaosReport report)
    {
        var text = new StringBuilder();
        text.AppendLine("| goal | figure | |");
        text.AppendLine("| --- | --- | --- |");
        foreach (var (goal, figure, met) in Goals(report))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {goal} | {figure} | {(met ? "met" : "**missed**")} |");
        }

        return text.ToString();
    }

    public static string Render(ChaosReport report)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# Chaos campaign: {(report.Passed ? "PASSED" : "FAILED")}");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Target: {report.Target}. Seed {report.Seed} (`--seed {report.Seed}` repeats every generated request). Started {report.StartedAt:u}, took {report.Duration.TotalSeconds:0} s.");
        text.AppendLine();
        text.Append(Summary(report));
        text.AppendLine();
        text.AppendLine("## Fuzz");
        text.AppendLine();
        text.AppendLine("| surface | operations | requests | 5xx | outside the shape | refused by the web server | rate-limited (429) | slowest |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var f in report.Fuzz)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {f.Surface} | {f.Operations} | {f.Requests} | {f.ServerErrors} | {f.WrongShape} | {f.ServerLevel} | {f.RateLimited} | {f.Slowest.TotalMilliseconds:0} ms: `{f.SlowestRequest}` |");
        }

        if (report.Auth.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("## Auth matrix");
            text.AppendLine();
            foreach (var auth in report.Auth)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"- {auth.Surface}: {auth.Routes} protected routes, {auth.Checks} checks, {auth.Unexpected} answered other than documented.");
            }
        }

        if (report.Callbacks.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("## Callback chaos");
            text.AppendLine();
            foreach (var callbacks in report.Callbacks)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"- {callbacks.Surface}: {callbacks.Channels} channels, {callbacks.Sent} notifications (through the sandbox, resent, repeated, reordered, concurrent, late, tampered, stale, wrong amount): {callbacks.SpoiledRefused} of {callbacks.Spoiled} tampered or stale refused, {callbacks.Excess} {callbacks.Unit} credited beyond what was paid, {callbacks.Missing} paid {callbacks.Unit} not credited.");
            }
        }

        if (report.Crash is { } crash)
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"## Crash rounds\n\n{crash.Rounds} SIGKILLs during consumption: {crash.Acknowledged} consumes acknowledged before a kill, {crash.Lost} of them lost, {crash.ChargedTwice} keys charged twice, {crash.InDoubt} sent without an answer (replayed afterwards, charged once). Slowest restart {crash.SlowestRestart.TotalSeconds:0.0} s.");
        }

        if (report.NotRun.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("## Not run");
            text.AppendLine();
            foreach (var reason in report.NotRun)
            {
                text.AppendLine("- " + reason);
            }
        }

        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"## Findings ({report.Findings.Count})");
        text.AppendLine();
        foreach (var finding in report.Findings)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- **{finding.Campaign}: {finding.Kind}** — `{finding.Request}` — {finding.Detail}");
        }

        return text.ToString();
    }

    /// <summary>The campaign's goals with their figures, in the order the issue lists them.</summary>
    public static IEnumerable<(string Goal, string Figure, bool Met)> Goals(ChaosReport report)
    {
        var serverErrors = report.Fuzz.Sum(f => f.ServerErrors);
        var wrongShape = report.Fuzz.Sum(f => f.WrongShape);
        var requests = report.Fuzz.Sum(f => f.Requests);
        yield return ("no 5xx", $"{serverErrors} in {requests} malformed requests", serverErrors == 0);
        yield return ("no answer outside the documented shape", $"{wrongShape}", wrongShape == 0);
        var noAnswer = report.Findings.Count(f => f.Campaign == "fuzz" && f.Kind.StartsWith("no answer", StringComparison.Ordinal));
        yield return ("every request answered", $"{noAnswer} without an answer", noAnswer == 0);
        foreach (var auth in report.Auth)
        {
            yield return ($"unauthorised requests answered as documented ({auth.Surface})", $"{auth.Checks - auth.Unexpected} of {auth.Checks}", auth.Unexpected == 0);
        }

        foreach (var callbacks in report.Callbacks)
        {
            var applied = report.Findings.Count(f => f.Campaign == "callbacks" && f.Request.StartsWith(callbacks.Surface + ":", StringComparison.Ordinal) && f.Kind.StartsWith("tampered", StringComparison.Ordinal));
            yield return ($"no double credit from repeated, reordered, concurrent or late callbacks ({callbacks.Surface})", $"{callbacks.Excess} {callbacks.Unit}", callbacks.Excess == 0 && applied == 0);
            yield return ($"tampered and stale callbacks refused ({callbacks.Surface})", $"{callbacks.SpoiledRefused} of {callbacks.Spoiled}", callbacks.SpoiledRefused == callbacks.Spoiled);
            yield return ($"every paid callback credited ({callbacks.Surface})", $"{callbacks.Missing} {callbacks.Unit} missing", callbacks.Missing == 0);
        }

        if (report.Crash is { } crash)
        {
            var otherCrash = report.Findings.Count(f => f.Campaign == "crash");
            yield return ("no acknowledged consume lost", $"{crash.Lost} of {crash.Acknowledged}", crash.Lost == 0);
            yield return ("no consume charged twice", $"{crash.ChargedTwice}", crash.ChargedTwice == 0 && otherCrash == crash.Lost);
        }
    }
}
