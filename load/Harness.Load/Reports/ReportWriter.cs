using System.Text;
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
        File.WriteAllText(Path.Combine(directory, "histograms.hlog"), HistogramLog(report));
        return directory;
    }

    /// <summary>
    /// Every measured interval in the HdrHistogram log format. The .NET writer emits UTF-16; the log is
    /// re-encoded as UTF-8, which is what HdrHistogram's other tools (HistogramLogAnalyzer, the Java and
    /// Python readers) expect.
    /// </summary>
    private static string HistogramLog(LoadReport report)
    {
        using var buffer = new MemoryStream();
        var intervals = report.Scenarios.SelectMany(s => s.Samples).Select(s => s.Histogram).Where(h => h.TotalCount > 0).ToArray();
        HistogramLogWriter.Write(buffer, report.StartedAt.UtcDateTime, intervals);
        using var reader = new StreamReader(new MemoryStream(buffer.ToArray()), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }
}
