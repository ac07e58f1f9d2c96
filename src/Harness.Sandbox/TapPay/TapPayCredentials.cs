using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Harness.Security.Signing;

namespace Harness.Sandbox.TapPay;

/// <summary>
/// Who may call the back end and for which merchant: the published partner key and merchant, or the merchant's own,
/// registered as settings so that a backend configured for its TapPay sandbox account works with only the base URL
/// changed. A registered merchant is a second merchant of the same partner: its trades carry its id, and the Record
/// API's <c>merchant_id</c> filter tells the two apart.
/// </summary>
internal sealed partial class TapPayCredentials(SandboxContext context)
{
    /// <summary>A partner key of the merchant's own, accepted beside the published one (as body field and <c>x-api-key</c>).</summary>
    public const string PartnerKeySetting = "partner_key";

    /// <summary>A merchant id of the merchant's own, accepted beside the published one.</summary>
    public const string MerchantIdSetting = "merchant_id";

    public static IReadOnlyList<string> SettingNames => [PartnerKeySetting, MerchantIdSetting];

    private string? OwnPartnerKey => context.Settings.Get("tappay", PartnerKeySetting);

    private string? OwnMerchantId => context.Settings.Get("tappay", MerchantIdSetting);

    public static string? RefuseSetting(string key, string value) => key switch
    {
        PartnerKeySetting when !PartnerKeyText().IsMatch(value) => "partner_key must be partner_ followed by letters and digits, as TapPay's Portal shows it",
        MerchantIdSetting when !MerchantIdText().IsMatch(value) => "merchant_id must be 1 to 64 letters, digits or underscores, as TapPay's Portal shows it",
        MerchantIdSetting when value == TapPayProvider.MerchantGroupId => "merchant_id must not be the sandbox's merchant group id",
        _ => null,
    };

    public bool IsPartnerKey(string? key) =>
        SignatureComparison.Equal(TapPayProvider.PartnerKey, key) || (OwnPartnerKey is { } own && SignatureComparison.Equal(own, key));

    /// <summary>
    /// The merchant the call names, by <c>merchant_id</c> or <c>merchant_group_id</c> (§7.2): neither (502), or one the
    /// sandbox does not have (61). The group holds the published merchant, so naming both is taken only for that one.
    /// </summary>
    public JsonObject? MerchantRefusal(JsonObject body) => (body.Text("merchant_id"), body.Text("merchant_group_id")) switch
    {
        (null, null) => TapPayErrors.Answer(TapPayStatus.MissingMerchantId, "Missing merchant_id"),
        ({ } id, _) when id != TapPayProvider.MerchantId && id != OwnMerchantId => TapPayErrors.Answer(TapPayStatus.MerchantNotFound, "Merchant not found"),
        (_, not (null or TapPayProvider.MerchantGroupId)) => TapPayErrors.Answer(TapPayStatus.MerchantNotFound, "Merchant group not found"),
        ({ } id, not null) when id != TapPayProvider.MerchantId => TapPayErrors.Answer(TapPayStatus.MerchantNotFound, "Merchant not found"),
        _ => null,
    };

    /// <summary>The merchant a trade belongs to: the one named, or the group's.</summary>
    public static string MerchantOf(JsonObject body) => body.Text("merchant_id") ?? TapPayProvider.MerchantId;

    [GeneratedRegex("^partner_[A-Za-z0-9]+$")]
    private static partial Regex PartnerKeyText();

    [GeneratedRegex("^[A-Za-z0-9_]{1,64}$")]
    private static partial Regex MerchantIdText();
}
