using System.Text;
using RocksDbSharp;

namespace Harness.Ledger.Store;

/// <summary>
/// Numbers the entries of a store written before the kind numbers existed (format 1), once, when it is
/// opened: one ordered scan of the entries, written in batches, and the format raised only in the last
/// one, which is synced; a crash part-way leaves format 1, and the next start numbers again from 1,
/// writing the same keys.
/// </summary>
internal static class KindNumbering
{
    private const int BatchSize = 16_384;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <param name="db">The store.</param>
    /// <param name="meta">The store's counters in the current format, written with the last batch.</param>
    public static void Build(RocksDb db, byte[] meta)
    {
        var numbers = new Dictionary<(string Account, string Kind), long>();
        var write = new WriteBatch();
        try
        {
            using var iterator = db.NewIterator();
            var accounts = new EntryAccounts();
            for (iterator.Seek([LedgerKeys.Entry]); iterator.Valid() && iterator.GetKeySpan()[0] == LedgerKeys.Entry; iterator.Next())
            {
                var key = iterator.GetKeySpan();
                var kind = (Account: accounts.Of(key), Kind: Utf8.GetString(LedgerEntryCodec.ReadFacets(iterator.GetValueSpan()).Kind));
                var number = numbers[kind] = numbers.GetValueOrDefault(kind) + 1;
                write.Put(LedgerKeys.KindEntryKey(LedgerKeys.KindPrefix(kind.Account, kind.Kind), number), LedgerKeys.IdValue(LedgerKeys.EntryId(key)));
                if (write.Count() >= BatchSize)
                {
                    db.Write(write, new WriteOptions());
                    write.Dispose();
                    write = new WriteBatch();
                }
            }

            write.Put(LedgerKeys.Meta, meta);
            db.Write(write, new WriteOptions().SetSync(true));
        }
        finally
        {
            write.Dispose();
        }
    }
}
