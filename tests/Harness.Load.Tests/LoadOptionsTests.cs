using Harness.Load.Engine;

namespace Harness.Load.Tests;

public sealed class LoadOptionsTests
{
    [Fact]
    public void Rate_gives_the_open_model_and_a_range_gives_a_ramp()
    {
        var constant = LoadOptions.Parse(["--rate", "500", "--duration", "20s"]).Simulation();
        var ramp = LoadOptions.Parse(["--rate", "100..900", "--duration", "1m"]).Simulation();

        Assert.Equal(new InjectRate(500, 500, TimeSpan.FromSeconds(20)), constant);
        Assert.Equal(new InjectRate(100, 900, TimeSpan.FromMinutes(1)), ramp);
    }

    [Fact]
    public void Concurrency_or_nothing_gives_the_closed_model()
    {
        Assert.Equal(new KeepConcurrency(128, TimeSpan.FromMilliseconds(500)), LoadOptions.Parse(["--concurrency", "128", "--duration", "500ms"]).Simulation());
        Assert.Equal(new KeepConcurrency(64, TimeSpan.FromSeconds(10)), LoadOptions.Parse([]).Simulation());
    }

    [Fact]
    public void Thresholds_scenarios_and_target_are_read()
    {
        var options = LoadOptions.Parse(["--target", "http://localhost:9000", "--scenario", "baseline, mixed", "--max-p99", "5", "--min-rps", "1000", "--max-error-rate", "1%", "--warmup", "0"]);

        Assert.Equal(new Uri("http://localhost:9000"), options.Target);
        Assert.Equal(["baseline", "mixed"], options.Scenarios);
        Assert.Equal(5, options.MaxP99Ms);
        Assert.Equal(1000, options.MinRps);
        Assert.Equal(0.01, options.MaxErrorRate);
        Assert.Equal(TimeSpan.Zero, options.Warmup);
    }

    [Fact]
    public void Insecure_is_a_flag_and_off_unless_given()
    {
        Assert.True(LoadOptions.Parse(["--target", "https://staging.example:8443", "--insecure", "--rate", "10"]).Insecure);
        Assert.False(LoadOptions.Parse(["--target", "https://staging.example:8443"]).Insecure);
    }

    [Fact]
    public void Rounds_cut_the_measured_time_into_equal_slices()
    {
        var options = LoadOptions.Parse(["--rounds", "3", "--duration", "15s", "--concurrency", "8"]);

        Assert.Equal(3, options.Rounds);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Slice);
        Assert.Equal(TimeSpan.FromSeconds(10), LoadOptions.Parse([]).Slice);
    }

    [Theory]
    [InlineData("--rounds", "2", "--rate", "100..200")]
    [InlineData("--rounds", "20", "--duration", "10s")]
    [InlineData("--rounds", "0", "--duration", "10s")]
    [InlineData("--rounds", "2.5", "--duration", "10s")]
    public void Rounds_that_cannot_be_cut_are_refused(params string[] args)
    {
        var error = Assert.Throws<ArgumentException>(() => LoadOptions.Parse(args));

        Assert.Contains("--rounds", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--scenario", "consume-everything")]
    [InlineData("--rate", "fast")]
    [InlineData("--duration", "-3s")]
    [InlineData("--max-error-rate", "150%")]
    [InlineData("--target", "ftp://example.org")]
    [InlineData("--frobnicate", "1")]
    [InlineData("--concurrency", "0.5")]
    [InlineData("--users", "1e3")]
    [InlineData("--connections", "-4")]
    public void Bad_values_are_refused_with_a_message(string name, string value)
    {
        var error = Assert.Throws<ArgumentException>(() => LoadOptions.Parse([name, value]));

        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }
}
