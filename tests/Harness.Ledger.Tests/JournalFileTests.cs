using Harness.Ledger.Journal;

namespace Harness.Ledger.Tests;

/// <summary>
/// The journal's appending side on its own: the zeros it keeps ahead of the writer (the file's length on
/// disk shows them), records written into that space, records that outrun it, cutting back, closing.
/// Small sizes here (4 KB ahead, 1 KB steps) stand for the 4 MB and 1 MB the ledger uses.
/// </summary>
public sealed class JournalFileTests : IDisposable
{
    private const int Ahead = 4096;
    private const int Step = 1024;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static readonly byte[] Header = [.. "HLEDGER"u8, 1];

    private readonly string _directory = TempDirectory.Create("journal-file");
    private readonly string _path;

    public JournalFileTests() => _path = Path.Combine(_directory, "ledger.journal");

    public void Dispose() => TempDirectory.TryDelete(_directory);

    [Fact]
    public void A_new_journal_is_given_the_space_ahead_in_whole_steps_of_zeros_and_no_more()
    {
        var file = new PreallocatedJournalFile(OpenAtEnd(Header), Ahead, Step);

        WaitForSpace(file, Header.Length + Ahead);
        file.Dispose();

        Assert.Equal(Header.Length + (4 * Step), file.Allocated);
        Assert.Equal(Header.Length, file.End);
        Assert.Equal(Header.Length + (4 * Step), new FileInfo(_path).Length);
        Assert.Equal([.. Header, .. new byte[4 * Step]], File.ReadAllBytes(_path));
    }

    [Fact]
    public void A_journal_reopened_with_zeros_after_its_records_counts_them_as_space_already_made()
    {
        var file = new PreallocatedJournalFile(OpenAtEnd([.. Header, .. new byte[1000]], position: Header.Length), Ahead, Step);

        WaitForSpace(file, Header.Length + Ahead);
        file.Dispose();

        // 1000 bytes were there; four more steps make at least 4096 past the end.
        Assert.Equal(Header.Length + 1000 + (4 * Step), new FileInfo(_path).Length);
        Assert.Equal(Header.Length, file.End);
    }

    [Fact]
    public void A_record_written_into_the_space_ahead_changes_no_file_length()
    {
        using var file = new PreallocatedJournalFile(OpenAtEnd(Header), Ahead, Step);
        WaitForSpace(file, Header.Length + Ahead);
        var record = Record(100, fill: 0xA1);

        file.Append(record);

        Assert.Equal(Header.Length + 100, file.End);
        Assert.Equal(Header.Length + (4 * Step), new FileInfo(_path).Length);
        var bytes = ReadShared();
        Assert.Equal(record, bytes[Header.Length..(Header.Length + 100)]);
        Assert.DoesNotContain(bytes[(Header.Length + 100)..], b => b != 0);
    }

    [Fact]
    public void Once_less_than_half_the_space_ahead_is_left_the_grower_makes_it_whole_again()
    {
        var file = new PreallocatedJournalFile(OpenAtEnd(Header), Ahead, Step);
        WaitForSpace(file, Header.Length + Ahead);

        file.Append(Record(2500, fill: 0xB2)); // 1596 bytes left, under half of 4096

        WaitForSpace(file, Header.Length + 2500 + Ahead);
        file.Dispose();
        Assert.Equal(Header.Length + (7 * Step), new FileInfo(_path).Length);
    }

    [Fact]
    public void A_record_larger_than_the_space_ahead_is_appended_whole_and_the_space_made_again_after_it()
    {
        var file = new PreallocatedJournalFile(OpenAtEnd(Header), Ahead, Step);
        WaitForSpace(file, Header.Length + Ahead);
        var record = Record(5000, fill: 0xC3);

        file.Append(record);

        Assert.Equal(Header.Length + 5000, file.End);
        Assert.True(file.Allocated >= file.End, $"allocated {file.Allocated} behind the end {file.End}");
        WaitForSpace(file, Header.Length + 5000 + Ahead);
        file.Dispose();
        var bytes = File.ReadAllBytes(_path);
        Assert.Equal(Header.Length + 5000 + (4 * Step), bytes.Length);
        Assert.Equal(record, bytes[Header.Length..(Header.Length + 5000)]);
        Assert.DoesNotContain(bytes[(Header.Length + 5000)..], b => b != 0);
    }

