using System.Globalization;

namespace Harness.LedgerFill;

/// <param name="Entries">Consume entries to write (one credit per account comes first, on top).</param>
/// <param name="Accounts">Accounts the consumes are spread over, round-robin.</param>
/// <param name="Directory">The store's directory; must be missing or empty.</param>
/// <param name="BudgetBytes">The ledger's memory budget (<c>LedgerOptions.MemoryBudget</c>).</param>
internal sealed record FillOptions(long Entries, int Accounts, string Directory, long BudgetBytes)
{
    public const string Usage = "usage: Harness.LedgerFill --entries N --accounts N --dir PATH [--budget-mb MB]   (budget default 256)";

    /// <summary>Reads the command line; throws <see cref="ArgumentException"/> with what is wrong.</summary>
    public static FillOptions Parse(IReadOnlyList<string> args)
    {
        long? entries = null;
        int? accounts = null;
        string? directory = null;
        long budgetMb = 256;
        for (var i = 0; i < args.Count; i++)
        {
            var value = i + 1 < args.Count ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--entries": entries = Positive(args[i], value); break;
                case "--accounts": accounts = (int)Math.Min(Positive(args[i], value), int.MaxValue); break;
                case "--dir": directory = value; break;
                case "--budget-mb": budgetMb = Positive(args[i], value); break;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }

            i++;
        }

        return new FillOptions(
            entries ?? throw new ArgumentException("--entries is required"),
            accounts ?? throw new ArgumentException("--accounts is required"),
            directory ?? throw new ArgumentException("--dir is required"),
            budgetMb << 20);
    }

    private static long Positive(string option, string value) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0
            ? number
            : throw new ArgumentException($"{option} must be a positive whole number, not '{value}'");
}
