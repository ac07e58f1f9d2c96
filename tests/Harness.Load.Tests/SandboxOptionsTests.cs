using Harness.Load.Sandbox;

namespace Harness.Load.Tests;

public sealed class SandboxOptionsTests
{
    [Fact]
    public void Sandbox_scenarios_take_a_sandbox_url_and_a_receiver()
    {
        var options = LoadOptions.Parse(["--scenario", "sandbox-control,pay-and-deliver", "--sandbox", "http://127.0.0.1:8100", "--receiver", "slow=2s"]);

        Assert.True(options.LoadsSandbox);
        Assert.Equal(new Uri("http://127.0.0.1:8100"), options.Sandbox);
        Assert.Equal(new ReceiverMode(ReceiverBehaviour.Slow, TimeSpan.FromSeconds(2)), options.ReceiverMode);
        Assert.False(options.ReceiverMode.RequiresArrival);
    }

    [Fact]
    public void The_receiver_is_healthy_unless_given_and_down_requires_no_arrival()
    {
        Assert.Equal(ReceiverMode.Healthy, LoadOptions.Parse(["--scenario", "pay-and-deliver"]).ReceiverMode);
        Assert.True(ReceiverMode.Healthy.RequiresArrival);
        Assert.Equal(ReceiverBehaviour.Down, LoadOptions.Parse(["--scenario", "pay-and-deliver", "--receiver", "down"]).ReceiverMode.Behaviour);
        Assert.False(LoadOptions.Parse(["--scenario", "pay-and-deliver", "--receiver", "down"]).ReceiverMode.RequiresArrival);
    }

    [Fact]
    public void The_built_in_sandbox_takes_a_data_directory_and_finance_runs_are_not_sandbox_runs()
    {
        Assert.Equal("/dev/shm", LoadOptions.Parse(["--scenario", "stripe-checkout", "--data", "/dev/shm"]).DataDirectory);
        Assert.False(LoadOptions.Parse([]).LoadsSandbox);
        Assert.False(LoadOptions.Parse(["--scenario", "baseline,consume-unique"]).LoadsSandbox);
    }

    [Theory]
    [InlineData("sandbox scenarios", "--scenario", "consume-unique,stripe-checkout")]
    [InlineData("--receiver must be", "--scenario", "pay-and-deliver", "--receiver", "sleepy")]
    [InlineData("--receiver slow", "--scenario", "pay-and-deliver", "--receiver", "slow=soon")]
    [InlineData("add pay-and-deliver", "--scenario", "stripe-checkout", "--receiver", "down")]
    [InlineData("--sandbox and --receiver are for the sandbox scenarios", "--sandbox", "http://127.0.0.1:8100")]
    [InlineData("give its control URL with --sandbox", "--scenario", "epay-order", "--target", "http://127.0.0.1:8080")]
    [InlineData("--data is for the built-in", "--scenario", "epay-order", "--sandbox", "http://127.0.0.1:8100", "--data", "/tmp")]
    [InlineData("--sandbox must be an http(s) URL", "--scenario", "epay-order", "--sandbox", "ftp://127.0.0.1")]
    [InlineData("--soak and --half-rate are for the Finance scenarios", "--scenario", "creem-checkout", "--half-rate")]
    public void Sandbox_options_that_do_not_fit_are_refused_with_a_message(string expected, params string[] args)
    {
        var error = Assert.Throws<ArgumentException>(() => LoadOptions.Parse(args));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mixing_finance_and_sandbox_scenarios_exits_with_2()
    {
        var console = new StringWriter();

        var exit = await LoadCommand.MainAsync(["--scenario", "baseline,sandbox-control"], console, TestContext.Current.CancellationToken);

        Assert.Equal(LoadCommand.BadArguments, exit);
        Assert.Contains("cannot run with Finance ones", console.ToString(), StringComparison.Ordinal);
    }
}
