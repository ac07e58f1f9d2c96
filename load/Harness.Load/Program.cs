using Harness.Load;

using var abort = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true; // stop loading, then audit and report what ran
    abort.Cancel();
};

return await LoadCommand.MainAsync(args, Console.Out, abort.Token);
