namespace Harness.Ledger.Tests;

/// <summary>
/// The entry layout the store keeps and the old journal wrote: string lengths of one to four bytes,
/// absent and empty fields kept apart, lists of entries, the key comparison, and damaged bytes refused.
/// </summary>
public sealed class EntryCodecTests
{
    [Theory]
    [InlineData(127)] // the longest length that takes one byte
    [InlineData(128)]
    [InlineData(16_383)]
    [InlineData(16_384)] // three bytes
    [InlineData(2_097_152)] // four bytes
    public void Strings_of_every_length_prefix_size_are_measured_written_and_read_back_exactly(int length)
    {
        var entry = Entry();
        entry.Reference = new string('r', length);
        entry.Details = new(StringComparer.Ordinal) { [new string('k', length)] = "v" };

        RoundTrip(entry, out var decoded);

        Assert.Equivalent(entry, decoded, strict: true);
    }

    [Fact]
    public void Absent_and_empty_fields_stay_apart()
    {
        var withEmpty = Entry();
        withEmpty.Category = "";
        withEmpty.Details = new(StringComparer.Ordinal);
        withEmpty.Metadata = new(StringComparer.Ordinal);
        var withNone = Entry();

        RoundTrip(withEmpty, out var empty);
        RoundTrip(withNone, out var none);

        Assert.Equal("", empty.Category);
        Assert.NotNull(empty.Details);
        Assert.Empty(empty.Details);
        Assert.NotNull(empty.Metadata);
        Assert.Empty(empty.Metadata);
        Assert.Null(none.Category);
        Assert.Null(none.Details);
        Assert.Null(none.Metadata);
    }

    [Fact]
    public void A_list_of_entries_is_a_count_and_each_entry_in_order()
    {
        var first = Entry();
        first.Id = 1;
        first.Metadata = new(StringComparer.Ordinal) { ["a"] = "1" };
        var second = Entry();
        second.Id = 2;
        second.IdempotencyKey = "k";
        second.IdempotencyScope = "s";
        LedgerEntry[] entries = [first, second];

        var bytes = new byte[LedgerEntryCodec.MeasureList(entries) + 3]; // room to spare: the count says where it ends
        var written = LedgerEntryCodec.WriteList(entries, bytes);
        var read = LedgerEntryCodec.ReadList(bytes, out var consumed);

        Assert.Equal(4 + Encoded(first).Length + Encoded(second).Length, written);
        Assert.Equal(LedgerEntryCodec.MeasureList(entries), written);
        Assert.Equal(written, consumed);
        Assert.Equivalent(entries, read, strict: true);
        Assert.Empty(LedgerEntryCodec.ReadList(new byte[4], out consumed));
        Assert.Equal(4, consumed);
    }

    [Fact]
    public void An_entry_without_a_key_claims_none_and_one_with_a_key_claims_only_its_own()
    {
        var unkeyed = Entry();
        var keyed = Entry();
        keyed.Category = "TOKEN";
        keyed.Subject = "chat";
        keyed.Reference = "biz-1";
        keyed.IdempotencyKey = "k1";
        keyed.IdempotencyScope = "scope";

        Assert.False(LedgerEntryCodec.Claims(Encoded(unkeyed), "scope", "k1"));
        Assert.True(LedgerEntryCodec.Claims(Encoded(keyed), "scope", "k1"));
        Assert.False(LedgerEntryCodec.Claims(Encoded(keyed), "scope", "k11"));
        Assert.False(LedgerEntryCodec.Claims(Encoded(keyed), "scope", "k2"));
        Assert.False(LedgerEntryCodec.Claims(Encoded(keyed), "scope2", "k1"));
    }

    [Fact]
    public void A_string_length_of_more_than_five_bytes_is_refused_as_damage()
    {
        var bytes = Encoded(Entry());
        bytes.AsSpan(8, 5).Fill(0xFF); // the account's length: every byte says another follows

        var error = Assert.Throws<InvalidDataException>(() => LedgerEntryCodec.Read(bytes, out _));

        Assert.Equal("A ledger entry holds a malformed string length.", error.Message);
    }

    private static LedgerEntry Entry() => new()
    {
        Id = 7,
        AccountId = "a",
        Amount = -3,
        BalanceBefore = 10,
        BalanceAfter = 7,
        CreatedAt = new DateTime(2026, 11, 23, 8, 0, 0, DateTimeKind.Utc),
        Kind = "consume",
    };

    private static byte[] Encoded(LedgerEntry entry)
    {
        var bytes = new byte[LedgerEntryCodec.Measure(entry)];
        LedgerEntryCodec.Write(entry, bytes);
        return bytes;
    }

    /// <summary>Writes and reads the entry, checking that the measure, the write and the read agree on its length.</summary>
    private static void RoundTrip(LedgerEntry entry, out LedgerEntry decoded)
    {
        var bytes = new byte[LedgerEntryCodec.Measure(entry)];
        var written = LedgerEntryCodec.Write(entry, bytes);
        decoded = LedgerEntryCodec.Read(bytes, out var consumed);
        Assert.Equal(bytes.Length, written);
        Assert.Equal(bytes.Length, consumed);
    }
}
