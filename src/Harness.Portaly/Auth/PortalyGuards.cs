using Harness.Http;
using Harness.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Harness.Portaly.Auth;

/// <summary>The API-key guard of the merchant routes and the admin guard of key creation, declared once per group.</summary>
public static class PortalyGuards
{
    public const string MissingKey = "Missing API key. Send Authorization: Bearer <key>.";
    public const string InvalidKey = "Invalid API key.";
    public const string InvalidAdminToken = "Invalid admin token.";

    public static TBuilder RequireApiKey<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.RequireGuard(new ApiKeyGuard(), ApiErrorKind.Unauthenticated);

    public static TBuilder RequireAdmin<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.RequireGuard(new AdminGuard(), ApiErrorKind.Unauthenticated);

    /// <summary>The key a guarded request was admitted with: its profile, mode and scope.</summary>
    public static PortalyApiKey CurrentKey(this HttpContext context) =>
        context.Features.Get<PortalyApiKey>() ?? throw new InvalidOperationException("The endpoint is not protected by the API-key guard.");

    /// <summary>The bearer token of the request, or null when there is none.</summary>
    internal static string? Bearer(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header.Length > 7 ? header[7..].Trim() : null;
    }
}

/// <summary>A <c>pcs_live_…</c> or <c>pcs_test_…</c> key: the mode comes from the key, never from the request.</summary>
public sealed class ApiKeyGuard : RequestGuard
{
    public override IResult? Check(HttpContext context)
    {
        if (PortalyGuards.Bearer(context) is not { } secret)
        {
            return Refuse(context, ApiErrorKind.Unauthenticated, PortalyGuards.MissingKey);
        }

        if (context.RequestServices.GetRequiredService<ApiKeys>().Find(secret) is not { } key)
        {
            return Refuse(context, ApiErrorKind.Unauthenticated, PortalyGuards.InvalidKey);
        }

        context.Features.Set(key);
        return null;
    }
}

/// <summary>
/// Key creation is dashboard-only in the real product; here an operator token stands for the dashboard
/// (<c>Portaly:AdminToken</c>, printed in the banner).
/// </summary>
public sealed class AdminGuard : RequestGuard
{
    public override IResult? Check(HttpContext context)
    {
        if (PortalyGuards.Bearer(context) is not { } token)
        {
            return Refuse(context, ApiErrorKind.Unauthenticated, PortalyGuards.MissingKey);
        }

        var expected = context.RequestServices.GetRequiredService<IOptions<PortalyOptions>>().Value.AdminToken;
        return Secrets.HashMatches(token, Secrets.Hash(expected))
            ? null
            : Refuse(context, ApiErrorKind.Unauthenticated, PortalyGuards.InvalidAdminToken);
    }
}
