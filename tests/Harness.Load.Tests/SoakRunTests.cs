using Harness.Load.Reports;
using Harness.Load.Target;

namespace Harness.Load.Tests;

/// <summary>A few seconds of <c>load --soak</c> against the built-in backend, started as its own process.</summary>
public sealed class SoakRunTests
{
    [Fact]
    public async Task A_short_soak_samples_the_backends_memory_ledger_and_disk_then_passes_its_audit()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var options = LoadOptions.Parse(["--soak", "6s", "--sample-every", "2s", "--rate", "200", "--warmup", "0.5s", "--users", "2"]);
        var console = new StringWriter();
        await using var target = await LoadTarget.StartBuiltInAsync(null, options.MaxConnections, options.Timeout, cancellationToken);

        var report = await LoadCommand.RunAsync(options, target, "soak test", console, cancellationToken);

        Assert.True(report.Audit.Passed, console.ToString());
        var soak = Assert.IsType<Soak.SoakResult>(report.Soak);
        Assert.Equal(200, soak.Rate);
        Assert.True(soak.Samples.Count >= 3, console.ToString());
        Assert.All(soak.Samples, s => Assert.True(s.RssBytes > 10_000_000, $"RSS {s.RssBytes}: the backend's, not a shell's"));
        Assert.All(soak.Samples, s => Assert.True(s.DiskBytes > 0));
        Assert.All(soak.Samples, s => Assert.True(s.RunnerRssBytes > 10_000_000 && s.RunnerRssBytes != s.RssBytes, $"runner RSS {s.RunnerRssBytes}"));
        var entries = soak.Samples.Select(s => s.Entries!.Value).ToList();
        Assert.True(entries.Zip(entries.Skip(1)).All(pair => pair.Second > pair.First), string.Join(", ", entries));
        Assert.True(soak.Samples[^1].Acknowledged >= 600, console.ToString()); // 200/s for 6 s: 1,200, less what a slow box kept in flight
        Assert.Empty(soak.Notes);
        Assert.Contains("not enough samples", soak.RssVerdict(), StringComparison.Ordinal);
        Assert.Contains("  soak ", console.ToString(), StringComparison.Ordinal);

        var html = HtmlReport.Render(report);
        Assert.Contains("<h3>RSS (MB)</h3><svg", html.ReplaceLineEndings(""), StringComparison.Ordinal);
        Assert.Contains("| runner RSS MB |", MarkdownReport.Render(report), StringComparison.Ordinal);
        Assert.Contains("<h3>Ledger entries</h3><svg", html.ReplaceLineEndings(""), StringComparison.Ordinal);
        Assert.Contains("## Soak samples", MarkdownReport.Render(report), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Against_a_backend_it_did_not_start_the_process_figures_are_na_and_the_report_says_why()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var app = new FinanceTestApp();
        await using var target = await LoadTarget.ForReferenceClientAsync(app.CreateClient(), cancellationToken);
        var options = LoadOptions.Parse(["--soak", "2s", "--sample-every", "1s", "--rate", "50", "--warmup", "0", "--users", "2"]);

        var report = await LoadCommand.RunAsync(options, target, "soak test", new StringWriter(), cancellationToken);

        var soak = report.Soak!;
        Assert.True(report.Audit.Passed);
        Assert.NotEmpty(soak.Samples);
        Assert.All(soak.Samples, s => Assert.Null(s.RssBytes));
        Assert.All(soak.Samples, s => Assert.Null(s.DiskBytes));
        Assert.All(soak.Samples, s => Assert.True(s.RunnerRssBytes > 10_000_000)); // the runner's own memory is always its to read
        Assert.All(soak.Samples, s => Assert.True(s.Entries >= s.Acknowledged)); // the reference offers the entry count to its admin
        Assert.Contains("not measured", soak.RssVerdict(), StringComparison.Ordinal);
        var note = Assert.Single(soak.Notes);
        Assert.StartsWith("Backend RSS and disk n/a", note, StringComparison.Ordinal);
        var markdown = MarkdownReport.Render(report);
        Assert.Contains(note, markdown, StringComparison.Ordinal);
        Assert.Contains("| n/a |", markdown, StringComparison.Ordinal);
        var html = HtmlReport.Render(report).ReplaceLineEndings("");
        Assert.Contains("<h3>RSS (MB)</h3><svg", html, StringComparison.Ordinal); // the runner's line alone
        Assert.DoesNotContain(">backend</text>", html, StringComparison.Ordinal);
        Assert.Contains("<h3>Data directory (MB)</h3><p>n/a (see above).</p>", html, StringComparison.Ordinal);
    }
}
