using System.Globalization;
using LiteDB;

namespace Harness.Benchmarks.Engines;

/// <summary>
/// LiteDB: entries and claims inserted in bulk inside one transaction per ledger batch. An entry's id
/// is its account and its reversed id as text, so the primary index serves a page newest first; claims
/// carry an index on their time for expiry.
/// </summary>
internal sealed class LiteDbEngine : IEngineStore
{
    private readonly LiteDatabase _database;
    private readonly ILiteCollection<BsonDocument> _entries;
    private readonly ILiteCollection<BsonDocument> _claims;

    public LiteDbEngine(string directory)
    {
        _database = new LiteDatabase(new ConnectionString { Filename = Path.Combine(directory, "ledger.db"), Connection = ConnectionType.Direct });
        _entries = _database.GetCollection("entries");
        _claims = _database.GetCollection("claims");
        _claims.EnsureIndex("t");
    }

    public void Commit(IReadOnlyList<EngineEntry> batch)
    {
        _database.BeginTrans();
        _entries.InsertBulk(batch.Select(entry => new BsonDocument { ["_id"] = EntryId(entry.Account, entry.Id), ["b"] = entry.Body }));
        _claims.InsertBulk(batch.Select(entry => new BsonDocument { ["_id"] = entry.Scope + "\n" + entry.Key, ["e"] = entry.Id, ["t"] = entry.CreatedAt.Ticks }));
        _database.Commit();
    }

    public long? FindClaim(string scope, string key) => _claims.FindById(scope + "\n" + key)?["e"].AsInt64;

    public long Page(string account, int skip, int take) =>
        _entries.Find(Query.StartsWith("_id", account + "\n"), skip, take).Sum(document => (long)document["b"].AsBinary.Length);

    public long? ExpireClaims(DateTime cutoff) => _claims.DeleteMany(Query.LT("t", cutoff.Ticks));

    public void Dispose() => _database.Dispose();

    private static string EntryId(string account, long id) => account + "\n" + (long.MaxValue - id).ToString("D19", CultureInfo.InvariantCulture);
}
