using System.Diagnostics;
using System.Globalization;
using Harness.Load.Audit;
using Harness.Load.Engine;
using Harness.Load.Reports;
using Harness.Load.Target;
using HdrHistogram;

namespace Harness.Load.Sandbox;

/// <summary>The webhook side of a sandbox run with pay-and-deliver: the receiver, its figures over the measured window and the delivery audit.</summary>
/// <param name="Receiver">How the runner's receiver answered.</param>
/// <param name="Received">Requests the receiver got over the whole run (warm-up and the wait after the load included).</param>
/// <param name="WebhooksPerSecond">Arrivals within pay-and-deliver's measured window, per measured second.</param>
/// <param name="PayToWebhook">Microseconds from just before a pay call was sent to its <c>checkout.session.completed</c>, for the pays of the measured window.</param>
/// <param name="WaitedSeconds">How long the runner waited after the load for the missing events.</param>
/// <param name="Delivery">The delivery audit.</param>
public sealed record WebhookFigures(ReceiverMode Receiver, int Received, double WebhooksPerSecond, HistogramBase PayToWebhook, double WaitedSeconds, DeliveryAudit Delivery)
{
    public double PercentileMs(double percentile) => PayToWebhook.TotalCount == 0 ? 0 : PayToWebhook.GetValueAtPercentile(percentile) / 1000.0;

    public double MaxMs => PayToWebhook.TotalCount == 0 ? 0 : PayToWebhook.GetMaxValue() / 1000.0;
}

/// <summary>
/// A load run against the provider sandbox: the scenarios in turns as a Finance run takes them, with a
/// webhook receiver and the delivery audit when pay-and-deliver is among them. There is no ledger here:
/// the report's ledger audit is empty and the delivery audit decides.
/// </summary>
public static class SandboxRun
{
    /// <summary>How long a healthy receiver's run waits after the load for events still on their way.</summary>
    public static readonly TimeSpan DeliveryWait = TimeSpan.FromSeconds(60);

    /// <summary>At most this many sessions without their completed event have their payment intent looked up for the audit.</summary>
    private const int IntentLookups = 100;

    /// <summary>How many paid payments the delivery log is read for, to check the sandbox logged what the receiver got.</summary>
    private const int LogSample = 3;

    public static async Task<LoadReport> RunAsync(LoadOptions options, SandboxTarget target, string commandLine, TextWriter console, CancellationToken cancellationToken)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var runId = string.Create(CultureInfo.InvariantCulture, $"{startedAt:yyyyMMdd-HHmmss}-{Random.Shared.Next(0x10000):x4}");
        await console.WriteLineAsync($"Load run {runId} against {target.Description}");
        var journal = new PaymentJournal();
        var delivers = options.Scenarios.Contains(SandboxScenarios.PayAndDeliver);
        await using var receiver = delivers ? WebhookReceiver.Start(options.ReceiverMode, target.Stripe.Credential("webhook_secret")) : null;
        string? replacedWebhook = null;
        if (receiver is not null)
        {
            replacedWebhook = await target.SetWebhookUrlAsync("stripe", receiver.Url.ToString(), cancellationToken);
            await console.WriteLineAsync($"Webhook receiver at {receiver.Url}, {receiver.Mode}; the sandbox's Stripe webhook_url points at it for the run");
        }

        var results = new List<ScenarioResult>();
        WebhookFigures? webhooks = null;
        try
        {
            using var catalog = new SandboxScenarios(target, journal, runId);
            var runs = options.Scenarios.Select(name => new ScenarioRun(catalog.Create(name))).ToList();
            var simulation = options.Simulation();
            await LoadCommand.TakeTurnsAsync(runs, simulation, new LoadEngine(console), FinishAsync, options, console, cancellationToken);
            foreach (var run in runs.Where(r => r.HasMeasured && results.All(s => s.Scenario != r.Scenario)))
            {
                await FinishAsync(run); // an aborted run still reports what it measured
            }

            async Task FinishAsync(ScenarioRun run) => results.Add(await LoadCommand.ReportAsync(run.Finish(simulation, options.Rounds), console));

            if (receiver is not null)
            {
                // An aborted run (Ctrl-C) is still audited: what was paid must have been delivered once.
                webhooks = await DeliveryAsync(target, journal, receiver, results.FirstOrDefault(r => r.Name == SandboxScenarios.PayAndDeliver), console, CancellationToken.None);
            }
        }
        finally
        {
            if (receiver is not null)
            {
                await RestoreWebhookAsync(target, replacedWebhook, console);
            }
        }

