using System.Text.RegularExpressions;

namespace Harness.Load.Tests;

/// <summary>The sandbox scenarios as <c>./run-harness.sh load</c> runs them: the sandbox as its own process, the receiver in the runner, the delivery audit, the reports.</summary>
public sealed class SandboxLoadCommandTests : IDisposable
{
    private readonly string _reports = TempDirectory.Create("load-reports");
    private readonly string _data = TempDirectory.Create("load-sandbox");

    public void Dispose()
    {
        TempDirectory.TryDelete(_reports);
        TempDirectory.TryDelete(_data);
    }

    [Fact]
    public async Task A_short_run_of_every_sandbox_scenario_against_the_built_in_sandbox_passes_its_delivery_audit()
    {
        var console = new StringWriter();

        var exit = await LoadCommand.MainAsync(
            ["--scenario", "sandbox-control,stripe-checkout,creem-checkout,epay-order,wechatpay-order,alipay-precreate,tappay-pay,pay-and-deliver", "--concurrency", "2", "--duration", "1s", "--warmup", "0.3s", "--data", _data, "--max-error-rate", "0", "--report", _reports],
            console,
            TestContext.Current.CancellationToken);

        var output = console.ToString();
        Assert.True(exit == LoadCommand.Passed, output);
        Assert.Contains("Starting the built-in provider sandbox", output, StringComparison.Ordinal);
        Assert.Matches(@"Delivery audit PASSED: [1-9][\d,]* payments paid .* 0 missing, 0 received twice; receiver healthy", output);
        foreach (var scenario in new[] { "sandbox-control", "stripe-checkout", "creem-checkout", "epay-order", "wechatpay-order", "alipay-precreate", "tappay-pay", "pay-and-deliver" })
        {
            Assert.Matches($@"■ {scenario}: [1-9]\d* ok/s, .* 0 failed", output);
        }

        var markdown = await File.ReadAllTextAsync(Path.Combine(Assert.Single(Directory.GetDirectories(_reports)), "report.md"), TestContext.Current.CancellationToken);
        Assert.Contains("## Throughput ÷ sandbox-control (same run)", markdown, StringComparison.Ordinal);
        Assert.Contains("| pay-and-deliver | pay |", markdown, StringComparison.Ordinal);
        Assert.Contains("## Delivery audit", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("## Ledger audit", markdown, StringComparison.Ordinal);
        var webhooks = Regex.Match(markdown, @"\| healthy \(200 at once\) \| ([\d,]+) \| (\d+) \| ([\d,]+) \| ([\d.]+) \| ([\d.]+) \|");
        Assert.True(webhooks.Success, markdown);
        Assert.True(double.Parse(webhooks.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) > 0, "webhooks per second");
        Assert.True(double.Parse(webhooks.Groups[5].Value, System.Globalization.CultureInfo.InvariantCulture) > 0, "pay → webhook p99");
    }

    [Fact]
    public async Task A_slow_receiver_leaves_events_missing_without_failing_the_audit_and_a_sandbox_by_url_keeps_its_webhook_setting()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var sandbox = await HarnessProcess.StartSandboxAsync(_data, cancellationToken);
        var control = sandbox.SandboxControlUrl!;
        using var http = new HttpClient { BaseAddress = control };
        var console = new StringWriter();

        var exit = await LoadCommand.MainAsync(
            ["--sandbox", control.ToString(), "--scenario", "pay-and-deliver", "--receiver", "slow=5s", "--concurrency", "2", "--duration", "1s", "--warmup", "0s", "--report", _reports],
            console,
            cancellationToken);

        var output = console.ToString();
        Assert.True(exit == LoadCommand.Passed, output);
        Assert.Contains("(by URL)", output, StringComparison.Ordinal);
        Assert.Contains("does not wait for or require the rest", output, StringComparison.Ordinal);
        var missing = Regex.Match(output, @"Delivery audit PASSED: .* ([\d,]+) missing, .*receiver slow \(200 after 5 s\): arrival not required");
        Assert.True(missing.Success, output);
        Assert.NotEqual("0", missing.Groups[1].Value); // a payment's second event waits for its first to be answered
        Assert.DoesNotContain("webhook_url", await http.GetStringAsync(new Uri("/control/providers/stripe", UriKind.Relative), cancellationToken), StringComparison.Ordinal);
    }
}
