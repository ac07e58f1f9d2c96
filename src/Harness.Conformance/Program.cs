using Harness.Conformance;

// `./run-harness.sh conformance ...` runs this with the verb as the first argument.
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
return await ConformanceCommand.RunAsync(args, Console.Out, cancel.Token);
