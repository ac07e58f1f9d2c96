using Harness.Load.Engine;

namespace Harness.Load.Tests;

/// <summary>The engine's two load models, against a target that is a delay, not a server.</summary>
public sealed class LoadEngineTests
{
    [Fact]
    public async Task The_open_model_launches_every_due_arrival_without_waiting_for_answers()
    {
        var inFlight = 0;
        var mostInFlight = 0;
        var scenario = new Scenario("slow", "each call takes 50 ms", [new Step("call", async context =>
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref mostInFlight, now);
            await Task.Delay(50, context.Cancellation);
            Interlocked.Decrement(ref inFlight);
            return StepOutcome.Success;
        })]);

        var result = await new LoadEngine(TextWriter.Null).RunAsync(scenario, InjectRate.Constant(400, TimeSpan.FromMilliseconds(500)), TimeSpan.Zero, TestContext.Current.CancellationToken);

        Assert.Equal(200, result.Main.Ok);
        Assert.Equal(0, result.Main.Failed);
        Assert.True(mostInFlight > 1, "a slow answer must not hold back the next arrival");
    }

    [Fact]
    public async Task The_closed_model_never_exceeds_its_concurrency()
    {
        var inFlight = 0;
        var mostInFlight = 0;
        var scenario = new Scenario("slow", "each call takes 5 ms", [new Step("call", async context =>
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref mostInFlight, now);
            await Task.Delay(5, context.Cancellation);
            Interlocked.Decrement(ref inFlight);
            return StepOutcome.Success;
        })]);

        var result = await new LoadEngine(TextWriter.Null).RunAsync(scenario, new KeepConcurrency(3, TimeSpan.FromMilliseconds(300)), TimeSpan.Zero, TestContext.Current.CancellationToken);

        Assert.True(result.Main.Ok > 3);
        Assert.InRange(mostInFlight, 1, 3);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current && Interlocked.CompareExchange(ref target, value, current) is var seen && seen != current)
        {
            current = seen;
        }
    }
}
