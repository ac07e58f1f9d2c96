using System.Net;
using Harness.Conformance.Steps.Providers;
using Harness.Sandbox.Tests.Support;

namespace Harness.Sandbox.Tests.Alipay;

/// <summary>The legacy <c>RSA</c> sign type (RSA-SHA1) for an app set so: requests, answers, notifies and the return.</summary>
public sealed class AlipaySignTypeTests
{
    private const string Precreate = "alipay.trade.precreate";

    [Fact]
    public async Task An_RSA_app_signs_with_SHA1_and_is_answered_and_notified_in_SHA1()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync("/alipay/notify");
        receiver.Default = (200, "success");
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        Assert.Equal(HttpStatusCode.BadRequest, (await sandbox.PutSettingsAsync("alipay", new { sign_type = "RSA256" })).StatusCode);
        (await sandbox.PutSettingsAsync("alipay", new { sign_type = "RSA" })).EnsureSuccessStatusCode();
        alipay.SignType = "RSA";

        var tradeNo = await AlipayTests.PrecreateAsync(alipay, "RSA_1", receiver.Url);
        var query = await alipay.CallAsync("alipay.trade.query", new { trade_no = tradeNo });
        Assert.True(query.SignatureValid, query.Body);
        var content = ProviderSignatures.AlipayResponseContent(query.Body, "alipay_trade_query_response")!;
        var sign = System.Text.Json.Nodes.JsonNode.Parse(query.Body)!["sign"]!.GetValue<string>();
        Assert.False(ProviderSignatures.AlipayRsa2Verify(alipay.AlipayPublicKey, content, sign));

        await AlipayTests.ScanAsync(sandbox, tradeNo);
        await sandbox.ActAsync(tradeNo, "pay");
        var notify = await receiver.NextAsync();
        Assert.Equal("RSA", notify.Form["sign_type"]);
        Assert.True(alipay.Verifies(notify.Form));
        Assert.False(ProviderSignatures.AlipayRsa2Verify(alipay.AlipayPublicKey, ProviderSignatures.AlipayContent(notify.Form, withSignType: false), notify.Form["sign"]));
    }

    [Fact]
    public async Task A_request_in_the_other_sign_type_is_refused_in_the_apps_own()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);

        // An RSA2 app (the default) refuses an RSA-signed request, and answers in RSA2.
        alipay.SignType = "RSA";
        alipay.AnswerSignType = "RSA2";
        var rsaToRsa2 = await alipay.CallAsync(Precreate, AlipayTests.Order("RSA_2"));
        Assert.True(rsaToRsa2.SignatureValid, rsaToRsa2.Body);
        Assert.Equal(("40002", "isv.invalid-signature-type"), (rsaToRsa2.Code, rsaToRsa2.SubCode));

        // An RSA app refuses RSA2, answering in RSA.
        (await sandbox.PutSettingsAsync("alipay", new { sign_type = "RSA" })).EnsureSuccessStatusCode();
        alipay.SignType = "RSA2";
        alipay.AnswerSignType = "RSA";
        var rsa2ToRsa = await alipay.CallAsync(Precreate, AlipayTests.Order("RSA_2"));
        Assert.True(rsa2ToRsa.SignatureValid, rsa2ToRsa.Body);
        Assert.Equal(("40002", "isv.invalid-signature-type"), (rsa2ToRsa.Code, rsa2ToRsa.SubCode));

        // An RSA2 signature sent as sign_type=RSA does not verify.
        alipay.SignType = "RSA";
        var parameters = alipay.SignedParams(Precreate, AlipayTests.Order("RSA_2"));
        parameters["sign"] = ProviderSignatures.AlipayRsa2Sign(alipay.AppPrivateKey, ProviderSignatures.AlipayContent(parameters, withSignType: true));
        var misSigned = await alipay.PostAsync(parameters);
        Assert.True(misSigned.SignatureValid, misSigned.Body);
        Assert.Equal(("40002", "isv.invalid-signature"), (misSigned.Code, misSigned.SubCode));
        Assert.Empty(await sandbox.GetArrayAsync("/control/payments?provider=alipay"));
    }

    [Fact]
    public async Task The_page_pay_return_of_an_RSA_app_is_signed_RSA()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        (await sandbox.PutSettingsAsync("alipay", new { sign_type = "RSA" })).EnsureSuccessStatusCode();
        alipay.SignType = "RSA";

        using var cashier = await alipay.BrowseAsync("alipay.trade.page.pay", AlipayTests.Order("RSA_PAGE", extra: new { product_code = "FAST_INSTANT_TRADE_PAY" }), new Dictionary<string, string> { ["return_url"] = "https://merchant.example/return" });
        Assert.Equal(HttpStatusCode.Redirect, cashier.StatusCode);
        var tradeNo = cashier.Headers.Location!.ToString()[(cashier.Headers.Location!.ToString().LastIndexOf('/') + 1)..];
        var back = await sandbox.ActAsync(tradeNo, "pay");
        var returned = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(back!).Query).ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal);
        Assert.Equal("RSA", returned["sign_type"]);
        Assert.True(alipay.Verifies(returned));
    }
}
