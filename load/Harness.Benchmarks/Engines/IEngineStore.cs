using System.Buffers.Binary;
using System.Text;

namespace Harness.Benchmarks.Engines;

/// <summary>
/// What the ledger would need of a disk engine once its history outgrows memory: durable batch
/// commits of entries and their idempotency claims, a claim lookup, and one account's entries newest
/// first. Small enough that a PostgreSQL table pair could satisfy it too.
/// </summary>
internal interface IEngineStore : IDisposable
{
    /// <summary>Writes every entry and its claim, and returns only once the whole batch is durable.</summary>
    void Commit(IReadOnlyList<EngineEntry> batch);

    /// <summary>The id of the entry that claimed <paramref name="key"/> in <paramref name="scope"/>, if any.</summary>
    long? FindClaim(string scope, string key);

    /// <summary>Reads up to <paramref name="take"/> of the account's entries, newest first, after skipping <paramref name="skip"/>; returns the bytes read.</summary>
    long Page(string account, int skip, int take);

    /// <summary>Deletes the claims made before <paramref name="cutoff"/> and returns how many, or null when the engine has no cheap way to.</summary>
    long? ExpireClaims(DateTime cutoff);
}

/// <summary>One encoded ledger entry (<c>LedgerEntryCodec</c>) and the fields its keys are made of.</summary>
internal sealed record EngineEntry(long Id, string Account, string Scope, string Key, DateTime CreatedAt, byte[] Body);

/// <summary>
/// Keys for the ordered engines. Entries sort by account, then newest first (the id is stored as
/// <c>long.MaxValue - id</c>, big-endian), so a page is a forward scan from the account's prefix.
/// </summary>
internal static class EngineKeys
{
    public static byte[] AccountPrefix(string account)
    {
        var prefix = new byte[Encoding.UTF8.GetByteCount(account) + 1];
        Encoding.UTF8.GetBytes(account, prefix); // the trailing zero separates "user1" from "user10"
        return prefix;
    }

    public static byte[] Entry(string account, long id)
    {
        var prefix = AccountPrefix(account);
        var key = new byte[prefix.Length + 8];
        prefix.CopyTo(key, 0);
        BinaryPrimitives.WriteInt64BigEndian(key.AsSpan(prefix.Length), long.MaxValue - id);
        return key;
    }

    /// <summary>The key behind a one-byte tag, for engines that keep entries and claims in one key space.</summary>
    public static byte[] Tagged(byte tag, byte[] key)
    {
        var tagged = new byte[key.Length + 1];
        tagged[0] = tag;
        key.CopyTo(tagged, 1);
        return tagged;
    }

    public static byte[] Claim(string scope, string key) => Encoding.UTF8.GetBytes(scope + "\0" + key);

    /// <summary>The claiming entry's id, then its creation time (for expiry).</summary>
    public static byte[] ClaimValue(EngineEntry entry)
    {
        var value = new byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(value, entry.Id);
        BinaryPrimitives.WriteInt64LittleEndian(value.AsSpan(8), entry.CreatedAt.Ticks);
        return value;
    }

    public static long ClaimedId(ReadOnlySpan<byte> value) => BinaryPrimitives.ReadInt64LittleEndian(value);
}
