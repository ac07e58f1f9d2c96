using Harness.Ledger.Store;
using RocksDbSharp;

namespace Harness.Ledger.Tests;

/// <summary>
/// The store's numbering of each account's entries of one kind: a page of one kind at any depth, its
/// count, a rare kind read through its numbers, and a store written before the numbers (format 1)
/// numbered when it is opened.
/// </summary>
public sealed class KindNumberingTests : IDisposable
{
    private const long Budget = 32L << 20;
    private static readonly DateTime Start = new(2026, 12, 1, 8, 0, 0, DateTimeKind.Utc);
    private static readonly string[] Kinds = ["consume", "recharge", "adjust"];

    private readonly string _directory = TempDirectory.Create("kind-numbers");
    private readonly List<LedgerEntry> _written = [];
    private RocksLedgerStore _store;

    public KindNumberingTests()
    {
        _store = new RocksLedgerStore(_directory, Budget);
        _store.Load();
    }

    public void Dispose()
    {
        _store.Dispose();
        TempDirectory.TryDelete(_directory);
    }

    [Fact]
    public void Every_page_of_one_kind_at_every_depth_is_its_entries_newest_first_counted_in_all()
    {
        WriteMixedHistory(entries: 120, seed: 7);

        foreach (var account in new[] { "a", "b" })
        {
            foreach (var kind in Kinds)
            {
                var expected = Expected(account, kind);
                for (var skip = 0; skip <= expected.Length + 2; skip++)
                {
                    foreach (var take in new[] { 1, 3, 100 })
                    {
                        var page = _store.Query(new LedgerQuery(new LedgerFilter(account) { Kind = kind }, skip, take));

                        Assert.Equal(expected.Skip(skip).Take(take), page.Items.Select(e => e.Id));
                        Assert.Equal(expected.Length, page.Total);
                    }
                }
            }
        }
    }

    [Fact]
    public void A_kind_the_account_never_had_is_an_empty_page_counted_zero()
    {
        WriteMixedHistory(entries: 10, seed: 1);

        var page = _store.Query(new LedgerQuery(new LedgerFilter("a") { Kind = "refund" }, 0, 10));

        Assert.Empty(page.Items);
        Assert.Equal(0, page.Total);
    }

    [Fact]
    public void A_rare_kind_with_more_filters_pages_and_sums_exactly_what_the_whole_history_holds()
    {
        // 200 consumes and a few recharges: the recharges are read through their numbers.
        var recharges = new List<long>();
        for (var i = 0; i < 200; i++)
        {
            Write(i % 50 == 7 ? Entry("a", 100 + i, "recharge", i % 2 == 0 ? "wechat" : "alipay", i) : Entry("a", -1, "consume", "TOKEN", i));
        }

        var filter = new LedgerFilter("a") { Kind = "recharge", Category = "alipay", From = Start.AddMinutes(10) };
        var expected = _written.Where(e => e is { Kind: "recharge", Category: "alipay" } && e.CreatedAt >= filter.From).OrderByDescending(e => e.Id).ToList();

        var page = _store.Query(new LedgerQuery(filter, 1, 10));
        var totals = _store.Summarise(filter);

        Assert.Equal(expected.Skip(1).Select(e => e.Id), page.Items.Select(e => e.Id));
        Assert.Equal(expected.Count, page.Total);
        Assert.Equal((expected.Sum(e => e.Amount), (long)expected.Count), (totals.Amount, totals.Count));
        Assert.Equal(expected.Sum(e => e.Amount), Assert.Single(totals.ByCategory).Amount);
    }

    [Fact]
    public void A_reopened_store_numbers_new_entries_after_the_ones_it_holds()
    {
        WriteMixedHistory(entries: 30, seed: 3);
        Reopen();

        WriteMixedHistory(entries: 30, seed: 4);

        foreach (var kind in Kinds)
        {
            var page = _store.Query(new LedgerQuery(new LedgerFilter("a") { Kind = kind }, 0, 1000));
            Assert.Equal(Expected("a", kind), page.Items.Select(e => e.Id));
        }
    }

    [Fact]
    public void A_store_written_before_the_numbers_is_numbered_when_opened_and_goes_on_from_there()
    {
        WriteMixedHistory(entries: 60, seed: 5);
        _store.Dispose();
        TurnIntoFormatOne();

        _store = new RocksLedgerStore(_directory, Budget);
        var checkpoint = _store.Load();
        WriteMixedHistory(entries: 20, seed: 6);

        Assert.Equal((60L, 60L), (checkpoint.LastEntryId, checkpoint.EntryCount));
        foreach (var kind in Kinds)
        {
            var expected = Expected("b", kind);
            var page = _store.Query(new LedgerQuery(new LedgerFilter("b") { Kind = kind }, 2, 1000));
            Assert.Equal(expected.Skip(2), page.Items.Select(e => e.Id));
            Assert.Equal(expected.Length, page.Total);
        }

        _store.Dispose();
        using (var db = RocksDb.Open(new DbOptions(), _directory))
        {
            Assert.Equal(LedgerKeys.Format, LedgerKeys.ReadMeta(db.Get(LedgerKeys.Meta)).Format);
        }

        _store = new RocksLedgerStore(_directory, Budget);
    }

    /// <summary>What an earlier version left: no kind numbers and counters without a format.</summary>
    private void TurnIntoFormatOne()
    {
        using var db = RocksDb.Open(new DbOptions(), _directory);
        var (lastId, count, _) = LedgerKeys.ReadMeta(db.Get(LedgerKeys.Meta));
        using var write = new WriteBatch();
        write.DeleteRange([LedgerKeys.KindEntry], 1, LedgerKeys.After(LedgerKeys.KindEntry), 1);
        write.Put(LedgerKeys.Meta, LedgerKeys.MetaValue(lastId, count, format: 1));
        db.Write(write, new WriteOptions().SetSync(true));
        using var iterator = db.NewIterator();
        iterator.Seek([LedgerKeys.KindEntry]);
        Assert.False(iterator.Valid() && iterator.GetKeySpan()[0] == LedgerKeys.KindEntry);
    }

    /// <summary>Entries of accounts "a" and "b" in random kinds, committed a few at a time.</summary>
    private void WriteMixedHistory(int entries, int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < entries; i += 4)
        {
            var batch = Enumerable.Range(0, Math.Min(4, entries - i))
                .Select(_ => Entry(random.Next(2) == 0 ? "a" : "b", random.Next(1, 9), Kinds[random.Next(Kinds.Length)], null, _written.Count))
                .ToArray();
            Write(batch);
        }
    }

    private void Write(params LedgerEntry[] entries)
    {
        foreach (var entry in entries)
        {
            entry.Id = _written.Count + 1;
            _written.Add(entry);
        }

        var balances = entries.Select(e => e.AccountId).Distinct(StringComparer.Ordinal)
            .Select(a => new AccountBalance(a, _written.Where(e => e.AccountId == a).Sum(e => e.Amount), null));
        _store.Commit(new LedgerBatch(entries, [.. balances]));
    }

    private long[] Expected(string account, string kind) =>
        [.. _written.Where(e => e.AccountId == account && e.Kind == kind).Select(e => e.Id).OrderDescending()];

    private void Reopen()
    {
        _store.Dispose();
        _store = new RocksLedgerStore(_directory, Budget);
        _store.Load();
    }

    private static LedgerEntry Entry(string account, long amount, string kind, string? category, int minute) => new()
    {
        AccountId = account,
        Amount = amount,
        Kind = kind,
        Category = category,
        CreatedAt = Start.AddMinutes(minute),
    };
}
