using System.Net;
using System.Text.Json.Nodes;
using Harness.Sandbox.TapPay;
using Harness.Sandbox.Tests.Support;
using Microsoft.AspNetCore.WebUtilities;

namespace Harness.Sandbox.Tests.TapPay;

/// <summary>
/// E-payments (LINE Pay, JKOPAY, Easy Wallet, Atome, Pi Wallet): Pay by Prime needs the result URLs and answers the
/// wallet's <c>payment_url</c>; the trade is pending until the buyer approves there, then it is captured, the browser
/// goes to <c>frontend_redirect_url</c> and the backend is notified, as after 3-D Secure.
/// </summary>
public sealed class TapPayEPaymentTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    public static TheoryData<string> EPaymentPrefixes => [.. TapPayTestData.EPayments.Keys];

    private static JsonObject EPaymentBody(string prefix, string notifyUrl, long amount = 100)
    {
        var body = TapPayClient.PrimeBody(prefix + TapPayTestData.WalletPrimeSuffix, amount);
        body["result_url"] = new JsonObject
        {
            ["frontend_redirect_url"] = "https://merchant.example/done",
            ["backend_notify_url"] = notifyUrl,
            ["go_back_url"] = "https://merchant.example/back",
        };
        return body;
    }

    [Theory]
    [MemberData(nameof(EPaymentPrefixes))]
    public async Task An_e_payment_waits_for_the_buyer_in_the_wallet_then_redirects_and_notifies(string prefix)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync("/tappay/notify");
        receiver.Default = (200, "");
        using var tappay = new TapPayClient(sandbox);
        var body = EPaymentBody(prefix, receiver.Url, 880);
        body["order_number"] = "WALLET-1";

        var answer = await tappay.PayAsync(body);

        var id = answer.Text("rec_trade_id");
        Assert.Equal((0, "Success"), (answer.Status(), answer.Msg()));
        Assert.Equal(sandbox.Server.ControlBaseUrl + "/pay/" + id, answer.Text("payment_url"));
        var pending = await tappay.RecordAsync(id);
        Assert.Equal((4, false), (pending["record_status"]!.GetValue<int>(), pending["is_captured"]!.GetValue<bool>()));
        Assert.False(pending.ContainsKey("e_payment"));
        using (var page = await sandbox.Control.GetAsync(new Uri(answer.Text("payment_url")).PathAndQuery, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains(TapPayTestData.EPayments[prefix], await page.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        Assert.Empty(receiver.All);
        var redirect = await sandbox.ActAsync(id, "pay");

        Assert.StartsWith("https://merchant.example/done?", redirect, StringComparison.Ordinal);
        var query = QueryHelpers.ParseQuery(new Uri(redirect!).Query);
        Assert.Equal((id, "WALLET-1", "0"), (query["rec_trade_id"].ToString(), query["order_number"].ToString(), query["status"].ToString()));
        var notify = (JsonObject)JsonNode.Parse((await receiver.NextAsync()).Body)!;
        Assert.Equal((id, 0, 880L, "PAYMENT_SUCCESS"), (notify.Text("rec_trade_id"), notify.Status(), notify["amount"]!.GetValue<long>(), notify.Text("event_code")));
        Assert.Equal("""{"method":"CREDIT_CARD","masked_credit_card_number":"************4242","point":0}""", notify["pay_info"]!.ToJsonString());
        var paid = await tappay.RecordAsync(id);
        Assert.Equal((1, true), (paid["record_status"]!.GetValue<int>(), paid["is_captured"]!.GetValue<bool>()));
        Assert.Equal(0, (await tappay.RefundAsync(id, 80)).Status());
    }

    [Theory]
    [MemberData(nameof(EPaymentPrefixes))]
    public async Task An_e_payment_without_both_result_urls_is_refused_with_121_and_leaves_no_record(string prefix)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var tappay = new TapPayClient(sandbox);
        var bare = TapPayClient.PrimeBody(prefix + TapPayTestData.WalletPrimeSuffix);
        var noNotify = EPaymentBody(prefix, "https://merchant.example/notify");
        ((JsonObject)noNotify["result_url"]!).Remove("backend_notify_url");
        var relative = EPaymentBody(prefix, "https://merchant.example/notify");
        relative["result_url"]!["frontend_redirect_url"] = "/done";

        foreach (var body in new[] { bare, noNotify, relative })
        {
            var answer = await tappay.PayAsync(body);
            Assert.Equal(121, answer.Status());
            Assert.Contains("result_url", answer.Msg(), StringComparison.Ordinal);
            Assert.Contains(TapPayTestData.EPayments[prefix], answer.Msg(), StringComparison.Ordinal);
        }

        Assert.Empty((await tappay.QueryAsync())["trade_records"]!.AsArray());
    }

    [Fact]
    public async Task Leaving_the_wallet_goes_back_and_an_unapproved_payment_fails_with_a_notify_when_its_time_is_up()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync("/tappay/notify");
        receiver.Default = (200, "");
        using var tappay = new TapPayClient(sandbox);
        var id = (await tappay.PayAsync(EPaymentBody("jk_test_", receiver.Url))).Text("rec_trade_id");

        Assert.Equal("https://merchant.example/back", await sandbox.ActAsync(id, "cancel"));
        Assert.Equal(4, (await tappay.RecordAsync(id))["record_status"]!.GetValue<int>());

        await sandbox.AdvanceAsync(TapPayCharges.RedirectLifetime);

        var notify = (JsonObject)JsonNode.Parse((await receiver.NextAsync()).Body)!;
        Assert.Equal((10003, "Payment Error", "EP", "JKOPAY payment not completed", "PAYMENT_FAILED"),
            (notify.Status(), notify.Msg(), notify.Text("bank_result_code"), notify.Text("bank_result_msg"), notify.Text("event_code")));
        Assert.Equal(-1, (await tappay.RecordAsync(id))["record_status"]!.GetValue<int>());
        Assert.Equal(121, (await tappay.RefundAsync(id)).Status());
    }

    [Fact]
    public async Task Remember_keeps_a_LINE_Pay_payment_for_card_tokens_but_not_the_other_e_payments()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync("/tappay/notify");
        receiver.Default = (200, "");
        using var tappay = new TapPayClient(sandbox);
        var linePay = EPaymentBody("ln_test_", receiver.Url);
        linePay["remember"] = true;
        var jko = EPaymentBody("jk_test_", receiver.Url);
        jko["remember"] = true;

        var remembered = await tappay.PayAsync(linePay);
        var notRemembered = await tappay.PayAsync(jko);

        Assert.Null(notRemembered["card_secret"]);
        var secret = remembered["card_secret"]!;
        var renewal = await tappay.PostAsync("/tpc/payment/pay-by-token", TapPayClient.TokenBody(secret["card_key"]!.GetValue<string>(), secret["card_token"]!.GetValue<string>(), 300));
        Assert.Equal(0, renewal.Status());
        Assert.Null(renewal["payment_url"]);
    }
}
