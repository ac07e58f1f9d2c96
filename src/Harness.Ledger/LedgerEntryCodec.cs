using System.Buffers.Binary;
using System.Text;

namespace Harness.Ledger;

/// <summary>
/// The binary layout of one ledger entry, used by the store's journal and by the in-memory view.
/// Fields in order: id, account, amount, balance before, balance after, created-at ticks, kind
/// (little-endian integers; strings as a 7-bit-encoded UTF-8 byte length and the bytes), then
/// category, subject, reference, idempotency key, scope and fingerprint (each a presence byte and
/// the string), then details and metadata (an int32 count, -1 for none, and key/value strings).
/// It is byte for byte what <see cref="BinaryWriter"/> wrote for journal format 1, so files written
/// before this codec read unchanged. Encoding and decoding work on spans and allocate only the
/// decoded strings.
/// </summary>
internal static class LedgerEntryCodec
{
    // Replaces what is not valid UTF-16 (a lone surrogate from a client) instead of failing the commit.
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>The exact number of bytes <see cref="Write"/> needs for the entry.</summary>
    public static int Measure(LedgerEntry entry)
    {
        var size = (8 * 5) + Text(entry.AccountId) + Text(entry.Kind)
            + Optional(entry.Category) + Optional(entry.Subject) + Optional(entry.Reference)
            + Optional(entry.IdempotencyKey) + Optional(entry.IdempotencyScope) + Optional(entry.IdempotencyFingerprint)
            + Map(entry.Details) + Map(entry.Metadata);
        return size;

        static int Text(string value)
        {
            var bytes = Utf8.GetByteCount(value);
            return LengthPrefixSize(bytes) + bytes;
        }

        static int Optional(string? value) => 1 + (value is null ? 0 : Text(value));

        static int Map(Dictionary<string, string>? map)
        {
            var size = 4;
            if (map is null)
            {
                return size; // no empty dictionary made up per entry just to loop over nothing
            }

            foreach (var (key, value) in map)
            {
                size += Text(key) + Text(value);
            }

            return size;
        }
    }

    /// <summary>Writes the entry into <paramref name="destination"/>, which must hold <see cref="Measure"/> bytes; returns the bytes written.</summary>
    public static int Write(LedgerEntry entry, Span<byte> destination)
    {
        var writer = new SpanWriter(destination);
        writer.Int64(entry.Id);
        writer.Text(entry.AccountId);
        writer.Int64(entry.Amount);
        writer.Int64(entry.BalanceBefore);
        writer.Int64(entry.BalanceAfter);
        writer.Int64(entry.CreatedAt.Ticks);
        writer.Text(entry.Kind);
        writer.Optional(entry.Category);
        writer.Optional(entry.Subject);
        writer.Optional(entry.Reference);
        writer.Optional(entry.IdempotencyKey);
        writer.Optional(entry.IdempotencyScope);
        writer.Optional(entry.IdempotencyFingerprint);
        writer.Map(entry.Details);
        writer.Map(entry.Metadata);
        return writer.Position;
    }

    /// <summary>Reads one entry from the start of <paramref name="source"/>; <paramref name="consumed"/> is its length.</summary>
    public static LedgerEntry Read(ReadOnlySpan<byte> source, out int consumed)
    {
        var reader = new SpanReader(source);
        var entry = new LedgerEntry
        {
            Id = reader.Int64(),
            AccountId = reader.Text(),
            Amount = reader.Int64(),
            BalanceBefore = reader.Int64(),
            BalanceAfter = reader.Int64(),
            CreatedAt = new DateTime(reader.Int64(), DateTimeKind.Utc),
            Kind = reader.Text(),
            Category = reader.Optional(),
            Subject = reader.Optional(),
            Reference = reader.Optional(),
            IdempotencyKey = reader.Optional(),
            IdempotencyScope = reader.Optional(),
            IdempotencyFingerprint = reader.Optional(),
            Details = reader.Map(),
            Metadata = reader.Map(),
        };
        consumed = reader.Position;
        return entry;
    }

