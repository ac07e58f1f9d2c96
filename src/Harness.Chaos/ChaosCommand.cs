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
            ? ChaosTarget.Connect(url, options.Sandbox, options.NewApi, options.Portaly)
            : await ChaosTarget.StartBuiltInAsync(cancellationToken);
        log.WriteLine($"Chaos campaign against {target.Description}, seed {options.Seed}");

        var findings = new List<Finding>();
        var fuzz = new List<FuzzFigures>();
        var notRun = new List<string>();
        var callbacks = new List<CallbackFigures>();

        var (userToken, _) = await target.SignInAsync("13955500010", cancellationToken);
        var (adminToken, _) = await target.SignInAdminAsync(cancellationToken);
        var credentials = new FinanceCredentials(userToken, adminToken, ChaosTarget.DemoApiKey);
        var (financeFuzz, financeFindings) = await new FuzzCampaign(target.Http, "Finance", AnswerShapes.Finance, credentials.Apply)
            .RunAsync(options.Seed, options.CasesPerOperation, log, cancellationToken);
        fuzz.Add(financeFuzz);
        findings.AddRange(financeFindings);

        var newApiUrl = options.NewApi ?? target.NewApi;
        using var newApiHttp = newApiUrl is null ? null : Client(newApiUrl);
        var newApi = newApiHttp is null ? null : new NewApiClient(newApiHttp, new NewApiAccount(options.NewApiUser, options.NewApiToken));
        if (newApi is null)
        {
            notRun.Add("New-API (fuzz, auth matrix, callback chaos): no --newapi URL");
        }

        using var control = target.Sandbox is { } sandbox ? Client(sandbox) : null;
        if (control is not null)
        {
            // Before the control API is fuzzed (that moves the sandbox's clock and scripts faults at random), and before
            // New-API's fuzz spends its critical rate limit, which the top-up orders need.
            await CallbacksAsync("Finance", () => new CallbackChaos(target, control).RunAsync(log, cancellationToken));
            if (newApi is not null)
            {
                await CallbacksAsync("New-API", () => new NewApiCallbackChaos(newApi, control).RunAsync(log, cancellationToken));
            }
        }
        else
        {
            notRun.Add("sandbox control API, provider APIs and callback chaos: no --sandbox URL");
        }

        if (newApi is not null)
        {
            // GET /api/user/token replaces its caller's token: called as the admin, it would sign the rest of the fuzz out.
            var tokenTaker = await newApi.NewUserAsync(cancellationToken);
            var (newApiFuzz, newApiFindings) = await new FuzzCampaign(newApi.Http, "New-API", AnswerShapes.NewApi, (request, operation) =>
                    NewApiClient.Authorize(request, operation.Path == "/api/user/token" ? tokenTaker : newApi.Admin))
                .RunAsync(options.Seed, options.CasesPerOperation, log, cancellationToken);
            fuzz.Add(newApiFuzz);
            findings.AddRange(newApiFindings);
        }

        if (control is not null)
        {
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

        List<IAuthSurface> surfaces = [new FinanceAuth(target)];
        if (newApi is not null)
        {
            surfaces.Add(new NewApiAuth(newApi));
        }

        var portalyUrl = options.Portaly ?? target.Portaly;
        using var portalyHttp = portalyUrl is null ? null : Client(portalyUrl);
        if (portalyHttp is null)
        {
            notRun.Add("Portaly (fuzz, auth matrix): no --portaly URL");
        }
        else
        {
            var portalyCredentials = new PortalyCredentials(options.PortalyKey, options.PortalyAdminToken);
            var catalog = await PortalyCatalog.ReadAsync(portalyHttp, portalyCredentials, cancellationToken);
            log.WriteLine($"fuzz Portaly: made {string.Join(", ", catalog.Made)} to fuzz the routes behind them");
            var (portalyFuzz, portalyFindings) = await new FuzzCampaign(portalyHttp, "Portaly", AnswerShapes.Portaly, portalyCredentials.Apply)
                .RunAsync(catalog.Operations, catalog.Generate, options.Seed, options.CasesPerOperation, log, cancellationToken);
            fuzz.Add(portalyFuzz);
            findings.AddRange(portalyFindings);
            surfaces.Add(new PortalyAuth(portalyHttp));
        }

        var auth = new List<AuthFigures>();
        foreach (var surface in surfaces)
        {
            var (figures, authFindings) = await new AuthMatrix(surface).RunAsync(log, cancellationToken);
            auth.Add(figures);
            findings.AddRange(authFindings);
        }

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

        async Task CallbacksAsync(string surface, Func<Task<(CallbackFigures Figures, IReadOnlyList<Finding> Findings)>> campaign)
        {
            try
            {
                var (figures, callbackFindings) = await campaign();
                callbacks.Add(figures);
                findings.AddRange(callbackFindings);
            }
            catch (Exception e) when (e is InvalidOperationException or HttpRequestException or KeyNotFoundException or System.Text.Json.JsonException)
            {
                findings.Add(new Finding("callbacks", "could not run", $"{surface}: pay through the sandbox", e.Message));
            }
        }
    }

    // A redirect is an answer to check, not one to follow.
    private static HttpClient Client(Uri baseUrl) =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(10) };
}
