using Harness.Chaos;

using var abort = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true; // stop, then report what ran
    abort.Cancel();
};

return await ChaosCommand.MainAsync(args, Console.Out, abort.Token);
