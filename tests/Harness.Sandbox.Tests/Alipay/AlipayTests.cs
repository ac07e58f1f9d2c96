using System.Net;
using System.Text.Json.Nodes;
using Harness.Conformance.Steps.Providers;
using Harness.Sandbox.Tests.Support;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Time.Testing;

namespace Harness.Sandbox.Tests.Alipay;

public sealed class AlipayTests
{
    private const string Precreate = "alipay.trade.precreate";
    private const string Query = "alipay.trade.query";

    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    internal static object Order(string outTradeNo, string amount = "88.88", object? extra = null)
    {
        var order = new Dictionary<string, object> { ["out_trade_no"] = outTradeNo, ["total_amount"] = amount, ["subject"] = "Harness 充值" };
        foreach (var property in extra?.GetType().GetProperties() ?? [])
        {
            order[property.Name] = property.GetValue(extra)!;
        }

        return order;
    }

    /// <summary>Precreates a trade notifying <paramref name="notifyUrl"/>; returns the trade_no (the pay page id) taken from qr_code.</summary>
    internal static async Task<string> PrecreateAsync(AlipayClient alipay, string outTradeNo, string notifyUrl, string amount = "88.88", object? extra = null)
    {
        var reply = await alipay.CallAsync(Precreate, Order(outTradeNo, amount, extra), new Dictionary<string, string> { ["notify_url"] = notifyUrl });
        Assert.True(reply.Code == "10000", reply.Body);
        var qr = reply.Field("qr_code");
        return Uri.UnescapeDataString(qr[(qr.LastIndexOf('/') + 1)..]);
    }

