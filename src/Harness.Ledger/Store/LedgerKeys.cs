using System.Buffers.Binary;
using System.Text;

namespace Harness.Ledger.Store;

/// <summary>
/// The ledger's key space in one ordered key-value store, one tag byte per kind of record, so one write
/// batch covers them all and a range of one kind is one ordered scan:
/// <list type="bullet">
/// <item><c>a</c> account, entry id → the entry (<see cref="LedgerEntryCodec"/>): an account's entries in id order.</item>
/// <item><c>b</c> account → balance, update time, entry count.</item>
/// <item><c>c</c> scope, key → claim time, entry id, the entry's <c>a</c> key: the live idempotency keys.</item>
/// <item><c>t</c> claim time, entry id → the <c>c</c> key: claims in the order they expire.</item>
/// <item><c>k</c> account, kind, number → entry id: each account's entries of one kind numbered 1, 2, 3… in id
/// order, so the page of one kind at any depth is one seek and its count is the last number.</item>
/// <item><c>m</c> → last entry id, entry count, format (2 since the kind numbers; 1 before them).</item>
/// </list>
/// Text is UTF-8 after its byte length (7-bit encoded), so no account or scope is a prefix of another;
/// numbers are big-endian, so they sort as they compare.
/// </summary>
internal static class LedgerKeys
{
    public const byte Entry = (byte)'a';
    public const byte Balance = (byte)'b';
    public const byte Claim = (byte)'c';
    public const byte ClaimTime = (byte)'t';
    public const byte KindEntry = (byte)'k';

    /// <summary>The key layout this code writes: 2 added the kind numbers (<c>k</c>).</summary>
    public const int Format = 2;

    public static readonly byte[] Meta = [(byte)'m'];

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Every key of one account's entries starts with this.</summary>
    public static byte[] AccountPrefix(string accountId) => Tagged(Entry, accountId, extra: 0);

    /// <summary>The key of one entry: its account's prefix and its id.</summary>
    public static byte[] EntryKey(string accountId, long id)
    {
        var key = Tagged(Entry, accountId, extra: 8);
        BinaryPrimitives.WriteInt64BigEndian(key.AsSpan(key.Length - 8), id);
        return key;
    }

    /// <summary>The id at the end of an entry key.</summary>
    public static long EntryId(ReadOnlySpan<byte> entryKey) => BinaryPrimitives.ReadInt64BigEndian(entryKey[^8..]);

    /// <summary>The lowest and the past-the-end keys of one account's entries.</summary>
    public static (byte[] From, byte[] To) AccountRange(string accountId)
    {
        var from = EntryKey(accountId, 0);
        var to = EntryKey(accountId, long.MaxValue);
        return (from, [.. to, 0]);
    }

    public static byte[] BalanceKey(string accountId) => Tagged(Balance, accountId, extra: 0);

    /// <summary>The account named right after the tag of an account's key (an entry, its balance, its kind numbers).</summary>
    public static string AccountOf(ReadOnlySpan<byte> key)
    {
        var length = ReadLength(key[1..], out var prefix);
        return Utf8.GetString(key.Slice(1 + prefix, length));
    }

    /// <summary>Every key numbering one account's entries of one kind starts with this.</summary>
    public static byte[] KindPrefix(string accountId, string kind)
    {
        var accountBytes = Utf8.GetByteCount(accountId);
        var kindBytes = Utf8.GetByteCount(kind);
        var prefix = new byte[1 + LengthSize(accountBytes) + accountBytes + LengthSize(kindBytes) + kindBytes];
        prefix[0] = KindEntry;
        var at = 1 + WriteLength(prefix.AsSpan(1), accountBytes);
        at += Utf8.GetBytes(accountId, prefix.AsSpan(at));
        at += WriteLength(prefix.AsSpan(at), kindBytes);
        Utf8.GetBytes(kind, prefix.AsSpan(at));
        return prefix;
    }

    /// <summary>The key of the <paramref name="number"/>th entry (from 1) of a kind prefix.</summary>
    public static byte[] KindEntryKey(byte[] kindPrefix, long number)
    {
        var key = new byte[kindPrefix.Length + 8];
        kindPrefix.CopyTo(key, 0);
        BinaryPrimitives.WriteInt64BigEndian(key.AsSpan(kindPrefix.Length), number);
        return key;
    }

    /// <summary>The number at the end of a kind key.</summary>
    public static long KindNumber(ReadOnlySpan<byte> kindEntryKey) => BinaryPrimitives.ReadInt64BigEndian(kindEntryKey[^8..]);

    public static byte[] IdValue(long entryId)
    {
        var value = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(value, entryId);
        return value;
    }

    public static long ReadId(ReadOnlySpan<byte> idValue) => BinaryPrimitives.ReadInt64BigEndian(idValue);

    public static byte[] ClaimKey(string scope, string key)
    {
        var scopeBytes = Utf8.GetByteCount(scope);
        var keyBytes = Utf8.GetByteCount(key);
        var result = new byte[1 + LengthSize(scopeBytes) + scopeBytes + keyBytes];
        result[0] = Claim;
        var at = 1 + WriteLength(result.AsSpan(1), scopeBytes);
        at += Utf8.GetBytes(scope, result.AsSpan(at));
        Utf8.GetBytes(key, result.AsSpan(at));
        return result;
    }

