using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Harness.NewApi;

/// <summary>
/// Upstream's <c>CriticalRateLimit</c> on redeem and every pay route, with ASP.NET Core's rate limiter: per client
/// IP, <c>CRITICAL_RATE_LIMIT</c> requests (20) per <c>CRITICAL_RATE_LIMIT_DURATION</c> seconds (1200) in a sliding
/// window; over it, 429 with an empty body. The limiter runs after the guards, so auth is answered first, as upstream.
/// </summary>
public static class CriticalRateLimit
{
    public const string Policy = "critical";

    /// <summary>Segments of the sliding window: upstream keeps a log of request times; 20 segments come close.</summary>
    private const int Segments = 20;

    public static IServiceCollection AddCriticalRateLimit(this IServiceCollection services) =>
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(Policy, http =>
            {
                var options = http.RequestServices.GetRequiredService<IOptions<NewApiOptions>>().Value;
                var client = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
                return !options.CriticalRateLimitEnabled || options.CriticalRateLimit <= 0
                    ? RateLimitPartition.GetNoLimiter(client)
                    : RateLimitPartition.GetSlidingWindowLimiter(client, _ => new SlidingWindowRateLimiterOptions
                    {
                        PermitLimit = options.CriticalRateLimit,
                        Window = TimeSpan.FromSeconds(Math.Max(1, options.CriticalRateLimitDurationSeconds)),
                        SegmentsPerWindow = Segments,
                        QueueLimit = 0,
                    });
            });
        });

    public static TBuilder RequireCriticalRateLimit<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.RequireRateLimiting(Policy);
}
