namespace Harness.Ledger;

public sealed class LedgerOptions
{
    /// <summary>How long a consumed idempotency key is remembered (the Finance spec asks for at least 24 h).</summary>
    public TimeSpan IdempotencyRetention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Upper bound on postings committed in one store transaction.</summary>
    public int MaxBatchSize { get; set; } = 1024;

    /// <summary>No balance may exceed this; it keeps every sum of balances far from overflowing.</summary>
    public long MaxBalance { get; set; } = 1_000_000_000_000_000;
}
