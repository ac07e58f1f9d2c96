namespace Harness.Ledger;

/// <summary>A request to move money on one account, optionally guarded by an idempotency key.</summary>
/// <param name="AccountId">The account to change.</param>
/// <param name="Amount">Signed change; a debit that would take the balance below zero is refused.</param>
/// <param name="Kind">What moved the money (see <see cref="LedgerEntry.Kind"/>).</param>
public sealed record LedgerPosting(string AccountId, long Amount, string Kind)
{
    /// <summary>When set, the posting is applied at most once per key.</summary>
    public IdempotencyClaim? Idempotency { get; init; }

    public string? Category { get; init; }

    public string? Subject { get; init; }

    public string? Reference { get; init; }

    public Dictionary<string, string>? Details { get; init; }

    public Dictionary<string, string>? Metadata { get; init; }
}

/// <summary>
/// An idempotency key in its scope, with a fingerprint of everything in the request that changes the
/// money moved: the same key with another fingerprint is a conflict, never a second charge.
/// </summary>
/// <param name="Scope">Who owns the key, e.g. <c>finance:consume:{userId}</c>.</param>
/// <param name="Key">The client's key.</param>
/// <param name="Fingerprint">Canonical form of the charge-relevant request fields.</param>
public sealed record IdempotencyClaim(string Scope, string Key, string Fingerprint);

public enum LedgerStatus
{
    /// <summary>The posting was committed by this request.</summary>
    Applied,

    /// <summary>The key was seen before with the same request; <see cref="LedgerOutcome.Entry"/> is the original.</summary>
    Replayed,

    /// <summary>The key was seen before with a different request; nothing moved.</summary>
    IdempotencyConflict,

    /// <summary>The debit exceeds the balance; nothing moved and the key stays free.</summary>
    InsufficientBalance,

    /// <summary>The credit would take the balance above <see cref="LedgerOptions.MaxBalance"/>; nothing moved.</summary>
    BalanceLimitExceeded,
}

/// <param name="Status">What happened.</param>
/// <param name="Entry">The committed entry (for Applied and Replayed).</param>
/// <param name="Balance">The committed balance when the posting was decided.</param>
public sealed record LedgerOutcome(LedgerStatus Status, LedgerEntry? Entry, long Balance);

/// <summary>The committed balance of an account; <see cref="UpdatedAt"/> is null for an untouched account.</summary>
public sealed record AccountBalance(string AccountId, long Balance, DateTime? UpdatedAt);
