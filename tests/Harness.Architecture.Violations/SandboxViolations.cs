using Harness.Finance;
using Harness.Ledger;

namespace Harness.Sandbox.Violations;

/// <summary>The sandbox reaching into a surface and into the ledger engine, in a signature.</summary>
public static class SandboxUsingFinanceAndLedger
{
    public static ILedger? LedgerOf(FinanceOptions options) => options is null ? null : default;
}

/// <summary>The ledger reached only inside a lambda: the check must see compiler-generated types too.</summary>
public static class SandboxUsingLedgerInALambda
{
    public static Func<object> Posting() => () => new LedgerPosting("acct", 1, "violation");
}
