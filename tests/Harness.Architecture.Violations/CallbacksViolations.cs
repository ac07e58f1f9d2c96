using Harness.Ledger;
using Harness.Security;
using Harness.Storage;

namespace Harness.Callbacks.Violations;

/// <summary>Callbacks on its allowed edges (storage, security) and on one it does not have (the ledger).</summary>
public static class CallbacksUsingStorageSecurityAndLedger
{
    public static ILedger? LedgerOf(IDocumentStore store, Hs256Jwt jwt) => store is null || jwt is null ? null : default;
}
