using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace Harness.Ledger.Tests;

/// <summary>
/// Writes a ledger journal as versions before the RocksDB store did (format 1): the header, then per
/// batch a record of [int32 payload length][uint32 CRC-32 of the payload][payload], all little-endian.
/// </summary>
internal static class LegacyJournal
{
    public static readonly byte[] Header = [.. "HLEDGER"u8, 1];

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>The header and a record per batch, in order.</summary>
    public static byte[] Bytes(IEnumerable<LedgerBatch> batches) => [.. Header, .. batches.SelectMany(Record)];

    public static byte[] Record(LedgerBatch batch)
    {
        var payload = Payload(batch);
        var record = new byte[8 + payload.Length];
        BinaryPrimitives.WriteInt32LittleEndian(record, payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(4), Crc32.HashToUInt32(payload));
        payload.CopyTo(record, 8);
        return record;
    }

    /// <summary>The entries as <see cref="LedgerEntryCodec"/> lists them, then per balance its name, whether it has a time, the balance and the ticks.</summary>
    private static byte[] Payload(LedgerBatch batch)
    {
        var entries = new byte[LedgerEntryCodec.MeasureList(batch.Entries)];
        LedgerEntryCodec.WriteList(batch.Entries, entries);
        using var buffer = new MemoryStream();
        buffer.Write(entries);
        using (var writer = new BinaryWriter(buffer, Utf8, leaveOpen: true))
        {
            writer.Write(batch.Balances.Count);
            foreach (var balance in batch.Balances)
            {
                var name = Utf8.GetBytes(balance.AccountId);
                writer.Write(name.Length);
                writer.Write(name);
                writer.Write(balance.UpdatedAt is null ? (byte)0 : (byte)1);
                writer.Write(balance.Balance);
                writer.Write(balance.UpdatedAt?.Ticks ?? 0);
            }
        }

        return buffer.ToArray();
    }
}
