using Harness.Finance;
using Harness.Ledger;

namespace Harness.Conformance.Violations;

/// <summary>The conformance runner reading a backend's and the ledger's types instead of driving HTTP.</summary>
public static class ConformanceUsingFinanceAndLedger
{
    public static ILedger? LedgerOf(FinanceOptions options) => options is null ? null : default;
}
