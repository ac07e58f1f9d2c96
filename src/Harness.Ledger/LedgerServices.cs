using Harness.Ledger.Journal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Harness.Ledger;

/// <summary>Registers the ledger: the group-commit engine over its journal file.</summary>
public static class LedgerServices
{
    /// <summary>The journal's file name in a data directory.</summary>
    public const string JournalFileName = "harness.ledger";

    /// <summary>
    /// Adds <see cref="ILedger"/> as a singleton over the journal at <paramref name="journalPath"/>. The
    /// ledger reads its journal when first resolved and needs a <see cref="TimeProvider"/> registered.
    /// </summary>
    public static IServiceCollection AddLedger(this IServiceCollection services, Func<IServiceProvider, string> journalPath, Func<IServiceProvider, LedgerOptions> options)
    {
        // The journal is a singleton of its own, so the container disposes it after the ledger that writes to it.
        services.AddSingleton(sp => new JournalLedgerStore(journalPath(sp), sp.GetRequiredService<ILogger<JournalLedgerStore>>()));
        return services.AddSingleton<ILedger>(sp => new GroupCommitLedger(
            sp.GetRequiredService<JournalLedgerStore>(),
            sp.GetRequiredService<TimeProvider>(),
            options(sp),
            sp.GetRequiredService<ILogger<GroupCommitLedger>>()));
    }
}
