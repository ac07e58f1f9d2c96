using Harness.Ledger;
using Harness.Sandbox;

namespace Harness.Http.Violations;

/// <summary>A shared mechanism depending on the sandbox, and on another mechanism it may not see.</summary>
public static class HttpUsingSandboxAndLedger
{
    public static ILedger? LedgerOf(SandboxContext context) => context is null ? null : default;
}
