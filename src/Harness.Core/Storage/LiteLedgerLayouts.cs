using Harness.Core.Ledger;
using LiteDB;

namespace Harness.Core.Storage;

/// <summary>
/// Where earlier versions kept the ledger inside the LiteDB file, read once to move it into the
/// journal file (<see cref="JournalLedgerStore"/>): collection <c>ledger_batches</c> (one document per
/// commit, entries in journal format 1), and before it <c>ledger_entries</c> (one document per entry)
/// with a balance document per account in <c>accounts</c>.
/// </summary>
internal static class LiteLedgerLayouts
{
    private const string Batches = "ledger_batches";
    private const string Entries = "ledger_entries";
    private const string Accounts = "accounts";

    // The binary entry layout inside a ledger_batches document; a reader refuses any other.
    private const int BatchEntriesFormat = 1;

    /// <summary>Every batch of the older layouts, in commit order.</summary>
    public static IEnumerable<LedgerBatch> ReadAll(LiteStore store)
    {
        var db = store.Database;
        foreach (var document in db.GetCollection(Batches).Find(Query.All(Query.Ascending)))
        {
            yield return FromBson(document);
        }

        var entries = db.GetCollection(Entries).Find(Query.All(Query.Ascending)).Select(ReadEntryDocument);
        foreach (var chunk in entries.Chunk(1024))
        {
            var balances = chunk
                .GroupBy(entry => entry.AccountId, StringComparer.Ordinal)
                .Select(group => group.Last())
                .Select(last => new AccountBalance(last.AccountId, last.BalanceAfter, last.CreatedAt))
                .ToList();
            yield return new LedgerBatch(chunk, balances);
        }
    }

    /// <summary>Removes the older layouts once the journal holds them.</summary>
    public static void Drop(LiteStore store)
    {
        var dropped = false;
        foreach (var collection in new[] { Batches, Entries, Accounts })
        {
            dropped |= store.Database.DropCollection(collection);
        }

        if (dropped)
        {
            store.Sync();
        }
    }

    private static LedgerBatch FromBson(BsonDocument document)
    {
        if (document["format"].AsInt32 != BatchEntriesFormat)
        {
            throw new InvalidDataException($"Ledger batch {document["_id"]} has entry format {document["format"]}; this build reads format {BatchEntriesFormat}.");
        }

        var balances = document["balances"].AsArray
            .Select(b => new AccountBalance(b["acct"].AsString, b["balance"].AsInt64, b.AsDocument.TryGetValue("at", out var at) ? Utc(at) : null))
            .ToList();
        return new LedgerBatch(LedgerEntryCodec.ReadList(document["entries"].AsBinary, out _), balances);
    }

    /// <summary>An entry of the earlier layout: one document per entry in <c>ledger_entries</c>, named as the default mapper named them.</summary>
    private static LedgerEntry ReadEntryDocument(BsonDocument document) => new()
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

    private static DateTime Utc(BsonValue value) => DateTime.SpecifyKind(value.AsDateTime.ToUniversalTime(), DateTimeKind.Utc);

    private static string? Text(BsonDocument document, string field) =>
        document.TryGetValue(field, out var value) && value.IsString ? value.AsString : null;

    private static Dictionary<string, string>? Map(BsonDocument document, string field) =>
        document.TryGetValue(field, out var value) && value.IsDocument
            ? value.AsDocument.ToDictionary(pair => pair.Key, pair => pair.Value.AsString, StringComparer.Ordinal)
            : null;
}
