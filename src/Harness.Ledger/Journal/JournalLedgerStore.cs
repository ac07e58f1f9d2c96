using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Harness.Ledger.Journal;

/// <summary>
/// The ledger journal as its own append-only file next to the LiteDB file. A commit appends one
/// record (the batch's entries, each with its idempotency claim, and the resulting balances) with one
/// write and one sync, and is acknowledged only after the sync. Nothing is ever rewritten: there is no
/// checkpoint copying pages back into a data file (LiteDB's checkpoints held the ledger's writer for
/// 8–20 ms several times a second) and no per-commit page images (a commit of one posting wrote
/// three to four 8 KB pages to LiteDB's log).
/// <para>
/// Layout: the 8-byte header <c>HLEDGER</c> + format byte, then records of
/// [int32 payload length][uint32 CRC-32 of the payload][payload]. Payload: an int32 entry count and
/// the entries as <see cref="LedgerEntryCodec"/> lays them out, then an int32 balance count and per
/// balance its account, balance and update time (ticks, 0 for none). Zeros may follow the last record:
/// space made ahead of the writer (<see cref="PreallocatedJournalFile"/>), which readers skip. A record
/// cut short by a crash or power loss while it was being written was never acknowledged: opening the
/// file drops it, after copying the dropped bytes to a <c>.torn-…</c> file beside it, so a misjudged
/// cut loses nothing. A bad record whose length is readable, with anything but zeros after it, is
/// damage, and the file is refused rather than guessed at. One whose length field is itself unreadable
/// gives no place to look for the next record, and a power cut can leave later blocks on disk before
/// earlier ones, so it is set aside like a torn tail (with everything after it) rather than refused.
/// </para>
/// </summary>
internal sealed class JournalLedgerStore : ILedgerStore, IDisposable
{
    private const byte Format = 1;
    private const int RecordHeaderSize = 8;

    // The smallest payload a commit writes (its entry count and balance count). Eight zero bytes, as a
    // file system may leave after a crash, would otherwise pass as an empty record: CRC-32 of nothing is 0.
    private const int MinPayloadSize = 8;
    private static readonly byte[] Header = [.. "HLEDGER"u8, Format];
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private readonly IJournalFile _file;
    private bool _unrepaired;

    /// <summary>Opens or creates the journal.</summary>
    public JournalLedgerStore(string path, ILogger? logger = null)
        : this(path, file => new PreallocatedJournalFile(file), logger)
    {
    }

