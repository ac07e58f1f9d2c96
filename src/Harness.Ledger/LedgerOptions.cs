namespace Harness.Ledger;

public sealed class LedgerOptions
{
    /// <summary>How long a consumed idempotency key is remembered (the Finance spec asks for at least 24 h).</summary>
    public TimeSpan IdempotencyRetention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Upper bound on postings committed in one store transaction.</summary>
    public int MaxBatchSize { get; set; } = 1024;

    /// <summary>No balance may exceed this; it keeps every sum of balances far from overflowing.</summary>
    public long MaxBalance { get; set; } = 1_000_000_000_000_000;

    /// <summary>
    /// Bytes the store's caches and write buffers may hold (256 MB by default). Once they are full the
    /// ledger's memory stays flat however many entries follow; reads beyond them go to disk.
    /// </summary>
    public long MemoryBudget { get; set; } = 256L << 20;
}
