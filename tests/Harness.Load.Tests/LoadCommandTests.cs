namespace Harness.Load.Tests;

/// <summary>The command as <c>./run-harness.sh load</c> runs it: the built-in backend as its own process, reports on disk, the exit code.</summary>
public sealed class LoadCommandTests : IDisposable
{
    private readonly string _reports = TempDirectory.Create("load-reports");

    public void Dispose() => TempDirectory.TryDelete(_reports);

    [Fact]
    public async Task A_short_run_against_the_built_in_backend_passes_its_audit_and_writes_the_reports()
    {
        var console = new StringWriter();

        var exit = await LoadCommand.MainAsync(
            ["--scenario", "baseline,consume-duplicates", "--concurrency", "4", "--duration", "1s", "--warmup", "0.5s", "--users", "2", "--max-error-rate", "0", "--report", _reports],
            console,
            TestContext.Current.CancellationToken);

        Assert.True(exit == LoadCommand.Passed, console.ToString());
        var run = Assert.Single(Directory.GetDirectories(_reports));
        var markdown = await File.ReadAllTextAsync(Path.Combine(run, "report.md"), TestContext.Current.CancellationToken);
        Assert.Contains("## Ledger audit", markdown, StringComparison.Ordinal);
        Assert.Contains("PASSED: ", markdown, StringComparison.Ordinal);
        Assert.Contains("consume-duplicates", markdown, StringComparison.Ordinal);
        Assert.Contains("Throughput ÷ baseline", markdown, StringComparison.Ordinal);
        Assert.Contains("<svg", await File.ReadAllTextAsync(Path.Combine(run, "report.html"), TestContext.Current.CancellationToken), StringComparison.Ordinal);
        var log = await File.ReadAllBytesAsync(Path.Combine(run, "histograms.hlog"), TestContext.Current.CancellationToken);
        Assert.StartsWith("#[Histogram log format version", System.Text.Encoding.ASCII.GetString(log), StringComparison.Ordinal); // plain ASCII/UTF-8, as HdrHistogram tools read it
        Assert.Contains("Tag=consume-duplicates,", System.Text.Encoding.ASCII.GetString(log), StringComparison.Ordinal);
        Assert.Contains("consume-duplicates   run", console.ToString(), StringComparison.Ordinal);
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
}
