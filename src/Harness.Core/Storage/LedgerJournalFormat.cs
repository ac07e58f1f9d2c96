using System.Buffers.Binary;
using Harness.Core.Ledger;
using LiteDB;

namespace Harness.Core.Storage;

/// <summary>
/// How a committed batch is kept in the journal: one document with the batch's balances as plain BSON
/// and its entries as one binary field (format <see cref="EntriesFormat"/>: an int32 count, then each
/// entry as <see cref="LedgerEntryCodec"/> lays it out). The writer thread encodes
/// every entry it commits, so this is on the hot path: building a BSON document per entry cost more
/// than LiteDB's insert itself and a fifth of the backend's allocations. Read entries through the
/// records API or the admin ledger audit, not in a database browser.
/// </summary>
internal static class LedgerJournalFormat
{
    /// <summary>Version of the binary entry layout; a reader refuses any other.</summary>
    public const int EntriesFormat = 1;

    /// <param name="batch">A non-empty batch; its last entry's id becomes the document id.</param>
    public static BsonDocument ToBson(LedgerBatch batch)
    {
        var balances = new BsonArray();
        foreach (var balance in batch.Balances)
        {
            var document = new BsonDocument { ["acct"] = balance.AccountId, ["balance"] = balance.Balance };
            if (balance.UpdatedAt is { } updatedAt)
            {
                document["at"] = updatedAt;
            }

            balances.Add(document);
        }

        return new BsonDocument
        {
            ["_id"] = batch.Entries[^1].Id,
            ["format"] = EntriesFormat,
            ["entries"] = EncodeEntries(batch.Entries),
            ["balances"] = balances,
        };
    }

    public static LedgerBatch FromBson(BsonDocument document)
    {
        if (document["format"].AsInt32 != EntriesFormat)
        {
            throw new InvalidDataException($"Ledger batch {document["_id"]} has entry format {document["format"]}; this build reads format {EntriesFormat}.");
        }

        var balances = document["balances"].AsArray
            .Select(b => new AccountBalance(b["acct"].AsString, b["balance"].AsInt64, b.AsDocument.TryGetValue("at", out var at) ? Utc(at) : null))
            .ToList();
        return new LedgerBatch(DecodeEntries(document["entries"].AsBinary), balances);
    }

    /// <summary>An entry of the earlier layout: one document per entry in <c>ledger_entries</c>, named as the default mapper named them.</summary>
    public static LedgerEntry ReadEntryDocument(BsonDocument document) => new()
    {
        Id = document["_id"].AsInt64,
        AccountId = document["AccountId"].AsString,
        Amount = document["Amount"].AsInt64,
        BalanceBefore = document["BalanceBefore"].AsInt64,
        BalanceAfter = document["BalanceAfter"].AsInt64,
        CreatedAt = Utc(document["CreatedAt"]),
        Kind = document["Kind"].AsString,
        Category = Text(document, "Category"),
        Subject = Text(document, "Subject"),
        Reference = Text(document, "Reference"),
        IdempotencyKey = Text(document, "IdempotencyKey"),
        IdempotencyScope = Text(document, "IdempotencyScope"),
        IdempotencyFingerprint = Text(document, "IdempotencyFingerprint"),
        Details = Map(document, "Details"),
        Metadata = Map(document, "Metadata"),
    };

    private static byte[] EncodeEntries(IReadOnlyList<LedgerEntry> entries)
    {
        var size = 4;
        foreach (var entry in entries)
        {
            size += LedgerEntryCodec.Measure(entry);
        }

        var bytes = new byte[size];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, entries.Count);
        var position = 4;
        foreach (var entry in entries)
        {
            position += LedgerEntryCodec.Write(entry, bytes.AsSpan(position));
        }

        return bytes;
    }

    private static List<LedgerEntry> DecodeEntries(byte[] bytes)
    {
        var count = BinaryPrimitives.ReadInt32LittleEndian(bytes);
        var entries = new List<LedgerEntry>(count);
        var position = 4;
        for (var i = 0; i < count; i++)
        {
            entries.Add(LedgerEntryCodec.Read(bytes.AsSpan(position), out var consumed));
            position += consumed;
        }

        return entries;
    }

    private static DateTime Utc(BsonValue value) => DateTime.SpecifyKind(value.AsDateTime.ToUniversalTime(), DateTimeKind.Utc);

    private static string? Text(BsonDocument document, string field) =>
        document.TryGetValue(field, out var value) && value.IsString ? value.AsString : null;

    private static Dictionary<string, string>? Map(BsonDocument document, string field) =>
        document.TryGetValue(field, out var value) && value.IsDocument
            ? value.AsDocument.ToDictionary(pair => pair.Key, pair => pair.Value.AsString, StringComparer.Ordinal)
            : null;
}
