using Harness.Core.Ledger;
using LiteDB;

namespace Harness.Core.Storage;

/// <summary>
/// The ledger journal in the LiteDB file: collection <c>ledger_batches</c>, one document per commit
/// holding its entries (each with its idempotency claim) and the resulting balances. One insert and
/// one log sync per batch, no secondary index: the hot path writes as little as it can, and the
/// ledger answers reads from the view it rebuilds from this journal.
/// </summary>
public sealed class LiteLedgerStore : ILedgerStore
{
    private const string Journal = "ledger_batches";
    private const string LegacyEntries = "ledger_entries";
    private const string LegacyAccounts = "accounts";

    private readonly LiteStore _store;
    private readonly LiteDatabase _db;
    private readonly ILiteCollection<BsonDocument> _batches;

    public LiteLedgerStore(LiteStore store)
    {
        _store = store;
        _db = store.Database;
        _batches = _db.GetCollection(Journal);
        MigrateEntryPerDocumentLayout();
    }

    public IEnumerable<LedgerBatch> ReadAll() =>
        _batches.Find(Query.All(Query.Ascending)).Select(LedgerJournalFormat.FromBson);

    public void Commit(LedgerBatch batch)
    {
        // A single insert is its own LiteDB transaction: the whole batch is in the file or none of it.
        _batches.Insert(LedgerJournalFormat.ToBson(batch));

        // Committed but not yet durable: the caller acknowledges nothing unless this sync succeeds.
        // Should it fail, the batch may still be in the store unacknowledged, which is safe: its
        // clients retry with the same keys and get it replayed.
        _store.Sync();
    }

    /// <summary>
    /// Files written before the journal kept one document per entry plus a balance document per
    /// account. Their entries move into journal batches in one transaction, so an upgrade keeps every
    /// balance, record and live idempotency key; the old collections are dropped afterwards (a
    /// journal that already holds batches means a migration was interrupted after its commit).
    /// </summary>
    private void MigrateEntryPerDocumentLayout()
    {
        if (!_db.CollectionExists(LegacyEntries))
        {
            return;
        }

        if (_batches.Count() == 0)
        {
            if (!_db.BeginTrans())
            {
                throw new InvalidOperationException("A transaction is already open on this thread.");
            }

            try
            {
                var entries = _db.GetCollection(LegacyEntries).Find(Query.All(Query.Ascending))
                    .Select(document => LedgerJournalFormat.ReadEntryDocument(document));
                foreach (var chunk in entries.Chunk(1024))
                {
                    var balances = chunk
                        .GroupBy(entry => entry.AccountId, StringComparer.Ordinal)
                        .Select(group => group.Last())
                        .Select(last => new AccountBalance(last.AccountId, last.BalanceAfter, last.CreatedAt))
                        .ToList();
                    _batches.Insert(LedgerJournalFormat.ToBson(new LedgerBatch(chunk, balances)));
                }

                _db.Commit();
            }
            catch
            {
                _db.Rollback();
                throw;
            }

            _store.Sync();
        }

        _db.DropCollection(LegacyEntries);
        _db.DropCollection(LegacyAccounts);
        _store.Sync();
    }
}
