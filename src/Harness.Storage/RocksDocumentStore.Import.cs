using LiteDB;
using RocksDbSharp;

namespace Harness.Storage;

/// <summary>The import of a sandbox's LiteDB file from an earlier version into a new store directory, on the first open.</summary>
public sealed partial class RocksDocumentStore
{
    /// <summary>Copies a LiteDB file's documents into a new store directory, once; index entries follow at the first open.</summary>
    private static void ImportOnce(string liteFile, string directory)
    {
        if (System.IO.Directory.Exists(directory))
        {
            // Moved into place only once whole: a file still beside it was imported, and a crash kept it from being renamed.
            RetireImported(liteFile);
            return;
        }

        if (!File.Exists(liteFile))
        {
            return;
        }

        var importing = directory + ".importing";
        if (System.IO.Directory.Exists(importing))
        {
            System.IO.Directory.Delete(importing, recursive: true); // a copy cut off by a crash: begun again
        }

        using (var source = new LiteStore(liteFile))
        using (var target = RocksDb.Open(Options(), importing))
        {
            var batch = new WriteBatch();
            foreach (var collection in source.Database.GetCollectionNames())
            {
                foreach (var document in source.Database.GetCollection(collection).FindAll())
                {
                    batch.Put(DocumentKey(collection, document["_id"].AsString), BsonSerializer.Serialize(document));
                    if (batch.Count() >= ImportBatch)
                    {
                        target.Write(batch);
                        batch.Dispose();
                        batch = new WriteBatch();
                    }
                }
            }

            target.Write(batch, new WriteOptions().SetSync(true));
            batch.Dispose();
            target.Flush(new FlushOptions().SetWaitForFlush(true));
        }

        System.IO.Directory.Move(importing, directory);
        RetireImported(liteFile);
    }

    private static void RetireImported(string liteFile)
    {
        foreach (var file in new[] { liteFile, LiteStore.LogPathOf(liteFile) })
        {
            if (File.Exists(file))
            {
                File.Move(file, file + ".imported", overwrite: true);
            }
        }
    }
}
