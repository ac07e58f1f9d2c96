using System.Net.Http.Headers;

namespace Harness.Conformance.Targets;

/// <summary>
/// Lets time pass on a target whose clock the runner moves. The profile's admin and user are the operator's
/// standing sessions, which idle out after 24 h: a span of an hour or more is taken in steps of at most 12 h,
/// each followed by a request of both (as an operator's sessions stay in use), so that one scenario's long
/// waits do not sign the operator out of the next. A scenario's own users are not touched.
/// </summary>
public static class MovableClock
{
    public static readonly TimeSpan Step = TimeSpan.FromHours(12);

    /// <summary>Shorter spans are moved in one go, without requests (a scenario's "1 second passes").</summary>
    public static readonly TimeSpan KeepAliveFrom = TimeSpan.FromHours(1);

    /// <summary>Lets <paramref name="duration"/> pass on a target through its test clock (the profile's <c>testClockUrl</c>).</summary>
    public static async Task LetTimePassByUrlAsync(TimeSpan duration, IConformanceTarget target, CancellationToken cancellationToken)
    {
        var clock = Uri.TryCreate(target.Profile.TestClockUrl, UriKind.Absolute, out var url) ? url
            : throw new ArgumentException($"testClockUrl '{target.Profile.TestClockUrl}' is not an absolute URL.");
        using var client = new HttpClient(target.Handler, disposeHandler: false) { BaseAddress = target.BaseAddress };
        if (duration < KeepAliveFrom)
        {
            await AdvanceByUrlAsync(client, clock, duration, cancellationToken);
            return;
        }

        for (var left = duration; left > TimeSpan.Zero; left -= Step)
        {
            await AdvanceByUrlAsync(client, clock, left < Step ? left : Step, cancellationToken);
            foreach (var token in new[] { target.Profile.AdminJwt, target.Profile.UserJwt }.Where(t => !string.IsNullOrEmpty(t)))
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/auth/me", UriKind.Relative));
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                using var response = await client.SendAsync(request, cancellationToken);
            }
        }
    }

    /// <summary>
    /// The test-clock contract: <c>POST {testClockUrl}</c> with <c>{"seconds": N}</c> and no credentials (a run
    /// that lets a week pass outlives every token); any 2xx means the target's clock has moved.
    /// </summary>
    public static async Task AdvanceByUrlAsync(HttpClient client, Uri testClockUrl, TimeSpan by, CancellationToken cancellationToken)
    {
        var seconds = (long)Math.Ceiling(by.TotalSeconds);
        using var request = new HttpRequestMessage(HttpMethod.Post, testClockUrl)
        {
            Content = new StringContent($$"""{"seconds":{{seconds}}}""", System.Text.Encoding.UTF8, "application/json"),
        };
        using var response = await client.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new InvalidOperationException(
                $"The test clock at {testClockUrl} refused to advance {seconds} s: HTTP {(int)response.StatusCode} {body}");
        }
    }
}
