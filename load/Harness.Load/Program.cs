using System.Runtime;
using Harness.Load;
using Harness.Launcher;

// The open model charges the runner's own stalls to the target, so the runner stays out of its way.
// A blocking full collection would stall the generator: background collections only, as far as the
// runtime allows.
GCSettings.LatencyMode = GCLatencyMode.SustainedLowLatency;

// Socket completions run on the event thread instead of hopping to the thread pool: the runner's
// continuations are short (record the answer, send the next request), and the hop, a thread wake-up
// per response, cost about a quarter of the runner's CPU, taken from the target on a shared machine.
// It must be set before the first socket exists; a value set in the environment wins.
if (Environment.GetEnvironmentVariable(HarnessProcess.InlineSocketCompletions) is null)
{
    Environment.SetEnvironmentVariable(HarnessProcess.InlineSocketCompletions, "1");
}

using var abort = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true; // stop loading, then audit and report what ran
    abort.Cancel();
};

return await LoadCommand.MainAsync(args, Console.Out, abort.Token);
