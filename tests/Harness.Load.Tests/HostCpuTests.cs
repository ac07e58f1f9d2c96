using System.Diagnostics;
using Harness.Load.Engine;

namespace Harness.Load.Tests;

/// <summary>The machine's CPU figures the runner prints beside each second, read from Linux's /proc.</summary>
public sealed class HostCpuTests
{
    private static string Pressure(long someTotal) =>
        $"some avg10=48.81 avg60=72.93 avg300=68.33 total={someTotal}\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n";

    [Fact]
    public void Busy_steal_and_waiting_shares_come_from_the_difference_of_two_readings()
    {
        var start = Stopwatch.GetTimestamp();
        var before = HostCpu.Parse("cpu  1000 0 500 8000 500 0 0 0 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n", Pressure(2_000_000), start);
        var after = HostCpu.Parse("cpu  1120 10 560 8100 500 5 5 200 0 0\n", Pressure(2_750_000), start + Stopwatch.Frequency);

        var sample = HostCpu.Between(before, after)!;

        // 500 jiffies passed: 200 stolen, 100 idle, 200 running (user, nice, system, irq, softirq)
        Assert.Equal(40, sample.BusyPercent, 6);
        Assert.Equal(40, sample.StealPercent, 6);
        Assert.Equal(75, sample.WaitingPercent!.Value, 6); // 750,000 µs of one second
    }

    [Fact]
    public void Without_pressure_figures_the_waiting_share_is_unknown_and_the_rest_still_counts()
    {
        var before = HostCpu.Parse("cpu 100 0 100 800 0 0 0 0\n", null, 0);
        var after = HostCpu.Parse("cpu 150 0 150 900 0 0 0 0\n", "full avg10=0.00 total=0\n", Stopwatch.Frequency);

        var sample = HostCpu.Between(before, after)!;

        Assert.Equal(50, sample.BusyPercent, 6);
        Assert.Equal(0, sample.StealPercent, 6);
        Assert.Null(sample.WaitingPercent);
    }

    [Theory]
    [InlineData("")]
    [InlineData("intr 1 2 3\n")]
    [InlineData("cpu 1 2 3\n")]
    [InlineData("cpu 1 2 x 4 5 6 7 8\n")]
    public void A_reading_in_another_shape_gives_no_figures(string procStat)
    {
        Assert.Null(HostCpu.Parse(procStat, null, 0));
        Assert.Null(HostCpu.Between(HostCpu.Parse("cpu 1 1 1 1 1 1 1 1\n", null, 0), HostCpu.Parse(procStat, null, 1)));
    }

    [Fact]
    public void Two_readings_with_no_time_between_them_give_no_figures()
    {
        var reading = HostCpu.Parse("cpu 1 1 1 1 1 1 1 1\n", null, 5);

        Assert.Null(HostCpu.Between(reading, reading));
    }

    [Fact]
    public void On_linux_the_machine_is_read_and_its_shares_stay_within_bounds()
    {
        var before = HostCpu.Read();
        if (!OperatingSystem.IsLinux())
        {
            Assert.Null(before);
            return;
        }

        Assert.NotNull(before);
        var until = Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 10);
        while (Stopwatch.GetTimestamp() < until)
        {
            Thread.SpinWait(1_000); // let the kernel count some jiffies
        }

        var sample = HostCpu.Between(before, HostCpu.Read())!;
        Assert.InRange(sample.BusyPercent, 0, 100);
        Assert.InRange(sample.StealPercent, 0, 100);
        Assert.InRange(sample.BusyPercent + sample.StealPercent, 0, 100);
    }
}