    /// <summary>The buyer scans: opens the cashier the code leads to.</summary>
    internal static async Task ScanAsync(TestSandbox sandbox, string tradeNo)
    {
        using var page = await sandbox.Control.GetAsync($"/pay/{tradeNo}", Ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    private static Dictionary<string, string> Form(string body) =>
        QueryHelpers.ParseQuery(body).ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal);

    [Fact]
    public async Task Precreate_scan_pay_then_a_verifiable_notify_and_query_follow_each_state()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync("/alipay/notify");
        receiver.Default = (200, "success");
        using var alipay = await AlipayClient.ConnectAsync(sandbox);

        var created = await alipay.CallAsync(Precreate, Order("ORDER_1"), new Dictionary<string, string> { ["notify_url"] = receiver.Url });
        Assert.True(created.SignatureValid, created.Body);
        Assert.Equal("Success", created.Field("msg"));
        Assert.Equal("ORDER_1", created.Field("out_trade_no"));
        Assert.EndsWith("\"sign\":\"" + JsonNode.Parse(created.Body)!["sign"]!.GetValue<string>() + "\"}", created.Body, StringComparison.Ordinal);
        var qr = created.Field("qr_code");
        var tradeNo = qr[(qr.LastIndexOf('/') + 1)..];
        Assert.Matches("^[0-9]{28}$", tradeNo);
        Assert.Equal(qr, (await sandbox.GetJsonAsync($"/control/payments/{tradeNo}"))["qr_code"]!.GetValue<string>());

        // Before the scan the trade does not exist, for query and close alike.
        var before = await alipay.CallAsync(Query, new { out_trade_no = "ORDER_1" });
        Assert.Equal(("40004", "ACQ.TRADE_NOT_EXIST"), (before.Code, before.SubCode));
        Assert.True(before.SignatureValid);
        var closeBefore = await alipay.CallAsync("alipay.trade.close", new { out_trade_no = "ORDER_1" });
        Assert.Equal("ACQ.TRADE_NOT_EXIST", closeBefore.SubCode);

        await ScanAsync(sandbox, tradeNo);
        var waiting = await alipay.CallAsync(Query, new { out_trade_no = "ORDER_1" });
        Assert.Equal(("10000", "WAIT_BUYER_PAY", tradeNo), (waiting.Code, waiting.Field("trade_status"), waiting.Field("trade_no")));
        Assert.True(waiting.SignatureValid);

        await sandbox.ActAsync(tradeNo, "pay");
        var notify = await receiver.NextAsync();
        Assert.Equal("POST", notify.Method);
        Assert.StartsWith("application/x-www-form-urlencoded", notify.Header("Content-Type"), StringComparison.Ordinal);
        Assert.True(alipay.Verifies(notify.Form));
        Assert.Equal("RSA2", notify.Form["sign_type"]);
        Assert.All(notify.Form, p => Assert.NotEqual("", p.Value));
        Assert.Equal(("TRADE_SUCCESS", "88.88", tradeNo, "ORDER_1"), (notify.Form["trade_status"], notify.Form["total_amount"], notify.Form["trade_no"], notify.Form["out_trade_no"]));
        Assert.Equal(("trade_status_sync", alipay.AppId), (notify.Form["notify_type"], notify.Form["app_id"]));
        Assert.Matches("^2088[0-9]{12}$", notify.Form["buyer_id"]);
        Assert.Matches("^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$", notify.Form["gmt_payment"]);
        Assert.DoesNotContain('%', string.Concat(notify.Form.Values));

        var paid = await alipay.CallAsync(Query, new { trade_no = tradeNo });
        Assert.Equal(("TRADE_SUCCESS", "88.88", "88.88"), (paid.Field("trade_status"), paid.Field("total_amount"), paid.Field("buyer_pay_amount")));
        Assert.Equal(notify.Form["buyer_id"], paid.Field("buyer_user_id"));

        // A notify someone changed on the way does not verify.
        var tampered = new Dictionary<string, string>(notify.Form) { ["total_amount"] = "0.01" };
        Assert.False(alipay.Verifies(tampered));

        await sandbox.RunDueAsync();
        Assert.Equal("delivered", (await sandbox.DeliveriesAsync(tradeNo)).Single()!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_request_signed_with_another_key_is_refused_until_the_merchant_registers_that_key()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        using var own = System.Security.Cryptography.RSA.Create(2048);
        alipay.AppPrivateKey = own.ExportRSAPrivateKeyPem(); // PKCS#1, the merchant's own

        var refused = await alipay.CallAsync(Precreate, Order("OWN_KEY_1"));
        Assert.Equal(("40002", "Invalid Arguments", "isv.invalid-signature"), (refused.Code, refused.Field("msg"), refused.SubCode));
        Assert.True(refused.SignatureValid);
        Assert.Contains("\"alipay_trade_precreate_response\"", refused.Body, StringComparison.Ordinal);

        // The bare base64 form, as Alipay's console shows it.
        await sandbox.Control.PutAsync("/control/providers/alipay/settings", System.Net.Http.Json.JsonContent.Create(new { app_public_key = Convert.ToBase64String(own.ExportSubjectPublicKeyInfo()) }), Ct);
        Assert.Equal("10000", (await alipay.CallAsync(Precreate, Order("OWN_KEY_1"))).Code);
    }

    [Theory]
    [InlineData("total_amount", "0", "40004", "ACQ.INVALID_PARAMETER")]
    [InlineData("total_amount", "1.001", "40004", "ACQ.INVALID_PARAMETER")]
    [InlineData("total_amount", "-5", "40004", "ACQ.INVALID_PARAMETER")]
    [InlineData("total_amount", "100000000.01", "40004", "ACQ.INVALID_PARAMETER")]
    [InlineData("total_amount", "1e3", "40004", "ACQ.INVALID_PARAMETER")]
    [InlineData("out_trade_no", "", "40004", "ACQ.INVALID_PARAMETER")]
    [InlineData("out_trade_no", "订单1", "40004", "ACQ.INVALID_PARAMETER")]
    [InlineData("subject", "257", "40004", "ACQ.INVALID_PARAMETER")]
    [InlineData("timeout_express", "16d", "40004", "ACQ.INVALID_PARAMETER")]
    [InlineData("timeout_express", "1.5h", "40004", "ACQ.INVALID_PARAMETER")]
    [InlineData("time_expire", "2026-11-23 20:00:30", "40004", "ACQ.INVALID_PARAMETER")]
    [InlineData("time_expire", "2026-12-08 20:00:01", "40004", "ACQ.INVALID_PARAMETER")]
    [InlineData("time_expire", "2026-11-24T12:00:00+08:00", "40004", "ACQ.INVALID_PARAMETER")]
    [InlineData("product_code", "QUICK_WAP_WAY", "40004", "ACQ.PRODUCT_CODE_ERROR")]
    [InlineData("biz_content", "{not json", "40004", "ACQ.INVALID_PARAMETER")]
    [InlineData("timestamp", "2026/11/23", "40002", "isv.invalid-timestamp")]
    [InlineData("app_id", "2021000000000002", "40002", "isv.invalid-app-id")]
    [InlineData("sign_type", "RSA", "40002", "isv.invalid-signature-type")]
    [InlineData("sign", "", "40001", "isv.missing-signature")]
    [InlineData("notify_url", "not a url", "40002", "isv.invalid-parameter")]
    public async Task Bad_requests_get_alipays_signed_error_shape_never_a_500(string field, string value, string code, string subCode)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var biz = (Dictionary<string, object>)Order("BAD_1");
        if (field is "total_amount" or "out_trade_no" or "timeout_express" or "time_expire" or "product_code")
        {
            biz[field] = value;
        }
        else if (field == "subject")
        {
            biz[field] = new string('s', int.Parse(value, System.Globalization.CultureInfo.InvariantCulture));
        }

        var parameters = alipay.SignedParams(Precreate, biz);
        if (field is "biz_content" or "timestamp" or "app_id" or "sign_type" or "notify_url")
        {
            parameters[field] = value;
            alipay.Resign(parameters);
        }
        else if (field == "sign")
        {
            parameters.Remove("sign");
        }

        var reply = await alipay.PostAsync(parameters);
        Assert.Equal(200, reply.Status);
        Assert.Equal((code, subCode), (reply.Code, reply.SubCode));
        Assert.True(reply.SignatureValid, reply.Body);
        Assert.False(string.IsNullOrEmpty(reply.Field("sub_msg")));
        Assert.Empty(await sandbox.GetArrayAsync("/control/payments?provider=alipay"));
    }

