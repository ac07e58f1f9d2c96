using LiteDB;
using LiteDB.Engine;

namespace Harness.Storage;

/// <summary>
/// Ids and indexed fields compare ordinally, as clients' strings are compared everywhere else: Stripe's
/// <c>Idempotency-Key</c>s <c>abc</c> and <c>ABC</c> are two keys, Epay's <c>Order1</c> and <c>ORDER1</c> two
/// orders. LiteDB fixes a file's collation when it creates it, and its default ignores case; a store created
/// before this was chosen is copied once, at open, into an ordinal one that then takes its place.
/// </summary>
internal static class OrdinalUpgrade
{
    private const string Suffix = ".ordinal";

    /// <summary>Opens LiteDB on the given files; a new file gets <paramref name="collation"/>, which an existing one must have (null: any).</summary>
    public static LiteDatabase Open(Stream data, Stream log, BsonMapper mapper, Collation? collation) =>
        new(new LiteEngine(new EngineSettings { DataStream = data, LogStream = log, Collation = collation }), mapper);

    public static bool IsOrdinal(Collation collation) => collation.SortOptions == System.Globalization.CompareOptions.Ordinal;

    /// <summary>Copies the store at <paramref name="dataPath"/> into an ordinal one when it is not; true when it did.</summary>
    public static bool Run(string dataPath, string logPath, BsonMapper mapper)
    {
        // A copy cut off by a crash is begun again: the original is replaced only once the copy is whole.
        File.Delete(dataPath + Suffix);
        File.Delete(logPath + Suffix);
        if (!File.Exists(dataPath) || new FileInfo(dataPath).Length == 0)
        {
            return false;
        }

        using (var oldData = LiteStore.OpenFile(dataPath))
        using (var oldLog = LiteStore.OpenFile(logPath))
        using (var old = Open(oldData, oldLog, mapper, collation: null))
        {
            if (IsOrdinal(old.Collation))
            {
                return false;
            }

            using (var newData = LiteStore.OpenFile(dataPath + Suffix))
            using (var newLog = LiteStore.OpenFile(logPath + Suffix))
            using (var copy = Open(newData, newLog, mapper, Collation.Binary))
            {
                Copy(old, copy);
                copy.Checkpoint();
                newData.Flush(flushToDisk: true);
            }

            // The original's log is folded into its data file, so the log can go before the data file is replaced.
            old.Checkpoint();
            if (oldLog.Length != 0)
            {
                throw new InvalidOperationException($"The store {dataPath} could not be checkpointed before its ordinal copy replaced it.");
            }
        }

        File.Delete(logPath);
        File.Move(dataPath + Suffix, dataPath, overwrite: true);
        File.Delete(logPath + Suffix);
        return true;
    }

    private static void Copy(LiteDatabase from, LiteDatabase to)
    {
        foreach (var name in from.GetCollectionNames())
        {
            to.GetCollection(name).InsertBulk(from.GetCollection(name).FindAll());
        }

        foreach (var index in from.GetCollection("$indexes").FindAll())
        {
            if (index["name"].AsString != "_id")
            {
                to.GetCollection(index["collection"].AsString).EnsureIndex(index["name"].AsString, index["expression"].AsString, index["unique"].AsBoolean);
            }
        }
    }
}
