using System.Text.RegularExpressions;

namespace Harness.Sandbox.WeChatPay;

/// <summary>
/// The merchants the sandbox serves: the published <see cref="Mchid"/> with its <see cref="Appid"/>, and the merchant's
/// own, registered as settings so that a backend configured for its WeChat Pay account works with only the base URL
/// changed. The own one is a second merchant: its orders, refunds, 分账, transfers, operation account and bills are
/// its own, as everything the sandbox keeps is keyed by the <c>mchid</c> that signed the request. Both sign with any
/// registered merchant certificate; answers and notifications carry the sandbox's platform signature.
/// </summary>
public sealed partial class WeChatPayKeys
{
    /// <summary>The merchant's own 商户号, a second merchant beside the published one.</summary>
    public const string MchidSetting = "mchid";

    /// <summary>The appid bound to the registered <see cref="MchidSetting"/>; without one, that merchant uses the published appid.</summary>
    public const string AppidSetting = "appid";

    private string? OwnMchid => _settings.Get(Provider, MchidSetting);

    /// <summary>True for the published merchant and the registered one.</summary>
    public bool IsMerchant(string mchid) => mchid == Mchid || mchid == OwnMchid;

    /// <summary>The appid bound to <paramref name="mchid"/> (WeChat refuses another as 'appid和mch_id不匹配').</summary>
    public string AppidOf(string mchid) => mchid == OwnMchid && _settings.Get(Provider, AppidSetting) is { } own ? own : Appid;

    public static string? RefuseMerchant(string key, string value) => key switch
    {
        MchidSetting when !MchidText().IsMatch(value) => "mchid must be a 商户号: 8 to 10 digits",
        MchidSetting when value == Mchid => $"mchid {Mchid} is the sandbox's published merchant; register your own",
        AppidSetting when !AppidText().IsMatch(value) => "appid must be wx followed by 16 letters or digits, as WeChat's platforms show it",
        _ => null,
    };

    [GeneratedRegex("^[1-9][0-9]{7,9}$")]
    private static partial Regex MchidText();

    [GeneratedRegex("^wx[0-9a-zA-Z]{16}$")]
    private static partial Regex AppidText();
}
