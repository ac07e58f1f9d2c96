using System.Security.Cryptography;
using Harness.Sandbox.Alipay;
using Harness.Sandbox.Tests.Support;

namespace Harness.Sandbox.Tests.Alipay;

/// <summary>
/// A backend configured for its own Alipay app registers the app's id and public key and works with only the gateway
/// URL and the Alipay public key changed: its requests are taken, and what the sandbox sends names its app.
/// </summary>
public sealed class AlipayOwnAppIdTests
{
    private const string OwnAppId = "9021000123456789";

    [Fact]
    public async Task The_merchants_own_app_id_and_key_are_taken_and_its_trades_notify_as_that_app()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync("/alipay/notify");
        receiver.Default = (200, "success");
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        using var own = RSA.Create(2048);
        alipay.AppId = OwnAppId;
        alipay.AppPrivateKey = own.ExportPkcs8PrivateKeyPem();
        var refused = await alipay.CallAsync("alipay.trade.precreate", AlipayTests.Order("OWN_APP_1"));
        Assert.Equal(("40002", "isv.invalid-app-id"), (refused.Code, refused.SubCode));

        (await sandbox.PutSettingsAsync("alipay", new { app_id = OwnAppId, app_public_key = Convert.ToBase64String(own.ExportSubjectPublicKeyInfo()) })).EnsureSuccessStatusCode();
        var tradeNo = await AlipayTests.PrecreateAsync(alipay, "OWN_APP_1", receiver.Url);
        await AlipayTests.ScanAsync(sandbox, tradeNo);
        await sandbox.ActAsync(tradeNo, "pay");

        var notify = (await receiver.NextAsync()).Form;
        Assert.Equal(OwnAppId, notify["app_id"]);
        Assert.Equal(OwnAppId, notify["auth_app_id"]);
        Assert.True(alipay.Verifies(notify));
        Assert.Equal(OwnAppId, (await sandbox.GetJsonAsync("/control/providers/alipay"))["credentials"]!["app_id"]!.GetValue<string>());

        // The published app id is still taken: one app, two ids.
        alipay.AppId = AlipayProvider.AppId;
        Assert.Equal("TRADE_SUCCESS", (await alipay.CallAsync("alipay.trade.query", new { out_trade_no = "OWN_APP_1" })).Field("trade_status"));

        (await sandbox.PutSettingsAsync("alipay", new { app_id = "" })).EnsureSuccessStatusCode();
        alipay.AppId = OwnAppId;
        Assert.Equal("isv.invalid-app-id", (await alipay.CallAsync("alipay.trade.query", new { out_trade_no = "OWN_APP_1" })).SubCode);
    }
}
