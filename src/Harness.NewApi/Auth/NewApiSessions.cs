using System.Collections.Concurrent;
using Harness.Security;

namespace Harness.NewApi.Auth;

/// <summary>
/// Sign-in sessions behind the <c>session</c> cookie (HttpOnly, SameSite=Strict, 30 days, as upstream). Kept in
/// memory: a restart signs everyone out, while access tokens (stored with the user) keep working.
/// </summary>
public sealed class NewApiSessions(TimeProvider clock)
{
    public const string CookieName = "session";
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(30);

    private readonly ConcurrentDictionary<string, (int UserId, DateTimeOffset ExpiresAt)> _sessions = new(StringComparer.Ordinal);

    public string Open(NewApiUser user)
    {
        var id = Secrets.Random();
        _sessions[id] = (user.NumericId, clock.GetUtcNow() + Lifetime);
        return id;
    }

    public int? UserOf(string sessionId) =>
        _sessions.TryGetValue(sessionId, out var session) && session.ExpiresAt > clock.GetUtcNow() ? session.UserId : null;

    public void Close(string sessionId) => _sessions.TryRemove(sessionId, out _);
}