        var report = new LoadReport(runId, target.Description, commandLine, startedAt, results, NoLedger, Thresholds.Evaluate(options, results)) { AuditsLedger = false, Webhooks = webhooks };
        if (webhooks is not null)
        {
            var latency = webhooks.PayToWebhook.TotalCount == 0
                ? "no payment of the measured window got its checkout.session.completed during the run"
                : string.Create(CultureInfo.InvariantCulture, $"pay → webhook p50 {webhooks.PercentileMs(50):0.00} ms, p99 {webhooks.PercentileMs(99):0.00} ms ({webhooks.PayToWebhook.TotalCount:N0} payments)");
            await console.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"■ webhooks: {webhooks.Received:N0} received, {webhooks.WebhooksPerSecond:0}/s over the measured window; {latency}"));
            await console.WriteLineAsync("Delivery audit " + webhooks.Delivery.Verdict());
            foreach (var finding in webhooks.Delivery.Findings.Take(10))
            {
                await console.WriteLineAsync($"  {finding.Kind}: {finding.Detail}");
            }
        }

        await LoadCommand.PrintRatiosAndThresholdsAsync(report, console);
        return report;
    }

    /// <summary>Gives the sandbox back the webhook_url it had before the run; a sandbox gone by then only gets a note.</summary>
    private static async Task RestoreWebhookAsync(SandboxTarget target, string? webhookUrl, TextWriter console)
    {
        try
        {
            await target.SetWebhookUrlAsync("stripe", webhookUrl, CancellationToken.None);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or LoadSetupException)
        {
            await console.WriteLineAsync("note: the sandbox's Stripe webhook_url could not be restored: " + ex.Message);
        }
    }

    /// <summary>A sandbox run has no ledger to audit: the ledger audit is empty and passes; the delivery audit decides.</summary>
    private static AuditReport NoLedger { get; } = new([], 0, 0, 0, 0, 0, null, []);

    /// <summary>Waits (a healthy receiver only) for the expected events, then audits them and reads a sample of the sandbox's delivery log.</summary>
    private static async Task<WebhookFigures> DeliveryAsync(SandboxTarget target, PaymentJournal journal, WebhookReceiver receiver, ScenarioResult? measured, TextWriter console, CancellationToken cancellationToken)
    {
        var pays = journal.Snapshot();
        var waited = Stopwatch.StartNew();
        if (receiver.Mode.RequiresArrival)
        {
            await console.WriteLineAsync($"Waiting up to {DeliveryWait.TotalSeconds:0} s for the webhooks of {pays.Count(p => p.Outcome == PayOutcome.Paid):N0} paid payments...");
            var lastNote = TimeSpan.Zero;
            while (DeliveryAuditor.Audit(pays, receiver.Arrivals, receiver.Mode) is { Complete: false } pending && waited.Elapsed < DeliveryWait)
            {
                if (waited.Elapsed - lastNote >= TimeSpan.FromSeconds(5))
                {
                    lastNote = waited.Elapsed;
                    await console.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  {waited.Elapsed.TotalSeconds:0} s: {pending.ArrivedEvents:N0} events arrived, {pending.MissingEvents:N0} still missing"));
                }

                await Task.Delay(250, cancellationToken);
            }
        }
        else
        {
            await console.WriteLineAsync($"Receiver {receiver.Mode}: the audit reports what arrived and does not wait for or require the rest.");
        }

        waited.Stop();
        var arrivals = receiver.Arrivals;
        var withoutCompleted = pays.Where(p => p.Outcome != PayOutcome.Refused)
            .Select(p => p.PaymentId)
            .Except(arrivals.Where(a => a.Type == DeliveryAuditor.SessionCompleted && a.ObjectId is not null).Select(a => a.ObjectId!), StringComparer.Ordinal)
            .Take(IntentLookups);
        var intents = new Dictionary<string, string>(StringComparer.Ordinal);
        var logFindings = new List<AuditFinding>();
        try
        {
            foreach (var session in withoutCompleted)
            {
                if (await target.PaymentIntentOfAsync(session, cancellationToken) is { } intent)
                {
                    intents[session] = intent;
                }
            }

            foreach (var paid in pays.Where(p => p.Outcome == PayOutcome.Paid).Take(LogSample))
            {
                var logged = await target.DeliveredEventTypesAsync(paid.PaymentId, cancellationToken);
                if (!logged.Order(StringComparer.Ordinal).SequenceEqual([DeliveryAuditor.SessionCompleted, DeliveryAuditor.IntentSucceeded]))
                {
                    logFindings.Add(new AuditFinding("delivery log disagrees", $"{paid.PaymentId}: the sandbox logged [{string.Join(", ", logged)}], expected one {DeliveryAuditor.SessionCompleted} and one {DeliveryAuditor.IntentSucceeded}"));
                }
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            // The audit still reports what the receiver got; the sandbox going away is a finding of its own.
            logFindings.Add(new AuditFinding("sandbox unreachable for the audit", ex.Message));
        }

        var audit = DeliveryAuditor.Audit(pays, arrivals, receiver.Mode, intents);
        audit = audit with { Findings = [.. audit.Findings, .. logFindings] };
        var windows = measured?.Samples.Select(s => (From: s.Histogram.StartTimeStamp, To: s.Histogram.EndTimeStamp)).ToList() ?? [];
        var seconds = measured?.Samples.Sum(s => s.IntervalSeconds) ?? 0;
        bool InWindow(long unixMs) => windows.Any(w => unixMs >= w.From && unixMs < w.To);
        var inWindow = arrivals.Count(a => InWindow(a.ArrivedUnixMs));
        return new WebhookFigures(
            receiver.Mode,
            arrivals.Count,
            seconds > 0 ? inWindow / seconds : 0,
            DeliveryAuditor.PayToWebhook(pays, arrivals, InWindow),
            waited.Elapsed.TotalSeconds,
            audit);
    }
}
