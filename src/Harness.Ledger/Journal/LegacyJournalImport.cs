using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using Harness.Ledger.Store;
using Microsoft.Extensions.Logging;

namespace Harness.Ledger.Journal;

/// <summary>
/// Brings a ledger journal (the single file versions before the RocksDB store kept, <c>{name}.ledger</c>)
/// into a new store, once. The import is built in a directory of its own and moved into place whole,
/// then the journal is renamed <c>.imported</c>: a crash part-way leaves the journal to import again
/// on the next start, never half a ledger.
/// <para>
/// The journal's layout: the 8-byte header <c>HLEDGER</c> + format 1, then records of
/// [int32 payload length][uint32 CRC-32 of the payload][payload]; a payload is an int32 entry count
/// and the entries (<see cref="LedgerEntryCodec"/>), then an int32 balance count and per balance an
/// int32 name length, the name, a has-time byte, the balance and the update ticks. Zeros after the
/// last record were space made ahead of the writer; a last record cut short by a crash was never
/// acknowledged and is left out. A damaged record with more after it stops the start.
/// </para>
/// </summary>
internal static class LegacyJournalImport
{
    private const int RecordHeaderSize = 8;
    private static readonly byte[] Header = [.. "HLEDGER"u8, 1];
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Imports <paramref name="journalPath"/> into the store at <paramref name="storeDirectory"/> when the journal exists and the store does not yet.</summary>
    public static void Run(string journalPath, string storeDirectory, long memoryBudget, ILogger logger)
    {
        var imported = journalPath + ".imported";
        var building = storeDirectory + ".importing";
        string source;
        if (File.Exists(journalPath))
        {
            if (Directory.Exists(storeDirectory))
            {
                // Imported before, and stopped before the journal was renamed.
                File.Move(journalPath, imported, overwrite: true);
                return;
            }

            source = journalPath;
        }
        else if (!Directory.Exists(storeDirectory) && Directory.Exists(building) && File.Exists(imported))
        {
            // Renames reach the disk in no promised order: a crash kept the journal's and lost the
            // store's move into place. The journal is whole under its new name: import it again.
            source = imported;
        }
        else
        {
            return;
        }

        if (Directory.Exists(building))
        {
            Directory.Delete(building, recursive: true); // an import a crash cut short
        }

        long entries = 0;
        using (var store = new RocksLedgerStore(building, memoryBudget) { SyncCommits = false })
        {
            store.Load();
            foreach (var batch in ReadAll(source, tornAt => logger.LogWarning(
                "The ledger journal {Journal} ends in bytes from {Position} on that are no whole record (a write cut short, never acknowledged); they are left out of the import and stay in the journal.",
                source,
                tornAt)))
            {
                store.Commit(batch);
                entries += batch.Entries.Count;
            }

            store.Flush(); // every record on disk before the store is moved into place
        }

        Directory.Move(building, storeDirectory);
        if (source == journalPath)
        {
            File.Move(journalPath, imported);
        }

        logger.LogInformation("Imported {Entries} ledger entries from the journal {Journal} into {Store}; the journal is kept beside it as {Imported}.", entries, journalPath, storeDirectory, imported);
    }

    /// <summary>Every whole record of the journal, in order; <paramref name="tornTail"/> hears where bytes that are no whole record begin, if any end the file.</summary>
    public static IEnumerable<LedgerBatch> ReadAll(string path, Action<long>? tornTail = null)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        var header = new byte[Header.Length];
        if (file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) != header.Length || !header.AsSpan().SequenceEqual(Header))
        {
            throw new InvalidDataException($"{path} is not a ledger journal of format 1 (header {Convert.ToHexString(header)}).");
        }

        while (ReadRecord(file) is { } payload)
        {
            yield return Decode(payload);
        }

        // Where reading stopped: anything but zeros from there is a last write cut short.
        var stoppedAt = file.Position;
        if (!ZerosFrom(file))
        {
            tornTail?.Invoke(stoppedAt);
        }
    }

    /// <summary>The next whole record; null at the end or at a last record cut short, the file then positioned at that record's start.</summary>
    private static byte[]? ReadRecord(FileStream file)
    {
        var start = file.Position;
        Span<byte> header = stackalloc byte[RecordHeaderSize];
        var read = file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        var length = read == header.Length ? BinaryPrimitives.ReadInt32LittleEndian(header) : -1;
        if (length < 8 || length > file.Length - file.Position)
        {
            // The end, or a length that gives no place to look for a next record: a torn last write.
            file.Position = start;
            return null;
        }

        var payload = new byte[length];
        file.ReadExactly(payload);
        if (Crc32.HashToUInt32(payload) == BinaryPrimitives.ReadUInt32LittleEndian(header[4..]))
        {
            return payload;
        }

        // The last write, cut short before space made ahead, when nothing but zeros follows it.
        if (!ZerosFrom(file))
        {
            throw new InvalidDataException($"The ledger journal {file.Name} has a damaged record at byte {start} with more after it; restore it from a backup.");
        }

        file.Position = start;
        return null;
    }

    private static bool ZerosFrom(FileStream file)
    {
        var buffer = new byte[1 << 16];
        int read;
        while ((read = file.Read(buffer)) > 0)
        {
            if (buffer.AsSpan(0, read).ContainsAnyExcept((byte)0))
            {
                return false;
            }
        }

        return true;
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
}
