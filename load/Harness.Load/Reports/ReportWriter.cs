using HdrHistogram;

namespace Harness.Load.Reports;

/// <summary>Writes <c>report.md</c>, <c>report.html</c> and <c>histograms.hlog</c> into the run's own folder.</summary>
public static class ReportWriter
{
    public static string Write(LoadReport report, string root)
    {
        var directory = Path.Combine(root, report.RunId);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "report.md"), MarkdownReport.Render(report));
        File.WriteAllText(Path.Combine(directory, "report.html"), HtmlReport.Render(report));
        using var log = File.Create(Path.Combine(directory, "histograms.hlog"));
        var intervals = report.Scenarios.SelectMany(s => s.Samples).Select(s => s.Histogram).Where(h => h.TotalCount > 0).ToArray();
        HistogramLogWriter.Write(log, report.StartedAt.UtcDateTime, intervals);
        return directory;
    }
}
