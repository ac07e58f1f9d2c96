using System.Buffers.Binary;
using Harness.Ledger;

namespace Harness.Benchmarks.Engines;

/// <summary>
/// The entries the comparison writes: consume postings as the consume route builds them (a TOKEN
/// consume with plan, rate and token count, a GUID idempotency key), encoded with the ledger's own
/// codec, spread round-robin over <see cref="Accounts"/> accounts, one millisecond apart.
/// </summary>
internal static class EngineWorkload
{
    public const int Accounts = 1000;

    public static readonly DateTime Start = new(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc);

    public static string Account(long id) => "coins:user" + (id % Accounts);

    public static string Scope(long id) => "finance:consume:user" + (id % Accounts);

    /// <summary>A GUID-shaped key that is a pure function of the id, so lookups can ask for written (and unwritten) keys.</summary>
    public static string Key(long id)
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, id);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes[8..], unchecked((ulong)id * 0x9E3779B97F4A7C15UL));
        return new Guid(bytes).ToString();
    }

    public static DateTime CreatedAt(long id) => Start.AddMilliseconds(id);

    public static EngineEntry Entry(long id)
    {
        var entry = new LedgerEntry
        {
            Id = id,
            AccountId = Account(id),
            Amount = -2,
            BalanceBefore = 1_000_000_000 - (2 * (id / Accounts)),
            BalanceAfter = 1_000_000_000 - (2 * (id / Accounts)) - 2,
            CreatedAt = CreatedAt(id),
            Kind = "consume",
            Category = "TOKEN",
            Subject = "agent-chat",
            IdempotencyKey = Key(id),
            IdempotencyScope = Scope(id),
            IdempotencyFingerprint = "TOKEN|agent-chat||1000||",
            Details = new Dictionary<string, string>(StringComparer.Ordinal) { ["planId"] = "agent-chat-basic", ["rate"] = "2", ["tokens"] = "1000" },
        };
        var body = new byte[LedgerEntryCodec.Measure(entry)];
        LedgerEntryCodec.Write(entry, body);
        return new EngineEntry(id, entry.AccountId, entry.IdempotencyScope, entry.IdempotencyKey, entry.CreatedAt, body);
    }

    public static List<EngineEntry> Batch(long firstId, int size)
    {
        var batch = new List<EngineEntry>(size);
        for (var id = firstId; id < firstId + size; id++)
        {
            batch.Add(Entry(id));
        }

        return batch;
    }
}
