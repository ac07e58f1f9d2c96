using System.Runtime.InteropServices;

namespace Harness.Load.Engine;

/// <summary>
/// Sleeps for less than a millisecond, for the open model's pacer. .NET's shortest sleep is a
/// millisecond or more, so a pacer at thousands of arrivals per second could only spin between them —
/// and a spinning pacer took a third of a core from the target it measures on a two-core machine. On
/// Linux and macOS this is <c>nanosleep</c> (with the calling thread's timer slack cut to a microsecond
/// on Linux, so the kernel does not round the wake-up by its default 50 µs); elsewhere it falls back
/// to yielding below a millisecond.
/// </summary>
internal static partial class PreciseSleep
{
    private static readonly bool Native = OperatingSystem.IsLinux() || OperatingSystem.IsMacOS();

    /// <summary>Asks for microsecond wake-ups on the calling thread (Linux); harmless to skip elsewhere.</summary>
    public static void TightenTimerSlack()
    {
        if (OperatingSystem.IsLinux())
        {
            _ = SetTimerSlack(PrSetTimerSlack, 1_000); // nanoseconds
        }
    }

    public static void For(TimeSpan duration)
    {
        if (duration <= TimeSpan.Zero)
        {
            return;
        }

        if (Native)
        {
            var time = new TimeSpec { Seconds = (nint)(duration.Ticks / TimeSpan.TicksPerSecond), Nanoseconds = (nint)(duration.Ticks % TimeSpan.TicksPerSecond * 100) };
            _ = NanoSleep(in time, IntPtr.Zero); // woken early by a signal: the pacer simply looks at the clock again
        }
        else if (duration >= TimeSpan.FromMilliseconds(1))
        {
            Thread.Sleep(1);
        }
        else
        {
            Thread.Yield();
        }
    }

    private const int PrSetTimerSlack = 29;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public nint Seconds;
        public nint Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "nanosleep")]
    private static partial int NanoSleep(in TimeSpec duration, IntPtr remaining);

    [LibraryImport("libc", EntryPoint = "prctl")]
    private static partial int SetTimerSlack(int option, nuint value);
}
