using System.Globalization;
using Harness.Callbacks;
using Microsoft.Extensions.Configuration;

namespace Harness.Sandbox;

/// <summary>
/// The host's settings for the sandbox (section <c>Harness:Sandbox</c>, plus <c>Harness:DataDirectory</c>), read into
/// <see cref="SandboxOptions"/>. A value the sandbox cannot use stops the start with a message naming the setting.
/// </summary>
public static class SandboxConfiguration
{
    public const string Section = "Harness:Sandbox";

    /// <summary>More Epay retries than this is a typo, not a schedule.</summary>
    public const int MaxEpayRetries = 30;

    /// <summary>The longest wait between two Epay notify attempts.</summary>
    public static readonly TimeSpan MaxEpayRetryDelay = TimeSpan.FromDays(7);

    public static SandboxOptions Options(IConfiguration configuration)
    {
        var options = new SandboxOptions
        {
            DataDirectory = configuration["Harness:DataDirectory"] ?? "data",
            BasePort = configuration.GetValue($"{Section}:Port", 8100),
            PublicHost = configuration[$"{Section}:PublicHost"] ?? "127.0.0.1",
            RestartRoute = configuration.GetValue<bool>($"{Section}:RestartRoute"),
            CallbackLimits = new DeliveryLimits(
                configuration.GetValue($"{Section}:CallbackConcurrency", DeliveryLimits.Default.Total),
                configuration.GetValue($"{Section}:CallbackConcurrencyPerReceiver", DeliveryLimits.Default.PerReceiver)),
        };
        if (configuration[$"{Section}:EpayRetryDelays"] is { } epayRetryDelays)
        {
            options.EpayRetryDelays = RetryDelays($"{Section}:EpayRetryDelays", epayRetryDelays);
        }

        return options;
    }

    /// <summary>
    /// A retry schedule written as waits after each failed attempt, comma-separated, each a whole number of seconds,
    /// minutes or hours (<c>30s,5m,1h</c>); empty: no retries.
    /// </summary>
    public static IReadOnlyList<TimeSpan> RetryDelays(string setting, string text)
    {
        var entries = text.Split(',', StringSplitOptions.TrimEntries);
        if (entries is [""])
        {
            return [];
        }

        if (entries.Length > MaxEpayRetries)
        {
            throw new FormatException($"{setting}: at most {MaxEpayRetries} retries, not {entries.Length}.");
        }

        return [.. entries.Select(entry => Delay(setting, entry))];
    }

    private static TimeSpan Delay(string setting, string entry)
    {
        TimeSpan? delay = entry.Length < 2 || !long.TryParse(entry.AsSpan(0, entry.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count > MaxEpayRetryDelay.TotalSeconds
            ? null
            : entry[^1] switch
            {
                's' => TimeSpan.FromSeconds(count),
                'm' => TimeSpan.FromMinutes(count),
                'h' => TimeSpan.FromHours(count),
                _ => null,
            };
        return delay is { } wait && wait > TimeSpan.Zero && wait <= MaxEpayRetryDelay
            ? wait
            : throw new FormatException($"{setting}: \"{entry}\" is not a wait from 1s to {MaxEpayRetryDelay.TotalHours:0}h such as 30s, 5m or 2h.");
    }
}
