using System.Globalization;
using System.Net;
using System.Text;
using Harness.Load.Soak;

namespace Harness.Load.Reports;

/// <summary>A soak's part of the reports: the table of samples, the RSS verdict and, in HTML, one chart per figure.</summary>
public static class SoakReport
{
    public static Table Samples(SoakResult soak) => new(
        "Soak samples (latency and errors of each interval; RSS, entries, acknowledged and disk at its end; the runner's own RSS)",
        ["elapsed", "RSS MB", "entries", "acknowledged", "p50 ms", "p99 ms", "errors", "disk MB", "runner RSS MB"],
        [.. soak.Samples.Select(s => (IReadOnlyList<string>)
        [
            SoakProbe.Elapsed(s.ElapsedSeconds), Number(s.RssBytes), SoakProbe.Count(s.Entries), SoakProbe.Count(s.Acknowledged),
            s.P50Ms.ToString("0.00", CultureInfo.InvariantCulture), s.P99Ms.ToString("0.00", CultureInfo.InvariantCulture), SoakProbe.Count(s.Errors), Number(s.DiskBytes), Number(s.RunnerRssBytes),
        ])]);

    /// <summary>The lines above the table: the rate, the interval, the verdict and why any column is n/a.</summary>
    public static IReadOnlyList<string> Summary(SoakResult soak) =>
    [
        string.Create(CultureInfo.InvariantCulture, $"consume-unique open at {soak.Rate:0.#}/s, {soak.RateSource}; a sample every {SoakProbe.Elapsed(soak.SampleEvery.TotalSeconds)}, {soak.Samples.Count} samples."),
        soak.RssVerdict() + " (rule: each of the last ten samples within 10 % of the tenth; judged from 20 samples on).",
        .. soak.Notes,
    ];

    public static void AppendMarkdown(StringBuilder md, SoakResult soak)
    {
        md.AppendLine("## Soak").AppendLine();
        foreach (var line in Summary(soak))
        {
            md.AppendLine("- " + line);
        }

        md.AppendLine();
    }

    /// <summary>The summary and small multiples: RSS, entries, p50/p99 and disk against elapsed minutes, each on its own axis.</summary>
    public static void AppendHtml(StringBuilder html, SoakResult soak)
    {
        html.AppendLine("<h2>Soak</h2><ul>" + string.Concat(Summary(soak).Select(l => "<li>" + WebUtility.HtmlEncode(l) + "</li>")) + "</ul>");
        Plot("RSS (MB)", "MB", [("backend", Series(soak, s => Megabytes(s.RssBytes))), ("runner", Series(soak, s => Megabytes(s.RunnerRssBytes)))]);
        Plot("Ledger entries", "entries", [("entries", Series(soak, s => s.Entries))]);
        Plot("Latency per interval (ms)", "ms", [("p50", Series(soak, s => s.P50Ms)), ("p99", Series(soak, s => s.P99Ms))]);
        Plot("Data directory (MB)", "MB", [("disk", Series(soak, s => Megabytes(s.DiskBytes)))]);

        void Plot(string title, string unit, IReadOnlyList<(string Name, List<(double X, double Y)> Points)> series)
        {
            html.AppendLine("<h3>" + WebUtility.HtmlEncode(title) + "</h3>");
            var measured = series.Where(s => s.Points.Count > 0).ToList(); // a figure n/a throughout gets no line or legend
            html.AppendLine(measured.Count == 0 ? "<p>n/a (see above).</p>" : HtmlReport.Chart("minutes", unit, false, measured));
        }
    }

    private static List<(double X, double Y)> Series(SoakResult soak, Func<SoakSample, double?> figure) =>
        [.. soak.Samples.Where(s => figure(s) is not null).Select(s => (s.ElapsedSeconds / 60, figure(s)!.Value))];

    private static double? Megabytes(long? bytes) => bytes / 1_048_576.0;

    private static string Number(long? bytes) => bytes is { } b ? SoakResult.Megabytes(b) : "n/a";
}
