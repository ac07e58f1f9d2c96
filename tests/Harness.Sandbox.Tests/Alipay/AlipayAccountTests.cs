using System.Net;
using System.Net.Http.Json;
using Harness.Sandbox.Alipay;
using Harness.Sandbox.Tests.Support;
using Harness.Storage;
using static Harness.Sandbox.Tests.Alipay.AlipayAgreementTests;
using static Harness.Sandbox.Tests.Alipay.AlipayTests;
using static Harness.Sandbox.Tests.Alipay.AlipayTransferTests;

namespace Harness.Sandbox.Tests.Alipay;

/// <summary>
/// The merchant's balance kept as one stored document, moved by every paid trade (each flow), refund, cancel, transfer
/// and transfer outcome; <c>alipay.fund.account.query</c> answers from it.
/// </summary>
public sealed class AlipayAccountTests
{
    private const string Merchant = "2088102177000001";
    private const string Notify = "https://merchant.example/notify";

    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    internal static async Task<(string Available, string Frozen)> BalanceAsync(AlipayClient alipay, Dictionary<string, string> serials)
    {
        var reply = await alipay.CallAsync("alipay.fund.account.query", new { alipay_user_id = Merchant, account_type = "ACCTRANS_ACCOUNT" }, serials);
        Assert.True(reply.Code == "10000" && reply.SignatureValid, reply.Body);
        return (reply.Field("available_amount"), reply.Field("freeze_amount"));
    }

    /// <summary>
    /// Trades paid through precreate, page.pay, trade.create, a barcode and an agreement deduction; a refund and a
    /// cancel's refund; transfers paid, DEALING, failed and returned. By the sum over trades and transfers the balance
    /// is 100 + 12.50 + 50 + 36.50 + 25 − 10 − 36.50 − 20 − 30 (DEALING, frozen) = 127.50, 30.00 frozen (the float set to 0).
    /// </summary>
    private static async Task MixedHistoryAsync(TestSandbox sandbox, AlipayClient alipay, Dictionary<string, string> serials)
    {
        (await sandbox.PutSettingsAsync("alipay", new { transfer_float = "0" })).EnsureSuccessStatusCode();
        var notify = new Dictionary<string, string> { ["notify_url"] = Notify };

        var precreated = await PrecreateAsync(alipay, "MIX_QR", Notify, "100.00");
        await ScanAsync(sandbox, precreated);
        await sandbox.ActAsync(precreated, "pay");

        using (var cashier = await alipay.BrowseAsync("alipay.trade.page.pay", Order("MIX_PAGE", "12.50", new { product_code = "FAST_INSTANT_TRADE_PAY" }), notify))
        {
            Assert.Equal(HttpStatusCode.Redirect, cashier.StatusCode);
            var page = cashier.Headers.Location!.ToString();
            await sandbox.ActAsync(page[(page.LastIndexOf('/') + 1)..], "pay");
        }

        var created = await alipay.CallAsync("alipay.trade.create", Order("MIX_JSAPI", "50.00", new { product_code = "JSAPI_PAY", buyer_id = "2088102177001234" }), notify);
        await sandbox.ActAsync(created.Field("trade_no"), "pay");
        Assert.Equal("10000", (await alipay.CallAsync(AlipayProvider.BarcodePay, Order("MIX_BAR", "36.50", new { scene = "bar_code", auth_code = "283456789012345678" }), notify)).Code);
        var agreement = await SignAsync(await SignPageAsync(alipay, new { personal_product_code = "GENERAL_WITHHOLDING_P", product_code = "GENERAL_WITHHOLDING", sign_scene = "INDUSTRY|MEDICAL", external_agreement_no = "MIX_AG", access_params = new { channel = "QRCODE" } }));
        Assert.Equal("10000", (await alipay.CallAsync(AlipayProvider.BarcodePay, Deduction("MIX_DEDUCT", agreement), notify)).Code);
        Assert.Equal(("224.00", "0.00"), await BalanceAsync(alipay, serials));

        Assert.Equal("10000", (await alipay.CallAsync("alipay.trade.refund", new { out_trade_no = "MIX_QR", refund_amount = "10.00", out_request_no = "R1" })).Code);
        Assert.Equal("refund", (await alipay.CallAsync("alipay.trade.cancel", new { out_trade_no = "MIX_BAR" })).Field("action"));
        Assert.Equal(("177.50", "0.00"), await BalanceAsync(alipay, serials));

        var dealing = new { identity = "2088000000000202", identity_type = "ALIPAY_USER_ID" };
        Assert.Equal("SUCCESS", (await alipay.CallAsync("alipay.fund.trans.uni.transfer", Payout("MIX_T1", "20.00"), serials)).Field("status"));
        Assert.Equal("DEALING", (await alipay.CallAsync("alipay.fund.trans.uni.transfer", Payout("MIX_T2", "30.00", dealing), serials)).Field("status"));
        var failing = (await alipay.CallAsync("alipay.fund.trans.uni.transfer", Payout("MIX_T3", "5.00", dealing), serials)).Field("order_id");
        var returning = (await alipay.CallAsync("alipay.fund.trans.uni.transfer", Payout("MIX_T4", "7.00"), serials)).Field("order_id");
        Assert.Equal(("115.50", "35.00"), await BalanceAsync(alipay, serials));
        (await sandbox.Control.PostAsJsonAsync($"/control/alipay/transfers/{failing}/outcome", new { status = "FAIL" }, Ct)).EnsureSuccessStatusCode();
        (await sandbox.Control.PostAsJsonAsync($"/control/alipay/transfers/{returning}/outcome", new { status = "REFUND" }, Ct)).EnsureSuccessStatusCode();
        Assert.Equal(("127.50", "30.00"), await BalanceAsync(alipay, serials));
    }

