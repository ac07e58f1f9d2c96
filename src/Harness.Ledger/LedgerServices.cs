using Harness.Ledger.Journal;
using Harness.Ledger.Store;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Harness.Ledger;

/// <summary>Registers the ledger: the group-commit engine over its RocksDB store.</summary>
public static class LedgerServices
{
    /// <summary>
    /// Adds <see cref="ILedger"/> as a singleton over the store <c>{name}-ledger</c> in the data
    /// directory. A journal <c>{name}.ledger</c> there (what versions before the RocksDB store wrote)
    /// is imported on the first start and renamed to <c>{name}.ledger.imported</c>. The ledger loads
    /// when first resolved and needs a <see cref="TimeProvider"/> registered.
    /// </summary>
    public static IServiceCollection AddLedger(this IServiceCollection services, Func<IServiceProvider, string> dataDirectory, string name, Func<IServiceProvider, LedgerOptions> options)
    {
        // The store is a singleton of its own, so the container disposes it after the ledger that writes to it.
        services.AddSingleton(sp =>
        {
            var directory = dataDirectory(sp);
            var storeDirectory = Path.Combine(directory, $"{name}-ledger");
            var budget = options(sp).MemoryBudget;
            LegacyJournalImport.Run(Path.Combine(directory, $"{name}.ledger"), storeDirectory, budget, sp.GetRequiredService<ILogger<RocksLedgerStore>>());
            return new RocksLedgerStore(storeDirectory, budget);
        });
        return services.AddSingleton<ILedger>(sp => new GroupCommitLedger(
            sp.GetRequiredService<RocksLedgerStore>(),
            sp.GetRequiredService<TimeProvider>(),
            options(sp),
            sp.GetRequiredService<ILogger<GroupCommitLedger>>()));
    }
}
