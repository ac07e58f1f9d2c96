using Harness.Ledger.Journal;

namespace Harness.Ledger.Tests;

/// <summary>
/// The journal store below the ledger: what a new journal holds, what it refuses to open, and that a
/// batch reads back as it was committed, down to a balance without an update time and a batch of nothing.
/// </summary>
public sealed class JournalStoreTests : IDisposable
{
    private static readonly DateTime At = new(2026, 11, 23, 8, 0, 0, 123, DateTimeKind.Utc);

    private readonly string _directory = TempDirectory.Create("journal-store");
    private readonly string _path;

    public JournalStoreTests() => _path = Path.Combine(_directory, "data", "ledger.journal");

    public void Dispose() => TempDirectory.TryDelete(_directory);

    [Fact]
    public void A_new_journal_is_its_header_alone_in_a_directory_made_for_it_and_nothing_is_left_beside_it()
    {
        using (var store = new JournalLedgerStore(_path))
        {
            Assert.Equal(_path, store.FilePath);
            Assert.Empty(store.ReadAll());
            Assert.Null(store.TornTailPath);
        }

        var bytes = File.ReadAllBytes(_path);
        Assert.Equal("HLEDGER\u0001"u8.ToArray(), bytes[..8]);
        Assert.DoesNotContain(bytes[8..], b => b != 0);
        Assert.Equal([_path], Directory.GetFiles(Path.GetDirectoryName(_path)!));
    }

    [Fact]
    public void A_batch_reads_back_with_every_balance_as_committed()
    {
        var entry = new LedgerEntry { Id = 1, AccountId = "a", Amount = 5, BalanceAfter = 5, CreatedAt = At, Kind = "credit" };
        AccountBalance[] balances = [new("a", 5, At), new("账户-b", 0, null), new("c", long.MaxValue, DateTime.MaxValue)];

        using (var store = new JournalLedgerStore(_path))
        {
            store.Commit(new LedgerBatch([entry], balances));
            AssertReadsBack(store);
        }

        using var reopened = new JournalLedgerStore(_path);
        AssertReadsBack(reopened);

        void AssertReadsBack(JournalLedgerStore store)
        {
            var batch = Assert.Single(store.ReadAll());
            Assert.Equivalent(entry, Assert.Single(batch.Entries), strict: true);
            Assert.Equal(balances, batch.Balances);
            Assert.Equal(DateTimeKind.Utc, batch.Balances[0].UpdatedAt!.Value.Kind);
        }
    }

    [Fact]
    public void The_smallest_record_a_batch_of_nothing_is_a_whole_record()
    {
        using (var store = new JournalLedgerStore(_path))
        {
            store.Commit(new LedgerBatch([], []));
            store.Commit(new LedgerBatch([], [new AccountBalance("a", 1, null)]));
        }

        using var reopened = new JournalLedgerStore(_path);
        Assert.Null(reopened.TornTailPath);
        Assert.Equal([0, 1], reopened.ReadAll().Select(b => b.Balances.Count));
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { (byte)'H', (byte)'L', (byte)'E', (byte)'D' })]
    [InlineData(new byte[] { (byte)'H', (byte)'L', (byte)'E', (byte)'D', (byte)'G', (byte)'E', (byte)'R', 2 })]
    public void A_file_that_is_not_a_journal_of_format_1_is_refused(byte[] content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        File.WriteAllBytes(_path, content);

        var error = Assert.Throws<InvalidDataException>(() => new JournalLedgerStore(_path));

        Assert.Contains("Not a ledger journal of format 1", error.Message, StringComparison.Ordinal);
        Assert.Equal(content, File.ReadAllBytes(_path)); // left as it was
    }
}
