using Harness.Load.Engine;

namespace Harness.Load.Tests;

public sealed class SoakOptionsTests
{
    [Fact]
    public void A_soak_at_a_given_rate_runs_open_for_the_soak_and_samples_every_minute_by_default()
    {
        var options = LoadOptions.Parse(["--soak", "30m", "--rate", "400"]);

        Assert.Equal(TimeSpan.FromMinutes(30), options.Soak);
        Assert.Equal(TimeSpan.FromMinutes(1), options.SoakSampleEvery);
        Assert.Equal(InjectRate.Constant(400, TimeSpan.FromMinutes(30)), options.Simulation());
        Assert.False(options.MeasuresHalfRate);
    }

    [Fact]
    public void A_soak_without_a_rate_measures_the_maximum_first_and_soaks_at_half()
    {
        var options = LoadOptions.Parse(["--soak", "90s", "--sample-every", "10s", "--duration", "5s"]);

        Assert.True(options.MeasuresHalfRate);
        Assert.Equal(TimeSpan.FromSeconds(10), options.SoakSampleEvery);
        Assert.Equal(new KeepConcurrency(64, TimeSpan.FromSeconds(5)), options.Simulation());
    }

    [Theory]
    [InlineData("a fixed rate", "--soak", "1m", "--rate", "100..200")]
    [InlineData("--rounds", "--soak", "1m", "--rate", "100", "--rounds", "2")]
    [InlineData("no sample would be taken", "--soak", "10s", "--sample-every", "1m")]
    [InlineData("leave out --half-rate", "--soak", "1m", "--half-rate")]
    [InlineData("consume-unique only", "--soak", "1m", "--scenario", "mixed")]
    [InlineData("is for a --soak run", "--sample-every", "10s")]
    [InlineData("--soak must be a duration", "--soak", "0s")]
    [InlineData("--soak must be a duration", "--soak", "-5m")]
    [InlineData("--sample-every must be a duration", "--soak", "1m", "--sample-every", "0")]
    public void Soaks_that_cannot_run_are_refused_with_the_reason(string reason, params string[] args)
    {
        var error = Assert.Throws<ArgumentException>(() => LoadOptions.Parse(args));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }
}
