using System.Text.Json.Nodes;
using Harness.Sandbox.Tests.Epay;
using Harness.Sandbox.Tests.Support;
using Microsoft.Extensions.Configuration;

namespace Harness.Sandbox.Tests.Common;

/// <summary>The host's <c>Harness:Sandbox</c> settings, read as the host reads them (<see cref="SandboxConfiguration"/>).</summary>
public sealed class SandboxConfigurationTests
{
    private const string EpaySetting = "Harness:Sandbox:EpayRetryDelays";

    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void Settings_are_read_into_the_options_and_an_absent_epay_schedule_keeps_the_default()
    {
        var options = SandboxConfiguration.Options(Configuration(
            ("Harness:DataDirectory", "/srv/harness"), ("Harness:Sandbox:Port", "9100"), ("Harness:Sandbox:PublicHost", "sandbox.test"),
            ("Harness:Sandbox:RestartRoute", "true"), ("Harness:Sandbox:CallbackConcurrency", "12"), ("Harness:Sandbox:CallbackConcurrencyPerReceiver", "3")));

        Assert.Equal(("/srv/harness", 9100, "sandbox.test", true), (options.DataDirectory, options.BasePort, options.PublicHost, options.RestartRoute));
        Assert.Equal((12, 3), (options.CallbackLimits.Total, options.CallbackLimits.PerReceiver));
        Assert.Equal(new SandboxOptions().EpayRetryDelays, options.EpayRetryDelays);
    }

    [Theory]
    [InlineData("30s,2m,1h", new[] { 30L, 120, 3600 })]
    [InlineData(" 5m , 168h ", new[] { 300L, 604_800 })]
    [InlineData("", new long[0])]
    public void An_epay_schedule_is_waits_in_seconds_minutes_or_hours(string value, long[] seconds)
    {
        var options = SandboxConfiguration.Options(Configuration((EpaySetting, value)));

        Assert.Equal(seconds, options.EpayRetryDelays.Select(d => (long)d.TotalSeconds));
    }

    [Theory]
    [InlineData("5x", "\"5x\"")]
    [InlineData("0s", "\"0s\"")]
    [InlineData("-1m", "\"-1m\"")]
    [InlineData("1.5m", "\"1.5m\"")]
    [InlineData("169h", "\"169h\"")]
    [InlineData("99999999999999999999s", "\"99999999999999999999s\"")]
    [InlineData("1m,,2m", "\"\"")]
    [InlineData("m", "\"m\"")]
    public void An_epay_schedule_the_sandbox_cannot_use_stops_the_start_naming_the_setting_and_the_entry(string value, string entry)
    {
        var refused = Assert.Throws<FormatException>(() => SandboxConfiguration.Options(Configuration((EpaySetting, value))));

        Assert.StartsWith(EpaySetting + ": " + entry, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void More_retries_than_an_epay_schedule_can_hold_are_refused()
    {
        var value = string.Join(',', Enumerable.Repeat("1m", SandboxConfiguration.MaxEpayRetries + 1));

        var refused = Assert.Throws<FormatException>(() => SandboxConfiguration.Options(Configuration((EpaySetting, value))));

        Assert.Contains($"at most {SandboxConfiguration.MaxEpayRetries} retries", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_configured_epay_schedule_is_the_one_notifies_are_retried_on()
    {
        var configured = SandboxConfiguration.Options(Configuration((EpaySetting, "2m,7m")));
        await using var sandbox = await TestSandbox.StartAsync(configure: o => o.EpayRetryDelays = configured.EpayRetryDelays);
        await using var receiver = await Receiver.StartAsync();
        receiver.Default = (200, "fail");
        var tradeNo = await EpayTests.SubmitAsync(sandbox, EpayTests.Order(receiver.Url));
        await sandbox.ActAsync(tradeNo, "pay");
        await sandbox.RunDueAsync();

        await sandbox.AdvanceAsync(TimeSpan.FromMinutes(1)); // the default schedule's first retry: not this one's
        Assert.Single(Attempts(await sandbox.DeliveriesAsync(tradeNo)));
        await sandbox.AdvanceAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(2, Attempts(await sandbox.DeliveriesAsync(tradeNo)).Count);
        await sandbox.AdvanceAsync(TimeSpan.FromMinutes(7));

        var delivery = (await sandbox.DeliveriesAsync(tradeNo)).Single()!;
        Assert.Equal([120L, 420], delivery["retry_delays_seconds"]!.AsArray().Select(d => d!.GetValue<long>()));
        Assert.Equal(3, delivery["attempts"]!.AsArray().Count);
        Assert.Equal("exhausted", delivery["status"]!.GetValue<string>());
    }

    private static JsonArray Attempts(JsonArray deliveries) => deliveries.Single()!["attempts"]!.AsArray();
}
