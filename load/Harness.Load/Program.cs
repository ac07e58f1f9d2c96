using System.Runtime;
using Harness.Load;

// The runner keeps every key it sent for the audit, so its heap grows through a run; a blocking full
// collection would stall the generator, and the latency correction would charge that stall to the
// target. Background collections only, as far as the runtime allows.
GCSettings.LatencyMode = GCLatencyMode.SustainedLowLatency;

using var abort = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true; // stop loading, then audit and report what ran
    abort.Cancel();
};

return await LoadCommand.MainAsync(args, Console.Out, abort.Token);