    [Fact]
    public async Task The_stored_balance_moves_with_every_flow_refund_and_transfer_as_the_sum_over_them_did()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var serials = await SerialsAsync(sandbox);
        await MixedHistoryAsync(sandbox, alipay, serials);

        // A DEALING transfer that succeeds leaves the frozen part; the float is added as it is read.
        var dealing = (await alipay.CallAsync("alipay.fund.trans.uni.transfer", Payout("MIX_T2", "30.00", new { identity = "2088000000000202", identity_type = "ALIPAY_USER_ID" }), serials)).Field("order_id");
        (await sandbox.Control.PostAsJsonAsync($"/control/alipay/transfers/{dealing}/outcome", new { status = "SUCCESS" }, Ct)).EnsureSuccessStatusCode();
        Assert.Equal(("127.50", "0.00"), await BalanceAsync(alipay, serials));
        (await sandbox.PutSettingsAsync("alipay", new { transfer_float = "1000" })).EnsureSuccessStatusCode();
        Assert.Equal(("137.50", "0.00"), await BalanceAsync(alipay, serials));
        Assert.Equal("BALANCE_IS_NOT_ENOUGH", (await alipay.CallAsync("alipay.fund.trans.uni.transfer", Payout("MIX_T5", "137.51"), serials)).SubCode);
        Assert.Equal("SUCCESS", (await alipay.CallAsync("alipay.fund.trans.uni.transfer", Payout("MIX_T5", "137.50"), serials)).Field("status"));
        Assert.Equal(("0.00", "0.00"), await BalanceAsync(alipay, serials));
    }

    [Fact]
    public async Task A_store_written_before_the_balance_was_kept_opens_it_from_its_trades_refunds_and_transfers()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-sandbox-tests", Guid.NewGuid().ToString("N"));
        await using (var first = await TestSandbox.StartAsync(configure: o => o.DataDirectory = data))
        {
            using var alipay = await AlipayClient.ConnectAsync(first);
            await MixedHistoryAsync(first, alipay, await SerialsAsync(first));
        }

        // Such a store has the trades and transfers but no balance document.
        using (var store = new RocksDocumentStore(Path.Combine(data, "sandbox-store")))
        {
            Assert.True(store.Collection<AlipayAccount>("alipay_accounts").Delete(AlipayProvider.SellerId));
        }

        await using var second = await TestSandbox.StartAsync(configure: o => o.DataDirectory = data);
        using var again = await AlipayClient.ConnectAsync(second);
        var serials = await SerialsAsync(second);
        Assert.Equal(("127.50", "30.00"), await BalanceAsync(again, serials));
        var tradeNo = await PrecreateAsync(again, "MIX_AFTER", Notify, "1.00");
        await ScanAsync(second, tradeNo);
        await second.ActAsync(tradeNo, "pay");
        Assert.Equal(("128.50", "30.00"), await BalanceAsync(again, serials));
    }
}
