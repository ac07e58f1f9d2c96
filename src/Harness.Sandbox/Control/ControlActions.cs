using Harness.Sandbox.Delivery;
using Harness.Sandbox.Providers;

namespace Harness.Sandbox.Control;

/// <summary>The operator's changes that both the control API and the dashboard make, checked the same way.</summary>
internal static class ControlActions
{
    /// <summary>The furthest the sandbox clock is moved.</summary>
    private static readonly DateTimeOffset LatestClock = new(9000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Why the <paramref name="provider"/> cannot take these settings, or null once they are stored (an empty value removes one).</summary>
    public static string? SetSettings(SandboxContext context, ISandboxProvider provider, IReadOnlyDictionary<string, string?> values)
    {
        // Stored unchecked, a URL no HTTP client can call would fail every delivery to it.
        if (values.GetValueOrDefault(ProviderSettings.WebhookUrl) is { Length: > 0 } webhookUrl && !HttpUrl.IsValid(webhookUrl))
        {
            return $"webhook_url must be an absolute http or https URL, not '{webhookUrl}'";
        }

        if (values.Where(v => !string.IsNullOrEmpty(v.Value)).Select(v => provider.RefuseSetting(v.Key, v.Value!)).FirstOrDefault(r => r is not null) is { } refused)
        {
            return refused;
        }

        context.Settings.Set(provider.Name, values);
        return null;
    }

    /// <summary>
    /// Moves the sandbox clock forward, then expires payments and makes every callback attempt that fell due; or why
    /// not (up to a year at a time, never past the year 9000).
    /// </summary>
    public static async Task<(ClockView? Clock, string? Error)> AdvanceClockAsync(
        SandboxContext context, SandboxScheduler scheduler, long seconds, CancellationToken cancellationToken)
    {
        if (seconds is not (>= 0 and <= 366L * 24 * 3600))
        {
            return (null, "seconds must be between 0 and one year");
        }

        // Schedules add to the clock (a fault's delay up to 68 years); far short of DateTimeOffset's end in 9999, none overflows.
        if (TimeSpan.FromSeconds(seconds) > LatestClock - context.Clock.GetUtcNow())
        {
            return (null, "the sandbox clock cannot move past the year 9000");
        }

        context.Clock.Advance(TimeSpan.FromSeconds(seconds));
        var attempts = await scheduler.RunDueAsync(cancellationToken);
        return (ClockView.Of(context) with { AttemptsMade = attempts }, null);
    }
}
