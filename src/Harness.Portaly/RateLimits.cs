using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.RateLimiting;
using Harness.Portaly.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Harness.Portaly;

/// <summary>
/// Portaly's per-key limits in fixed one-minute windows (portaly.md "Rate limits"), with ASP.NET Core's rate limiter:
/// by default 120 reads (GET) and 20 writes (any other method) per API key, 10 key creations per admin token
/// (<see cref="RateLimitSettings"/>). Every limited
/// answer carries <c>X-RateLimit-Limit</c>, <c>-Remaining</c> and <c>-Reset</c> (Unix seconds); over the limit, 429
/// with <c>Retry-After</c>. The guards run first, so a request without a valid key is answered 401, not counted. A route
/// that must not be limited (checkout-session creation) opts out with <c>DisableRateLimiting()</c>.
/// </summary>
public sealed class RateLimits : IDisposable
{
    /// <summary>The documented limits, the defaults of <see cref="RateLimitSettings"/>.</summary>
    public const int Reads = 120;
    public const int Writes = 20;
    public const int KeyCreations = 10;

    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, DateTimeOffset> _windowStarts = new(StringComparer.Ordinal);
    private readonly TimeProvider _clock = TimeProvider.System;
    private readonly RateLimitSettings _settings;

    public RateLimits(RateLimitSettings settings)
    {
        _settings = settings;
        Limiter = PartitionedRateLimiter.Create<HttpContext, string>(Partition);
    }

    public PartitionedRateLimiter<HttpContext> Limiter { get; }

    public void Dispose() => Limiter.Dispose();

    /// <summary>Who is counted and against which limit; null when the request is not limited.</summary>
    private (string Partition, int Permits)? Bucket(HttpContext http)
    {
        var path = http.Request.Path.Value ?? "";
        if (http.Features.Get<PortalyApiKey>() is { } key)
        {
            return HttpMethods.IsGet(http.Request.Method) ? ($"{key.Id}:read", _settings.ReadsPerMinute) : ($"{key.Id}:write", _settings.WritesPerMinute);
        }

        return path.EndsWith("/api-keys", StringComparison.Ordinal) && PortalyGuards.Bearer(http) is { } admin
            ? ($"admin:{admin}:keys", _settings.KeyCreationsPerMinute)
            : null;
    }

    private RateLimitPartition<string> Partition(HttpContext http) =>
        Bucket(http) is not { } bucket
            ? RateLimitPartition.GetNoLimiter("")
            : RateLimitPartition.GetFixedWindowLimiter(bucket.Partition, partition =>
            {
                _windowStarts[partition] = _clock.GetUtcNow();
                return new FixedWindowRateLimiterOptions { PermitLimit = bucket.Permits, Window = Window, QueueLimit = 0, AutoReplenishment = true };
            });

    /// <summary>The limit headers of a counted request (<paramref name="remaining"/> after it).</summary>
    private void SetHeaders(HttpContext http, int limit, long remaining, string partition)
    {
        var start = _windowStarts.GetValueOrDefault(partition, _clock.GetUtcNow());
        var windows = Math.Max(1, (long)Math.Ceiling((_clock.GetUtcNow() - start) / Window));
        var headers = http.Response.Headers;
        headers["X-RateLimit-Limit"] = limit.ToString(CultureInfo.InvariantCulture);
        headers["X-RateLimit-Remaining"] = remaining.ToString(CultureInfo.InvariantCulture);
        headers["X-RateLimit-Reset"] = (start + (windows * Window)).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>After the limiter admitted a request: its limit headers.</summary>
    internal void Admitted(HttpContext http)
    {
        if (http.GetEndpoint()?.Metadata.GetMetadata<DisableRateLimitingAttribute>() is null
            && Bucket(http) is { } bucket && Limiter.GetStatistics(http) is { } statistics)
        {
            SetHeaders(http, bucket.Permits, statistics.CurrentAvailablePermits, bucket.Partition);
        }
    }

    /// <summary>Over the limit: 429 in Portaly's envelope, with Retry-After.</summary>
    internal async ValueTask RejectedAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var http = rejected.HttpContext;
        var wait = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : Window;
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        if (Bucket(http) is { } bucket)
        {
            SetHeaders(http, bucket.Permits, 0, bucket.Partition);
        }

        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        await http.Response.WriteAsJsonAsync(new { error = $"Rate limit exceeded. Try again in {seconds} seconds." }, cancellationToken);
    }
}

/// <summary>
/// The limits per minute (<c>Portaly:RateLimits:ReadsPerMinute</c>, <c>WritesPerMinute</c>, <c>KeyCreationsPerMinute</c>):
/// the documented figures unless configured; the chaos campaign raises them so that its fuzz reaches validation.
/// </summary>
public sealed record RateLimitSettings(int ReadsPerMinute, int WritesPerMinute, int KeyCreationsPerMinute)
{
    /// <summary>The <c>Portaly:RateLimits</c> section; a value that is not a positive whole number stops the start.</summary>
    /// <exception cref="InvalidOperationException">A value is not a positive whole number.</exception>
    public static RateLimitSettings From(IConfigurationSection section) => new(
        Positive(section, nameof(ReadsPerMinute), RateLimits.Reads),
        Positive(section, nameof(WritesPerMinute), RateLimits.Writes),
        Positive(section, nameof(KeyCreationsPerMinute), RateLimits.KeyCreations));

    private static int Positive(IConfigurationSection section, string key, int fallback) =>
        section[key] is not { } text ? fallback
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value
        : throw new InvalidOperationException($"{section.Path}:{key} must be a positive whole number, got '{text}'.");
}

public static class RateLimitsExtensions
{
    /// <summary>The limiter with <paramref name="settings"/>' limits.</summary>
    public static IServiceCollection AddPortalyRateLimits(this IServiceCollection services, RateLimitSettings settings)
    {
        services.AddSingleton(settings);
        services.AddSingleton<RateLimits>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<RateLimits>((o, limits) =>
        {
            o.GlobalLimiter = limits.Limiter;
            o.OnRejected = limits.RejectedAsync;
        });
        return services;
    }

    /// <summary>After the guards (so the key is known): the limiter, then the headers of what it admitted.</summary>
    public static WebApplication UsePortalyRateLimits(this WebApplication app)
    {
        app.UseRateLimiter();
        var limits = app.Services.GetRequiredService<RateLimits>();
        app.Use((http, next) =>
        {
            limits.Admitted(http);
            return next(http);
        });
        return app;
    }
}
