using Harness.Finance;

namespace Harness.Ledger.Violations;

/// <summary>A shared mechanism depending on a surface.</summary>
public static class LedgerUsingFinance
{
    public static string Describe(FinanceOptions options) => options?.ToString() ?? "";
}
