using System.Globalization;
using System.Security.Cryptography;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>A backend configured for its own WeChat Pay merchant keeps its mchid and appid (the settings the sandbox takes).</summary>
public sealed partial class WeChatPaySteps
{
    private (string Mchid, string Appid)? _own;

    [Given("the merchant registers a mchid and appid of its own")]
    public async Task RegisterOwnMerchant()
    {
        var own = (Mchid: "16" + RandomNumberGenerator.GetInt32(10_000_000, 100_000_000).ToString(CultureInfo.InvariantCulture),
            Appid: "wx" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));
        await _world.ConfigureAsync("wechatpay", new Dictionary<string, string?> { ["mchid"] = own.Mchid, ["appid"] = own.Appid });
        var credentials = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in CredentialKeys)
        {
            credentials[key] = await _world.CredentialAsync("wechatpay", key);
        }

        credentials["mchid"] = own.Mchid;
        credentials["appid"] = own.Appid;
        _wire?.Dispose();
        _wire = new WeChatPayWire(await _world.BaseUrlAsync("wechatpay"), credentials);
        _own = own;
    }

    [Then("the decrypted resource names the merchant's own mchid and appid")]
    public async Task ResourceNamesOwnMerchant()
    {
        var own = _own ?? throw new AssertionException("no mchid of the merchant's own was registered");
        var transaction = await ResourceAsync("TRANSACTION.SUCCESS");
        Check.Equal(own.Mchid, (string?)transaction["mchid"], "mchid");
        Check.Equal(own.Appid, (string?)transaction["appid"], "appid");
    }
}