    [Fact]
    public async Task An_unknown_method_gets_an_error_response()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var reply = await alipay.CallAsync("alipay.trade.nonsense", new { });
        Assert.Contains("\"error_response\"", reply.Body, StringComparison.Ordinal);
        Assert.Equal(("40002", "isv.invalid-method"), (reply.Code, reply.SubCode));
        Assert.True(reply.SignatureValid);
    }

    [Fact]
    public async Task Closing_a_scanned_trade_closes_it_with_a_TRADE_CLOSED_notify_and_a_paid_one_cannot_be_closed()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        receiver.Default = (200, "success");
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var tradeNo = await PrecreateAsync(alipay, "CLOSE_1", receiver.Url);
        await ScanAsync(sandbox, tradeNo);

        var closed = await alipay.CallAsync("alipay.trade.close", new { out_trade_no = "CLOSE_1" });
        Assert.Equal(("10000", tradeNo), (closed.Code, closed.Field("trade_no")));
        Assert.Equal("TRADE_CLOSED", (await alipay.CallAsync(Query, new { out_trade_no = "CLOSE_1" })).Field("trade_status"));
        var notify = await receiver.NextAsync();
        Assert.True(alipay.Verifies(notify.Form));
        Assert.Equal("TRADE_CLOSED", notify.Form["trade_status"]);
        Assert.True(notify.Form.ContainsKey("gmt_close"));
        Assert.Equal("canceled", (await sandbox.GetJsonAsync($"/control/payments/{tradeNo}"))["status"]!.GetValue<string>());
        Assert.Equal("ACQ.TRADE_HAS_CLOSE", (await alipay.CallAsync(Precreate, Order("CLOSE_1"))).SubCode);

        var paidNo = await PrecreateAsync(alipay, "CLOSE_2", receiver.Url);
        await sandbox.ActAsync(paidNo, "pay");
        Assert.Equal("ACQ.TRADE_STATUS_ERROR", (await alipay.CallAsync("alipay.trade.close", new { trade_no = paidNo })).SubCode);
        Assert.Equal("ACQ.TRADE_HAS_SUCCESS", (await alipay.CallAsync(Precreate, Order("CLOSE_2"))).SubCode);
    }

    [Fact]
    public async Task Refunds_are_partial_or_full_idempotent_by_out_request_no_and_never_above_what_was_paid()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        receiver.Default = (200, "success");
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var tradeNo = await PrecreateAsync(alipay, "REFUND_1", receiver.Url, "10.00");
        Assert.Equal("ACQ.TRADE_NOT_EXIST", (await alipay.CallAsync("alipay.trade.refund", new { out_trade_no = "REFUND_1", refund_amount = "1.00" })).SubCode);
        await ScanAsync(sandbox, tradeNo);
        Assert.Equal("ACQ.TRADE_STATUS_ERROR", (await alipay.CallAsync("alipay.trade.refund", new { out_trade_no = "REFUND_1", refund_amount = "1.00" })).SubCode);
        await sandbox.ActAsync(tradeNo, "pay");
        await receiver.NextAsync();

        var partial = await alipay.CallAsync("alipay.trade.refund", new { out_trade_no = "REFUND_1", refund_amount = "3.00", out_request_no = "R1" });
        Assert.Equal(("10000", "Y", "3.00"), (partial.Code, partial.Field("fund_change"), partial.Field("refund_fee")));
        Assert.True(partial.SignatureValid);
        var again = await alipay.CallAsync("alipay.trade.refund", new { out_trade_no = "REFUND_1", refund_amount = "3.00", out_request_no = "R1" });
        Assert.Equal(("10000", "N", "3.00"), (again.Code, again.Field("fund_change"), again.Field("refund_fee")));
        Assert.Equal("ACQ.DISCORDANT_REPEAT_REQUEST", (await alipay.CallAsync("alipay.trade.refund", new { out_trade_no = "REFUND_1", refund_amount = "4.00", out_request_no = "R1" })).SubCode);
        Assert.Equal("ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", (await alipay.CallAsync("alipay.trade.refund", new { trade_no = tradeNo, refund_amount = "7.01", out_request_no = "R2" })).SubCode);

        var partialNotify = await receiver.NextAsync();
        Assert.True(alipay.Verifies(partialNotify.Form));
        Assert.Equal(("TRADE_SUCCESS", "3.00", "R1"), (partialNotify.Form["trade_status"], partialNotify.Form["refund_fee"], partialNotify.Form["out_biz_no"]));
        Assert.Equal("TRADE_SUCCESS", (await alipay.CallAsync(Query, new { trade_no = tradeNo })).Field("trade_status"));

        var full = await alipay.CallAsync("alipay.trade.refund", new { trade_no = tradeNo, refund_amount = "7.00", out_request_no = "R2" });
        Assert.Equal(("10000", "10.00", "7.00"), (full.Code, full.Field("refund_fee"), full.Field("send_back_fee")));
        var closedNotify = await receiver.NextAsync();
        Assert.Equal(("TRADE_CLOSED", "10.00"), (closedNotify.Form["trade_status"], closedNotify.Form["refund_fee"]));
        Assert.True(alipay.Verifies(closedNotify.Form));
        Assert.Equal("TRADE_CLOSED", (await alipay.CallAsync(Query, new { trade_no = tradeNo })).Field("trade_status"));
        Assert.Equal("ACQ.TRADE_STATUS_ERROR", (await alipay.CallAsync("alipay.trade.refund", new { trade_no = tradeNo, refund_amount = "0.01", out_request_no = "R3" })).SubCode);

        var r1 = await alipay.CallAsync("alipay.trade.fastpay.refund.query", new { out_trade_no = "REFUND_1", out_request_no = "R1" });
        Assert.Equal(("10000", "3.00", "REFUND_SUCCESS", "10.00"), (r1.Code, r1.Field("refund_amount"), r1.Field("refund_status"), r1.Field("total_amount")));
        var unknown = await alipay.CallAsync("alipay.trade.fastpay.refund.query", new { out_trade_no = "REFUND_1", out_request_no = "R9" });
        Assert.Equal("10000", unknown.Code);
        Assert.Null(unknown.Response["refund_amount"]);
    }

    [Theory]
    [InlineData("alipay.trade.page.pay", "FAST_INSTANT_TRADE_PAY")]
    [InlineData("alipay.trade.wap.pay", "QUICK_WAP_WAY")]
    public async Task Cashier_methods_send_the_browser_to_the_pay_page_and_back_to_return_url_signed(string method, string productCode)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        using var cashier = await alipay.BrowseAsync(method, Order("PAGE_1", "12.50", new { product_code = productCode }),
            new Dictionary<string, string> { ["return_url"] = "https://merchant.example/return", ["notify_url"] = "https://merchant.example/notify" });
        Assert.Equal(HttpStatusCode.Redirect, cashier.StatusCode);
        var payPage = cashier.Headers.Location!.ToString();
        Assert.StartsWith(sandbox.Server.ControlBaseUrl + "/pay/", payPage, StringComparison.Ordinal);
        var tradeNo = payPage[(payPage.LastIndexOf('/') + 1)..];
        await ScanAsync(sandbox, tradeNo);
        Assert.Equal("WAIT_BUYER_PAY", (await alipay.CallAsync(Query, new { out_trade_no = "PAGE_1" })).Field("trade_status"));

        var back = await sandbox.ActAsync(tradeNo, "pay");
        Assert.StartsWith("https://merchant.example/return?", back, StringComparison.Ordinal);
        var returned = QueryHelpers.ParseQuery(new Uri(back!).Query).ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal);
        Assert.True(alipay.Verifies(returned));
        Assert.Equal((method + ".return", "12.50", tradeNo, "PAGE_1", "RSA2"), (returned["method"], returned["total_amount"], returned["trade_no"], returned["out_trade_no"], returned["sign_type"]));
        Assert.Equal(alipay.AppId, returned["app_id"]);
    }

    [Fact]
    public async Task A_cashier_request_with_a_bad_signature_gets_an_error_page()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        using var other = System.Security.Cryptography.RSA.Create(2048);
        alipay.AppPrivateKey = other.ExportPkcs8PrivateKeyPem();
        using var cashier = await alipay.BrowseAsync("alipay.trade.page.pay", Order("PAGE_2"), new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.BadRequest, cashier.StatusCode);
        Assert.Contains("isv.invalid-signature", await cashier.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unacknowledged_notify_is_resent_on_alipays_schedule_until_it_gives_up_stamped_at_each_attempt()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        receiver.Default = (200, "fail");
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var tradeNo = await PrecreateAsync(alipay, "RETRY_1", receiver.Url);
        await sandbox.ActAsync(tradeNo, "pay");
        await receiver.NextAsync();

        int[] minutes = [4, 10, 10, 60, 120, 360, 900];
        for (var i = 0; i < minutes.Length; i++)
        {
            // Nothing a minute early; the next attempt exactly on time.
            await sandbox.AdvanceAsync(TimeSpan.FromMinutes(minutes[i] - 1));
            Assert.Equal(i + 1, ((JsonArray)(await sandbox.DeliveriesAsync(tradeNo))[0]!["attempts"]!).Count);
            await sandbox.AdvanceAsync(TimeSpan.FromMinutes(1));
        }

        var delivery = (await sandbox.DeliveriesAsync(tradeNo)).Single()!;
        var attempts = ((JsonArray)delivery["attempts"]!).Select(a => a!).ToList();
        Assert.Equal(8, attempts.Count);
        Assert.Equal("exhausted", delivery["status"]!.GetValue<string>());
        var forms = attempts.Select(a => Form(a["request_body"]!.GetValue<string>())).ToList();
        Assert.Single(forms.Select(f => string.Join('&', f.Where(p => p.Key is not ("notify_time" or "sign")).OrderBy(p => p.Key, StringComparer.Ordinal))).Distinct());
        // notify_time is wall-clock time (SDKs hold it to the real clock); its freshness per attempt is tested with a moved wall clock.
        Assert.All(forms, f => Assert.True(alipay.Verifies(f), "each attempt is signed"));
        Assert.Single(receiver.All.Select(r => Form(r.Body)["notify_id"]).Distinct());
        var times = attempts.Select(a => a["at"]!.GetValue<DateTime>()).ToList();
        Assert.Equal(minutes.Select(m => TimeSpan.FromMinutes(m)), times.Zip(times.Skip(1), (a, b) => b - a));
    }

    [Fact]
    public async Task An_unscanned_code_expires_without_a_trade_and_a_scanned_one_closes_with_a_notify()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        receiver.Default = (200, "success");
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var unscanned = await PrecreateAsync(alipay, "EXPIRE_1", receiver.Url, extra: new { qr_code_timeout_express = "5m" });
        var scanned = await PrecreateAsync(alipay, "EXPIRE_2", receiver.Url, extra: new { timeout_express = "10m" });
        var fallback = await PrecreateAsync(alipay, "EXPIRE_3", receiver.Url);

        // An absolute time_expire (China time: 12:00 UTC is 20:00) wins over a relative timeout.
        var absolute = await PrecreateAsync(alipay, "EXPIRE_4", receiver.Url, extra: new { timeout_express = "1d", time_expire = "2026-11-23 20:07:00" });
        Assert.Equal(new DateTime(2026, 11, 23, 12, 7, 0), (await sandbox.GetJsonAsync($"/control/payments/{absolute}"))["expires_at"]!.GetValue<DateTime>());
        await ScanAsync(sandbox, scanned);

        await sandbox.AdvanceAsync(TimeSpan.FromMinutes(10));

        Assert.Equal("expired", (await sandbox.GetJsonAsync($"/control/payments/{unscanned}"))["status"]!.GetValue<string>());
        Assert.Equal("ACQ.TRADE_NOT_EXIST", (await alipay.CallAsync(Query, new { out_trade_no = "EXPIRE_1" })).SubCode);
        Assert.Equal("TRADE_CLOSED", (await alipay.CallAsync(Query, new { out_trade_no = "EXPIRE_2" })).Field("trade_status"));
        var notify = Assert.Single(receiver.All);
        Assert.Equal(("TRADE_CLOSED", "EXPIRE_2"), (Form(notify.Body)["trade_status"], Form(notify.Body)["out_trade_no"]));
        Assert.Equal(new DateTime(2026, 11, 23, 14, 0, 0), (await sandbox.GetJsonAsync($"/control/payments/{fallback}"))["expires_at"]!.GetValue<DateTime>());
    }

    [Theory]
    [InlineData("duplicate")]
    [InlineData("delayed")]
    [InlineData("tampered_signature")]
    [InlineData("stale_timestamp")]
    [InlineData("wrong_amount")]
    [InlineData("dropped")]
    public async Task Each_delivery_fault_is_observed_by_the_merchant(string kind)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        receiver.Default = (200, "success");
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var tradeNo = await PrecreateAsync(alipay, "FAULT_1", receiver.Url, "20.00");
        await sandbox.AddFaultAsync(new { kind, provider = "alipay", payment_id = tradeNo, count = 1, seconds = kind == "delayed" ? 300 : (int?)null });
        await sandbox.ActAsync(tradeNo, "pay");
        await sandbox.RunDueAsync();

        var deliveries = await sandbox.DeliveriesAsync(tradeNo);
        switch (kind)
        {
            case "duplicate":
                // The same notify twice; each attempt is stamped with its own sending time and signed afresh, as Alipay does.
                Assert.Equal(2, receiver.All.Count);
                var (first, second) = (Form(receiver.All[0].Body), Form(receiver.All[1].Body));
                Assert.True(alipay.Verifies(first) && alipay.Verifies(second));
                Assert.Equal(Unstamped(first), Unstamped(second));
                break;
            case "delayed":
                Assert.Empty(receiver.All);
                await sandbox.AdvanceAsync(TimeSpan.FromMinutes(5));
                Assert.True(alipay.Verifies(Form(Assert.Single(receiver.All).Body)));
                break;
            case "dropped":
                Assert.Empty(receiver.All);
                Assert.Equal("dropped", deliveries.Single()!["status"]!.GetValue<string>());
                break;
            default:
                var form = Form(Assert.Single(receiver.All).Body);
                Assert.Equal(kind != "tampered_signature", alipay.Verifies(form));
                Assert.Equal(kind == "wrong_amount" ? "20.01" : "20.00", form["total_amount"]);
                var sent = DateTimeOffset.Parse(form["notify_time"] + " +08:00", System.Globalization.CultureInfo.InvariantCulture);
                var age = DateTimeOffset.UtcNow - sent;
                Assert.True(kind == "stale_timestamp" ? age > TimeSpan.FromMinutes(9) : age < TimeSpan.FromMinutes(2), $"notify_time {form["notify_time"]} is {age} old");
                break;
        }
    }

    [Fact]
    public async Task Every_attempt_of_a_notify_is_stamped_with_its_sending_time_and_signed_afresh()
    {
        var wallClock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
        await using var sandbox = await TestSandbox.StartAsync(wallClock: wallClock);
        await using var receiver = await Receiver.StartAsync();
        receiver.Script((500, "fail"));
        receiver.Default = (200, "fail");
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var tradeNo = await PrecreateAsync(alipay, "RETRY_TIME_1", receiver.Url);
        await sandbox.ActAsync(tradeNo, "pay");
        await sandbox.RunDueAsync();

        wallClock.Advance(TimeSpan.FromMinutes(4));
        await sandbox.AdvanceAsync(TimeSpan.FromMinutes(4)); // the first retry
        wallClock.Advance(TimeSpan.FromMinutes(30));
        var delivery = Assert.Single(await sandbox.DeliveriesAsync(tradeNo))!;
        await sandbox.PostJsonAsync($"/control/deliveries/{delivery["id"]}/resend");

        var forms = receiver.All.Select(r => Form(r.Body)).ToList();
        Assert.Equal(["2026-11-23 20:00:00", "2026-11-23 20:04:00", "2026-11-23 20:34:00"], forms.Select(f => f["notify_time"]));
        Assert.All(forms, form => Assert.True(alipay.Verifies(form)));
        Assert.Single(forms.Select(f => f["notify_id"]).Distinct());
        Assert.Equal(3, forms.Select(f => f["sign"]).Distinct().Count());
    }

    [Fact]
    public async Task The_v3_routes_verify_the_authorization_header_and_sign_their_answers()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        using var http = new HttpClient { BaseAddress = new Uri(sandbox.BaseUrl("alipay")) };
        async Task<(HttpStatusCode Status, string Body)> SendAsync(string path, string body, string? privateKey = null)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
            request.Headers.TryAddWithoutValidation("authorization", ProviderSignatures.AlipayV3Authorization(alipay.AppId, privateKey ?? alipay.AppPrivateKey, "POST", path, body));
            using var response = await http.SendAsync(request, Ct);
            var text = await response.Content.ReadAsStringAsync(Ct);
            string Header(string name) => response.Headers.GetValues(name).Single();
            Assert.True(ProviderSignatures.AlipayRsa2Verify(alipay.AlipayPublicKey, $"{Header("alipay-timestamp")}\n{Header("alipay-nonce")}\n{text}\n", Header("alipay-signature")), text);
            return (response.StatusCode, text);
        }

        var (created, createdBody) = await SendAsync("/v3/alipay/trade/precreate", """{"out_trade_no":"V3_1","total_amount":"5.00","subject":"v3"}""");
        Assert.Equal(HttpStatusCode.OK, created);
        Assert.Equal("V3_1", JsonNode.Parse(createdBody)!["out_trade_no"]!.GetValue<string>());

        var (missing, missingBody) = await SendAsync("/v3/alipay/trade/query", """{"out_trade_no":"V3_1"}""");
        Assert.Equal(HttpStatusCode.NotFound, missing);
        Assert.Equal("TRADE_NOT_EXIST", JsonNode.Parse(missingBody)!["code"]!.GetValue<string>());
        Assert.Equal(["code", "message", "links"], JsonNode.Parse(missingBody)!.AsObject().Select(p => p.Key));
        Assert.Equal("[]", JsonNode.Parse(missingBody)!["links"]!.ToJsonString());

        using var other = System.Security.Cryptography.RSA.Create(2048);
        var (forged, forgedBody) = await SendAsync("/v3/alipay/trade/query", """{"out_trade_no":"V3_1"}""", other.ExportPkcs8PrivateKeyPem());
        Assert.Equal(HttpStatusCode.Unauthorized, forged);
        Assert.Equal("invalid-signature", JsonNode.Parse(forgedBody)!["code"]!.GetValue<string>());

        var (bad, badBody) = await SendAsync("/v3/alipay/trade/precreate", """{"out_trade_no":"V3_2","total_amount":"abc","subject":"v3"}""");
        Assert.Equal(HttpStatusCode.BadRequest, bad);
        Assert.Equal("INVALID_PARAMETER", JsonNode.Parse(badBody)!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task Framework_refusals_and_injected_errors_are_in_alipays_shape()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(sandbox.BaseUrl("alipay")) };

        using var unknown = await http.GetAsync("/nope", Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("40002", JsonNode.Parse(await unknown.Content.ReadAsStringAsync(Ct))!["error_response"]!["code"]!.GetValue<string>());

        using var unknownV3 = await http.PostAsync("/v3/alipay/trade/nope", new StringContent("{}"), Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknownV3.StatusCode);
        var unknownV3Body = JsonNode.Parse(await unknownV3.Content.ReadAsStringAsync(Ct))!;
        Assert.NotNull(unknownV3Body["message"]);
        Assert.Equal("[]", unknownV3Body["links"]!.ToJsonString());

        using var brokenForm = await http.PostAsync("/gateway.do", new ByteArrayContent("--x\r\n"u8.ToArray()) { Headers = { { "Content-Type", "multipart/form-data; boundary=x" } } }, Ct);
        Assert.Equal(HttpStatusCode.OK, brokenForm.StatusCode);
        Assert.Equal("isv.invalid-parameter", JsonNode.Parse(await brokenForm.Content.ReadAsStringAsync(Ct))!["error_response"]!["sub_code"]!.GetValue<string>());

        await sandbox.AddFaultAsync(new { kind = "server_error", provider = "alipay", count = 1 });
        using var injected = await http.PostAsync("/gateway.do", new FormUrlEncodedContent([]), Ct);
        Assert.Equal(HttpStatusCode.InternalServerError, injected.StatusCode);
        Assert.Equal("20000", JsonNode.Parse(await injected.Content.ReadAsStringAsync(Ct))!["error_response"]!["code"]!.GetValue<string>());
    }

    /// <summary>A notify's fields but its sending time and signature, in order.</summary>
    private static string Unstamped(IReadOnlyDictionary<string, string> form) =>
        string.Join('&', form.Where(p => p.Key is not ("notify_time" or "sign")).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
}
