using System.Diagnostics;
using System.Globalization;

namespace Harness.Load.Engine;

/// <summary>
/// The machine's CPU over one interval: how busy it was, how much of it the hypervisor took
/// (<i>steal</i>), and for what share of the time some thread was ready to run but had no CPU to run
/// on (<i>waiting</i>, Linux's pressure-stall figure). When generator and target share a machine,
/// these tell a slow second of the target from a saturated machine.
/// </summary>
/// <param name="BusyPercent">Share of the machine's CPU time spent running anything (steal left out).</param>
/// <param name="StealPercent">Share the hypervisor gave to other machines while this one wanted to run.</param>
/// <param name="WaitingPercent">Share of wall time some thread waited for a CPU; null where the kernel keeps no pressure figures.</param>
public sealed record HostCpuSample(double BusyPercent, double StealPercent, double? WaitingPercent);

/// <summary>Cumulative CPU counters of the machine at one moment (jiffies, and microseconds of waiting).</summary>
public readonly record struct HostCpuCounters(long Total, long Idle, long Steal, long? WaitingMicroseconds, long AtTimestamp);

/// <summary>Reads the machine's CPU counters from Linux's <c>/proc</c>; elsewhere there are none.</summary>
public static class HostCpu
{
    private const string StatPath = "/proc/stat";
    private const string PressurePath = "/proc/pressure/cpu";

    /// <summary>The counters now, or null where <c>/proc/stat</c> cannot be read (not Linux, or a sandbox hiding it).</summary>
    public static HostCpuCounters? Read()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            var stat = File.ReadAllText(StatPath);
            var pressure = File.Exists(PressurePath) ? File.ReadAllText(PressurePath) : null;
            return Parse(stat, pressure, Stopwatch.GetTimestamp());
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Reads the first line of <c>/proc/stat</c> (<c>cpu user nice system idle iowait irq softirq
    /// steal …</c>) and the <c>some … total=</c> line of <c>/proc/pressure/cpu</c>; null when the
    /// former is not in that shape.
    /// </summary>
    public static HostCpuCounters? Parse(string procStat, string? pressure, long atTimestamp)
    {
        var fields = procStat.Split('\n', 2)[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 9 || fields[0] != "cpu")
        {
            return null;
        }

        var jiffies = new long[8];
        for (var i = 0; i < jiffies.Length; i++)
        {
            if (!long.TryParse(fields[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out jiffies[i]))
            {
                return null;
            }
        }

        // user, nice, system, idle, iowait, irq, softirq, steal (guest time is already inside user)
        return new HostCpuCounters(jiffies.Sum(), jiffies[3] + jiffies[4], jiffies[7], WaitingOf(pressure), atTimestamp);
    }

    /// <summary>What the machine did between two readings; null when either is missing or no time passed.</summary>
    public static HostCpuSample? Between(HostCpuCounters? before, HostCpuCounters? after)
    {
        if (before is not { } from || after is not { } to || to.Total <= from.Total || to.AtTimestamp <= from.AtTimestamp)
        {
            return null;
        }

        double total = to.Total - from.Total;
        var steal = (to.Steal - from.Steal) / total;
        var busy = 1 - ((to.Idle - from.Idle) / total) - steal;
        double? waiting = from.WaitingMicroseconds is { } w0 && to.WaitingMicroseconds is { } w1
            ? Math.Clamp((w1 - w0) / Stopwatch.GetElapsedTime(from.AtTimestamp, to.AtTimestamp).TotalMicroseconds, 0, 1) * 100
            : null;
        return new HostCpuSample(Math.Clamp(busy, 0, 1) * 100, Math.Clamp(steal, 0, 1) * 100, waiting);
    }

    private static long? WaitingOf(string? pressure)
    {
        foreach (var line in (pressure ?? "").Split('\n'))
        {
            if (!line.StartsWith("some ", StringComparison.Ordinal))
            {
                continue;
            }

            var at = line.IndexOf("total=", StringComparison.Ordinal);
            return at >= 0 && long.TryParse(line.AsSpan(at + "total=".Length).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var total)
                ? total
                : null;
        }

        return null;
    }
}
