using System.Globalization;

namespace Harness.LedgerFill;

/// <summary>This process's memory as the kernel counts it (<c>/proc/self/status</c>), in MB.</summary>
internal static class ProcessMemory
{
    /// <summary>Resident set now (<c>VmRSS</c>).</summary>
    public static double RssMb() => Field("VmRSS:");

    /// <summary>The anonymous part of the resident set (<c>RssAnon</c>): heaps, native and managed, not pages of mapped files.</summary>
    public static double RssAnonMb() => Field("RssAnon:");

    /// <summary>What the garbage collector has committed for the managed heap.</summary>
    public static double ManagedCommittedMb() => Math.Round(GC.GetGCMemoryInfo().TotalCommittedBytes / 1048576.0, 1);

    /// <summary>The highest resident set so far (<c>VmHWM</c>).</summary>
    public static double PeakRssMb() => Field("VmHWM:");

    private static double Field(string name)
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(name, StringComparison.Ordinal));
        var kilobytes = long.Parse(line[name.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        return Math.Round(kilobytes / 1024.0, 1);
    }
}
