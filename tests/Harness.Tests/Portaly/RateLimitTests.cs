using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Harness.Portaly;

namespace Harness.Tests.Portaly;

/// <summary>Per key and kind, in one-minute windows: 120 reads, 20 writes, 10 key creations unless configured; 429 with Retry-After past them.</summary>
public sealed class RateLimitTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_twenty_first_write_of_a_key_is_refused_with_429_and_Retry_After_while_reads_and_the_other_key_go_on()
    {
        await using var app = new PortalyTestApp();
        using var live = app.Live();
        using var test = app.Test();

        for (var i = 1; i <= RateLimits.Writes; i++)
        {
            using var written = await live.PutAsJsonAsync(PortalyHttp.Base + "/config", new { brandDescription = $"write {i}" }, Ct);
            Assert.Equal(HttpStatusCode.OK, written.StatusCode);
            Assert.Equal("20", written.Headers.GetValues("X-RateLimit-Limit").Single());
            Assert.Equal((RateLimits.Writes - i).ToString(System.Globalization.CultureInfo.InvariantCulture), written.Headers.GetValues("X-RateLimit-Remaining").Single());
            var reset = long.Parse(written.Headers.GetValues("X-RateLimit-Reset").Single(), System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(reset - DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 0, 61);
        }

        using var refused = await live.PutAsJsonAsync(PortalyHttp.Base + "/config", new { brandDescription = "one too many" }, Ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var retryAfter = int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 60);
        Assert.Equal("0", refused.Headers.GetValues("X-RateLimit-Remaining").Single());
        var body = JsonNode.Parse(await refused.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal($"Rate limit exceeded. Try again in {retryAfter} seconds.", body["error"]!.GetValue<string>());

        // Reads are counted apart, and so is every other key.
        using var read = await live.GetAsync(PortalyHttp.Base + "/config", Ct);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("120", read.Headers.GetValues("X-RateLimit-Limit").Single());
        Assert.Equal("119", read.Headers.GetValues("X-RateLimit-Remaining").Single());
        using var other = await test.PutAsJsonAsync(PortalyHttp.Base + "/config", new { brandDescription = "another key" }, Ct);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task Reads_stop_at_120_and_a_request_without_a_valid_key_is_answered_401_uncounted()
    {
        await using var app = new PortalyTestApp();
        using var live = app.Live();
        using var stranger = app.With("pcs_live_not_a_key");

        for (var i = 0; i < 5; i++)
        {
            using var unknown = await stranger.GetAsync(PortalyHttp.Base + "/plans", Ct);
            Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
            Assert.False(unknown.Headers.Contains("X-RateLimit-Limit"));
        }

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i <= RateLimits.Reads; i++)
        {
            using var read = await live.GetAsync(PortalyHttp.Base + "/plans", Ct);
            statuses.Add(read.StatusCode);
        }

        Assert.Equal(RateLimits.Reads, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
    }

    [Fact]
    public async Task Key_creations_stop_at_10_per_admin_token()
    {
        await using var app = new PortalyTestApp();
        using var admin = app.Admin();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i <= RateLimits.KeyCreations; i++)
        {
            using var created = await admin.PostAsJsonAsync(PortalyHttp.Base + "/api-keys", new { profileId = "demo-profile", mode = "test" }, Ct);
            statuses.Add(created.StatusCode);
        }

        Assert.Equal(RateLimits.KeyCreations, statuses.Count(s => s == HttpStatusCode.Created));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
    }

    [Fact]
    public async Task Configured_limits_apply_two_writes_then_429_and_reads_at_their_own_figure()
    {
        await using var app = new PortalyTestApp(settings: new Dictionary<string, string?>
        {
            ["Portaly:RateLimits:WritesPerMinute"] = "2",
            ["Portaly:RateLimits:ReadsPerMinute"] = "5",
        });
        using var live = app.Live();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var written = await live.PutAsJsonAsync(PortalyHttp.Base + "/config", new { brandDescription = $"write {i}" }, Ct);
            statuses.Add(written.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        using var read = await live.GetAsync(PortalyHttp.Base + "/config", Ct);
        Assert.Equal("5", read.Headers.GetValues("X-RateLimit-Limit").Single());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("many")]
    public void A_limit_that_is_not_a_positive_whole_number_stops_the_start(string value)
    {
        var directory = TempDirectory.Create("portaly-limits");
        try
        {
            var error = Assert.Throws<InvalidOperationException>(() => new PortalyTestApp(directory, new Dictionary<string, string?> { ["Portaly:RateLimits:WritesPerMinute"] = value }));

            Assert.Equal($"Portaly:RateLimits:WritesPerMinute must be a positive whole number, got '{value}'.", error.Message);
        }
        finally
        {
            TempDirectory.TryDelete(directory);
        }
    }
}