    /// <summary>The amount of the encoded entry, read without decoding the rest (what an audit sums).</summary>
    public static long ReadAmount(ReadOnlySpan<byte> source)
    {
        var reader = new SpanReader(source);
        reader.Skip(8);
        reader.SkipText(); // account
        return reader.Int64();
    }

    /// <summary>What filters and sums look at, read in place: nothing is decoded or allocated.</summary>
    public static EntryFacets ReadFacets(ReadOnlySpan<byte> source)
    {
        var reader = new SpanReader(source);
        reader.Skip(8);
        reader.SkipText(); // account
        var amount = reader.Int64();
        reader.Skip(16); // balances before and after
        var createdAtTicks = reader.Int64();
        var kind = reader.TextBytes();
        var category = reader.OptionalBytes(out var hasCategory);
        var subject = reader.OptionalBytes(out var hasSubject);
        return new EntryFacets(amount, createdAtTicks, kind, hasCategory, category, hasSubject, subject);
    }

    /// <summary>Bytes <see cref="WriteList"/> needs: an int32 count, then each entry.</summary>
    public static int MeasureList(IReadOnlyList<LedgerEntry> entries)
    {
        var size = 4;
        for (var i = 0; i < entries.Count; i++) // not foreach: the interface would box the enumerator
        {
            size += Measure(entries[i]);
        }

        return size;
    }

    /// <summary>Writes an int32 count, then each entry; returns the bytes written.</summary>
    public static int WriteList(IReadOnlyList<LedgerEntry> entries, Span<byte> destination)
    {
        BinaryPrimitives.WriteInt32LittleEndian(destination, entries.Count);
        var position = 4;
        for (var i = 0; i < entries.Count; i++)
        {
            position += Write(entries[i], destination[position..]);
        }

        return position;
    }

    /// <summary>Reads what <see cref="WriteList"/> wrote; <paramref name="consumed"/> is its length.</summary>
    public static List<LedgerEntry> ReadList(ReadOnlySpan<byte> source, out int consumed)
    {
        var count = BinaryPrimitives.ReadInt32LittleEndian(source);
        var entries = new List<LedgerEntry>(count);
        consumed = 4;
        for (var i = 0; i < count; i++)
        {
            entries.Add(Read(source[consumed..], out var length));
            consumed += length;
        }

        return entries;
    }

    /// <summary>
    /// Whether the encoded entry claimed <paramref name="key"/> in <paramref name="scope"/>, comparing
    /// the stored bytes without decoding the entry.
    /// </summary>
    public static bool Claims(ReadOnlySpan<byte> source, string scope, string key)
    {
        var reader = new SpanReader(source);
        reader.Skip(8);
        reader.SkipText(); // account
        reader.Skip(8 * 4);
        reader.SkipText(); // kind
        reader.SkipOptional(); // category
        reader.SkipOptional(); // subject
        reader.SkipOptional(); // reference
        return reader.OptionalEquals(key) && reader.OptionalEquals(scope);
    }

    private static int LengthPrefixSize(int length)
    {
        var size = 1;
        for (var rest = (uint)length >> 7; rest != 0; rest >>= 7)
        {
            size++;
        }

        return size;
    }

