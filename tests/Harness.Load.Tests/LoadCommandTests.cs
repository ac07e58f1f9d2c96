using System.Text.Json;
using Harness.Load.Target;

namespace Harness.Load.Tests;

/// <summary>The command as <c>./run-harness.sh load</c> runs it: the built-in backend as its own process, reports on disk, the exit code.</summary>
public sealed class LoadCommandTests : IDisposable
{
    private readonly string _reports = TempDirectory.Create("load-reports");
    private readonly string _data = TempDirectory.Create("load-target");

    public void Dispose()
    {
        TempDirectory.TryDelete(_reports);
        TempDirectory.TryDelete(_data);
    }

    [Fact]
    public async Task A_short_run_against_the_built_in_backend_passes_its_audit_and_writes_the_reports()
    {
        var (exit, console, run) = await RunToReportsAsync("--scenario", "baseline,consume-duplicates", "--concurrency", "4", "--duration", "1s", "--warmup", "0.5s", "--users", "2", "--max-error-rate", "0");

        Assert.True(exit == LoadCommand.Passed, console);
        var markdown = await File.ReadAllTextAsync(Path.Combine(run, "report.md"), TestContext.Current.CancellationToken);
        Assert.Contains("## Ledger audit", markdown, StringComparison.Ordinal);
        Assert.Contains("PASSED: ", markdown, StringComparison.Ordinal);
        Assert.Contains("consume-duplicates", markdown, StringComparison.Ordinal);
        Assert.Contains("Throughput ÷ baseline", markdown, StringComparison.Ordinal);
        Assert.Contains("Runner health", markdown, StringComparison.Ordinal);
        Assert.Contains("<svg", await File.ReadAllTextAsync(Path.Combine(run, "report.html"), TestContext.Current.CancellationToken), StringComparison.Ordinal);
        var log = await File.ReadAllBytesAsync(Path.Combine(run, "histograms.hlog"), TestContext.Current.CancellationToken);
        Assert.StartsWith("#[Histogram log format version", System.Text.Encoding.ASCII.GetString(log), StringComparison.Ordinal); // plain ASCII/UTF-8, as HdrHistogram tools read it
        Assert.Contains("Tag=consume-duplicates,", System.Text.Encoding.ASCII.GetString(log), StringComparison.Ordinal);
        Assert.Contains("consume-duplicates   run", console, StringComparison.Ordinal);
        Assert.Contains("runner: gc", console, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_soak_without_a_rate_measures_the_maximum_and_runs_at_half_of_it()
    {
        var (exit, console, run) = await RunToReportsAsync("--soak", "2s", "--sample-every", "1s", "--duration", "1s", "--concurrency", "4", "--warmup", "0.3s", "--users", "2");

        Assert.True(exit == LoadCommand.Passed, console);
        Assert.Contains("(half the measured maximum of ", console, StringComparison.Ordinal);
        var markdown = await File.ReadAllTextAsync(Path.Combine(run, "report.md"), TestContext.Current.CancellationToken);
        Assert.Contains("consume-unique@half", markdown, StringComparison.Ordinal);
        Assert.Contains("| elapsed | RSS MB | entries |", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_target_by_url_is_loaded_as_the_profile_user_and_earlier_charges_are_not_the_runs()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        // The backend's data lives under this test's folder, removed with it once the process is gone.
        await using var backend = await HarnessProcess.StartAsync(Path.Combine(_data, "backend"), cancellationToken: cancellationToken);
        using var http = new HttpClient { BaseAddress = backend.BaseUrl };
        var api = new FinanceApi(http, new HttpClientTransport(http));
        var admin = await api.SignInAsync(LoadTarget.ReferenceAdminPhone, cancellationToken);
        var user = await api.SignInAsync("13712345678", cancellationToken);
        await api.CreditAsync(admin.Token, user.UserId, 500, "before-the-run", cancellationToken);
        var earlier = await api.ConsumeAsync(FinanceApi.ConsumePath, FinanceApi.ConsumeBody("before-the-run", 1000), user, null, cancellationToken);
        var profile = Path.Combine(_reports, "profile.json");
        await File.WriteAllTextAsync(
            profile,
            JsonSerializer.Serialize(new { baseUrl = backend.BaseUrl, userJwt = user.Token, userId = user.UserId, adminJwt = admin.Token, adminId = "u_demo_admin", financeApiKey = LoadTarget.ReferenceDemoApiKey }),
            cancellationToken);
        var console = new StringWriter();

        var exit = await LoadCommand.MainAsync(["--profile", profile, "--scenario", "openapi-consume,mixed", "--concurrency", "3", "--duration", "1s", "--warmup", "0.3s", "--report", _reports], console, cancellationToken);

        Assert.True(earlier.Ok);
        Assert.True(exit == LoadCommand.Passed, console.ToString());
        Assert.Contains("(by URL)", console.ToString(), StringComparison.Ordinal);
        var markdown = await File.ReadAllTextAsync(Path.Combine(Assert.Single(Directory.GetDirectories(_reports)), "report.md"), cancellationToken);
        Assert.Contains($"| {user.UserId} |", markdown, StringComparison.Ordinal);
        Assert.Contains("0 findings", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_arguments_exit_with_2_and_the_usage()
    {
        var console = new StringWriter();

        var exit = await LoadCommand.MainAsync(["--rate", "100", "--concurrency", "8"], console, TestContext.Current.CancellationToken);

        Assert.Equal(LoadCommand.BadArguments, exit);
        Assert.Contains("not both", console.ToString(), StringComparison.Ordinal);
        Assert.Contains("Usage: ./run-harness.sh load", console.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ftp://127.0.0.1:21/")]
    [InlineData("not a url")]
    public async Task A_profile_whose_base_url_is_not_http_leaves_the_target_unusable(string baseUrl)
    {
        var console = new StringWriter();
        var profile = Path.Combine(_reports, "profile.json");
        await File.WriteAllTextAsync(profile, JsonSerializer.Serialize(new { baseUrl }), TestContext.Current.CancellationToken);

        var exit = await LoadCommand.MainAsync(["--profile", profile], console, TestContext.Current.CancellationToken);

        Assert.Equal(LoadCommand.TargetUnusable, exit);
        Assert.Contains("an http(s) baseUrl in the profile", console.ToString(), StringComparison.Ordinal);
    }

    /// <summary>The command with <paramref name="args"/> and reports under this test's folder: exit code, console, the run's report folder.</summary>
    private async Task<(int Exit, string Console, string Run)> RunToReportsAsync(params string[] args)
    {
        var console = new StringWriter();
        var exit = await LoadCommand.MainAsync([.. args, "--report", _reports], console, TestContext.Current.CancellationToken);
        return (exit, console.ToString(), Assert.Single(Directory.GetDirectories(_reports)));
    }
}
