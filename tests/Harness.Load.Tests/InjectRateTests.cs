using Harness.Load.Engine;

namespace Harness.Load.Tests;

/// <summary>The open model's schedule: how many iterations are due when, which is what latency is measured from.</summary>
public sealed class InjectRateTests
{
    [Fact]
    public void A_constant_rate_spaces_arrivals_evenly()
    {
        var rate = InjectRate.Constant(200, TimeSpan.FromSeconds(10));

        Assert.Equal(2000, rate.ArrivalsBy(TimeSpan.FromSeconds(10)));
        Assert.Equal(2000, rate.ArrivalsBy(TimeSpan.FromSeconds(60)));
        Assert.Equal(100, rate.ArrivalsBy(TimeSpan.FromSeconds(0.5)));
        Assert.Equal(TimeSpan.FromSeconds(0.5), rate.IntendedStart(99));
    }

    [Fact]
    public void A_ramp_delivers_the_integral_of_its_rate_and_schedules_each_arrival_where_it_falls_due()
    {
        var ramp = new InjectRate(100, 300, TimeSpan.FromSeconds(10));

        Assert.Equal(2000, ramp.ArrivalsBy(TimeSpan.FromSeconds(10)));
        Assert.Equal(240, ramp.ArrivalsBy(TimeSpan.FromSeconds(2))); // 100·2 + (300 − 100)·2² / (2·10)
        for (var n = 0L; n < 2000; n += 37)
        {
            var due = ramp.IntendedStart(n);
            Assert.Equal(n + 1, ramp.ArrivalsBy(due + TimeSpan.FromTicks(10)));
            Assert.Equal(n, ramp.ArrivalsBy(due - TimeSpan.FromMilliseconds(1)), tolerance: 1);
        }
    }

    [Fact]
    public void Warm_up_runs_the_start_of_the_same_ramp()
    {
        var ramp = new InjectRate(100, 300, TimeSpan.FromSeconds(10));

        Assert.Equal(new InjectRate(100, 140, TimeSpan.FromSeconds(2)), ramp.Truncated(TimeSpan.FromSeconds(2)));
    }
}
