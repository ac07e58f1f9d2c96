using System.Diagnostics;
using System.Text.RegularExpressions;
using Harness.Conformance.Targets;
using Harness.Conformance.Tests.Support;

namespace Harness.Conformance.Tests.Process;

/// <summary>The <c>conformance</c> verb as a tester runs it: a separate process against a backend started by <c>run-harness.sh serve</c>.</summary>
public sealed class ConformanceCommandTests : IDisposable
{
    private readonly string _directory = TempDirectory.Create("conformance");

    public void Dispose() => TempDirectory.TryDelete(_directory);

    [Fact]
    public async Task Every_feature_runs_against_the_serve_process_with_its_test_clock_and_its_sandbox_and_passes_and_the_three_reports_parse()
    {
        var cancellation = TestContext.Current.CancellationToken;
        // New-API's critical rate limit at a value the run's redeems stay under, named in the profile so its 429 is checked
        // too (last); the redeem pause shortened, as in-process.
        await using var harness = await HarnessProcess.StartAsync(
            cancellationToken: cancellation,
            options: ["--test-clock", "--test-restart", $"--CRITICAL_RATE_LIMIT={NewApiCriticalRateLimit}", "--GLOBAL_API_RATE_LIMIT_ENABLE=false", "--Harness:RedeemDelayMaxMilliseconds=300"]);
        var profilePath = Path.Combine(_directory, "target.json");
        await File.WriteAllTextAsync(profilePath, (await ProfileFromBanner(harness)).ToJson(), cancellation);
        var reports = Path.Combine(_directory, "reports");
        var expected = Features.All.Scenarios.Count;

        var (exitCode, output) = await RunConformance(["conformance", "--target", harness.BaseUrl.ToString(), "--profile", profilePath, "--out", reports], cancellation);

        // Everything runs and passes: the scenarios that let days pass (through the test clock) and the one that
        // restarts the sandbox (through its restart route) included.
        Assert.True(exitCode == 0, Digest(output, harness.Output));
        Assert.Contains($"{expected} scenarios: {expected} passed, 0 failed, 0 not run, 0 undefined", output, StringComparison.Ordinal);
        Assert.Contains("PASS  Idempotent consumption › A key is forgotten once its retention has passed", output, StringComparison.Ordinal);
        Assert.Contains("PASS  Authentication of the Finance routes › A token is refused after its expiry even while its session is in use", output, StringComparison.Ordinal);
        Assert.Contains("PASS  Sandbox core — pay pages, clock, delivery log and fault injection › State survives a restart", output, StringComparison.Ordinal);
        Assert.Contains("PASS  Idempotent consumption › Concurrent duplicates charge once", output, StringComparison.Ordinal);
        Assert.Contains("PASS  Stripe sandbox — Checkout Sessions and signed webhooks › A webhook is retried three times over three hours in test mode", output, StringComparison.Ordinal);
        Assert.Matches(new Regex(@"@concurrency\s+\d+\s+0\s+0\s+0"), output);
        Assert.Matches(new Regex(@"@provider\s+\d+\s+0\s+0\s+0"), output);

        var junit = ReportFiles.JUnit(Path.Combine(reports, ConformanceCommand.JUnitFile));
        Assert.Equal(expected.ToString(System.Globalization.CultureInfo.InvariantCulture), junit.Root!.Attribute("tests")!.Value);
        Assert.Equal("0", junit.Root.Attribute("failures")!.Value);

        var envelopes = ReportFiles.Messages(Path.Combine(reports, ConformanceCommand.MessagesFile));
        Assert.True(envelopes[0].TryGetProperty("meta", out _));
        Assert.Equal(expected, envelopes.Count(e => e.TryGetProperty("testCaseFinished", out _)));
        Assert.Equal(expected, envelopes.Count(e => e.TryGetProperty("pickle", out _)));
        Assert.True(envelopes[^1].GetProperty("testRunFinished").GetProperty("success").GetBoolean());
        Assert.Equal(["PASSED"], ReportFiles.StepStatuses(envelopes).Distinct().Order(StringComparer.Ordinal));

        var html = ReportFiles.Html(Path.Combine(reports, ConformanceCommand.HtmlFile));
        Assert.Equal("Conformance report", html.Descendants("title").Single().Value);
        Assert.Equal(expected, html.Descendants("details").Count());
    }