    private ref struct SpanWriter(Span<byte> buffer)
    {
        private readonly Span<byte> _buffer = buffer;

        public int Position { get; private set; }

        public void Int64(long value)
        {
            BinaryPrimitives.WriteInt64LittleEndian(_buffer[Position..], value);
            Position += 8;
        }

        public void Text(string value)
        {
            var length = Utf8.GetByteCount(value);
            for (var rest = (uint)length; ; rest >>= 7)
            {
                if (rest < 0x80)
                {
                    _buffer[Position++] = (byte)rest;
                    break;
                }

                _buffer[Position++] = (byte)(rest | 0x80);
            }

            Position += Utf8.GetBytes(value, _buffer[Position..]);
        }

        public void Optional(string? value)
        {
            _buffer[Position++] = value is null ? (byte)0 : (byte)1;
            if (value is not null)
            {
                Text(value);
            }
        }

        public void Map(Dictionary<string, string>? map)
        {
            BinaryPrimitives.WriteInt32LittleEndian(_buffer[Position..], map?.Count ?? -1);
            Position += 4;
            if (map is null)
            {
                return;
            }

            foreach (var (key, value) in map)
            {
                Text(key);
                Text(value);
            }
        }
    }

    private ref struct SpanReader(ReadOnlySpan<byte> buffer)
    {
        private readonly ReadOnlySpan<byte> _buffer = buffer;

        public int Position { get; private set; }

        public void Skip(int bytes) => Position += bytes;

        public long Int64()
        {
            var value = BinaryPrimitives.ReadInt64LittleEndian(_buffer[Position..]);
            Position += 8;
            return value;
        }

        public string Text() => Utf8.GetString(TextBytes());

        public void SkipText() => TextBytes();

        public string? Optional() => _buffer[Position++] == 0 ? null : Text();

        public void SkipOptional()
        {
            if (_buffer[Position++] != 0)
            {
                SkipText();
            }
        }

        /// <summary>Reads an optional string and tells whether it is present and equal to <paramref name="expected"/>.</summary>
        public bool OptionalEquals(string expected)
        {
            if (_buffer[Position++] == 0)
            {
                return false;
            }

            var stored = TextBytes();
            if (Utf8.GetByteCount(expected) != stored.Length)
            {
                return false;
            }

            var encoded = stored.Length <= 256 ? stackalloc byte[stored.Length] : new byte[stored.Length];
            Utf8.GetBytes(expected, encoded);
            return encoded.SequenceEqual(stored);
        }

        public Dictionary<string, string>? Map()
        {
            var count = BinaryPrimitives.ReadInt32LittleEndian(_buffer[Position..]);
            Position += 4;
            if (count < 0)
            {
                return null;
            }

            var map = new Dictionary<string, string>(count, StringComparer.Ordinal);
            for (var i = 0; i < count; i++)
            {
                var key = Text();
                map[key] = Text();
            }

            return map;
        }

        /// <summary>An optional string's UTF-8 bytes, in place; <paramref name="present"/> tells an absent one from an empty one.</summary>
        public ReadOnlySpan<byte> OptionalBytes(out bool present)
        {
            present = _buffer[Position++] != 0;
            return present ? TextBytes() : default;
        }

        public ReadOnlySpan<byte> TextBytes()
        {
            var length = 0;
            for (var shift = 0; ; shift += 7)
            {
                if (shift > 28)
                {
                    throw new InvalidDataException("A ledger entry holds a malformed string length.");
                }

                var part = _buffer[Position++];
                length |= (part & 0x7F) << shift;
                if (part < 0x80)
                {
                    break;
                }
            }

            var bytes = _buffer.Slice(Position, length);
            Position += length;
            return bytes;
        }
    }
}

/// <summary>An encoded entry's amount, time and labels (UTF-8, in place); an absent label is told apart from an empty one.</summary>
internal readonly ref struct EntryFacets(long amount, long createdAtTicks, ReadOnlySpan<byte> kind, bool hasCategory, ReadOnlySpan<byte> category, bool hasSubject, ReadOnlySpan<byte> subject)
{
    public long Amount { get; } = amount;

    public long CreatedAtTicks { get; } = createdAtTicks;

    public ReadOnlySpan<byte> Kind { get; } = kind;

    public bool HasCategory { get; } = hasCategory;

    public ReadOnlySpan<byte> Category { get; } = category;

    public bool HasSubject { get; } = hasSubject;

    public ReadOnlySpan<byte> Subject { get; } = subject;
}
