namespace Harness.Ledger.Tests;

/// <summary>
/// Records and summaries as the in-memory view answers them: newest first, each filter on its own,
/// the time range with its start included and its end excluded, and the edges of a page.
/// </summary>
public sealed class ReadModelTests
{
    private static readonly DateTime Start = new(2026, 11, 23, 8, 0, 0, DateTimeKind.Utc);

    private readonly LedgerReadModel _view = new();

    public ReadModelTests()
    {
        // Five entries of account "a", a minute apart, and one of "b" in between.
        Add(1, "a", -1, "consume", "TOKEN", "chat", minute: 0);
        Add(2, "a", -2, "consume", "DURATION", "voice", minute: 1);
        Add(3, "b", -50, "consume", "TOKEN", "chat", minute: 1);
        Add(4, "a", 100, "recharge", null, null, minute: 2);
        Add(5, "a", -4, "consume", "TOKEN", "voice", minute: 3);
        Add(6, "a", -8, "consume", "TOKEN", "chat", minute: 4);
    }

    [Fact]
    public void A_query_lists_the_accounts_entries_newest_first()
    {
        var page = _view.Query(new LedgerQuery(new LedgerFilter("a"), 0, 10));

        Assert.Equal([6L, 5, 4, 2, 1], page.Items.Select(e => e.Id));
        Assert.Equal(5, page.Total);
    }

    [Theory]
    [InlineData(0, 2, new long[] { 6, 5 })]
    [InlineData(2, 2, new long[] { 4, 2 })]
    [InlineData(4, 2, new long[] { 1 })]
    [InlineData(5, 2, new long[0])]
    [InlineData(1, 0, new long[0])]
    [InlineData(0, int.MaxValue, new long[] { 6, 5, 4, 2, 1 })] // "everything" needs no room made for it up front
    public void A_page_skips_the_newest_entries_and_takes_at_most_its_size_and_the_total_counts_them_all(int skip, int take, long[] ids)
    {
        var page = _view.Query(new LedgerQuery(new LedgerFilter("a"), skip, take));

        Assert.Equal(ids, page.Items.Select(e => e.Id));
        Assert.Equal(5, page.Total);
    }

    [Fact]
    public void Each_label_filters_on_its_own()
    {
        Assert.Equal([6L, 5, 2, 1], Ids(new LedgerFilter("a") { Kind = "consume" }));
        Assert.Equal([6L, 5, 1], Ids(new LedgerFilter("a") { Category = "TOKEN" }));
        Assert.Equal([5L, 2], Ids(new LedgerFilter("a") { Subject = "voice" }));
        Assert.Equal([6L, 1], Ids(new LedgerFilter("a") { Category = "TOKEN", Subject = "chat" }));
        Assert.Empty(Ids(new LedgerFilter("a") { Kind = "recharge", Category = "TOKEN" }));
        Assert.Empty(Ids(new LedgerFilter("nobody")));
    }

    [Fact]
    public void A_time_range_includes_its_start_and_excludes_its_end()
    {
        Assert.Equal([5L, 4, 2], Ids(new LedgerFilter("a") { From = Start.AddMinutes(1), To = Start.AddMinutes(4) }));
        Assert.Equal([6L, 5], Ids(new LedgerFilter("a") { From = Start.AddMinutes(3) }));
        Assert.Equal([1L], Ids(new LedgerFilter("a") { To = Start.AddMinutes(1) }));
        Assert.Empty(Ids(new LedgerFilter("a") { From = Start.AddMinutes(2), To = Start.AddMinutes(2) }));
    }

    [Fact]
    public void A_summary_sums_and_counts_the_filtered_entries_by_category_and_by_subject()
    {
        var totals = _view.Summarise(new LedgerFilter("a") { Kind = "consume" });

        Assert.Equal(-15, totals.Amount);
        Assert.Equal(4, totals.Count);
        Assert.Equal([new LedgerGroupTotal("DURATION", -2, 1), new LedgerGroupTotal("TOKEN", -13, 3)], totals.ByCategory);
        Assert.Equal([new LedgerGroupTotal("chat", -9, 2), new LedgerGroupTotal("voice", -6, 2)], totals.BySubject);
    }

    [Fact]
    public void A_summary_over_a_time_range_counts_only_the_entries_in_it()
    {
        var totals = _view.Summarise(new LedgerFilter("a") { From = Start.AddMinutes(1), To = Start.AddMinutes(3) });

        Assert.Equal(98, totals.Amount);
        Assert.Equal(2, totals.Count);
        Assert.Equal([new LedgerGroupTotal("", 100, 1), new LedgerGroupTotal("DURATION", -2, 1)], totals.ByCategory);
    }

    [Fact]
    public void An_entry_larger_than_a_chunk_of_the_arena_is_kept_whole()
    {
        var large = new LedgerEntry
        {
            Id = 7,
            AccountId = "a",
            Kind = "consume",
            CreatedAt = Start.AddMinutes(5),
            Metadata = new(StringComparer.Ordinal) { ["blob"] = new string('x', 3 << 20) },
        };

        _view.Add(large, keysClaimedAfter: DateTime.MinValue);
        Add(8, "a", -1, "consume", null, null, minute: 6);

        var page = _view.Query(new LedgerQuery(new LedgerFilter("a"), 0, 2));
        Assert.Equal([8L, 7], page.Items.Select(e => e.Id));
        Assert.Equivalent(large, page.Items[1], strict: true);
    }

    private long[] Ids(LedgerFilter filter) => [.. _view.Query(new LedgerQuery(filter, 0, 100)).Items.Select(e => e.Id)];

    private void Add(long id, string account, long amount, string kind, string? category, string? subject, int minute) =>
        _view.Add(
            new LedgerEntry
            {
                Id = id,
                AccountId = account,
                Amount = amount,
                Kind = kind,
                Category = category,
                Subject = subject,
                CreatedAt = Start.AddMinutes(minute),
            },
            keysClaimedAfter: DateTime.MinValue);
}
