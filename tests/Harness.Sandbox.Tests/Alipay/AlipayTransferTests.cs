using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Harness.Conformance.Steps.Providers;
using Harness.Sandbox.Tests.Support;

namespace Harness.Sandbox.Tests.Alipay;

/// <summary>单笔转账 to an Alipay account, its query and the merchant's balance, in certificate mode as Alipay requires.</summary>
public sealed class AlipayTransferTests
{
    private const string Transfer = "alipay.fund.trans.uni.transfer";
    private const string TransferQuery = "alipay.fund.trans.common.query";
    private const string AccountQuery = "alipay.fund.account.query";
    private const string Merchant = "2088102177000001";
    private const string Payee = "2088102177009999";

    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    internal static Dictionary<string, object> Payout(string outBizNo, string amount, object? payee = null, string product = "TRANS_ACCOUNT_NO_PWD") => new()
    {
        ["out_biz_no"] = outBizNo,
        ["trans_amount"] = amount,
        ["product_code"] = product,
        ["biz_scene"] = "DIRECT_TRANSFER",
        ["order_title"] = "提现",
        ["payee_info"] = payee ?? new { identity = Payee, identity_type = "ALIPAY_USER_ID" },
    };

    /// <summary>The app's certificate SNs, which a certificate-mode request carries.</summary>
    internal static async Task<Dictionary<string, string>> SerialsAsync(TestSandbox sandbox)
    {
        var credentials = (JsonObject)(await sandbox.GetJsonAsync("/control/providers/alipay"))["credentials"]!;
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["app_cert_sn"] = credentials["app_cert_sn"]!.GetValue<string>(),
            ["alipay_root_cert_sn"] = credentials["alipay_root_cert_sn"]!.GetValue<string>(),
        };
    }

    private static async Task<(string Available, string Frozen)> BalanceAsync(AlipayClient alipay, Dictionary<string, string> serials)
    {
        var reply = await alipay.CallAsync(AccountQuery, new { alipay_user_id = Merchant, account_type = "ACCTRANS_ACCOUNT" }, serials);
        Assert.True(reply.Code == "10000" && reply.SignatureValid, reply.Body);
        return (reply.Field("available_amount"), reply.Field("freeze_amount"));
    }

    [Fact]
    public async Task A_transfer_succeeds_a_repeat_answers_the_same_transfer_and_the_balance_pays_for_it()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var serials = await SerialsAsync(sandbox);
        Assert.Equal(("1000000.00", "0.00"), await BalanceAsync(alipay, serials));

        var sent = await alipay.CallAsync(Transfer, Payout("PAYOUT_1", "100.00"), serials);
        Assert.True(sent.SignatureValid, sent.Body);
        Assert.Contains("\"alipay_fund_trans_uni_transfer_response\":{", sent.Body, StringComparison.Ordinal);
        Assert.Equal(("10000", "SUCCESS", "PAYOUT_1"), (sent.Code, sent.Field("status"), sent.Field("out_biz_no")));
        Assert.Matches("^[0-9]{32}$", sent.Field("order_id"));
        Assert.Matches("^[0-9]{32}$", sent.Field("pay_fund_order_id"));
        Assert.Matches("^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$", sent.Field("trans_date"));

        var again = await alipay.CallAsync(Transfer, Payout("PAYOUT_1", "100.00"), serials);
        Assert.Equal((sent.Field("order_id"), sent.Field("pay_fund_order_id"), "SUCCESS"), (again.Field("order_id"), again.Field("pay_fund_order_id"), again.Field("status")));
        var other = await alipay.CallAsync(Transfer, Payout("PAYOUT_1", "100.01"), serials);
        Assert.Equal(("40004", "Business Failed", "PAYMENT_INFO_INCONSISTENCY"), (other.Code, other.Field("msg"), other.SubCode));
        Assert.Equal(("999900.00", "0.00"), await BalanceAsync(alipay, serials));

        foreach (object query in new object[]
        {
            new { order_id = sent.Field("order_id") },
            new { pay_fund_order_id = sent.Field("pay_fund_order_id") },
            new { out_biz_no = "PAYOUT_1", product_code = "TRANS_ACCOUNT_NO_PWD", biz_scene = "DIRECT_TRANSFER" },
        })
        {
            var found = await alipay.CallAsync(TransferQuery, query, serials);
            Assert.True(found.Code == "10000" && found.SignatureValid, found.Body);
            Assert.Equal((sent.Field("order_id"), "PAYOUT_1", "SUCCESS", "100.00"), (found.Field("order_id"), found.Field("out_biz_no"), found.Field("status"), found.Field("trans_amount")));
            Assert.Equal(sent.Field("trans_date"), found.Field("pay_date"));
            Assert.Null(found.Response["fail_reason"]);
        }
    }

    [Fact]
    public async Task The_balance_is_the_float_plus_paid_trades_less_refunds_and_transfers()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var serials = await SerialsAsync(sandbox);
        (await sandbox.PutSettingsAsync("alipay", new { transfer_float = "0" })).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.BadRequest, (await sandbox.PutSettingsAsync("alipay", new { transfer_float = "-1" })).StatusCode);
        Assert.Equal(("0.00", "0.00"), await BalanceAsync(alipay, serials));
        Assert.Equal("BALANCE_IS_NOT_ENOUGH", (await alipay.CallAsync(Transfer, Payout("POOR_1", "0.10"), serials)).SubCode);

        var tradeNo = await AlipayTests.PrecreateAsync(alipay, "SALE_1", "https://merchant.example/notify", "88.88");
        await AlipayTests.ScanAsync(sandbox, tradeNo);
        await sandbox.ActAsync(tradeNo, "pay");
        Assert.Equal("10000", (await alipay.CallAsync("alipay.trade.refund", new { out_trade_no = "SALE_1", refund_amount = "8.88" })).Code);
        Assert.Equal(("80.00", "0.00"), await BalanceAsync(alipay, serials));

        Assert.Equal("BALANCE_IS_NOT_ENOUGH", (await alipay.CallAsync(Transfer, Payout("POOR_2", "80.01"), serials)).SubCode);
        Assert.Equal("SUCCESS", (await alipay.CallAsync(Transfer, Payout("POOR_2", "80.00"), serials)).Field("status"));
        Assert.Equal(("0.00", "0.00"), await BalanceAsync(alipay, serials));
    }

    [Fact]
    public async Task Alipay_refuses_public_key_mode_malformed_transfers_and_the_documented_test_payees()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var serials = await SerialsAsync(sandbox);

        foreach (var method in new[] { Transfer, TransferQuery, AccountQuery })
        {
            var publicKeyMode = await alipay.CallAsync(method, Payout("PK_1", "1.00"));
            Assert.Equal(("40002", "isv.missing-app-cert-sn"), (publicKeyMode.Code, publicKeyMode.SubCode));
            Assert.True(publicKeyMode.SignatureValid, publicKeyMode.Body);
        }

        async Task<string?> RefusedAsync(object biz)
        {
            var reply = await alipay.CallAsync(Transfer, biz, serials);
            return reply.Code == "40004" ? reply.SubCode : $"not refused: {reply.Body}";
        }

        Assert.Equal("PAYEE_NOT_EXIST", await RefusedAsync(Payout("BAD_1", "1.00", new { identity = "2088000000000404", identity_type = "ALIPAY_USER_ID" })));
        Assert.Equal("PAYEE_NOT_EXIST", await RefusedAsync(Payout("BAD_2", "1.00", new { identity = "nobody@example.com", identity_type = "ALIPAY_LOGON_ID", name = "张三" })));
        Assert.Equal("PAYEE_USER_INFO_ERROR", await RefusedAsync(Payout("BAD_3", "1.00", new { identity = "2088000000000401", identity_type = "ALIPAY_USER_ID", name = "张三" })));
        Assert.Equal("PAYER_PAYEE_CANNOT_SAME", await RefusedAsync(Payout("BAD_4", "1.00", new { identity = Merchant, identity_type = "ALIPAY_USER_ID" })));
        Assert.Equal("INVALID_PARAMETER", await RefusedAsync(Payout("BAD_5", "1.00", new { identity = "someone@example.com", identity_type = "ALIPAY_LOGON_ID" })));
        Assert.Equal("INVALID_PARAMETER", await RefusedAsync(Payout("BAD_6", "1.00", new { identity = "12345", identity_type = "ALIPAY_USER_ID" })));
        Assert.Equal("INVALID_PARAMETER", await RefusedAsync(Payout("BAD_7", "1.001")));
        Assert.Equal("INVALID_PARAMETER", await RefusedAsync(Payout("BAD 8", "1.00")));
        Assert.Equal("EXCEED_LIMIT_SM_MIN_AMOUNT", await RefusedAsync(Payout("BAD_9", "0.09")));
        Assert.Equal("EXCEED_LIMIT_SM_AMOUNT", await RefusedAsync(Payout("BAD_10", "100000.01")));
        Assert.Equal("MEMO_REQUIRED_IN_TRANSFER_ERROR", await RefusedAsync(Payout("BAD_11", "50000.00")));
        Assert.Equal("PRODUCT_NOT_SIGN", await RefusedAsync(Payout("BAD_12", "1.00", product: "STD_RED_PACKET")));

        // Only the name is wrong: sent without one, the same payee receives; a refused out_biz_no is free to use again.
        Assert.Equal("SUCCESS", (await alipay.CallAsync(Transfer, Payout("BAD_3", "1.00", new { identity = "2088000000000401", identity_type = "ALIPAY_USER_ID" }), serials)).Field("status"));
        var withMemo = Payout("BAD_11", "50000.00");
        withMemo["remark"] = "供应商结算";
        Assert.Equal("SUCCESS", (await alipay.CallAsync(Transfer, withMemo, serials)).Field("status"));
        Assert.Equal(("949999.00", "0.00"), await BalanceAsync(alipay, serials));

        Assert.Equal("ORDER_NOT_EXIST", (await alipay.CallAsync(TransferQuery, new { order_id = "20261206110070000000000000000000" }, serials)).SubCode);
        Assert.Equal("ORDER_NOT_EXIST", (await alipay.CallAsync(TransferQuery, new { out_biz_no = "BAD_1", product_code = "TRANS_ACCOUNT_NO_PWD", biz_scene = "DIRECT_TRANSFER" }, serials)).SubCode);
        Assert.Equal("INVALID_PARAMETER", (await alipay.CallAsync(TransferQuery, new { out_biz_no = "BAD_3" }, serials)).SubCode);
        Assert.Equal("INVALID_PARAMETER", (await alipay.CallAsync(TransferQuery, new { }, serials)).SubCode);
        Assert.Equal("NO_PERMISSION_ACCOUNT", (await alipay.CallAsync(AccountQuery, new { alipay_user_id = Payee, account_type = "ACCTRANS_ACCOUNT" }, serials)).SubCode);
        Assert.Equal("INVALID_PARAMETER", (await alipay.CallAsync(AccountQuery, new { alipay_user_id = Merchant, account_type = "CREDIT" }, serials)).SubCode);
    }

    [Fact]
    public async Task A_dealing_transfer_holds_its_money_until_the_control_api_ends_it_and_a_failure_gives_it_back()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var serials = await SerialsAsync(sandbox);
        var dealingPayee = new { identity = "2088000000000202", identity_type = "ALIPAY_USER_ID" };

        var held = await alipay.CallAsync(Transfer, Payout("SLOW_1", "300.00", dealingPayee), serials);
        Assert.Equal("DEALING", held.Field("status"));
        Assert.Equal(("999700.00", "300.00"), await BalanceAsync(alipay, serials));
        var orderId = held.Field("order_id");
        var dealing = await alipay.CallAsync(TransferQuery, new { order_id = orderId }, serials);
        Assert.Equal("DEALING", dealing.Field("status"));
        Assert.Null(dealing.Response["pay_date"]);

        using var failed = await sandbox.Control.PostAsJsonAsync($"/control/alipay/transfers/{orderId}/outcome", new { status = "FAIL", fail_reason = "收款账户被冻结" }, Ct);
        Assert.Equal(HttpStatusCode.OK, failed.StatusCode);
        var query = await alipay.CallAsync(TransferQuery, new { order_id = orderId }, serials);
        Assert.Equal(("FAIL", "PAYEE_ACCOUNT_STATUS_ERROR", "收款账户被冻结"), (query.Field("status"), query.Field("error_code"), query.Field("fail_reason")));
        Assert.Null(query.Response["pay_fund_order_id"]);
        Assert.Equal(("1000000.00", "0.00"), await BalanceAsync(alipay, serials));
        Assert.Equal("FAIL", (await alipay.CallAsync(Transfer, Payout("SLOW_1", "300.00", dealingPayee), serials)).Field("status"));

        using var again = await sandbox.Control.PostAsJsonAsync($"/control/alipay/transfers/{orderId}/outcome", new { status = "SUCCESS" }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        using var unknown = await sandbox.Control.PostAsJsonAsync("/control/alipay/transfers/20261206110070000000000000000000/outcome", new { status = "FAIL" }, Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var invalid = await sandbox.Control.PostAsJsonAsync($"/control/alipay/transfers/{orderId}/outcome", new { status = "CLOSED" }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);

        // A paid transfer can still come back (退票): the money returns then.
        var paid = (await alipay.CallAsync(Transfer, Payout("PAID_1", "20.00"), serials)).Field("order_id");
        Assert.Equal(("999980.00", "0.00"), await BalanceAsync(alipay, serials));
        using var refunded = await sandbox.Control.PostAsJsonAsync($"/control/alipay/transfers/{paid}/outcome", new { status = "REFUND", error_code = "PAYEE_CARD_INFO_ERROR" }, Ct);
        Assert.Equal("REFUND", (await refunded.Content.ReadFromJsonAsync<JsonObject>(Ct))!["status"]!.GetValue<string>());
        var back = await alipay.CallAsync(TransferQuery, new { order_id = paid }, serials);
        Assert.Equal(("REFUND", "PAYEE_CARD_INFO_ERROR", "收款方账号异常"), (back.Field("status"), back.Field("error_code"), back.Field("fail_reason")));
        Assert.Equal(("1000000.00", "0.00"), await BalanceAsync(alipay, serials));
    }

    [Fact]
    public async Task Transfers_and_the_balance_survive_a_restart()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-alipay-transfers-" + Guid.NewGuid().ToString("N"));
        string orderId;
        await using (var first = await TestSandbox.StartAsync(configure: o => o.DataDirectory = data))
        {
            using var alipay = await AlipayClient.ConnectAsync(first);
            var serials = await SerialsAsync(first);
            orderId = (await alipay.CallAsync(Transfer, Payout("KEPT_1", "12.34"), serials)).Field("order_id");
            Assert.Equal("DEALING", (await alipay.CallAsync(Transfer, Payout("KEPT_2", "1.00", new { identity = "2088000000000202", identity_type = "ALIPAY_USER_ID" }), serials)).Field("status"));
        }

        await using (var second = await TestSandbox.StartAsync(configure: o => o.DataDirectory = data))
        {
            using var alipay = await AlipayClient.ConnectAsync(second);
            var serials = await SerialsAsync(second);
            Assert.Equal(orderId, (await alipay.CallAsync(Transfer, Payout("KEPT_1", "12.34"), serials)).Field("order_id"));
            Assert.Equal("SUCCESS", (await alipay.CallAsync(TransferQuery, new { order_id = orderId }, serials)).Field("status"));
            Assert.Equal(("999986.66", "1.00"), await BalanceAsync(alipay, serials));
        }
    }

    [Fact]
    public async Task The_v3_routes_transfer_query_and_read_the_balance_in_certificate_mode_only()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var serials = await SerialsAsync(sandbox);
        using var http = new HttpClient { BaseAddress = new Uri(sandbox.BaseUrl("alipay")) };
        async Task<(HttpStatusCode Status, JsonObject Body)> SendAsync(HttpMethod method, string pathAndQuery, string body, bool certificateMode = true)
        {
            using var message = new HttpRequestMessage(method, pathAndQuery);
            if (method == HttpMethod.Post)
            {
                message.Content = new StringContent(body, Encoding.UTF8, "application/json");
            }

            message.Headers.TryAddWithoutValidation("authorization", ProviderSignatures.AlipayV3Authorization(alipay.AppId, alipay.AppPrivateKey, method.Method, pathAndQuery, body, certificateMode ? serials["app_cert_sn"] : null));
            if (certificateMode)
            {
                message.Headers.TryAddWithoutValidation("alipay-root-cert-sn", serials["alipay_root_cert_sn"]);
            }

            using var response = await http.SendAsync(message, Ct);
            return (response.StatusCode, (JsonObject)JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!);
        }

        const string transfer = """{"out_biz_no":"V3_PAYOUT","trans_amount":"5.00","product_code":"TRANS_ACCOUNT_NO_PWD","biz_scene":"DIRECT_TRANSFER","payee_info":{"identity":"2088102177009999","identity_type":"ALIPAY_USER_ID"}}""";
        var (refused, refusal) = await SendAsync(HttpMethod.Post, "/v3/alipay/fund/trans/uni/transfer", transfer, certificateMode: false);
        Assert.Equal((HttpStatusCode.Unauthorized, "missing-app-cert-sn"), (refused, refusal["code"]!.GetValue<string>()));

        var (sent, sentBody) = await SendAsync(HttpMethod.Post, "/v3/alipay/fund/trans/uni/transfer", transfer);
        Assert.Equal((HttpStatusCode.OK, "SUCCESS"), (sent, sentBody["status"]!.GetValue<string>()));
        var (found, foundBody) = await SendAsync(HttpMethod.Get, "/v3/alipay/fund/trans/common/query?order_id=" + sentBody["order_id"]!.GetValue<string>(), "");
        Assert.Equal((HttpStatusCode.OK, "V3_PAYOUT", "5.00"), (found, foundBody["out_biz_no"]!.GetValue<string>(), foundBody["trans_amount"]!.GetValue<string>()));
        var (missing, missingBody) = await SendAsync(HttpMethod.Get, "/v3/alipay/fund/trans/common/query?order_id=20261206110070000000000000000000", "");
        Assert.Equal((HttpStatusCode.NotFound, "ORDER_NOT_EXIST"), (missing, missingBody["code"]!.GetValue<string>()));
        var (balance, balanceBody) = await SendAsync(HttpMethod.Get, $"/v3/alipay/fund/account/query?alipay_user_id={Merchant}&account_type=ACCTRANS_ACCOUNT", "");
        Assert.Equal((HttpStatusCode.OK, "999995.00"), (balance, balanceBody["available_amount"]!.GetValue<string>()));
        var (poor, poorBody) = await SendAsync(HttpMethod.Post, "/v3/alipay/fund/trans/uni/transfer", transfer.Replace("V3_PAYOUT", "V3_BIG", StringComparison.Ordinal).Replace("\"5.00\"", "\"0.01\"", StringComparison.Ordinal));
        Assert.Equal((HttpStatusCode.BadRequest, "EXCEED_LIMIT_SM_MIN_AMOUNT"), (poor, poorBody["code"]!.GetValue<string>()));
    }
}
