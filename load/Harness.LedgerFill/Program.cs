using Harness.LedgerFill;

return await FillCommand.RunAsync(args, Console.Out);