    [Fact]
    public async Task Without_a_sandbox_url_the_provider_scenarios_are_not_run_and_say_so()
    {
        var cancellation = TestContext.Current.CancellationToken;
        var reports = Path.Combine(_directory, "reports");
        var expected = Features.All.Scenarios.Count(s => s.Tags.Contains("provider"));

        // Nothing listens at the target: provider scenarios never reach it, they are not run for the missing key.
        var (exitCode, output) = await RunConformance(["conformance", "--target", "http://127.0.0.1:9", "--tags", "@provider", "--out", reports], cancellation);

        Assert.True(exitCode == 0, output);
        Assert.Contains($"{expected} scenarios: 0 passed, 0 failed, {expected} not run, 0 undefined", output, StringComparison.Ordinal);
        Assert.Contains("(not run: needs sandboxUrl)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_writes_a_commented_template_with_every_profile_key()
    {
        var path = Path.Combine(_directory, "new-profile.json");

        var (exitCode, output) = await RunConformance(["conformance", "--init", path], TestContext.Current.CancellationToken);

        Assert.True(exitCode == 0, output);
        var text = await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken);
        Assert.StartsWith("// Conformance profile", text, StringComparison.Ordinal);
        foreach (var key in new[] { "baseUrl", "userJwt", "userId", "adminJwt", "adminId", "financeApiKey", "portalyUrl", "portalyLiveKey", "portalyTestKey", "portalyCallbackSecret", "portalyLiveCallbackSecret", "portalyAdminToken", "portalyTestClockUrl", "smsSandbox", "sandboxUrl", "testClockUrl", "newApiUrl", "newApiAdminToken", "newApiAdminId", "newApiCriticalRateLimit", "newApiEpayKey", "newApiStripeWebhookSecret", "newApiCreemWebhookSecret", "newApiSandbox" })
        {
            Assert.Contains($"\"{key}\":", text, StringComparison.Ordinal);
        }

        Assert.Equal("http://localhost:8005", TargetProfile.Load(path).BaseUrl);
        Assert.Equal(2, (await RunConformance(["conformance", "--init", path], TestContext.Current.CancellationToken)).ExitCode);
    }

    private const int NewApiCriticalRateLimit = 400;

    /// <summary>
    /// A failure message short enough to survive a CI log: the runner's output without its PASS lines (failures and
    /// tables), then the serve process's last lines; both outputs in full go to <c>artifacts/conformance-process/</c>.
    /// </summary>
    private static string Digest(string runnerOutput, string serveOutput)
    {
        var folder = Path.Combine(HarnessProcess.RepositoryRoot(), "artifacts", "conformance-process");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "runner.log"), runnerOutput);
        File.WriteAllText(Path.Combine(folder, "serve.log"), serveOutput);
        var notPassed = runnerOutput.Split('\n').Where(line => !line.TrimStart().StartsWith("PASS ", StringComparison.Ordinal));
        var serveTail = serveOutput.Split('\n').TakeLast(60);
        return $"{string.Join('\n', notPassed)}\n--- serve process, last lines (all in {folder}) ---\n{string.Join('\n', serveTail)}";
    }

    /// <summary>The start banner prints fresh demo tokens and the sandbox's control URL; a tester copies them into the profile the same way.</summary>
    private static async Task<TargetProfile> ProfileFromBanner(HarnessProcess harness)
    {
        var banner = new Regex(@"Admin\s+userId (\S+).*\n\s+token\s+(\S+)\s*\n\s+User\s+userId (\S+).*\n\s+token\s+(\S+)\s*\n\s+OpenAPI key \(all users\)\s+(\S+)");
        for (var attempt = 0; attempt < 100 && !banner.IsMatch(harness.Output); attempt++)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        var m = banner.Match(harness.Output);
        Assert.True(m.Success, harness.Output);
        var newApi = new Regex("conformance\\s+profile \"newApiUrl\": \"(\\S+)\", \"newApiAdminToken\": \"(\\S+)\", \"newApiAdminId\": \"(\\S+)\"").Match(harness.Output);
        Assert.True(newApi.Success, harness.Output);
        var payments = new Regex("conformance\\s+profile \"newApiEpayKey\": \"(\\S+)\", \"newApiEpayPid\": \"(\\S+)\", \"newApiStripeWebhookSecret\": \"(\\S+)\", \"newApiCreemWebhookSecret\": \"(\\S+)\", \"newApiSandbox\": (true|false)").Match(harness.Output);
        Assert.True(payments.Success, harness.Output);
        var portaly = new Regex("conformance\\s+profile \"portalyUrl\": \"(\\S+)\", \"portalyLiveKey\": \"(\\S+)\", \"portalyTestKey\": \"(\\S+)\", \"portalyCallbackSecret\": \"(\\S+)\", \"portalyLiveCallbackSecret\": \"(\\S+)\", \"portalyAdminToken\": \"(\\S+)\", \"portalyTestClockUrl\": \"(\\S+)\", \"portalyHostedCheckout\": (true|false)").Match(harness.Output);
        Assert.True(portaly.Success, harness.Output);
        var sandbox = harness.SandboxControlUrl;
        Assert.True(sandbox is not null, harness.Output);
        return new TargetProfile
        {
            BaseUrl = harness.BaseUrl.ToString(),
            AdminId = m.Groups[1].Value,
            AdminJwt = m.Groups[2].Value,
            UserId = m.Groups[3].Value,
            UserJwt = m.Groups[4].Value,
            FinanceApiKey = m.Groups[5].Value,
            SmsSandbox = true,
            SandboxUrl = sandbox.ToString().TrimEnd('/'),
            TestClockUrl = harness.TestClockUrl?.ToString(),
            SandboxRestart = harness.Output.Contains("/control/restart", StringComparison.Ordinal),
            NewApiUrl = newApi.Groups[1].Value,
            NewApiAdminToken = newApi.Groups[2].Value,
            NewApiAdminId = newApi.Groups[3].Value,
            NewApiCriticalRateLimit = NewApiCriticalRateLimit,
            // The host's New-API pays through the sandbox's published merchants unless told otherwise.
            NewApiEpayKey = payments.Groups[1].Value,
            NewApiEpayPid = payments.Groups[2].Value,
            NewApiStripeWebhookSecret = payments.Groups[3].Value,
            NewApiCreemWebhookSecret = payments.Groups[4].Value,
            NewApiSandbox = payments.Groups[5].Value == "true",
            PortalyUrl = portaly.Groups[1].Value,
            PortalyLiveKey = portaly.Groups[2].Value,
            PortalyTestKey = portaly.Groups[3].Value,
            PortalyCallbackSecret = portaly.Groups[4].Value,
            PortalyLiveCallbackSecret = portaly.Groups[5].Value,
            PortalyAdminToken = portaly.Groups[6].Value,
            PortalyTestClockUrl = portaly.Groups[7].Value,
            PortalyHostedCheckout = portaly.Groups[8].Value == "true",
        };
    }

    /// <summary>The binary <c>./run-harness.sh conformance</c> runs after building, from the repository root.</summary>
    private static async Task<(int ExitCode, string Output)> RunConformance(string[] args, CancellationToken cancellationToken)
    {
        var root = HarnessProcess.RepositoryRoot();
        var dll = Path.Combine(root, "src", "Harness.Conformance", "bin", HarnessProcess.BuildConfiguration, "net10.0", "Harness.Conformance.dll");
        var start = new ProcessStartInfo("dotnet", [dll, .. args])
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, await stdout + await stderr);
    }
}
