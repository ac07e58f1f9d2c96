using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Harness.Sandbox.Tests.Support;

namespace Harness.Sandbox.Tests.Alipay;

/// <summary>
/// 周期扣款 and 商家扣款: the buyer signs on the sign page alipay.user.agreement.page.sign leads to, the merchant queries,
/// deducts with alipay.trade.pay under the agreement, moves the plan and unsigns, each signed notify verified.
/// </summary>
public sealed class AlipayAgreementTests
{
    private const string PageSign = "alipay.user.agreement.page.sign";
    private const string Query = "alipay.user.agreement.query";
    private const string Unsign = "alipay.user.agreement.unsign";
    private const string Pay = "alipay.trade.pay";
    private const string Scene = "INDUSTRY|DIGITAL_MEDIA";

    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    /// <summary>A 周期扣款 request: monthly from 2026-11-23 (the test clock's China date), at most 30.00 a time.</summary>
    internal static Dictionary<string, object> CycleSign(string external, object? rule = null) => new()
    {
        ["personal_product_code"] = "CYCLE_PAY_AUTH_P",
        ["product_code"] = "CYCLE_PAY_AUTH",
        ["sign_scene"] = Scene,
        ["external_agreement_no"] = external,
        ["access_params"] = new { channel = "ALIPAYAPP" },
        ["period_rule_params"] = rule ?? new { period_type = "MONTH", period = 1, execute_time = "2026-11-23", single_amount = "30.00" },
    };

    internal static object Deduction(string outTradeNo, string agreementNo, string amount = "25.00") => new
    {
        out_trade_no = outTradeNo,
        total_amount = amount,
        subject = "会员续费",
        product_code = "GENERAL_WITHHOLDING",
        agreement_params = new { agreement_no = agreementNo },
    };

