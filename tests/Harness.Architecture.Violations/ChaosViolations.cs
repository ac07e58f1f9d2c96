using Harness.Finance;
using Harness.Ledger;

namespace Harness.Chaos.Violations;

/// <summary>The chaos campaign reading the backend's and the ledger's types instead of driving HTTP.</summary>
public static class ChaosUsingFinanceAndLedger
{
    public static ILedger? LedgerOf(FinanceOptions options) => options is null ? null : default;
}
