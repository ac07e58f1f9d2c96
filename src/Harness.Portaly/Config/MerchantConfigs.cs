using Harness.Storage;
using Microsoft.Extensions.Options;

namespace Harness.Portaly.Config;

/// <summary>
/// A profile's merchant config; one per profile, shared by live and test keys. Unset fields are null;
/// <see cref="SendCheckoutFailedCallbacks"/> unset means the server's default (<c>Portaly:SendCheckoutFailedCallbacks</c>).
/// </summary>
public sealed record MerchantConfig(
    string Id,
    string? MerchantName,
    string? MerchantLogo,
    string? AppBaseUrl,
    string? InviteRedirectPath,
    string? BrandDescription,
    DateTimeOffset? UpdatedAt,
    string? UpdatedBy,
    bool? SendCheckoutFailedCallbacks = null) : IDocument;

/// <summary>The config as answered: <c>profileId</c> instead of the document id, and the switch as it applies (never null).</summary>
public sealed record MerchantConfigView(
    string ProfileId,
    string? MerchantName,
    string? MerchantLogo,
    string? AppBaseUrl,
    string? InviteRedirectPath,
    string? BrandDescription,
    bool SendCheckoutFailedCallbacks,
    DateTimeOffset? UpdatedAt,
    string? UpdatedBy);

public sealed class MerchantConfigs(IDocumentStore store, IKeyedLock locks, TimeProvider clock, IOptions<PortalyOptions> options)
{
    private readonly IDocumentCollection<MerchantConfig> _configs = store.Collection<MerchantConfig>("merchant_configs");

    /// <summary>The profile's config, all fields null before the first update.</summary>
    public MerchantConfig Of(string profileId) => _configs.Get(profileId) ?? new MerchantConfig(profileId, null, null, null, null, null, null, null);

    /// <summary>
    /// Whether a failed checkout of the profile sends <c>creator_subscription.checkout.failed</c>: the profile's own
    /// choice, else the server's default (off, as the seed says; the later contract sends it).
    /// </summary>
    public bool SendsCheckoutFailed(string profileId) => SendsCheckoutFailed(Of(profileId));

    public MerchantConfigView View(MerchantConfig c) => new(
        c.Id, c.MerchantName, c.MerchantLogo, c.AppBaseUrl, c.InviteRedirectPath, c.BrandDescription, SendsCheckoutFailed(c), c.UpdatedAt, c.UpdatedBy);

    private bool SendsCheckoutFailed(MerchantConfig c) => c.SendCheckoutFailedCallbacks ?? options.Value.SendCheckoutFailedCallbacks;

    /// <summary>Applies the fields sent; <c>""</c> clears a field. <paramref name="keyId"/> is recorded as <c>updatedBy</c>.</summary>
    public async Task<MerchantConfig> UpdateAsync(string profileId, UpdateConfigRequest request, string keyId)
    {
        // Two partial updates at once must both land, not the later one's copy of the earlier state.
        using var held = await locks.AcquireAsync("portaly-config/" + profileId);
        var current = Of(profileId);
        var updated = current with
        {
            MerchantName = Apply(request.MerchantName, current.MerchantName),
            MerchantLogo = Apply(request.MerchantLogo, current.MerchantLogo),
            AppBaseUrl = Apply(request.AppBaseUrl?.TrimEnd('/'), current.AppBaseUrl),
            InviteRedirectPath = Apply(request.InviteRedirectPath, current.InviteRedirectPath),
            BrandDescription = Apply(request.BrandDescription, current.BrandDescription),
            SendCheckoutFailedCallbacks = request.SendCheckoutFailedCallbacks ?? current.SendCheckoutFailedCallbacks,
            UpdatedAt = clock.GetUtcNow(),
            UpdatedBy = keyId,
        };
        _configs.Upsert(updated);
        return updated;
    }

    private static string? Apply(string? sent, string? current) => sent is null ? current : sent.Length == 0 ? null : sent;
}
