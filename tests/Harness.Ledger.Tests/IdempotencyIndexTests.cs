namespace Harness.Ledger.Tests;

/// <summary>
/// The live-key index on its own: which claims count as live at the boundary of the retention, what a
/// purge keeps, and how large the table it rebuilds is (twice the live keys, at least 1024 slots).
/// </summary>
public sealed class IdempotencyIndexTests
{
    private static readonly DateTime Start = new(2026, 11, 23, 8, 0, 0, DateTimeKind.Utc);

    private readonly EntryArena _arena = new();
    private readonly IdempotencyIndex _index;

    public IdempotencyIndexTests()
    {
        _index = new IdempotencyIndex(_arena);
        _arena.Append(new LedgerEntry { AccountId = "a", Kind = "credit" }); // so no claim sits at position 0, which a miss answers
    }

    [Fact]
    public void A_key_is_found_only_when_claimed_after_the_cut_off_asked_for()
    {
        var position = Claim("s", "k", Start);

        Assert.True(_index.TryFind("s", "k", Start.AddTicks(-1), out var found));
        Assert.Equal(position, found);
        Assert.False(_index.TryFind("s", "k", Start, out found)); // claimed exactly at the cut-off: expired
        Assert.Equal(0, found);
    }

    [Fact]
    public void A_newer_claim_of_a_key_is_found_past_an_expired_one()
    {
        Claim("s", "k", Start);
        var newer = Claim("s", "k", Start.AddHours(2));

        Assert.True(_index.TryFind("s", "k", Start.AddHours(1), out var found));
        Assert.Equal(newer, found);
    }

    [Fact]
    public void A_key_without_a_claim_or_in_another_scope_is_not_found()
    {
        Claim("s", "k", Start);
        Claim("t", "other", Start);

        Assert.False(_index.TryFind("s", "other", DateTime.MinValue, out _));
        Assert.False(_index.TryFind("t", "k", DateTime.MinValue, out _));
        Assert.False(_index.TryFind("s", "k2", DateTime.MinValue, out _));
    }

    [Fact]
    public void A_purge_forgets_keys_claimed_at_or_before_the_cut_off_and_keeps_the_later_ones()
    {
        var positions = Enumerable.Range(0, 20).Select(i => Claim("s", $"k{i}", Start.AddMilliseconds(i))).ToArray();

        _index.ForgetClaimedBefore(Start.AddMilliseconds(9));

        for (var i = 0; i < positions.Length; i++)
        {
            // The purge is what forgets: the look-up itself asks for no cut-off.
            Assert.Equal(i >= 10, _index.TryFind("s", $"k{i}", DateTime.MinValue, out var found));
            Assert.Equal(i >= 10 ? positions[i] : 0, found);
        }
    }

    [Theory]
    [InlineData(0, 1024)] // never below 1024 slots
    [InlineData(511, 1024)] // 2 × 511 + 1 = 1023 fits in 1024
    [InlineData(512, 2048)] // 2 × 512 + 1 = 1025 does not
    [InlineData(1500, 4096)]
    public void A_purge_rebuilds_the_table_at_twice_the_live_keys_rounded_up_to_a_power_of_two(int live, int capacity)
    {
        // 300 keys expire, one of them claimed exactly at the cut-off; the live ones were claimed after it.
        var cutoff = Start.AddMilliseconds(299);
        for (var i = 0; i < 300 + live; i++)
        {
            Claim("s", $"k{i}", Start.AddMilliseconds(i));
        }

        _index.ForgetClaimedBefore(cutoff);

        Assert.Equal(capacity, _index.Capacity);
        Assert.False(_index.TryFind("s", "k299", DateTime.MinValue, out _));
        Assert.Equal(live > 0, _index.TryFind("s", "k300", DateTime.MinValue, out _));
        Assert.Equal(live > 0, _index.TryFind("s", $"k{299 + live}", DateTime.MinValue, out _));
    }

    [Fact]
    public void A_table_three_quarters_full_has_been_replaced_by_one_twice_as_large()
    {
        for (var i = 0; i < 769; i++)
        {
            Claim("s", $"k{i}", Start);
        }

        // The 769th key found 768 in 1024 slots: the writer waited for the grown table.
        Assert.Equal(2048, _index.Capacity);
        Assert.All(Enumerable.Range(0, 769), i => Assert.True(_index.TryFind("s", $"k{i}", DateTime.MinValue, out _), $"k{i}"));
    }

    [Fact]
    public void A_purge_while_the_table_grows_does_not_bring_the_expired_keys_back()
    {
        for (var i = 0; i < 513; i++)
        {
            Claim("s", $"k{i}", Start.AddMilliseconds(i)); // the 513th starts a grown table aside
        }

        _index.ForgetClaimedBefore(Start.AddMilliseconds(99));
        for (var i = 513; i < 913; i++)
        {
            Claim("s", $"k{i}", Start.AddMilliseconds(i)); // enough to make the writer publish any table still growing
        }

        Assert.All(Enumerable.Range(0, 913), i => Assert.Equal(i >= 100, _index.TryFind("s", $"k{i}", DateTime.MinValue, out _)));
    }

    [Fact]
    public void A_key_claimed_again_while_the_table_grows_is_found_by_its_newer_claim()
    {
        var positions = new long[613];
        for (var i = 0; i < 513; i++)
        {
            positions[i] = Claim("s", $"k{i}", Start); // the 513th starts a grown table aside
        }

        // The first hundred keys expire and are claimed again, while the grown table is being built.
        for (var i = 513; i < 613; i++)
        {
            positions[i] = Claim("s", $"k{i - 513}", Start.AddHours(2));
        }

        _index.ForgetClaimedBefore(Start.AddHours(1));

        for (var i = 0; i < 100; i++)
        {
            Assert.True(_index.TryFind("s", $"k{i}", DateTime.MinValue, out var found), $"k{i}");
            Assert.Equal(positions[513 + i], found);
        }
    }

    [Fact]
    public void A_key_longer_than_256_bytes_is_found_and_told_apart_from_one_that_differs_in_its_last_byte()
    {
        var key = new string('k', 300) + "1";
        var position = Claim("s", key, Start);

        Assert.True(_index.TryFind("s", key, DateTime.MinValue, out var found));
        Assert.Equal(position, found);
        Assert.False(_index.TryFind("s", new string('k', 300) + "2", DateTime.MinValue, out _));
    }

    /// <summary>Appends an entry claiming the key, as the ledger's writer does, and adds the claim.</summary>
    private long Claim(string scope, string key, DateTime claimedAt)
    {
        var position = _arena.Append(new LedgerEntry { AccountId = "a", Kind = "consume", CreatedAt = claimedAt, IdempotencyScope = scope, IdempotencyKey = key });
        _index.Add(scope, key, position, claimedAt);
        return position;
    }
}
