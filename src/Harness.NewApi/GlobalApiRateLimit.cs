using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Harness.NewApi;

/// <summary>
/// Upstream's <c>GlobalAPIRateLimit</c> on every <c>/api</c> route (new-api.md §1.4), with the same limiter as
/// <see cref="CriticalRateLimit"/>: per client IP, <c>GLOBAL_API_RATE_LIMIT</c> requests (360) per
/// <c>GLOBAL_API_RATE_LIMIT_DURATION</c> seconds (180) in a sliding window; over it, 429 with an empty body.
/// Upstream runs it on the router group before auth, so it is a middleware ahead of the guards here too
/// (ASP.NET's rate-limiting middleware runs after them).
/// </summary>
public static class GlobalApiRateLimit
{
    /// <summary>Segments of the sliding window, as the critical limit's.</summary>
    private const int Segments = 20;

    public static IServiceCollection AddGlobalApiRateLimit(this IServiceCollection services) =>
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<NewApiOptions>>().Value;
            return new Limiter(PartitionedRateLimiter.Create<HttpContext, string>(http =>
            {
                // Partitions are cached by key, so the unlimited one must not share a client's key.
                return !options.GlobalApiRateLimitEnabled || options.GlobalApiRateLimit <= 0 || !http.Request.Path.StartsWithSegments("/api")
                    ? RateLimitPartition.GetNoLimiter("")
                    : RateLimitPartition.GetSlidingWindowLimiter(http.Connection.RemoteIpAddress?.ToString() ?? "unknown", _ => new SlidingWindowRateLimiterOptions
                    {
                        PermitLimit = options.GlobalApiRateLimit,
                        Window = TimeSpan.FromSeconds(Math.Max(1, options.GlobalApiRateLimitDurationSeconds)),
                        SegmentsPerWindow = Segments,
                        QueueLimit = 0,
                    });
            }));
        });

    public static WebApplication UseGlobalApiRateLimit(this WebApplication app)
    {
        var limiter = app.Services.GetRequiredService<Limiter>().Partitions;
        app.Use(async (http, next) =>
        {
            using var lease = limiter.AttemptAcquire(http);
            if (!lease.IsAcquired)
            {
                http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                return;
            }

            await next(http);
        });
        return app;
    }

    /// <summary>The limiter under a type of its own, so no other service that asks for a framework limiter is handed it.</summary>
    private sealed class Limiter(PartitionedRateLimiter<HttpContext> partitions) : IDisposable
    {
        public PartitionedRateLimiter<HttpContext> Partitions { get; } = partitions;

        public void Dispose() => Partitions.Dispose();
    }
}
