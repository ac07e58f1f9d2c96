using Harness.Load.Soak;

namespace Harness.Load.Tests;

/// <summary>Issue #30's rule: RSS is flat when the last ten samples are within 10 % of the tenth.</summary>
public sealed class SoakVerdictTests
{
    private const long Mb = 1_048_576;

    [Fact]
    public void Rss_that_settles_and_stays_within_ten_percent_is_flat()
    {
        // Grows while it warms up, then wobbles by under 10 % of the tenth sample.
        var soak = Soak([.. Enumerable.Range(0, 20).Select(i => i < 9 ? (100 + (i * 10)) * Mb : (i % 2 == 0 ? 200 : 215) * Mb)]);

        Assert.True(soak.RssFlat);
        Assert.StartsWith("RSS flat: yes", soak.RssVerdict(), StringComparison.Ordinal);
    }

    [Fact]
    public void Rss_that_keeps_growing_is_not_flat_and_the_verdict_says_by_how_much()
    {
        var soak = Soak([.. Enumerable.Range(0, 20).Select(i => (200 + (i * 5)) * Mb)]); // the tenth is 245 MB; the last 295 MB

        Assert.False(soak.RssFlat);
        Assert.Equal("RSS flat: NO, 6 of the last ten samples are more than 10 % from the tenth (245.0 MB), up to 295.0 MB", soak.RssVerdict());
    }

    [Fact]
    public void Fewer_than_twenty_samples_are_not_judged()
    {
        var soak = Soak([.. Enumerable.Repeat(100 * Mb, 19)]);

        Assert.Null(soak.RssFlat);
        Assert.Equal("RSS flat: not enough samples (19 of the 20 the rule needs)", soak.RssVerdict());
    }

    [Fact]
    public void Rss_the_runner_could_not_read_is_not_judged()
    {
        var soak = new SoakResult(100, "given", TimeSpan.FromMinutes(1), [.. Enumerable.Range(0, 25).Select(i => Sample(i, null))], []);

        Assert.Null(soak.RssFlat);
        Assert.Contains("not measured", soak.RssVerdict(), StringComparison.Ordinal);
    }

    private static SoakResult Soak(IReadOnlyList<long> rss) =>
        new(100, "given", TimeSpan.FromMinutes(1), [.. rss.Select((bytes, i) => Sample(i, bytes))], []);

    private static SoakSample Sample(int index, long? rss) => new((index + 1) * 60, rss, index * 6_000, index * 6_000, 1.2, 4.5, 0, 10 * Mb, 50 * Mb);

    [Theory]
    [InlineData(5, "0:05")]
    [InlineData(59.4, "0:59")]
    [InlineData(59.6, "1:00")] // rounded before it is split: never "0:60"
    [InlineData(239.7, "4:00")]
    [InlineData(1800, "30:00")]
    public void A_sample_time_is_minutes_and_whole_seconds(double seconds, string shown) =>
        Assert.Equal(shown, SoakProbe.Elapsed(seconds));
}