    /// <summary>As the public constructor, with the appending side of the file made by <paramref name="openFile"/> (tests make it fail).</summary>
    internal JournalLedgerStore(string path, Func<FileStream, IJournalFile> openFile, ILogger? logger = null)
    {
        FilePath = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        if (!File.Exists(FilePath))
        {
            Create(FilePath);
        }

        var (end, torn) = Scan(FilePath);
        var file = new FileStream(FilePath, FileMode.Open, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
        if (torn)
        {
            // Anything but zeros after the whole records: set aside, then cut (the space is made again).
            SetAside(file, end, logger);
            file.SetLength(end);
            file.Flush(flushToDisk: true);
        }

        file.Position = end;
        _file = openFile(file);
    }

    public string FilePath { get; }

    /// <summary>Where opening the journal set aside a torn last record; null when there was none.</summary>
    public string? TornTailPath { get; private set; }

    public IEnumerable<LedgerBatch> ReadAll()
    {
        // A reader of its own, so an audit can read while the writer appends; it stops at the last
        // whole record it finds, leaving a record still being appended for the next read.
        using var file = OpenReader(FilePath);
        CheckHeader(file);
        while (ReadRecord(file, out _) is { } payload)
        {
            yield return Decode(payload);
        }
    }

    public void Commit(LedgerBatch batch)
    {
        if (_unrepaired)
        {
            throw new IOException("An earlier failed write could not be taken back out of the ledger journal; restart the backend, which drops it.");
        }

        // A pooled buffer: at moderate rates a commit is one or a few postings, and a new array per
        // commit was an eighth of a consume's allocations.
        var size = MeasureRecord(batch);
        var buffer = ArrayPool<byte>.Shared.Rent(size);
        var start = _file.End;
        try
        {
            Encode(batch, buffer.AsSpan(0, size));
            _file.Append(buffer.AsSpan(0, size));
        }
        catch
        {
            // Not acknowledged: take the record back out, so the next commit does not follow a
            // half-written one. Should that fail too, nothing more is appended after it, and
            // opening the file drops it as a torn last record.
            try
            {
                _file.Truncate(start);
            }
            catch (IOException)
            {
                _unrepaired = true;
            }

            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public void Dispose() => _file.Dispose();

    /// <summary>
    /// Copies what follows the whole records, up to its last byte that is not zero (the zeros after it
    /// are space made ahead), to a file of its own, durably, before the journal is cut back.
    /// </summary>
    private void SetAside(FileStream journal, long end, ILogger? logger)
    {
        var tail = new byte[journal.Length - end];
        journal.Position = end;
        journal.ReadExactly(tail);
        var kept = tail.AsSpan(0, tail.AsSpan().LastIndexOfAnyExcept((byte)0) + 1);
        TornTailPath = $"{FilePath}.torn-{DateTime.UtcNow:yyyyMMddHHmmssfff}";
        using (var aside = new FileStream(TornTailPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
        {
            aside.Write(kept);
            aside.Flush(flushToDisk: true);
        }

        DurableDirectory.Sync(Path.GetDirectoryName(FilePath)!);
        logger?.LogWarning(
            "The ledger journal ended in {Bytes} bytes that are no whole record (a write cut short by a crash, never acknowledged); they were dropped from the journal and kept in {TornTail}.",
            kept.Length,
            TornTailPath);
    }

    private static void Create(string path)
    {
        // Written aside and renamed into place: a journal either exists whole or not at all.
        var temporary = path + ".new";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.Write(Header);
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, path);
        DurableDirectory.Sync(Path.GetDirectoryName(path)!);
    }

    /// <summary>
    /// Checks every record; returns where the whole records end and whether a torn one follows (bytes
    /// there that are not all zeros; zeros are space made ahead of the writer).
    /// </summary>
    private static (long End, bool Torn) Scan(string path)
    {
        using var file = OpenReader(path);
        CheckHeader(file);
        long end = Header.Length;
        while (true)
        {
            if (ReadRecord(file, out var state) is not { } payload)
            {
                return (end, state == RecordState.Torn && !ZerosFrom(file, end));
            }

            end += RecordHeaderSize + payload.Length;
        }
    }

    /// <summary>Whether every byte from <paramref name="position"/> to the end of the file is zero.</summary>
    private static bool ZerosFrom(Stream stream, long position)
    {
        stream.Position = position;
        var buffer = new byte[1 << 16];
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            if (buffer.AsSpan(0, read).ContainsAnyExcept((byte)0))
            {
                return false;
            }
        }

        return true;
    }

    private static FileStream OpenReader(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1 << 16);

    private static void CheckHeader(Stream stream)
    {
        Span<byte> header = stackalloc byte[8];
        if (stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) != header.Length || !header.SequenceEqual(Header))
        {
            throw new InvalidDataException($"Not a ledger journal of format {Format} (header {Convert.ToHexString(header)}).");
        }
    }

    /// <summary>
    /// Reads one record. A record that runs past the end of the file or fails its checksum is
    /// <see cref="RecordState.Torn"/> when nothing but zeros follows it (the last write, cut short or
    /// still under way, before space made ahead), and damage otherwise.
    /// </summary>
    private static byte[]? ReadRecord(Stream stream, out RecordState state)
    {
        Span<byte> header = stackalloc byte[RecordHeaderSize];
        var read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        if (read == 0)
        {
            state = RecordState.End;
            return null;
        }

        var length = read == header.Length ? BinaryPrimitives.ReadInt32LittleEndian(header) : -1;
        var payload = length >= MinPayloadSize && length <= stream.Length - stream.Position ? new byte[length] : null;
        if (payload is null || stream.ReadAtLeast(payload, length, throwOnEndOfStream: false) != length
            || Crc32.HashToUInt32(payload) != BinaryPrimitives.ReadUInt32LittleEndian(header[4..]))
        {
            var recordEnd = stream.Position;
            if (recordEnd < stream.Length && payload is not null && !ZerosFrom(stream, recordEnd))
            {
                throw new InvalidDataException($"The ledger journal has a damaged record at byte {recordEnd - length - RecordHeaderSize} with more records after it; restore it from a backup.");
            }

            state = RecordState.Torn;
            return null;
        }

        state = RecordState.Whole;
        return payload;
    }

    private static int MeasureRecord(LedgerBatch batch)
    {
        // Indexed loops: a foreach over the IReadOnlyList would box its enumerator on every commit.
        var balances = batch.Balances;
        var size = RecordHeaderSize + LedgerEntryCodec.MeasureList(batch.Entries) + 4;
        for (var i = 0; i < balances.Count; i++)
        {
            size += 5 + Utf8.GetByteCount(balances[i].AccountId) + 16;
        }

        return size;
    }

    /// <summary>Writes the batch's record into <paramref name="record"/>, exactly <see cref="MeasureRecord"/> long.</summary>
    private static void Encode(LedgerBatch batch, Span<byte> record)
    {
        var balances = batch.Balances;
        var payload = record[RecordHeaderSize..];
        var position = LedgerEntryCodec.WriteList(batch.Entries, payload);
        BinaryPrimitives.WriteInt32LittleEndian(payload[position..], balances.Count);
        position += 4;
        for (var i = 0; i < balances.Count; i++)
        {
            var balance = balances[i];
            var account = Utf8.GetByteCount(balance.AccountId);
            BinaryPrimitives.WriteInt32LittleEndian(payload[position..], account);
            position += 4;
            position += Utf8.GetBytes(balance.AccountId, payload[position..]);
            payload[position++] = balance.UpdatedAt is null ? (byte)0 : (byte)1;
            BinaryPrimitives.WriteInt64LittleEndian(payload[position..], balance.Balance);
            BinaryPrimitives.WriteInt64LittleEndian(payload[(position + 8)..], balance.UpdatedAt?.Ticks ?? 0);
            position += 16;
        }

        // The buffer is pooled: a byte the encoder did not write would be an earlier record's.
        if (position != payload.Length)
        {
            throw new InvalidOperationException($"The ledger record measured {payload.Length} bytes but {position} were written.");
        }

        BinaryPrimitives.WriteInt32LittleEndian(record, payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(record[4..], Crc32.HashToUInt32(payload));
    }

    private static LedgerBatch Decode(byte[] payload)
    {
        var entries = LedgerEntryCodec.ReadList(payload, out var position);
        var balanceCount = BinaryPrimitives.ReadInt32LittleEndian(payload.AsSpan(position));
        position += 4;
        var balances = new List<AccountBalance>(balanceCount);
        for (var i = 0; i < balanceCount; i++)
        {
            var account = BinaryPrimitives.ReadInt32LittleEndian(payload.AsSpan(position));
            position += 4;
            var accountId = Utf8.GetString(payload, position, account);
            position += account;
            var hasTime = payload[position++] == 1;
            var balance = BinaryPrimitives.ReadInt64LittleEndian(payload.AsSpan(position));
            var ticks = BinaryPrimitives.ReadInt64LittleEndian(payload.AsSpan(position + 8));
            position += 16;
            balances.Add(new AccountBalance(accountId, balance, hasTime ? new DateTime(ticks, DateTimeKind.Utc) : null));
        }

        return new LedgerBatch(entries, balances);
    }

    /// <summary>The appending side of the journal file, at its end.</summary>
    internal interface IJournalFile : IDisposable
    {
        /// <summary>Where the next record goes: the end of the whole records.</summary>
        long End { get; }

        /// <summary>Writes the record at the end with one write, then syncs it to the device.</summary>
        void Append(ReadOnlySpan<byte> record);

        /// <summary>Cuts the file back to <paramref name="length"/> and appends from there.</summary>
        void Truncate(long length);
    }

    private enum RecordState
    {
        Whole,
        End,
        Torn,
    }
}
