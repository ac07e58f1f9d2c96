using System.Globalization;
using Harness.Load.Sandbox;

namespace Harness.Load.Reports;

/// <summary>The webhook side of a sandbox run with pay-and-deliver, as tables both renderings show.</summary>
public static class WebhookReport
{
    public static Table Figures(WebhookFigures webhooks) => new(
        "Webhooks (pay-and-deliver): received by the runner's receiver; pay → webhook timed from just before the pay call to its checkout.session.completed",
        ["receiver", "received (whole run)", "webhooks/s (measured window)", "payments timed", "pay → webhook p50 ms", "p99 ms", "max ms", "waited after the load s"],
        [[
            webhooks.Receiver.ToString(),
            N(webhooks.Received),
            F(webhooks.WebhooksPerSecond, "0"),
            N(webhooks.PayToWebhook.TotalCount),
            F(webhooks.PercentileMs(50)),
            F(webhooks.PercentileMs(99)),
            F(webhooks.MaxMs),
            F(webhooks.WaitedSeconds, "0.0"),
        ]]);

    public static Table Findings(WebhookFigures webhooks) => new(
        "Delivery audit findings",
        ["kind", "detail"],
        [.. webhooks.Delivery.Findings.Take(ReportTables.FindingsShown).Select(f => (IReadOnlyList<string>)[f.Kind, f.Detail])]);

    private static string F(double value, string format = "0.00") => value.ToString(format, CultureInfo.InvariantCulture);

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
