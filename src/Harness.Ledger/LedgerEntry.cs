namespace Harness.Ledger;

/// <summary>
/// One balance change. Entries are append-only: the balance of an account always equals the sum of
/// its entries' <see cref="Amount"/>. Surface-specific facts (consumption type, plan, order number)
/// travel in the descriptive fields so that every surface shares one ledger.
/// </summary>
public sealed class LedgerEntry
{
    /// <summary>Monotonic sequence number assigned by the ledger; also the record id shown to clients.</summary>
    public long Id { get; set; }

    public string AccountId { get; set; } = "";

    /// <summary>Signed change in minor units or coins: negative debits, positive credits.</summary>
    public long Amount { get; set; }

    public long BalanceBefore { get; set; }

    public long BalanceAfter { get; set; }

    /// <summary>UTC, millisecond precision (what the store keeps), so a replay returns identical values.</summary>
    public DateTime CreatedAt { get; set; }

    /// <summary>What moved the money, e.g. <c>consume</c>, <c>recharge</c>, <c>adjust</c>.</summary>
    public string Kind { get; set; } = "";

    /// <summary>A surface's first classifier, e.g. the consumption type.</summary>
    public string? Category { get; set; }

    /// <summary>A surface's second classifier, e.g. the service code.</summary>
    public string? Subject { get; set; }

    /// <summary>The caller's own reference, e.g. a business id or an order number.</summary>
    public string? Reference { get; set; }

    /// <summary>The idempotency key as the client sent it (without its scope).</summary>
    public string? IdempotencyKey { get; set; }

    /// <summary>Who owns <see cref="IdempotencyKey"/>, e.g. <c>finance:consume:{userId}</c>.</summary>
    public string? IdempotencyScope { get; set; }

    /// <summary>
    /// The charge-relevant fields of the request that claimed the key. The entry is the idempotency
    /// record: claim and money movement are one document, so they cannot be stored apart.
    /// </summary>
    public string? IdempotencyFingerprint { get; set; }

    /// <summary>Pricing inputs and other facts worth showing back (token counts, plan id, rate).</summary>
    public Dictionary<string, string>? Details { get; set; }

    /// <summary>Free-form client metadata, returned as given.</summary>
    public Dictionary<string, string>? Metadata { get; set; }
}
