using System.Text.RegularExpressions;
using Harness.Http;
using Harness.Portaly.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Harness.Portaly.Config;

/// <summary>
/// A partial update: a field left out keeps its value, <c>""</c> clears it. <c>appBaseUrl</c> loses a
/// trailing slash; <c>merchantName</c>'s 100-character bound is ours (the contract names none).
/// <c>sendCheckoutFailedCallbacks</c> is the reference's switch between the seed (no <c>checkout.failed</c>) and the
/// later contract (sent); a boolean, the framework refuses anything else.
/// </summary>
public sealed partial record UpdateConfigRequest(
    string? MerchantName,
    string? MerchantLogo,
    string? AppBaseUrl,
    string? InviteRedirectPath,
    string? BrandDescription,
    bool? SendCheckoutFailedCallbacks = null) : IValidatable
{
    public void Validate(Validator validator) => validator
        .MaxLength(MerchantName, "merchantName", 100)
        .AbsoluteUrl(Cleared(MerchantLogo), "merchantLogo")
        .MaxLength(AppBaseUrl, "appBaseUrl", 255)
        .Require(string.IsNullOrEmpty(AppBaseUrl) || AppBaseUrl.StartsWith("https://", StringComparison.Ordinal), "appBaseUrl must start with https://")
        .AbsoluteUrl(Cleared(AppBaseUrl), "appBaseUrl", httpsOnly: true)
        .MaxLength(InviteRedirectPath, "inviteRedirectPath", 200)
        .Require(
            string.IsNullOrEmpty(InviteRedirectPath) || RedirectPath().IsMatch(InviteRedirectPath),
            "inviteRedirectPath must start with / and contain only letters, digits, -, _ and /")
        .MaxLength(BrandDescription, "brandDescription", 4000);

    /// <summary>An empty string clears the field, so it has no URL to check.</summary>
    private static string? Cleared(string? value) => value is { Length: 0 } ? null : value;

    [GeneratedRegex("^/[A-Za-z0-9_/-]*$")]
    private static partial Regex RedirectPath();
}

public static class ConfigApi
{
    public static void MapConfig(this RouteGroupBuilder api)
    {
        var config = api.MapGroup("/config").RequireApiKey().ValidateRequests().WithTags("Merchant config");
        config.MapGet("", Get);
        config.MapPut("", Update);
    }

    /// <summary>The merchant config of the key's profile (the same for live and test keys).</summary>
    private static Ok<PortalyResponse<MerchantConfigView>> Get(HttpContext context, MerchantConfigs configs) =>
        PortalyEnvelope.Ok(configs.View(configs.Of(context.CurrentKey().ProfileId)));

    /// <summary>Updates the fields sent.</summary>
    private static async Task<Ok<PortalyResponse<MerchantConfigView>>> Update(UpdateConfigRequest request, HttpContext context, MerchantConfigs configs)
    {
        var key = context.CurrentKey();
        return PortalyEnvelope.Ok(configs.View(await configs.UpdateAsync(key.ProfileId, request, key.Id)));
    }
}
