using System.Globalization;
using Harness.Load.Audit;
using Harness.Load.Engine;
using Harness.Load.Reports;
using Harness.Load.Sandbox;
using Harness.Load.Scenarios;
using Harness.Load.Soak;
using Harness.Load.Target;
using Harness.Launcher;

namespace Harness.Load;

/// <summary><c>./run-harness.sh load</c>: prepare the target, run the scenarios, audit the ledger, write the reports, judge.</summary>
public static class LoadCommand
{
    public const int Passed = 0;
    public const int Failed = 1;
    public const int BadArguments = 2;
    public const int TargetUnusable = 3;

    public static async Task<int> MainAsync(IReadOnlyList<string> args, TextWriter console, CancellationToken cancellationToken)
    {
        LoadOptions options;
        try
        {
            options = LoadOptions.Parse(args);
        }
        catch (ArgumentException ex)
        {
            await console.WriteLineAsync("error: " + ex.Message + Environment.NewLine + Environment.NewLine + LoadOptions.Usage);
            return BadArguments;
        }

        if (options.Help)
        {
            await console.WriteLineAsync(LoadOptions.Usage);
            return Passed;
        }

        LoadReport report;
        var commandLine = "./run-harness.sh load " + string.Join(' ', args);
        try
        {
            if (options.LoadsSandbox)
            {
                await using var sandbox = await ConnectSandboxAsync(options, console, cancellationToken);
                report = await SandboxRun.RunAsync(options, sandbox, commandLine, console, cancellationToken);
            }
            else
            {
                await using var target = await ConnectAsync(options, console, cancellationToken);
                report = await RunAsync(options, target, commandLine, console, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is LoadSetupException or HttpRequestException or TimeoutException or InvalidOperationException or IOException or System.Text.Json.JsonException or System.Net.HttpListenerException)
        {
            await console.WriteLineAsync("error: the target is not usable for a load run: " + ex.Message);
            return TargetUnusable;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await console.WriteLineAsync("aborted");
            return Failed;
        }

        var directory = ReportWriter.Write(report, options.ReportDirectory ?? Path.Combine(HarnessProcess.RepositoryRoot(), "artifacts", "load"));
        await console.WriteLineAsync($"Reports: {Path.Combine(directory, "report.md")}, report.html, histograms.hlog");
        await console.WriteLineAsync(report.Passed ? "PASSED" : "FAILED");
        return report.Passed ? Passed : Failed;
    }

    /// <summary>One run against a prepared target: users and credit, the scenarios in order, then the audit.</summary>
    public static async Task<LoadReport> RunAsync(LoadOptions options, LoadTarget target, string commandLine, TextWriter console, CancellationToken cancellationToken)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var runId = string.Create(CultureInfo.InvariantCulture, $"{startedAt:yyyyMMdd-HHmmss}-{Random.Shared.Next(0x10000):x4}");
        await console.WriteLineAsync($"Load run {runId} against {target.Description}");
        await target.PrepareUsersAsync(options.Users, options.Credit, runId, cancellationToken);
        var auditor = new LedgerAuditor(target.Api);
        var baselines = await auditor.SnapshotAsync(target.Users, cancellationToken);
        var journal = new ConsumeJournal();
        var catalog = new ScenarioCatalog(target, journal, new ScenarioSettings(runId, options.DuplicateShare, options.Accounts));
        var engine = new LoadEngine(console);
        var results = new List<ScenarioResult>();
        var simulation = options.Simulation();
        var runs = options.Scenarios.Select(name => new ScenarioRun(catalog.Create(name))).ToList();
        var finished = new HashSet<ScenarioRun>();

        // A soak samples the backend every --sample-every instead of every second: at the given rate from
        // the start, else after the closed burst that measures the maximum, at half of it.
        var probe = options.Soak is null ? null : new SoakProbe(target, journal, console);
        var soakEngine = probe is null ? engine : new LoadEngine(console, options.SoakSampleEvery, probe.RecordAsync);
        var (soakRate, soakRateSource) = (options.RateFrom ?? 0, options.OpenModel ? "given (--rate)" : "not run: the burst measured no throughput");
        if (probe is not null && options.OpenModel)
        {
            await console.WriteLineAsync(SoakStart(options, soakRate, "given"));
        }

        await TakeTurnsAsync(runs, simulation, options.Soak is not null && options.OpenModel ? soakEngine : engine, FinishAsync, options, console, cancellationToken);

        // An aborted run still reports every scenario it measured.
        foreach (var run in runs.Where(r => r.HasMeasured && !finished.Contains(r)))
        {
            await FinishAsync(run);
        }

        async Task FinishAsync(ScenarioRun run)
        {
            finished.Add(run);
            var result = await ReportAsync(run.Finish(simulation, options.Rounds), console);
            results.Add(result);
            if (options.MeasuresHalfRate && result.Name != ScenarioCatalog.Baseline && result.OkPerSecond > 0 && !cancellationToken.IsCancellationRequested)
            {
                await MeasureHalfRateAsync(result);
            }
        }

        // The scenario again, open at half the throughput just measured. With a baseline in the run,
        // the baseline takes turns with it at the same rate: the host's own tail at that rate, the
        // floor under any target's p99 when the load comes from the same machine.
        async Task MeasureHalfRateAsync(ScenarioResult measured)
        {
            var half = InjectRate.Constant(measured.OkPerSecond / 2, options.Soak ?? options.Duration);
            if (probe is not null)
            {
                (soakRate, soakRateSource) = (half.From, string.Create(CultureInfo.InvariantCulture, $"half the measured maximum of {measured.OkPerSecond:0} ok/s (closed burst of {options.Duration.TotalSeconds:0.#}s)"));
                await console.WriteLineAsync(SoakStart(options, soakRate, soakRateSource));
            }

            List<ScenarioRun> pair = [new(catalog.Create(measured.Name, ScenarioCatalog.HalfRate))];
            if (options.Scenarios.Contains(ScenarioCatalog.Baseline))
            {
                pair.Add(new(catalog.Create(ScenarioCatalog.Baseline, ScenarioCatalog.FloorVariant(measured.Name))));
            }

            await TakeTurnsAsync(pair, half, soakEngine, afterLastSlice: null, options, console, cancellationToken);
            var measuredRuns = new List<ScenarioResult>();
            foreach (var run in pair.Where(r => r.HasMeasured))
            {
                measuredRuns.Add(await ReportAsync(run.Finish(half, options.Rounds), console));
            }

            results.AddRange(measuredRuns);
            if (measuredRuns is [var halfRate, var floor])
            {
                await console.WriteLineAsync("  " + ReportTables.FloorVerdict(halfRate, floor));
            }
        }

        await console.WriteLineAsync($"Auditing the ledger: {journal.Count:N0} keys over {target.Users.Count} users...");
        // An aborted run (Ctrl-C) is still audited: what was acknowledged must have been charged once.
        var audit = await auditor.AuditAsync(baselines, journal, target.AdminToken, CancellationToken.None);
        var soak = probe is null ? null : new SoakResult(soakRate, soakRateSource, options.SoakSampleEvery, probe.Samples, probe.Notes());
        var report = new LoadReport(runId, target.Description, commandLine, startedAt, results, audit, Thresholds.Evaluate(options, results)) { Soak = soak };
        if (soak is not null)
        {
            await console.WriteLineAsync($"Soak: {soak.Samples.Count} samples; {soak.RssVerdict()}");
        }

        await console.WriteLineAsync(ReportTables.AuditVerdict(report));
        foreach (var finding in audit.Findings.Take(10))
        {
            await console.WriteLineAsync($"  {finding.Kind}: {finding.Detail}");
        }

        await PrintRatiosAndThresholdsAsync(report, console);
        return report;
    }

    /// <summary>The run's last lines: each scenario's throughput over the baseline's, then any threshold it broke.</summary>
    internal static async Task PrintRatiosAndThresholdsAsync(LoadReport report, TextWriter console)
    {
        foreach (var (scenario, ratio) in report.BaselineRatios())
        {
            await console.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  {scenario} throughput ÷ {report.BaselineName} = {ratio:0.00}"));
        }

        foreach (var failure in report.ThresholdFailures)
        {
            await console.WriteLineAsync("  threshold failed: " + failure);
        }
    }

    /// <summary>The scenarios take turns in --rounds slices, with a warm-up each in the first round only.</summary>
    internal static async Task TakeTurnsAsync(List<ScenarioRun> turns, LoadSimulation load, LoadEngine runner, Func<ScenarioRun, Task>? afterLastSlice, LoadOptions options, TextWriter console, CancellationToken cancellationToken)
    {
        var slice = load.Duration / options.Rounds;
        for (var round = 1; round <= options.Rounds && !cancellationToken.IsCancellationRequested; round++)
        {
            foreach (var run in turns.TakeWhile(_ => !cancellationToken.IsCancellationRequested))
            {
                var warmup = round == 1 ? options.Warmup : TimeSpan.Zero;
                var note = options.Rounds > 1 ? $" (round {round} of {options.Rounds})" : "";
                await console.WriteLineAsync($"▶ {run.Scenario.Name}{note}: {run.Scenario.Description}; {load.Describe()} for {slice.TotalSeconds:0.#}s after {warmup.TotalSeconds:0.#}s warm-up");
                await runner.MeasureAsync(run, load, warmup, slice, cancellationToken);
                if (round == options.Rounds && afterLastSlice is not null)
                {
                    await afterLastSlice(run);
                }
            }
        }
    }

    private static string SoakStart(LoadOptions options, double rate, string source) => string.Create(
        CultureInfo.InvariantCulture,
        $"Soak: {ScenarioCatalog.ConsumeUnique} open at {rate:0.#}/s ({source}) for {SoakProbe.Elapsed(options.Soak!.Value.TotalSeconds)}, a sample every {SoakProbe.Elapsed(options.SoakSampleEvery.TotalSeconds)}");

    internal static async Task<ScenarioResult> ReportAsync(ScenarioResult result, TextWriter console)
    {
        await console.WriteLineAsync(string.Create(
            CultureInfo.InvariantCulture,
            $"■ {result.Name}: {result.OkPerSecond:0} ok/s, p50 {result.Main.PercentileMs(50):0.00} ms, p99 {result.Main.PercentileMs(99):0.00} ms, max {result.Main.MaxMs:0.00} ms, {result.Main.Failed} failed{FromSend(result)}"));
        if (result.RunnerCaveat() is { } caveat)
        {
            await console.WriteLineAsync("  note: " + caveat);
        }

        return result;
    }

    /// <summary>In the open model, the latency timed from the send as well: how much of the p99 was the runner's own lateness.</summary>
    private static string FromSend(ScenarioResult result) => result.OpenModel
        ? string.Create(CultureInfo.InvariantCulture, $" (from send: p50 {result.Main.FromSendPercentileMs(50):0.00} ms, p99 {result.Main.FromSendPercentileMs(99):0.00} ms)")
        : "";

    private static async Task<SandboxTarget> ConnectSandboxAsync(LoadOptions options, TextWriter console, CancellationToken cancellationToken)
    {
        if (options.Sandbox is { } control)
        {
            return await SandboxTarget.ConnectAsync(control, options.MaxConnections, options.Timeout, cancellationToken);
        }

        await console.WriteLineAsync("Starting the built-in provider sandbox (./run-harness.sh sandbox --no-build) on free ports...");
        return await SandboxTarget.StartBuiltInAsync(options.DataDirectory, options.MaxConnections, options.Timeout, cancellationToken);
    }

    private static async Task<LoadTarget> ConnectAsync(LoadOptions options, TextWriter console, CancellationToken cancellationToken)
    {
        if (options.Target is null && options.ProfilePath is null)
        {
            await console.WriteLineAsync("Starting the built-in reference backend (./run-harness.sh serve --no-build) on a free port...");
            return await LoadTarget.StartBuiltInAsync(options.DataDirectory, options.MaxConnections, options.Timeout, cancellationToken);
        }

        var profile = options.ProfilePath is null ? null : TargetProfile.Load(options.ProfilePath);
        var url = options.Target
            ?? (Uri.TryCreate(profile?.BaseUrl, UriKind.Absolute, out var baseUrl) && baseUrl.Scheme is "http" or "https"
                ? baseUrl
                : throw new LoadSetupException($"give --target, or an http(s) baseUrl in the profile (it has '{profile?.BaseUrl}')"));
        return await LoadTarget.ConnectAsync(url, profile, options.MaxConnections, options.Timeout, options.Insecure, cancellationToken);
    }
}