    /// <summary>The merchant asks for the sign page (pageExec); returns the page's URL.</summary>
    internal static async Task<string> SignPageAsync(AlipayClient alipay, object biz, string? notifyUrl = null)
    {
        var extra = notifyUrl is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["notify_url"] = notifyUrl };
        using var redirect = await alipay.BrowseAsync(PageSign, biz, extra);
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        return redirect.Headers.Location!.ToString();
    }

    /// <summary>The buyer opens the sign page and signs (or refuses); returns the agreement_no the page names.</summary>
    internal static async Task<string> SignAsync(string page, string action = "sign")
    {
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var shown = await browser.GetAsync(page, Ct);
        Assert.Equal(HttpStatusCode.OK, shown.StatusCode);
        Assert.Contains("value=\"sign\"", await shown.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        using var answer = await browser.PostAsync(page, new FormUrlEncodedContent(new Dictionary<string, string> { ["action"] = action }), Ct);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        return page[(page.LastIndexOf('/') + 1)..];
    }

    [Fact]
    public async Task Signing_on_the_page_makes_a_normal_agreement_with_a_verifiable_notify_and_query()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync("/alipay/notify");
        receiver.Default = (200, "success");
        using var alipay = await AlipayClient.ConnectAsync(sandbox);

        var page = await SignPageAsync(alipay, CycleSign("SUB_1"), receiver.Url);
        Assert.StartsWith(sandbox.BaseUrl("alipay") + "/sandbox/agreement-sign/", page, StringComparison.Ordinal);
        var pending = page[(page.LastIndexOf('/') + 1)..];
        Assert.Matches("^2026[0-9]{16}$", pending);
        Assert.Equal("USER_AGREEMENT_NOT_EXIST", (await alipay.CallAsync(Query, new { agreement_no = pending })).SubCode);

        var agreementNo = await SignAsync(page);
        var notify = await receiver.NextAsync();
        Assert.True(alipay.Verifies(notify.Form));
        Assert.Equal(("dut_user_sign", "NORMAL", agreementNo, "SUB_1"), (notify.Form["notify_type"], notify.Form["status"], notify.Form["agreement_no"], notify.Form["external_agreement_no"]));
        Assert.Equal(("CYCLE_PAY_AUTH_P", Scene, alipay.AppId), (notify.Form["personal_product_code"], notify.Form["sign_scene"], notify.Form["app_id"]));
        Assert.Equal(("2026-11-23 20:00:00", "2115-02-01 00:00:00"), (notify.Form["sign_time"], notify.Form["invalid_time"]));
        Assert.Matches("^2088[0-9]{12}$", notify.Form["alipay_user_id"]);
        Assert.False(alipay.Verifies(new Dictionary<string, string>(notify.Form) { ["status"] = "STOP" }));

        foreach (object by in new object[] { new { agreement_no = agreementNo }, new { external_agreement_no = "SUB_1", personal_product_code = "CYCLE_PAY_AUTH_P", sign_scene = Scene } })
        {
            var found = await alipay.CallAsync(Query, by);
            Assert.True(found.Code == "10000" && found.SignatureValid, found.Body);
            Assert.Equal((agreementNo, "NORMAL", notify.Form["alipay_user_id"], "2026-11-23"), (found.Field("agreement_no"), found.Field("status"), found.Field("principal_id"), found.Field("next_deduct_time")));
            Assert.Equal(("30.00", "2026-11-23 20:00:00"), (found.Field("single_quota"), found.Field("sign_time")));
        }

        // The page is used up once signed; the same external_agreement_no cannot be signed twice while its agreement lives.
        using var browser = new HttpClient();
        using var again = await browser.GetAsync(page, Ct);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        using var twice = await alipay.BrowseAsync(PageSign, CycleSign("SUB_1"), new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.BadRequest, twice.StatusCode);
        Assert.Contains("AGREEMENT_HAS_EXISTED", await twice.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        // A buyer who refuses leaves the request pending: no agreement, no notify.
        var refused = await SignAsync(await SignPageAsync(alipay, CycleSign("SUB_2"), receiver.Url), "refuse");
        Assert.Equal("USER_AGREEMENT_NOT_EXIST", (await alipay.CallAsync(Query, new { agreement_no = refused })).SubCode);
        var listed = await sandbox.GetArrayAsync("/control/alipay/agreements");
        Assert.Equal(["NORMAL", "TEMP"], listed.OrderBy(a => a!["external_agreement_no"]!.GetValue<string>()).Select(a => a!["status"]!.GetValue<string>()));
        Assert.Single(receiver.All);
    }

    [Theory]
    [InlineData("""{"personal_product_code":"CYCLE_PAY_AUTH_P","sign_scene":"INDUSTRY|EDU","access_params":{"channel":"ALIPAYAPP"}}""", "INVALID_PARAMETER")]
    [InlineData("""{"personal_product_code":"CYCLE_PAY_AUTH_P","sign_scene":"INDUSTRY|EDU","access_params":{"channel":"ALIPAYAPP"},"period_rule_params":{"period_type":"DAY","period":3,"execute_time":"2026-11-23","single_amount":"1.00"}}""", "INVALID_PARAMETER")]
    [InlineData("""{"personal_product_code":"CYCLE_PAY_AUTH_P","sign_scene":"INDUSTRY|EDU","access_params":{"channel":"ALIPAYAPP"},"period_rule_params":{"period_type":"MONTH","period":1,"execute_time":"2026-11-30","single_amount":"1.00"}}""", "INVALID_PARAMETER")]
    [InlineData("""{"personal_product_code":"CYCLE_PAY_AUTH_P","sign_scene":"INDUSTRY|EDU","access_params":{"channel":"ALIPAYAPP"},"period_rule_params":{"period_type":"MONTH","period":1,"execute_time":"2026-11-23","single_amount":"5.00","total_amount":"1.00"}}""", "INVALID_PARAMETER")]
    [InlineData("""{"personal_product_code":"CYCLE_PAY_AUTH_P","external_agreement_no":"X1","access_params":{"channel":"ALIPAYAPP"},"period_rule_params":{"period_type":"MONTH","period":1,"execute_time":"2026-11-23","single_amount":"1.00"}}""", "INVALID_PARAMETER")]
    [InlineData("""{"personal_product_code":"GENERAL_WITHHOLDING_P","access_params":{"channel":"PC"}}""", "INVALID_PARAMETER")]
    [InlineData("""{"personal_product_code":"NOPE_P","access_params":{"channel":"ALIPAYAPP"}}""", "INVALID_PARAMETER")]
    [InlineData("""{"personal_product_code":"GENERAL_WITHHOLDING_P","product_code":"CYCLE_PAY_AUTH","access_params":{"channel":"ALIPAYAPP"}}""", "PRODUCT_CODE_ERROR")]
    public async Task A_malformed_sign_request_gets_alipays_error_page(string biz, string subCode)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        using var page = await alipay.BrowseAsync(PageSign, biz, new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
        Assert.Contains("40004 " + subCode + ":", await page.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deduction_pays_at_once_in_the_agreed_window_and_moves_the_next_date_on()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync("/alipay/notify");
        receiver.Default = (200, "success");
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var agreementNo = await SignAsync(await SignPageAsync(alipay, CycleSign("SUB_PAY")));
        var buyer = (await alipay.CallAsync(Query, new { agreement_no = agreementNo })).Field("principal_id");

        var paid = await alipay.CallAsync(Pay, Deduction("RENEW_1", agreementNo), new Dictionary<string, string> { ["notify_url"] = receiver.Url });
        Assert.True(paid.Code == "10000" && paid.SignatureValid, paid.Body);
        Assert.Equal(("25.00", "25.00", buyer), (paid.Field("total_amount"), paid.Field("buyer_pay_amount"), paid.Field("buyer_user_id")));
        var notify = await receiver.NextAsync();
        Assert.True(alipay.Verifies(notify.Form));
        Assert.Equal(("trade_status_sync", "TRADE_SUCCESS", "RENEW_1", buyer), (notify.Form["notify_type"], notify.Form["trade_status"], notify.Form["out_trade_no"], notify.Form["buyer_id"]));
        Assert.Equal("TRADE_SUCCESS", (await alipay.CallAsync("alipay.trade.query", new { out_trade_no = "RENEW_1" })).Field("trade_status"));
        Assert.Equal("ACQ.TRADE_HAS_SUCCESS", (await alipay.CallAsync(Pay, Deduction("RENEW_1", agreementNo))).SubCode);

        var agreement = await alipay.CallAsync(Query, new { agreement_no = agreementNo });
        Assert.Equal("2026-12-23", agreement.Field("next_deduct_time"));
        Assert.Equal("2026-11-23 20:00:00", agreement.Field("last_deduct_time"));
        Assert.Equal("ACQ.CYCLE_PAY_DATE_NOT_MATCH", (await alipay.CallAsync(Pay, Deduction("RENEW_2", agreementNo))).SubCode);

        // Three days before the agreed date the next deduction may come.
        await sandbox.AdvanceAsync(TimeSpan.FromDays(26));
        Assert.Equal("ACQ.CYCLE_PAY_DATE_NOT_MATCH", (await alipay.CallAsync(Pay, Deduction("RENEW_2", agreementNo))).SubCode);
        await sandbox.AdvanceAsync(TimeSpan.FromDays(1));
        Assert.Equal("10000", (await alipay.CallAsync(Pay, Deduction("RENEW_2", agreementNo))).Code);
        Assert.Equal("2027-01-23", (await alipay.CallAsync(Query, new { agreement_no = agreementNo })).Field("next_deduct_time"));

        // A missed date is moved with executionplan.modify, to today or later.
        Assert.Equal("INVALID_PARAMETER", (await alipay.CallAsync("alipay.user.agreement.executionplan.modify", new { agreement_no = agreementNo, deduct_time = "2026-12-01" })).SubCode);
        var moved = await alipay.CallAsync("alipay.user.agreement.executionplan.modify", new { agreement_no = agreementNo, deduct_time = "2026-12-20" });
        Assert.Equal(("10000", "2026-12-20"), (moved.Code, moved.Field("deduct_time")));
        Assert.Equal("10000", (await alipay.CallAsync(Pay, Deduction("RENEW_3", agreementNo))).Code);
        Assert.Equal("2027-01-20", (await alipay.CallAsync(Query, new { agreement_no = agreementNo })).Field("next_deduct_time"));
    }

    [Fact]
    public async Task Deductions_are_refused_with_alipays_sub_codes_and_a_refusal_leaves_no_trade()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var limited = CycleSign("SUB_LIMIT", new { period_type = "DAY", period = 7, execute_time = "2026-11-23", single_amount = "30.00", total_amount = "50.00", total_payments = 1 });
        var agreementNo = await SignAsync(await SignPageAsync(alipay, limited));
        async Task<string?> RefusedAsync(object biz)
        {
            var reply = await alipay.CallAsync(Pay, biz);
            return reply.Code == "40004" && reply.SignatureValid ? reply.SubCode : $"not refused: {reply.Body}";
        }

        Assert.Equal("ACQ.AGREEMENT_NOT_EXIST", await RefusedAsync(Deduction("D_1", "20260000000000000404")));
        Assert.Equal("ACQ.CYCLE_PAY_SINGLE_FEE_EXCEED", await RefusedAsync(Deduction("D_1", agreementNo, "30.01")));
        Assert.Equal("ACQ.INVALID_PARAMETER", await RefusedAsync(new { out_trade_no = "D_1", total_amount = "1.00", subject = "x", product_code = "GENERAL_WITHHOLDING" }));
        Assert.Equal("ACQ.PRODUCT_CODE_ERROR", await RefusedAsync(new { out_trade_no = "D_1", total_amount = "1.00", subject = "x", product_code = "FACE_TO_FACE_PAYMENT", agreement_params = new { agreement_no = agreementNo } }));
        await AlipayTests.PrecreateAsync(alipay, "D_SCAN", "https://merchant.example/notify", "25.00");
        Assert.Equal("ACQ.CONTEXT_INCONSISTENT", await RefusedAsync(Deduction("D_SCAN", agreementNo)));

        using (var paused = await sandbox.Control.PostAsJsonAsync($"/control/alipay/agreements/{agreementNo}/status", new { status = "STOP" }, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        }

        Assert.Equal("ACQ.AGREEMENT_STATUS_NOT_NORMAL", await RefusedAsync(Deduction("D_1", agreementNo)));
        Assert.Equal("STOP", (await alipay.CallAsync(Query, new { agreement_no = agreementNo })).Field("status"));
        (await sandbox.Control.PostAsJsonAsync($"/control/alipay/agreements/{agreementNo}/status", new { status = "NORMAL" }, Ct)).EnsureSuccessStatusCode();

        using (var declined = await sandbox.Control.PostAsJsonAsync($"/control/alipay/agreements/{agreementNo}/decline", new { }, Ct))
        {
            Assert.Equal("ACQ.BUYER_BALANCE_NOT_ENOUGH", (await declined.Content.ReadFromJsonAsync<JsonObject>(Ct))!["decline_next"]!.GetValue<string>());
        }

        Assert.Equal("ACQ.BUYER_BALANCE_NOT_ENOUGH", await RefusedAsync(Deduction("D_1", agreementNo)));
        Assert.Equal("ACQ.TRADE_NOT_EXIST", (await alipay.CallAsync("alipay.trade.query", new { out_trade_no = "D_1" })).SubCode);
        Assert.Equal("10000", (await alipay.CallAsync(Pay, Deduction("D_1", agreementNo))).Code);
        Assert.Equal("ACQ.CYCLE_PAY_TOTAL_TIMES_EXCEED", await RefusedAsync(Deduction("D_2", agreementNo, "1.00")));

        Assert.Equal(HttpStatusCode.BadRequest, (await sandbox.Control.PostAsJsonAsync($"/control/alipay/agreements/{agreementNo}/decline", new { sub_code = "ACQ.SYSTEM_ERROR" }, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await sandbox.Control.PostAsJsonAsync($"/control/alipay/agreements/{agreementNo}/status", new { status = "TEMP" }, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await sandbox.Control.PostAsJsonAsync("/control/alipay/agreements/20260000000000000404/status", new { status = "STOP" }, Ct)).StatusCode);

        // 商家扣款 has no period: any day, up to the total the buyer agreed to, here none.
        var general = await SignAsync(await SignPageAsync(alipay, new { personal_product_code = "GENERAL_WITHHOLDING_P", product_code = "GENERAL_WITHHOLDING", sign_scene = "INDUSTRY|MEDICAL", external_agreement_no = "GEN_1", access_params = new { channel = "QRCODE" } }));
        Assert.Equal("10000", (await alipay.CallAsync(Pay, Deduction("G_1", general, "999.00"))).Code);
        Assert.Equal("10000", (await alipay.CallAsync(Pay, Deduction("G_2", general, "999.00"))).Code);
        Assert.Null((await alipay.CallAsync(Query, new { agreement_no = general })).Response["next_deduct_time"]);
    }

    [Fact]
    public async Task Unsigning_ends_the_agreement_with_a_dut_user_unsign_notify_whoever_ends_it()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync("/alipay/gateway");
        receiver.Default = (200, "success");
        await sandbox.SetWebhookUrlAsync("alipay", receiver.Url);
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var agreementNo = await SignAsync(await SignPageAsync(alipay, CycleSign("SUB_END")));
        Assert.Equal("dut_user_sign", (await receiver.NextAsync()).Form["notify_type"]);

        var ended = await alipay.CallAsync(Unsign, new { agreement_no = agreementNo });
        Assert.True(ended.Code == "10000" && ended.SignatureValid, ended.Body);
        var notify = await receiver.NextAsync();
        Assert.True(alipay.Verifies(notify.Form));
        Assert.Equal(("dut_user_unsign", "UNSIGN", agreementNo, "SUB_END"), (notify.Form["notify_type"], notify.Form["status"], notify.Form["agreement_no"], notify.Form["external_agreement_no"]));
        Assert.Equal("UNSIGN", (await alipay.CallAsync(Query, new { agreement_no = agreementNo })).Field("status"));
        Assert.Equal("ACQ.AGREEMENT_NOT_EXIST", (await alipay.CallAsync(Pay, Deduction("AFTER_END", agreementNo))).SubCode);
        Assert.Equal("USER_AGREEMENT_NOT_EXIST", (await alipay.CallAsync(Unsign, new { agreement_no = agreementNo })).SubCode);

        // The external number is free again; the buyer ends this one in the Alipay app.
        var second = await SignAsync(await SignPageAsync(alipay, CycleSign("SUB_END")));
        Assert.Equal("dut_user_sign", (await receiver.NextAsync()).Form["notify_type"]);
        Assert.Equal(second, (await alipay.CallAsync(Query, new { external_agreement_no = "SUB_END", personal_product_code = "CYCLE_PAY_AUTH_P", sign_scene = Scene })).Field("agreement_no"));
        (await sandbox.Control.PostAsJsonAsync($"/control/alipay/agreements/{second}/status", new { status = "UNSIGN" }, Ct)).EnsureSuccessStatusCode();
        var byBuyer = await receiver.NextAsync();
        Assert.Equal(("dut_user_unsign", second), (byBuyer.Form["notify_type"], byBuyer.Form["agreement_no"]));
        Assert.Equal(HttpStatusCode.BadRequest, (await sandbox.Control.PostAsJsonAsync($"/control/alipay/agreements/{second}/status", new { status = "NORMAL" }, Ct)).StatusCode);
    }

    [Fact]
    public async Task Agreements_survive_a_restart()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-alipay-agreements-" + Guid.NewGuid().ToString("N"));
        string agreementNo;
        await using (var first = await TestSandbox.StartAsync(configure: o => o.DataDirectory = data))
        {
            using var alipay = await AlipayClient.ConnectAsync(first);
            agreementNo = await SignAsync(await SignPageAsync(alipay, CycleSign("SUB_KEPT")));
            Assert.Equal("10000", (await alipay.CallAsync(Pay, Deduction("KEPT_1", agreementNo))).Code);
        }

        await using (var second = await TestSandbox.StartAsync(configure: o => o.DataDirectory = data))
        {
            using var alipay = await AlipayClient.ConnectAsync(second);
            var kept = await alipay.CallAsync(Query, new { agreement_no = agreementNo });
            Assert.Equal(("NORMAL", "2026-12-23", "SUB_KEPT"), (kept.Field("status"), kept.Field("next_deduct_time"), kept.Field("external_agreement_no")));
            Assert.Equal("ACQ.TRADE_HAS_SUCCESS", (await alipay.CallAsync(Pay, Deduction("KEPT_1", agreementNo))).SubCode);
            var listed = Assert.Single(await second.GetArrayAsync("/control/alipay/agreements"))!;
            Assert.Equal((25_00L, 1), (listed["deducted"]!.GetValue<long>(), listed["deductions"]!.GetValue<int>()));
        }
    }
}
