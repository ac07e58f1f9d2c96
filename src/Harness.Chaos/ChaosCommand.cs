using Harness.Chaos.Campaigns;
using Harness.Chaos.Reports;
using Harness.Launcher;

namespace Harness.Chaos;

/// <summary><c>./run-harness.sh chaos</c>: runs the campaign, prints and writes its report, and exits by its goals.</summary>
public static class ChaosCommand
{
    public static async Task<int> MainAsync(string[] args, TextWriter output, CancellationToken cancellationToken)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            output.WriteLine(ChaosOptions.Usage);
            return 0;
        }

        ChaosOptions options;
        try
        {
            options = ChaosOptions.Parse(args);
        }
        catch (ArgumentException ex)
        {
            output.WriteLine("error: " + ex.Message);
            output.WriteLine(ChaosOptions.Usage);
            return 2;
        }

        ChaosReport report;
        try
        {
            report = await RunAsync(options, output, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException or TimeoutException)
        {
            output.WriteLine("error: the target is not usable: " + ex.Message);
            return 3;
        }

        var directory = ReportWriter.Write(report, options.ReportDirectory ?? Path.Combine(HarnessProcess.RepositoryRoot(), "artifacts", "chaos"));
        output.WriteLine(MarkdownReport.Summary(report));
        output.WriteLine($"Reports: {Path.Combine(directory, "report.md")}, report.html");
        output.WriteLine(report.Passed ? "PASSED" : "FAILED");
        return report.Passed ? 0 : 1;
    }

    public static async Task<ChaosReport> RunAsync(ChaosOptions options, TextWriter log, CancellationToken cancellationToken)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var timer = System.Diagnostics.Stopwatch.StartNew();
        await using var target = options.Target is { } url
            ? ChaosTarget.Connect(url, options.Sandbox, options.NewApi)
            : await ChaosTarget.StartBuiltInAsync(cancellationToken);
        log.WriteLine($"Chaos campaign against {target.Description}, seed {options.Seed}");

        var findings = new List<Finding>();
        var fuzz = new List<FuzzFigures>();
        var notRun = new List<string>();
        CallbackFigures? callbacks = null;

        var (userToken, _) = await target.SignInAsync("13955500010", cancellationToken);
        var (adminToken, _) = await target.SignInAdminAsync(cancellationToken);
        var credentials = new FinanceCredentials(userToken, adminToken, ChaosTarget.DemoApiKey);
        var (financeFuzz, financeFindings) = await new FuzzCampaign(target.Http, "Finance", AnswerShapes.Finance, credentials.Apply)
            .RunAsync(options.Seed, options.CasesPerOperation, log, cancellationToken);
        fuzz.Add(financeFuzz);
        findings.AddRange(financeFindings);

        if ((options.NewApi ?? target.NewApi) is { } newApiUrl)
        {
            using var newApi = Client(newApiUrl);
            var (newApiFuzz, newApiFindings) = await new FuzzCampaign(newApi, "New-API", AnswerShapes.NewApi, (request, _) =>
                {
                    request.Headers.TryAddWithoutValidation("Authorization", options.NewApiToken);
                    request.Headers.TryAddWithoutValidation("New-Api-User", options.NewApiUser);
                })
                .RunAsync(options.Seed, options.CasesPerOperation, log, cancellationToken);
            fuzz.Add(newApiFuzz);
            findings.AddRange(newApiFindings);
        }
        else
        {
            notRun.Add("New-API: no --newapi URL");
        }

        if (target.Sandbox is { } sandbox)
        {
            using var control = Client(sandbox);

            // Before the control API is fuzzed: that moves the sandbox's clock and scripts faults at random.
            try
            {
                (callbacks, var callbackFindings) = await new CallbackChaos(target, control).RunAsync(log, cancellationToken);
                findings.AddRange(callbackFindings);
            }
            catch (Exception e) when (e is InvalidOperationException or HttpRequestException or KeyNotFoundException or System.Text.Json.JsonException)
            {
                findings.Add(new Finding("callbacks", "could not run", "recharge through the sandbox", e.Message));
            }

            var (controlFuzz, controlFindings) = await new FuzzCampaign(control, "sandbox control API", AnswerShapes.Control, (_, _) => { })
                .RunAsync(options.Seed, options.CasesPerOperation, log, cancellationToken);
            fuzz.Add(controlFuzz);
            findings.AddRange(controlFindings);

            foreach (var provider in await ProviderCatalog.ReadAsync(control, cancellationToken))
            {
                using var api = Client(provider.BaseUrl);
                var (providerFuzz, providerFindings) = await new FuzzCampaign(api, provider.Name, provider.Shape, provider.Credentials)
                    .RunAsync(provider.Operations, provider.Generate, options.Seed, options.CasesPerOperation, log, cancellationToken);
                fuzz.Add(providerFuzz);
                findings.AddRange(providerFindings);
            }
        }
        else
        {
            notRun.Add("sandbox control API, provider APIs and callback chaos: no --sandbox URL");
        }

        var (auth, authFindings) = await new AuthMatrix(target).RunAsync(log, cancellationToken);
        findings.AddRange(authFindings);

        CrashFigures? crash = null;
        if (target.Process is null)
        {
            notRun.Add("crash rounds: only the built-in harness can be killed and restarted");
        }
        else if (options.CrashRounds > 0)
        {
            (crash, var crashFindings) = await new CrashRounds(target).RunAsync(options.CrashRounds, options.CrashConsumers, options.Seed, log, cancellationToken);
            findings.AddRange(crashFindings);
        }

        return new ChaosReport(target.Description, options.Seed, startedAt, timer.Elapsed, fuzz, auth, crash, notRun, findings) { Callbacks = callbacks };
    }

    // A redirect is an answer to check, not one to follow.
    private static HttpClient Client(Uri baseUrl) =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(10) };
}
