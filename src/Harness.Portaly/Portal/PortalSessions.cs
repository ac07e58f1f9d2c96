using Harness.Http;
using Harness.Portaly.Auth;
using Harness.Portaly.Subscriptions;
using Harness.Security;
using Harness.Storage;
using Microsoft.Extensions.Options;

namespace Harness.Portaly.Portal;

/// <summary>
/// A link the merchant hands a subscriber: it opens their subscriptions of the merchant's profile and mode (all of one
/// email's, or the one named) until it expires. Only the token's hash is stored.
/// </summary>
public sealed record PortalSession(
    string Id,
    string ProfileId,
    string Mode,
    string KeyId,
    string? CustomerEmail,
    string? SubscriptionId,
    string ReturnUrl,
    string TokenHash,
    DateTimeOffset ExpiresAt,
    DateTimeOffset CreatedAt) : IDocument
{
    public SubscriptionScope Scope => new(ProfileId, Mode, CustomerEmail, SubscriptionId);
}

/// <summary><c>POST /portal-sessions</c>: whose subscriptions (an email, a subscription, or both) and where "Back" leads.</summary>
public sealed record CreatePortalSessionRequest(string? CustomerEmail, string? SubscriptionId, string? ReturnUrl) : IValidatable
{
    public void Validate(Validator validator) => validator
        .Require(!string.IsNullOrWhiteSpace(CustomerEmail) || !string.IsNullOrWhiteSpace(SubscriptionId), "customerEmail or subscriptionId is required")
        .Email(CustomerEmail?.Trim(), "customerEmail")
        .MaxLength(SubscriptionId, "subscriptionId", 64)
        .Required(ReturnUrl, "returnUrl")
        .AbsoluteUrl(ReturnUrl, "returnUrl")
        .MaxLength(ReturnUrl, "returnUrl", 2048);
}

public sealed record PortalSessionCreated(string PortalSessionId, string PortalUrl, DateTimeOffset ExpiresAt);

public enum PortalAccess
{
    Granted,
    Unknown,
    Expired,
}

/// <summary>Creates portal sessions and checks a page request's token (in constant time) and expiry.</summary>
public sealed class PortalSessions(IDocumentStore store, SubscriptionStore subscriptions, IOptions<PortalyOptions> options, TimeProvider clock)
{
    private readonly IDocumentCollection<PortalSession> _sessions = store.Collection<PortalSession>("portal_sessions", nameof(PortalSession.ProfileId));

    /// <summary>The new session and its token (shown once, in the URL); null when the named subscription is not the key's or not the email's.</summary>
    public (PortalSession Session, string Token)? Create(PortalyApiKey key, CreatePortalSessionRequest r)
    {
        var email = string.IsNullOrWhiteSpace(r.CustomerEmail) ? null : r.CustomerEmail.Trim();
        var subscriptionId = string.IsNullOrWhiteSpace(r.SubscriptionId) ? null : r.SubscriptionId.Trim();
        var scope = new SubscriptionScope(key.ProfileId, key.Mode, email, subscriptionId);
        if (subscriptionId is not null && (subscriptions.Get(subscriptionId) is not { } named || !scope.Covers(named)))
        {
            return null;
        }

        var now = clock.GetUtcNow();
        var token = Secrets.RandomHex(32);
        var session = new PortalSession(
            "portal_" + Secrets.RandomHex(12), key.ProfileId, key.Mode, key.Id, email, subscriptionId, r.ReturnUrl!,
            Secrets.Hash(token), now.AddMinutes(options.Value.PortalSessionMinutes), now);
        _sessions.Upsert(session);
        return (session, token);
    }

    /// <summary>The session when <paramref name="token"/> is its token and it has not expired.</summary>
    public (PortalSession? Session, PortalAccess Access) Open(string id, string? token)
    {
        if (string.IsNullOrEmpty(token) || id.Length > 64 || _sessions.Get(id) is not { } session || !Secrets.HashMatches(token, session.TokenHash))
        {
            return (null, PortalAccess.Unknown);
        }

        return session.ExpiresAt <= clock.GetUtcNow() ? (null, PortalAccess.Expired) : (session, PortalAccess.Granted);
    }
}
