using Harness.Ledger.Journal;
using Harness.Ledger.Store;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Harness.Ledger.Tests;

/// <summary>
/// The one-off import of a journal file (what versions before the RocksDB store wrote) into a new
/// store: everything whole comes over, a torn last record is left out, damage stops it, and an
/// import cut short, done before, or with nothing to import leaves the right things behind.
/// </summary>
public sealed class LegacyJournalImportTests : IDisposable
{
    private const long Budget = 64L << 20;
    private static readonly DateTime Start = new(2026, 11, 23, 8, 0, 0, DateTimeKind.Utc);

    private readonly string _directory = TempDirectory.Create("journal-import");
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(Start.AddHours(1)));
    private readonly string _journal;
    private readonly string _storeDirectory;
    private readonly List<LedgerBatch> _history = [];
    private readonly Dictionary<string, long> _balances = new(StringComparer.Ordinal);
    private long _lastId;

    public LegacyJournalImportTests()
    {
        _journal = Path.Combine(_directory, "harness.ledger");
        _storeDirectory = Path.Combine(_directory, "harness-ledger");

        // What a ledger wrote: credits, then charges under keys, one batch holding two accounts' postings.
        Batch(Posting("a", 100), Posting("b", 50));
        Batch(Posting("a", -30, "k1"));
        Batch(Posting("b", -20, "k2"), Posting("a", -5, "k3"));
    }

    public void Dispose() => TempDirectory.TryDelete(_directory);

    [Fact]
    public async Task An_import_brings_every_entry_balance_and_key_into_a_new_store_and_keeps_the_journal_renamed()
    {
        var journal = LegacyJournal.Bytes(_history);
        File.WriteAllBytes(_journal, journal);

        Import();

        Assert.True(Directory.Exists(_storeDirectory));
        Assert.False(Directory.Exists(_storeDirectory + ".importing"));
        Assert.False(File.Exists(_journal));
        Assert.Equal(journal, File.ReadAllBytes(_journal + ".imported"));
        using var store = new RocksLedgerStore(_storeDirectory, Budget);
        using var ledger = OpenLedger(store);
        Assert.Equal((65L, 30L), (ledger.GetBalance("a").Balance, ledger.GetBalance("b").Balance));
        Assert.Equal(new AccountBalance("a", 65, Start.AddMinutes(2)), ledger.GetBalance("a"));
        Assert.Equal(5, ledger.EntryCount);
        var entries = _history.SelectMany(b => b.Entries).Where(e => e.AccountId == "a").Reverse().ToList();
        Assert.Equivalent(entries, ledger.Query(new LedgerQuery(new LedgerFilter("a"), 0, 10)).Items, strict: true);

        var replay = await ledger.PostAsync(Debit("a", 30, "k1"));
        var conflict = await ledger.PostAsync(Debit("b", 21, "k2"));
        var next = await ledger.PostAsync(Debit("a", 1, "k4"));

        Assert.Equal((LedgerStatus.Replayed, 3L), (replay.Status, replay.Entry!.Id));
        Assert.Equal(LedgerStatus.IdempotencyConflict, conflict.Status);
        Assert.Equal((LedgerStatus.Applied, 6L), (next.Status, next.Entry!.Id));
        var audit = ledger.Audit();
        Assert.True(audit.Consistent);
        Assert.Equal([("a", 64L, 4L), ("b", 30L, 2L)], audit.Accounts.Select(a => (a.AccountId, a.EntrySum, a.EntryCount)));
    }

    [Theory]
    [InlineData("cut short")]
    [InlineData("cut in its header")]
    [InlineData("end never reached the disk")]
    public async Task A_last_record_a_crash_tore_is_left_out_and_everything_before_it_imported(string tear)
    {
        var whole = LegacyJournal.Bytes(_history.Take(2));
        var last = LegacyJournal.Record(_history[2]);
        byte[] torn = tear switch
        {
            "cut short" => [.. whole, .. last[..^5]],
            "cut in its header" => [.. whole, .. last[..3]],
            _ => [.. whole, .. last[..^5], .. new byte[5 + 4096]], // zeros, as the space made ahead of the writer held
        };
        File.WriteAllBytes(_journal, torn);

        Import();

        using var store = new RocksLedgerStore(_storeDirectory, Budget);
        using var ledger = OpenLedger(store);
        Assert.Equal((70L, 50L), (ledger.GetBalance("a").Balance, ledger.GetBalance("b").Balance));
        Assert.Equal(3, ledger.EntryCount);
        var retried = await ledger.PostAsync(Debit("a", 5, "k3")); // the torn charge was never acknowledged
        Assert.Equal((LedgerStatus.Applied, 4L), (retried.Status, retried.Entry!.Id));
        Assert.True(ledger.Audit().Consistent);
        Assert.Equal(torn, File.ReadAllBytes(_journal + ".imported"));
    }

    [Fact]
    public void A_torn_last_record_is_named_in_a_warning_with_where_it_begins()
    {
        var whole = LegacyJournal.Bytes(_history.Take(2));
        File.WriteAllBytes(_journal, [.. whole, .. LegacyJournal.Record(_history[2])[..^5]]);
        var logger = new RecordingLogger();

        LegacyJournalImport.Run(_journal, _storeDirectory, Budget, logger);

        var warning = Assert.Single(logger.Warnings);
        Assert.Contains($"from {whole.Length} on", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void An_import_whose_move_into_place_a_crash_lost_after_the_journal_was_renamed_is_made_again_from_the_renamed_journal()
    {
        var journal = LegacyJournal.Bytes(_history);
        File.WriteAllBytes(_journal + ".imported", journal);
        using (var partial = new RocksLedgerStore(_storeDirectory + ".importing", Budget))
        {
            partial.Load();
            partial.Commit(_history[0]);
        }

        Import();

        Assert.False(Directory.Exists(_storeDirectory + ".importing"));
        Assert.Equal(journal, File.ReadAllBytes(_journal + ".imported"));
        using var store = new RocksLedgerStore(_storeDirectory, Budget);
        var checkpoint = store.Load();
        Assert.Equal((5L, 5L), (checkpoint.LastEntryId, checkpoint.EntryCount));
    }

    [Fact]
    public void A_renamed_journal_alone_is_left_alone_a_deleted_store_is_not_brought_back()
    {
        File.WriteAllBytes(_journal + ".imported", LegacyJournal.Bytes(_history));

        Import();

        Assert.False(Directory.Exists(_storeDirectory));
    }

    [Fact]
    public void Zeros_after_the_last_record_are_space_made_ahead_not_a_record()
    {
        // Eight zero bytes would pass as an empty record: CRC-32 of nothing is 0.
        File.WriteAllBytes(_journal, [.. LegacyJournal.Bytes(_history), .. new byte[4096]]);
        var logger = new RecordingLogger();

        LegacyJournalImport.Run(_journal, _storeDirectory, Budget, logger);

        Assert.Empty(logger.Warnings);

        using var store = new RocksLedgerStore(_storeDirectory, Budget);
        Assert.Equal(5, store.Load().EntryCount);
    }

    [Fact]
    public void A_damaged_record_with_whole_records_after_it_stops_the_import_and_leaves_no_store()
    {
        var journal = LegacyJournal.Bytes(_history);
        journal[8 + 8 + 10] ^= 0xFF; // inside the first record's payload
        File.WriteAllBytes(_journal, journal);

        var error = Assert.Throws<InvalidDataException>(Import);

        Assert.Contains("damaged record at byte 8", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_storeDirectory));
        Assert.Equal(journal, File.ReadAllBytes(_journal)); // left to be restored, not renamed
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { (byte)'H', (byte)'L', (byte)'E', (byte)'D' })]
    [InlineData(new byte[] { (byte)'H', (byte)'L', (byte)'E', (byte)'D', (byte)'G', (byte)'E', (byte)'R', 2 })]
    public void A_file_that_is_not_a_journal_of_format_1_is_refused(byte[] content)
    {
        File.WriteAllBytes(_journal, content);

        var error = Assert.Throws<InvalidDataException>(Import);

        Assert.Contains("is not a ledger journal of format 1", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_storeDirectory));
        Assert.Equal(content, File.ReadAllBytes(_journal));
    }

    [Fact]
    public async Task A_journal_ending_in_a_record_of_balances_alone_goes_on_from_its_last_entry_id()
    {
        File.WriteAllBytes(_journal, [.. LegacyJournal.Bytes(_history), .. LegacyJournal.Record(new LedgerBatch([], [new AccountBalance("c", 0, null)]))]);

        Import();

        using var store = new RocksLedgerStore(_storeDirectory, Budget);
        using var ledger = OpenLedger(store);
        var next = await ledger.PostAsync(Debit("a", 1, "k4"));
        Assert.Equal(6, next.Entry!.Id);
        Assert.Equal([6L, 5, 3, 1], ledger.Query(new LedgerQuery(new LedgerFilter("a"), 0, 10)).Items.Select(e => e.Id));
        Assert.True(ledger.Audit().Consistent);
    }

    [Fact]
    public void An_import_a_crash_cut_short_is_discarded_and_made_again()
    {
        using (var partial = new RocksLedgerStore(_storeDirectory + ".importing", Budget))
        {
            partial.Load();
            partial.Commit(_history[0] with { Balances = [new AccountBalance("stale", 1, null)] });
        }

        File.WriteAllBytes(_journal, LegacyJournal.Bytes(_history));

        Import();

        Assert.False(Directory.Exists(_storeDirectory + ".importing"));
        using var store = new RocksLedgerStore(_storeDirectory, Budget);
        var checkpoint = store.Load();
        Assert.Equal([new AccountBalance("a", 65, Start.AddMinutes(2)), new AccountBalance("b", 30, Start.AddMinutes(2))], checkpoint.Balances);
        Assert.Equal((5L, 5L), (checkpoint.LastEntryId, checkpoint.EntryCount));
    }

    [Fact]
    public void A_journal_beside_a_store_it_was_imported_into_is_only_renamed()
    {
        using (var imported = new RocksLedgerStore(_storeDirectory, Budget))
        {
            imported.Load();
            imported.Commit(new LedgerBatch([Entry(1, "kept", 9)], [new AccountBalance("kept", 9, Start)]));
        }

        var journal = LegacyJournal.Bytes(_history);
        File.WriteAllBytes(_journal, journal);

        Import();

        Assert.False(File.Exists(_journal));
        Assert.Equal(journal, File.ReadAllBytes(_journal + ".imported"));
        using var store = new RocksLedgerStore(_storeDirectory, Budget);
        var checkpoint = store.Load();
        Assert.Equal([new AccountBalance("kept", 9, Start)], checkpoint.Balances);
        Assert.Equal((1L, 1L), (checkpoint.LastEntryId, checkpoint.EntryCount));
    }

    [Fact]
    public void Without_a_journal_nothing_happens()
    {
        Import();

        Assert.Empty(Directory.GetFileSystemEntries(_directory));
    }

    private void Import() => LegacyJournalImport.Run(_journal, _storeDirectory, Budget, NullLogger.Instance);

    private GroupCommitLedger OpenLedger(RocksLedgerStore store) =>
        new(store, _clock, new LedgerOptions(), NullLogger<GroupCommitLedger>.Instance);

    /// <summary>Adds a batch to the history as the ledger committed it: ids in order, a minute after the last, with each touched account's balance.</summary>
    private void Batch(params (string Account, long Amount, string? Key)[] postings)
    {
        var at = Start.AddMinutes(_history.Count);
        var entries = new List<LedgerEntry>();
        foreach (var (account, amount, key) in postings)
        {
            var entry = Entry(++_lastId, account, amount);
            entry.CreatedAt = at;
            entry.BalanceBefore = _balances.GetValueOrDefault(account);
            entry.BalanceAfter = _balances[account] = entry.BalanceBefore + amount;
            if (key is not null)
            {
                var claim = Debit(account, -amount, key).Idempotency!;
                (entry.Kind, entry.IdempotencyScope, entry.IdempotencyKey, entry.IdempotencyFingerprint) = ("test-debit", claim.Scope, claim.Key, claim.Fingerprint);
            }

            entries.Add(entry);
        }

        var touched = postings.Select(p => p.Account).Distinct(StringComparer.Ordinal);
        _history.Add(new LedgerBatch(entries, [.. touched.Select(a => new AccountBalance(a, _balances[a], at))]));
    }

    private static (string Account, long Amount, string? Key) Posting(string account, long amount, string? key = null) => (account, amount, key);

    private static LedgerEntry Entry(long id, string account, long amount) =>
        new() { Id = id, AccountId = account, Amount = amount, BalanceAfter = amount, CreatedAt = Start, Kind = "test-credit" };

    private static LedgerPosting Debit(string account, long amount, string key) =>
        new(account, -amount, "test-debit") { Idempotency = new IdempotencyClaim("test:" + account, key, amount.ToString(System.Globalization.CultureInfo.InvariantCulture)) };

    /// <summary>Keeps the warnings an import logs.</summary>
    private sealed class RecordingLogger : ILogger
    {
        public List<string> Warnings { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning)
            {
                Warnings.Add(formatter(state, exception));
            }
        }
    }
}
