using System.Text;
using Harness.Core.Ledger;
using LiteDB;

namespace Harness.Core.Storage;

/// <summary>
/// How a committed batch is kept in the journal: one document with the batch's balances as plain BSON
/// and its entries as one binary field (format <see cref="EntriesFormat"/>). The writer thread encodes
/// every entry it commits, so this is on the hot path: building a BSON document per entry cost more
/// than LiteDB's insert itself and a fifth of the backend's allocations. Read entries through the
/// records API or the admin ledger audit, not in a database browser.
/// </summary>
internal static class LedgerJournalFormat
{
    /// <summary>Version of the binary entry layout; a reader refuses any other.</summary>
    public const int EntriesFormat = 1;

    // Replaces what is not valid UTF-16 (a lone surrogate from a client) instead of failing the commit, as LiteDB does.
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

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
        using var buffer = new MemoryStream(entries.Count * 256);
        using (var writer = new BinaryWriter(buffer, Utf8, leaveOpen: true))
        {
            writer.Write(entries.Count);
            foreach (var entry in entries)
            {
                writer.Write(entry.Id);
                writer.Write(entry.AccountId);
                writer.Write(entry.Amount);
                writer.Write(entry.BalanceBefore);
                writer.Write(entry.BalanceAfter);
                writer.Write(entry.CreatedAt.Ticks);
                writer.Write(entry.Kind);
                WriteText(writer, entry.Category);
                WriteText(writer, entry.Subject);
                WriteText(writer, entry.Reference);
                WriteText(writer, entry.IdempotencyKey);
                WriteText(writer, entry.IdempotencyScope);
                WriteText(writer, entry.IdempotencyFingerprint);
                WriteMap(writer, entry.Details);
                WriteMap(writer, entry.Metadata);
            }
        }

        return buffer.ToArray();
    }

    private static List<LedgerEntry> DecodeEntries(byte[] bytes)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes, writable: false), Utf8);
        var count = reader.ReadInt32();
        var entries = new List<LedgerEntry>(count);
        for (var i = 0; i < count; i++)
        {
            entries.Add(new LedgerEntry
            {
                Id = reader.ReadInt64(),
                AccountId = reader.ReadString(),
                Amount = reader.ReadInt64(),
                BalanceBefore = reader.ReadInt64(),
                BalanceAfter = reader.ReadInt64(),
                CreatedAt = new DateTime(reader.ReadInt64(), DateTimeKind.Utc),
                Kind = reader.ReadString(),
                Category = ReadText(reader),
                Subject = ReadText(reader),
                Reference = ReadText(reader),
                IdempotencyKey = ReadText(reader),
                IdempotencyScope = ReadText(reader),
                IdempotencyFingerprint = ReadText(reader),
                Details = ReadMap(reader),
                Metadata = ReadMap(reader),
            });
        }

        return entries;
    }

    private static void WriteText(BinaryWriter writer, string? value)
    {
        writer.Write(value is not null);
        if (value is not null)
        {
            writer.Write(value);
        }
    }

    private static string? ReadText(BinaryReader reader) => reader.ReadBoolean() ? reader.ReadString() : null;

    private static void WriteMap(BinaryWriter writer, Dictionary<string, string>? map)
    {
        writer.Write(map?.Count ?? -1);
        foreach (var (key, value) in map ?? [])
        {
            writer.Write(key);
            writer.Write(value);
        }
    }

    private static Dictionary<string, string>? ReadMap(BinaryReader reader)
    {
        var count = reader.ReadInt32();
        if (count < 0)
        {
            return null;
        }

        var map = new Dictionary<string, string>(count, StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            map[reader.ReadString()] = reader.ReadString();
        }

        return map;
    }

    private static DateTime Utc(BsonValue value) => DateTime.SpecifyKind(value.AsDateTime.ToUniversalTime(), DateTimeKind.Utc);

    private static string? Text(BsonDocument document, string field) =>
        document.TryGetValue(field, out var value) && value.IsString ? value.AsString : null;

    private static Dictionary<string, string>? Map(BsonDocument document, string field) =>
        document.TryGetValue(field, out var value) && value.IsDocument
            ? value.AsDocument.ToDictionary(pair => pair.Key, pair => pair.Value.AsString, StringComparer.Ordinal)
            : null;
}
