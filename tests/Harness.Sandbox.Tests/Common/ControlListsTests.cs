using Harness.Sandbox.Control;
using Harness.Sandbox.Dashboard;

namespace Harness.Sandbox.Tests.Common;

/// <summary>How a list is read a page at a time through a filter, and where the next page starts.</summary>
public sealed class ControlListsTests
{
    private static readonly IReadOnlyList<Item> Items = [.. Enumerable.Range(1, 12_000).Select(n => new Item(n))];

    [Fact]
    public void A_filter_that_matches_nothing_reads_the_whole_list_without_a_scan_limit()
    {
        var reads = 0;
        var (items, resumeAfter) = ControlLists.Read(Counting(() => reads++), null, i => i.Number < 0, size: 50);

        Assert.Empty(items);
        Assert.Null(resumeAfter);
        Assert.Equal(13, reads);
    }

    [Fact]
    public void With_a_scan_limit_a_short_page_stops_early_and_the_next_page_starts_after_the_last_item_read()
    {
        var (items, resumeAfter) = ControlLists.Read(Counting(() => { }), null, i => i.Number % 800 == 0, size: 50, DashboardPages.ScanLimit);
        Assert.Equal([800], items.Select(i => i.Number));
        Assert.Equal(DashboardPages.ScanLimit, resumeAfter!.Number);

        var found = new List<int>();
        var pages = 0;
        Item? after = null;
        do
        {
            (items, after) = ControlLists.Read(Counting(() => { }), after, i => i.Number % 800 == 0, size: 50, DashboardPages.ScanLimit);
            found.AddRange(items.Select(i => i.Number));
            pages++;
        }
        while (after is not null);

        Assert.Equal(Enumerable.Range(1, 15).Select(n => n * 800), found);
        Assert.Equal((Items.Count / DashboardPages.ScanLimit) + 1, pages); // a whole last read cannot tell that nothing follows
    }

    [Fact]
    public void A_full_page_resumes_after_its_last_item_and_a_last_page_says_nothing_follows()
    {
        var (page, resumeAfter) = ControlLists.Read(Counting(() => { }), null, i => i.Number % 2 == 0, size: 50, DashboardPages.ScanLimit);
        Assert.Equal(Enumerable.Range(1, 50).Select(n => n * 2), page.Select(i => i.Number));
        Assert.Same(page[^1], resumeAfter);

        var (tail, end) = ControlLists.Read(Counting(() => { }), Items[^11], null, size: 50);
        Assert.Equal(Enumerable.Range(11_991, 10), tail.Select(i => i.Number));
        Assert.Null(end);
        var (exact, none) = ControlLists.Read(Counting(() => { }), Items[^51], null, size: 50);
        Assert.Equal(50, exact.Count);
        Assert.Null(none);
    }

    private static Func<Item?, int, IReadOnlyList<Item>> Counting(Action onRead)
    {
        var reader = ControlLists.Reader(Items);
        return (after, count) =>
        {
            onRead();
            return reader(after, count);
        };
    }

    private sealed record Item(int Number);
}
