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

    [Fact]
    public async Task Slices_of_one_scenario_add_up_and_the_time_between_them_is_not_measured()
    {
        var target = new DelayTarget(TimeSpan.FromMilliseconds(5));
        var engine = new LoadEngine(TextWriter.Null);
        var run = new ScenarioRun(target.Scenario);
        var load = new KeepConcurrency(2, TimeSpan.FromSeconds(10));
        var slice = TimeSpan.FromMilliseconds(250);

        var first = await TimedAsync(() => engine.MeasureAsync(run, load, TimeSpan.Zero, slice, TestContext.Current.CancellationToken));
        var afterFirst = run.Finish(load);
        await Task.Delay(TimeSpan.FromMilliseconds(600), TestContext.Current.CancellationToken); // another scenario's turn
        var second = await TimedAsync(() => engine.MeasureAsync(run, load, TimeSpan.Zero, slice, TestContext.Current.CancellationToken));
        var both = run.Finish(load, rounds: 2);

        Assert.True(both.Main.Ok > afterFirst.Main.Ok, "the second slice's calls are added to the first's");
        Assert.Equal(both.Main.Ok, both.Main.Latency.TotalCount);
        Assert.InRange(both.Seconds, 2 * slice.TotalSeconds, (first + second).TotalSeconds);
        Assert.Equal("closed 2 concurrent, 2 alternating rounds", both.Load);
        Assert.Equal(both.Samples.OrderBy(s => s.Second), both.Samples);
    }

    [Fact]
    public async Task Every_second_prints_the_rate_the_latency_the_runners_health_and_on_linux_the_machines_cpu()
    {
        var target = new DelayTarget(TimeSpan.FromMilliseconds(5));
        var console = new StringWriter();

        await new LoadEngine(console).RunAsync(target.Scenario, new KeepConcurrency(2, TimeSpan.FromMilliseconds(1_300)), TimeSpan.Zero, TestContext.Current.CancellationToken);

        var second = Assert.Single(console.ToString().Split(Environment.NewLine), line => line.Contains("   1s ", StringComparison.Ordinal));
        Assert.Matches(@"/s ok  p50 +[0-9.]+ ms  p99 +[0-9.]+ ms  errors +0  in flight +\d+  runner: gc +\d+ ms, late +[0-9.]+ ms", second);
        Assert.Equal(OperatingSystem.IsLinux(), System.Text.RegularExpressions.Regex.IsMatch(second, @"  box: busy +\d+ %, steal +\d+ %(, waiting +\d+ %)?$"));
    }

    private static async Task<TimeSpan> TimedAsync(Func<Task> action)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await action();
        return System.Diagnostics.Stopwatch.GetElapsedTime(started);
    }

    /// <summary>A one-step scenario whose call takes a fixed time, counting how many calls overlap at most.</summary>
    [Fact]
    public async Task A_step_that_fails_in_a_way_no_outcome_covers_stops_the_run_with_its_exception_in_either_model()
    {
        var calls = 0;
        var scenario = new Scenario("buggy", "the tenth call throws", [new Step("call", async _ =>
        {
            await Task.Yield();
            return Interlocked.Increment(ref calls) == 10 ? throw new InvalidOperationException("a bug in a step") : StepOutcome.Success;
        })]);
        var engine = new LoadEngine(TextWriter.Null);

        var open = await Assert.ThrowsAsync<InvalidOperationException>(() => engine.RunAsync(scenario, InjectRate.Constant(200, TimeSpan.FromSeconds(2)), TimeSpan.Zero, TestContext.Current.CancellationToken));
        var openCalls = Volatile.Read(ref calls);
        calls = 0;
        var closed = await Assert.ThrowsAsync<InvalidOperationException>(() => engine.RunAsync(scenario, new KeepConcurrency(2, TimeSpan.FromSeconds(2)), TimeSpan.Zero, TestContext.Current.CancellationToken));

        Assert.Equal("a bug in a step", open.Message);
        Assert.Equal("a bug in a step", closed.Message);
        Assert.True(openCalls < 400, $"the open model should stop launching once an iteration faulted, made {openCalls} calls");
    }

    [Fact]
    public async Task The_open_model_charges_the_runners_lateness_to_the_latency_and_also_reports_it_timed_from_the_send()
    {
        // Each call holds the pacer 20 ms before it lets go (a runner that cannot keep up): arrivals due
        // every 10 ms leave later and later, and the latency from the due time grows with that lateness.
        var scenario = new Scenario("late", "holds the pacer", [new Step("call", _ =>
        {
            Thread.Sleep(20);
            return Task.FromResult(StepOutcome.Success);
        })]);

        var result = await new LoadEngine(TextWriter.Null).RunAsync(scenario, InjectRate.Constant(100, TimeSpan.FromMilliseconds(500)), TimeSpan.Zero, TestContext.Current.CancellationToken);

        Assert.Equal(50, result.Main.Ok);
        Assert.True(result.Main.PercentileMs(99) > 200, $"due-time p99 {result.Main.PercentileMs(99)} ms should carry the pacer's growing lateness");
        Assert.InRange(result.Main.FromSendPercentileMs(99), 19, 150);
        Assert.True(result.WorstLaunchLagMs > 200);
    }

    [Fact]
    public async Task In_the_closed_model_latency_from_the_send_is_the_latency_itself()
    {
        var target = new DelayTarget(TimeSpan.FromMilliseconds(3));

        var result = await new LoadEngine(TextWriter.Null).RunAsync(target.Scenario, new KeepConcurrency(2, TimeSpan.FromMilliseconds(200)), TimeSpan.Zero, TestContext.Current.CancellationToken);

        Assert.Equal(result.Main.Latency.TotalCount, result.Main.FromSend.TotalCount);
        Assert.InRange(result.Main.FromSendPercentileMs(99) - result.Main.PercentileMs(99), -0.1, 0.1); // due and sent differ by the call's own start-up only
    }

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