    /// <summary>A claim's record: when, by which entry, and the entry's key.</summary>
    public static byte[] ClaimValue(DateTime claimedAt, long entryId, byte[] entryKey)
    {
        var value = new byte[16 + entryKey.Length];
        BinaryPrimitives.WriteInt64BigEndian(value, claimedAt.Ticks);
        BinaryPrimitives.WriteInt64BigEndian(value.AsSpan(8), entryId);
        entryKey.CopyTo(value.AsSpan(16));
        return value;
    }

    public static long ClaimedAtTicks(ReadOnlySpan<byte> claimValue) => BinaryPrimitives.ReadInt64BigEndian(claimValue);

    public static long ClaimingEntryId(ReadOnlySpan<byte> claimValue) => BinaryPrimitives.ReadInt64BigEndian(claimValue[8..]);

    public static ReadOnlySpan<byte> ClaimingEntryKey(ReadOnlySpan<byte> claimValue) => claimValue[16..];

    /// <summary>The expiry-order key of a claim: time, then entry id.</summary>
    public static byte[] ClaimTimeKey(long claimedAtTicks, long entryId)
    {
        var key = new byte[17];
        key[0] = ClaimTime;
        BinaryPrimitives.WriteInt64BigEndian(key.AsSpan(1), claimedAtTicks);
        BinaryPrimitives.WriteInt64BigEndian(key.AsSpan(9), entryId);
        return key;
    }

    public static long ClaimTimeEntryId(ReadOnlySpan<byte> claimTimeKey) => BinaryPrimitives.ReadInt64BigEndian(claimTimeKey[9..]);

    public static byte[] BalanceValue(long balance, DateTime? updatedAt, long entryCount)
    {
        var value = new byte[24];
        BinaryPrimitives.WriteInt64LittleEndian(value, balance);
        BinaryPrimitives.WriteInt64LittleEndian(value.AsSpan(8), updatedAt?.Ticks ?? 0);
        BinaryPrimitives.WriteInt64LittleEndian(value.AsSpan(16), entryCount);
        return value;
    }

    public static (long Balance, DateTime? UpdatedAt, long EntryCount) ReadBalance(ReadOnlySpan<byte> value)
    {
        var ticks = BinaryPrimitives.ReadInt64LittleEndian(value[8..]);
        return (BinaryPrimitives.ReadInt64LittleEndian(value),
            ticks == 0 ? null : new DateTime(ticks, DateTimeKind.Utc),
            BinaryPrimitives.ReadInt64LittleEndian(value[16..]));
    }

    public static byte[] MetaValue(long lastEntryId, long entryCount, int format = Format)
    {
        var value = new byte[format == 1 ? 16 : 20];
        BinaryPrimitives.WriteInt64LittleEndian(value, lastEntryId);
        BinaryPrimitives.WriteInt64LittleEndian(value.AsSpan(8), entryCount);
        if (format != 1)
        {
            BinaryPrimitives.WriteInt32LittleEndian(value.AsSpan(16), format);
        }

        return value;
    }

    /// <summary>The counters and the key layout; format 1 wrote no layout number.</summary>
    public static (long LastEntryId, long EntryCount, int Format) ReadMeta(ReadOnlySpan<byte> value) =>
        (BinaryPrimitives.ReadInt64LittleEndian(value), BinaryPrimitives.ReadInt64LittleEndian(value[8..]),
            value.Length >= 20 ? BinaryPrimitives.ReadInt32LittleEndian(value[16..]) : 1);

    /// <summary>The key right after every key starting with <paramref name="tag"/>.</summary>
    public static byte[] After(byte tag) => [(byte)(tag + 1)];

    private static byte[] Tagged(byte tag, string text, int extra)
    {
        var bytes = Utf8.GetByteCount(text);
        var key = new byte[1 + LengthSize(bytes) + bytes + extra];
        key[0] = tag;
        var at = 1 + WriteLength(key.AsSpan(1), bytes);
        Utf8.GetBytes(text, key.AsSpan(at));
        return key;
    }

    private static int LengthSize(int length)
    {
        var size = 1;
        while ((length >>= 7) != 0)
        {
            size++;
        }

        return size;
    }

    private static int WriteLength(Span<byte> destination, int length)
    {
        var at = 0;
        var value = (uint)length;
        while (value >= 0x80)
        {
            destination[at++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[at++] = (byte)value;
        return at;
    }

    private static int ReadLength(ReadOnlySpan<byte> source, out int size)
    {
        int length = 0, shift = 0;
        size = 0;
        byte current;
        do
        {
            current = source[size++];
            length |= (current & 0x7F) << shift;
            shift += 7;
        }
        while ((current & 0x80) != 0);
        return length;
    }
}

/// <summary>The account of each entry key met in an ordered scan: entries come grouped by account, so its name is decoded once per group.</summary>
internal sealed class EntryAccounts
{
    private byte[] _prefix = [];
    private string _account = "";

    public string Of(ReadOnlySpan<byte> entryKey)
    {
        var prefix = entryKey[..^8];
        if (!prefix.SequenceEqual(_prefix))
        {
            _prefix = prefix.ToArray();
            _account = LedgerKeys.AccountOf(_prefix);
        }

        return _account;
    }
}
