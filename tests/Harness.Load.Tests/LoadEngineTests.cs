using Harness.Load.Engine;

namespace Harness.Load.Tests;

/// <summary>The engine's two load models, against a target that is a delay, not a server.</summary>
public sealed class LoadEngineTests
{
    [Fact]
    public async Task The_open_model_launches_every_due_arrival_without_waiting_for_answers()
    {
        var target = new DelayTarget(TimeSpan.FromMilliseconds(50));

        var result = await new LoadEngine(TextWriter.Null).RunAsync(target.Scenario, InjectRate.Constant(400, TimeSpan.FromMilliseconds(500)), TimeSpan.Zero, TestContext.Current.CancellationToken);

        Assert.Equal(200, result.Main.Ok);
        Assert.Equal(0, result.Main.Failed);
        Assert.True(target.MostInFlight > 1, "a slow answer must not hold back the next arrival");
    }

    [Fact]
    public async Task The_closed_model_never_exceeds_its_concurrency()
    {
        var target = new DelayTarget(TimeSpan.FromMilliseconds(5));

        var result = await new LoadEngine(TextWriter.Null).RunAsync(target.Scenario, new KeepConcurrency(3, TimeSpan.FromMilliseconds(300)), TimeSpan.Zero, TestContext.Current.CancellationToken);

        Assert.True(result.Main.Ok > 3);
        Assert.InRange(target.MostInFlight, 1, 3);
    }

    /// <summary>A one-step scenario whose call takes a fixed time, counting how many calls overlap at most.</summary>
    private sealed class DelayTarget
    {
        private int _inFlight;
        private int _mostInFlight;

        public DelayTarget(TimeSpan delay) =>
            Scenario = new Scenario("delay", $"each call takes {delay.TotalMilliseconds} ms", [new Step("call", async context =>
            {
                var now = Interlocked.Increment(ref _inFlight);
                var most = Volatile.Read(ref _mostInFlight);
                while (now > most && Interlocked.CompareExchange(ref _mostInFlight, now, most) is var seen && seen != most)
                {
                    most = seen;
                }

                await Task.Delay(delay, context.Cancellation);
                Interlocked.Decrement(ref _inFlight);
                return StepOutcome.Success;
            })]);

        public Scenario Scenario { get; }

        public int MostInFlight => Volatile.Read(ref _mostInFlight);
    }
}
