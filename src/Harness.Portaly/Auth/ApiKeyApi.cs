using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Harness.Portaly.Auth;

/// <summary>Key creation: <c>mode</c> defaults to live, <c>scope</c> to full; both are case-sensitive.</summary>
public sealed record CreateApiKeyRequest(string? ProfileId, string? Mode, string? Scope);

/// <summary>A key as shown: never its secret or its hash, and the callback secret masked.</summary>
public sealed record ApiKeyView(string Id, string ProfileId, string Status, string Mode, string Scope, string KeyPrefix, string CallbackSecret, DateTimeOffset CreatedAt)
{
    public static ApiKeyView Of(PortalyApiKey key) =>
        new(key.Id, key.ProfileId, key.Status, key.Mode, key.Scope, key.KeyPrefix, Mask(key.CallbackSecret), key.CreatedAt);

    private static string Mask(string secret) => secret[..4] + new string('*', 8) + secret[^4..];
}

/// <summary>
/// <c>data.secret</c> is the key itself and <c>data.callbackSecret</c> the secret its callbacks are signed with, both
/// shown in clear this once (the key's view masks the callback secret, as the contract says): a merchant must have it to
/// verify its callbacks, and the reference has no dashboard to show it later.
/// </summary>
public sealed record CreatedApiKey(ApiKeyView ApiKey, string Secret, string CallbackSecret);

public static class ApiKeyApi
{
    public const string InvalidMode = "Invalid mode. Use 'live' or 'test'.";
    public const string InvalidScope = "Invalid scope. Use 'full' or 'integration'.";

    public static void MapApiKeys(this RouteGroupBuilder api) =>
        api.MapPost("/api-keys", Create).RequireAdmin().WithTags("API keys");

    /// <summary>Creates a key for a profile (admin token; the dashboard's job in the real product).</summary>
    private static Results<Created<PortalyResponse<CreatedApiKey>>, PortalyFailure> Create(CreateApiKeyRequest request, ApiKeys keys)
    {
        if (string.IsNullOrWhiteSpace(request.ProfileId) || request.ProfileId.Length > 64)
        {
            return PortalyFailure.Invalid("profileId is required (at most 64 characters)");
        }

        var mode = request.Mode ?? KeyModes.Live;
        if (mode is not (KeyModes.Live or KeyModes.Test))
        {
            return new PortalyFailure(StatusCodes.Status400BadRequest, "INVALID_MODE", InvalidMode);
        }

        var scope = request.Scope ?? KeyModes.Full;
        if (scope is not (KeyModes.Full or KeyModes.Integration))
        {
            return new PortalyFailure(StatusCodes.Status400BadRequest, "INVALID_SCOPE", InvalidScope);
        }

        var issued = keys.Issue(request.ProfileId, mode, scope);
        return PortalyEnvelope.Created($"/api/creator-subscription/api-keys/{issued.Key.Id}", new CreatedApiKey(ApiKeyView.Of(issued.Key), issued.Secret, issued.Key.CallbackSecret));
    }
}
