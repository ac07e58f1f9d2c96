using Harness.Core.Ledger;
using LiteDB;

namespace Harness.Core.Storage;

/// <summary>
/// Hand-written BSON for the ledger journal: one document per committed batch, its entries nested.
/// The writer thread maps every entry it commits, so this is on the hot path: no reflection, and
/// short field names (they are repeated in every entry and make up a third of its bytes).
/// </summary>
internal static class LedgerBatchBson
{
    /// <summary>Field names of an entry in the journal.</summary>
    public static readonly EntryFields Compact = new("id", "acct", "amt", "before", "after", "at", "kind", "cat", "subj", "ref", "key", "scope", "fp", "det", "meta");

    /// <summary>Field names of the earlier layout, one document per entry in <c>ledger_entries</c>.</summary>
    public static readonly EntryFields EntryPerDocument = new(
        "_id", "AccountId", "Amount", "BalanceBefore", "BalanceAfter", "CreatedAt", "Kind", "Category", "Subject", "Reference",
        "IdempotencyKey", "IdempotencyScope", "IdempotencyFingerprint", "Details", "Metadata");

    /// <param name="batch">A non-empty batch; its last entry's id becomes the document id.</param>
    public static BsonDocument ToBson(LedgerBatch batch)
    {
        var entries = new BsonArray();
        foreach (var entry in batch.Entries)
        {
            entries.Add(ToBson(entry));
        }

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

        return new BsonDocument { ["_id"] = batch.Entries[^1].Id, ["entries"] = entries, ["balances"] = balances };
    }

    public static LedgerBatch FromBson(BsonDocument document)
    {
        var entries = document["entries"].AsArray.Select(e => ReadEntry(e.AsDocument, Compact)).ToList();
        var balances = document["balances"].AsArray
            .Select(b => new AccountBalance(b["acct"].AsString, b["balance"].AsInt64, b.AsDocument.TryGetValue("at", out var at) ? Utc(at) : null))
            .ToList();
        return new LedgerBatch(entries, balances);
    }

    public static LedgerEntry ReadEntry(BsonDocument document, EntryFields fields) => new()
    {
        Id = document[fields.Id].AsInt64,
        AccountId = document[fields.Account].AsString,
        Amount = document[fields.Amount].AsInt64,
        BalanceBefore = document[fields.Before].AsInt64,
        BalanceAfter = document[fields.After].AsInt64,
        CreatedAt = Utc(document[fields.At]),
        Kind = document[fields.Kind].AsString,
        Category = Text(document, fields.Category),
        Subject = Text(document, fields.Subject),
        Reference = Text(document, fields.Reference),
        IdempotencyKey = Text(document, fields.Key),
        IdempotencyScope = Text(document, fields.Scope),
        IdempotencyFingerprint = Text(document, fields.Fingerprint),
        Details = Map(document, fields.Details),
        Metadata = Map(document, fields.Metadata),
    };

    private static BsonDocument ToBson(LedgerEntry entry)
    {
        var fields = Compact;
        var document = new BsonDocument
        {
            [fields.Id] = entry.Id,
            [fields.Account] = entry.AccountId,
            [fields.Amount] = entry.Amount,
            [fields.Before] = entry.BalanceBefore,
            [fields.After] = entry.BalanceAfter,
            [fields.At] = entry.CreatedAt,
            [fields.Kind] = entry.Kind,
        };
        AddText(document, fields.Category, entry.Category);
        AddText(document, fields.Subject, entry.Subject);
        AddText(document, fields.Reference, entry.Reference);
        AddText(document, fields.Key, entry.IdempotencyKey);
        AddText(document, fields.Scope, entry.IdempotencyScope);
        AddText(document, fields.Fingerprint, entry.IdempotencyFingerprint);
        AddMap(document, fields.Details, entry.Details);
        AddMap(document, fields.Metadata, entry.Metadata);
        return document;
    }

    private static DateTime Utc(BsonValue value) => DateTime.SpecifyKind(value.AsDateTime.ToUniversalTime(), DateTimeKind.Utc);

    private static void AddText(BsonDocument document, string field, string? value)
    {
        if (value is not null)
        {
            document[field] = value;
        }
    }

    private static void AddMap(BsonDocument document, string field, Dictionary<string, string>? map)
    {
        if (map is null)
        {
            return;
        }

        var nested = new BsonDocument();
        foreach (var (key, value) in map)
        {
            nested[key] = value;
        }

        document[field] = nested;
    }

    private static string? Text(BsonDocument document, string field) =>
        document.TryGetValue(field, out var value) && value.IsString ? value.AsString : null;

    private static Dictionary<string, string>? Map(BsonDocument document, string field) =>
        document.TryGetValue(field, out var value) && value.IsDocument
            ? value.AsDocument.ToDictionary(pair => pair.Key, pair => pair.Value.AsString, StringComparer.Ordinal)
            : null;

    /// <summary>Where each field of an entry is kept.</summary>
    internal sealed record EntryFields(
        string Id,
        string Account,
        string Amount,
        string Before,
        string After,
        string At,
        string Kind,
        string Category,
        string Subject,
        string Reference,
        string Key,
        string Scope,
        string Fingerprint,
        string Details,
        string Metadata);
}