    [Fact]
    public void Without_space_ahead_every_record_extends_the_file_by_exactly_its_length()
    {
        using var file = new PreallocatedJournalFile(OpenAtEnd(Header), ahead: 0, Step);
        var first = Record(300, fill: 1);
        var second = Record(50, fill: 2);

        file.Append(first);
        Assert.Equal(Header.Length + 300, file.End);
        Assert.Equal(file.End, file.Allocated);
        Assert.Equal(file.End, new FileInfo(_path).Length);

        file.Append(second);
        Assert.Equal(Header.Length + 350, file.End);
        Assert.Equal(file.End, file.Allocated);
        Assert.Equal([.. Header, .. first, .. second], ReadShared());
    }

    [Fact]
    public void Cutting_back_drops_what_followed_and_the_next_record_is_appended_there()
    {
        using var file = new PreallocatedJournalFile(OpenAtEnd(Header), ahead: 0, Step);
        var kept = Record(40, fill: 1);
        file.Append(kept);
        file.Append(Record(60, fill: 2));

        file.Truncate(Header.Length + 40);

        Assert.Equal(Header.Length + 40, file.End);
        Assert.Equal(Header.Length + 40, file.Allocated);
        Assert.Equal(Header.Length + 40, new FileInfo(_path).Length);
        var next = Record(10, fill: 3);
        file.Append(next);
        Assert.Equal([.. Header, .. kept, .. next], ReadShared());
    }

    [Fact]
    public void Closing_releases_the_file_and_closing_again_does_nothing()
    {
        var stream = OpenAtEnd(Header);
        var file = new PreallocatedJournalFile(stream, Ahead, Step);
        WaitForSpace(file, Header.Length + Ahead); // the grower has synced the file too
        var record = Record(20, fill: 7);
        file.Append(record);

        file.Dispose();
        file.Dispose();

        Assert.False(stream.CanWrite);

        // Nothing holds the file any more: it can be taken exclusively, as a restarted backend would.
        using var exclusive = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.None);
        var written = new byte[Header.Length + record.Length];
        exclusive.ReadExactly(written);
        Assert.Equal([.. Header, .. record], written);
    }

    [Fact]
    public void Syncing_a_directory_that_does_not_exist_fails_with_its_name()
    {
        var missing = Path.Combine(_directory, "missing");

        var error = Assert.Throws<IOException>(() => DurableDirectory.Sync(missing));

        Assert.StartsWith($"Cannot open directory {missing} to sync it", error.Message, StringComparison.Ordinal);
        DurableDirectory.Sync(_directory); // an existing one syncs
    }

    private static byte[] Record(int length, byte fill) => Enumerable.Repeat(fill, length).ToArray();

    private static void WaitForSpace(PreallocatedJournalFile file, long allocated) =>
        Assert.True(SpinWait.SpinUntil(() => file.Allocated >= allocated, Patience), $"allocated {file.Allocated}, waited for {allocated}");

    /// <summary>A journal file holding <paramref name="content"/>, opened as the store opens it and positioned where its records end.</summary>
    private FileStream OpenAtEnd(byte[] content, long? position = null)
    {
        File.WriteAllBytes(_path, content);
        return new FileStream(_path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0) { Position = position ?? content.Length };
    }

    /// <summary>The file as another reader sees it while the journal is open (the store's readers share it so).</summary>
    private byte[] ReadShared()
    {
        using var reader = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var bytes = new byte[reader.Length];
        reader.ReadExactly(bytes);
        return bytes;
    }
}

/// <summary>Counts the process's open file descriptors, so it runs alone.</summary>
[CollectionDefinition(nameof(DescriptorCountCollection), DisableParallelization = true)]
public sealed class DescriptorCountCollection;

/// <summary>What syncing a directory leaves behind: nothing, however often a journal is created or cut.</summary>
[Collection(nameof(DescriptorCountCollection))]
public sealed class DurableDirectoryTests : IDisposable
{
    private readonly string _directory = TempDirectory.Create("durable-directory");

    public void Dispose() => TempDirectory.TryDelete(_directory);

    [Fact]
    public void Syncing_a_directory_closes_what_it_opened()
    {
        // Every open descriptor, whatever it points at (GetFiles would leave out those of directories).
        var before = Directory.GetFileSystemEntries("/proc/self/fd").Length;

        for (var i = 0; i < 200; i++)
        {
            DurableDirectory.Sync(_directory);
        }

        // A descriptor per sync would be 200 more; the runtime may open a few of its own meanwhile.
        Assert.InRange(Directory.GetFileSystemEntries("/proc/self/fd").Length - before, -50, 50);
    }
}
