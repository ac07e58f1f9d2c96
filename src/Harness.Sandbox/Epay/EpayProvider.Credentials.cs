using System.Text.RegularExpressions;

namespace Harness.Sandbox.Epay;

/// <summary>
/// The merchant's own V1 credentials: a <c>pid</c> and MD5 <c>key</c> registered as settings make a second merchant
/// beside the published <see cref="Pid"/>, with its own orders, balance and transfers, so that a backend configured
/// for its Epay account works with only the base URL changed. Every lookup is scoped to the <c>pid</c> that asks.
/// </summary>
public sealed partial class EpayProvider
{
    /// <summary>The merchant's own 商户ID, a second merchant beside the published one.</summary>
    public const string PidSetting = "pid";

    /// <summary>The MD5 key of the registered <see cref="PidSetting"/>; without one, that merchant signs with the published key.</summary>
    public const string KeySetting = "key";

    private string? OwnPid => _context.Settings.Get(Name, PidSetting);

    /// <summary>True for the published merchant and the registered one.</summary>
    private bool IsMerchant(string? pid) => pid is not null && (pid == Pid || pid == OwnPid);

    /// <summary>The V1 key a merchant signs with and is signed for: the registered key for the registered pid.</summary>
    private string KeyOf(string pid) => pid == OwnPid && _context.Settings.Get(Name, KeySetting) is { } own ? own : Key;

    private static string? RefuseCredential(string key, string value) => key switch
    {
        PidSetting when !PidText().IsMatch(value) => "pid must be a merchant number: 1 to 9 digits, not starting with 0",
        PidSetting when value == Pid => $"pid {Pid} is the sandbox's published merchant; register your own",
        KeySetting when !KeyText().IsMatch(value) => "key must be 16 to 64 letters and digits, as Epay's merchant console shows it",
        _ => null,
    };

    [GeneratedRegex("^[1-9][0-9]{0,8}$")]
    private static partial Regex PidText();

    [GeneratedRegex("^[A-Za-z0-9]{16,64}$")]
    private static partial Regex KeyText();
}
