using System.Collections.Concurrent;
using System.Text.Json;
using Harness.Security;
using Harness.Storage;

namespace Harness.Finance.Auth;

/// <summary>
/// The server-side half of a user token (documented as <c>auth:token:{token}</c> and
/// <c>auth:user-token:{userId}</c>): one live token per user, so a new sign-in ends the previous
/// device's session, and a 24-hour idle expiry refreshed on use.
/// </summary>
public sealed class SessionDocument : IDocument
{
    /// <summary>The user id: one session per user.</summary>
    public string Id { get; set; } = "";

    /// <summary>SHA-256 of the token; the token itself is never stored.</summary>
    public string TokenHash { get; set; } = "";

    public DateTime IssuedAt { get; set; }

    public DateTime ExpiresAt { get; set; }
}

public sealed class SessionRegistry
{
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromDays(7);
    public static readonly TimeSpan IdleLifetime = TimeSpan.FromHours(24);

    // Persisting the sliding expiry on every request would put a write on the hot path; a few
    // minutes of slack on a 24-hour window is invisible to users.
    private static readonly TimeSpan RefreshGranularity = TimeSpan.FromMinutes(5);

    // Tokens that passed the full check, remembered; cleared when this many are held.
    private const int MaxVerifiedTokens = 100_000;

    private readonly IDocumentCollection<SessionDocument> _sessions;
    private readonly ConcurrentDictionary<string, SessionDocument> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, VerifiedToken> _verified = new(StringComparer.Ordinal);
    private readonly Hs256Jwt _jwt;
    private readonly UserDirectory _users;
    private readonly TimeProvider _clock;

    public SessionRegistry(IDocumentStore store, Hs256Jwt jwt, UserDirectory users, TimeProvider clock)
    {
        _sessions = store.Collection<SessionDocument>("sessions");
        _jwt = jwt;
        _users = users;
        _clock = clock;
        foreach (var session in _sessions.All())
        {
            _cache[session.Id] = session;
        }
    }

    /// <summary>Signs a token with the documented payload and makes it the user's only live session.</summary>
    public string Issue(UserDocument user)
    {
        var now = _clock.GetUtcNow();
        var token = _jwt.Sign(new Dictionary<string, object>
        {
            ["userId"] = user.Id,
            ["phone"] = user.Phone,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = (now + TokenLifetime).ToUnixTimeSeconds(),

            // Two sign-ins within one second would otherwise sign identical tokens, and the
            // older device would stay signed in.
            ["jti"] = Secrets.RandomHex(8),
        });
        var session = new SessionDocument
        {
            Id = user.Id,
            TokenHash = Secrets.Hash(token),
            IssuedAt = now.UtcDateTime,
            ExpiresAt = (now + IdleLifetime).UtcDateTime,
        };
        _sessions.Upsert(session);
        _cache[user.Id] = session;
        return token;
    }

    /// <summary>The user a token belongs to, or null when it is forged, expired, idle too long or replaced by a newer sign-in.</summary>
    public UserDocument? Authenticate(ReadOnlySpan<char> token)
    {
        var now = _clock.GetUtcNow();
        if (Verify(token, now) is not { } verified
            || !_cache.TryGetValue(verified.UserId, out var session)
            || session.ExpiresAt <= now.UtcDateTime
            || !string.Equals(session.TokenHash, verified.TokenHash, StringComparison.Ordinal))
        {
            return null;
        }

        var refreshed = (now + IdleLifetime).UtcDateTime;
        if (refreshed - session.ExpiresAt >= RefreshGranularity)
        {
            var renewed = new SessionDocument { Id = session.Id, TokenHash = session.TokenHash, IssuedAt = session.IssuedAt, ExpiresAt = refreshed };
            _cache[verified.UserId] = renewed;
            _sessions.Upsert(renewed);
        }

        return _users.Find(verified.UserId);
    }

    /// <summary>
    /// The signature, expiry and session-hash check of a token, done once per token: a client sends
    /// the same token on every request, and the HMAC, the payload parse and the SHA-256 were a tenth
    /// of a consume's work. Only tokens that passed the full check are remembered, keyed by the exact
    /// token, and every request still checks the remembered expiry and that the token is still its
    /// user's live session.
    /// </summary>
    private VerifiedToken? Verify(ReadOnlySpan<char> presented, DateTimeOffset now)
    {
        // Looked up by the span of the request's header: no string per request for a known token.
        var remembered = _verified.GetAlternateLookup<ReadOnlySpan<char>>();
        if (remembered.TryGetValue(presented, out var known))
        {
            if (known.ExpiresAt > now)
            {
                return known;
            }

            remembered.TryRemove(presented, out _);
            return null;
        }

        var token = presented.ToString();
        if (_jwt.Validate(token, now) is not { } payload
            || !payload.TryGetProperty("userId", out var userId)
            || userId.ValueKind != JsonValueKind.String
            || !payload.TryGetProperty("exp", out var exp)
            || !exp.TryGetInt64(out var expSeconds)
            || !_cache.TryGetValue(userId.GetString()!, out var session)
            || !Secrets.HashMatches(token, session.TokenHash))
        {
            return null;
        }

        if (_verified.Count >= MaxVerifiedTokens)
        {
            _verified.Clear(); // a bound, not a policy: the next request of each client verifies again
        }

        var verified = new VerifiedToken(session.Id, DateTimeOffset.FromUnixTimeSeconds(expSeconds), session.TokenHash);
        _verified[token] = verified;
        return verified;
    }

    private sealed record VerifiedToken(string UserId, DateTimeOffset ExpiresAt, string TokenHash);
}
