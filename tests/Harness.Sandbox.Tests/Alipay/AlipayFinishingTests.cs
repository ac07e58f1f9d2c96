using System.Net;
using System.Text.Json.Nodes;
using Harness.Conformance.Steps.Providers;
using Harness.Sandbox.Tests.Support;
using static Harness.Sandbox.Tests.Alipay.AlipayTests;

namespace Harness.Sandbox.Tests.Alipay;

/// <summary>
/// TRADE_FINISHED: a paid trade finishes when its refundable period (the <c>refund_period_days</c> setting when it was
/// paid) ends on the sandbox clock, with one more signed notify; then it can be neither refunded nor closed.
/// </summary>
public sealed class AlipayFinishingTests
{
    private const string Query = "alipay.trade.query";
    private const string Refund = "alipay.trade.refund";

    /// <summary>The test sandbox's frozen start, when every trade here is paid.</summary>
    private static readonly DateTimeOffset Start = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_paid_trade_finishes_when_its_refund_period_ends_with_exactly_one_signed_notify()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        receiver.Default = (200, "success");
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var tradeNo = await PrecreateAsync(alipay, "FINISH_1", receiver.Url, "66.60");
        await sandbox.ActAsync(tradeNo, "pay");
        var paid = await receiver.NextAsync();
        Assert.Equal("TRADE_SUCCESS", paid.Form["trade_status"]);

        // A later change of the setting applies to trades paid later: this one keeps the default 90 days.
        (await sandbox.PutSettingsAsync("alipay", new { refund_period_days = "10" })).EnsureSuccessStatusCode();
        await sandbox.AdvanceAsync(TimeSpan.FromDays(90) - TimeSpan.FromSeconds(1));
        Assert.Single(receiver.All);
        Assert.Equal("TRADE_SUCCESS", (await alipay.CallAsync(Query, new { trade_no = tradeNo })).Field("trade_status"));

        await sandbox.AdvanceAsync(TimeSpan.FromSeconds(1));
        var finished = Assert.Single(receiver.All.Skip(1)).Form;
        Assert.True(alipay.Verifies(finished));
        Assert.All(finished, p => Assert.NotEqual("", p.Value));
        Assert.Equal(("TRADE_FINISHED", tradeNo, "FINISH_1", "66.60", "66.60"), (finished["trade_status"], finished["trade_no"], finished["out_trade_no"], finished["total_amount"], finished["receipt_amount"]));
        Assert.Equal(("trade_status_sync", "RSA2"), (finished["notify_type"], finished["sign_type"]));
        Assert.Equal((paid.Form["gmt_payment"], "2027-02-21 20:00:00"), (finished["gmt_payment"], finished["gmt_close"]));
        Assert.NotEqual(paid.Form["notify_id"], finished["notify_id"]);
        Assert.False(finished.ContainsKey("refund_fee"));

        var query = await alipay.CallAsync(Query, new { out_trade_no = "FINISH_1" });
        Assert.True(query.SignatureValid);
        Assert.Equal(("10000", "TRADE_FINISHED", "66.60"), (query.Code, query.Field("trade_status"), query.Field("buyer_pay_amount")));

        var refund = await alipay.CallAsync(Refund, new { trade_no = tradeNo, refund_amount = "1.00", out_request_no = "LATE_1" });
        Assert.Equal(("40004", "ACQ.TRADE_STATUS_ERROR"), (refund.Code, refund.SubCode));
        Assert.Equal("ACQ.TRADE_STATUS_ERROR", (await alipay.CallAsync("alipay.trade.close", new { trade_no = tradeNo })).SubCode);
        Assert.Equal("ACQ.TRADE_HAS_SUCCESS", (await alipay.CallAsync("alipay.trade.precreate", Order("FINISH_1", "66.60"))).SubCode);

        // It finished once: later moves of the clock send nothing more.
        await sandbox.AdvanceAsync(TimeSpan.FromDays(30));
        Assert.Equal(["TRADE_SUCCESS", "TRADE_FINISHED"], receiver.All.Select(r => r.Form["trade_status"]));
        Assert.All(await sandbox.DeliveriesAsync(tradeNo), d => Assert.Equal("delivered", d!["status"]!.GetValue<string>()));
    }

    [Fact]
    public async Task The_v3_routes_report_a_finished_trade_and_refuse_to_refund_it()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        receiver.Default = (200, "success");
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var tradeNo = await PrecreateAsync(alipay, "FINISH_V3", receiver.Url);
        await sandbox.ActAsync(tradeNo, "pay");
        await sandbox.AdvanceAsync(TimeSpan.FromDays(90));

        using var http = new HttpClient { BaseAddress = new Uri(sandbox.BaseUrl("alipay")) };
        async Task<(HttpStatusCode Status, JsonNode Body)> SendAsync(string path, string body)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
            request.Headers.TryAddWithoutValidation("authorization", ProviderSignatures.AlipayV3Authorization(alipay.AppId, alipay.AppPrivateKey, "POST", path, body));
            using var response = await http.SendAsync(request, Ct);
            return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!);
        }

        var (queried, query) = await SendAsync("/v3/alipay/trade/query", """{"out_trade_no":"FINISH_V3"}""");
        Assert.Equal((HttpStatusCode.OK, "TRADE_FINISHED"), (queried, query["trade_status"]!.GetValue<string>()));
        var (refused, refusal) = await SendAsync("/v3/alipay/trade/refund", """{"out_trade_no":"FINISH_V3","refund_amount":"1.00","out_request_no":"V3_R1"}""");
        Assert.Equal((HttpStatusCode.BadRequest, "TRADE_STATUS_ERROR"), (refused, refusal["code"]!.GetValue<string>()));
        var (notClosed, closeRefusal) = await SendAsync("/v3/alipay/trade/close", """{"out_trade_no":"FINISH_V3"}""");
        Assert.Equal((HttpStatusCode.BadRequest, "TRADE_STATUS_ERROR"), (notClosed, closeRefusal["code"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_partly_refunded_trade_finishes_with_its_refund_fields_and_a_fully_refunded_one_never_finishes()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        receiver.Default = (200, "success");
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var partly = await PrecreateAsync(alipay, "FINISH_PART", receiver.Url, "10.00");
        var fully = await PrecreateAsync(alipay, "FINISH_FULL", receiver.Url, "5.00");
        await sandbox.ActAsync(partly, "pay");
        await sandbox.ActAsync(fully, "pay");
        Assert.Equal("10000", (await alipay.CallAsync(Refund, new { trade_no = partly, refund_amount = "3.00", out_request_no = "PART_R1" })).Code);
        await sandbox.AdvanceAsync(TimeSpan.FromDays(1));
        Assert.Equal("10000", (await alipay.CallAsync(Refund, new { trade_no = partly, refund_amount = "2.00", out_request_no = "PART_R2" })).Code);
        Assert.Equal("10000", (await alipay.CallAsync(Refund, new { trade_no = fully, refund_amount = "5.00", out_request_no = "FULL_R1" })).Code);

        await sandbox.AdvanceAsync(TimeSpan.FromDays(90));

        var finished = Assert.Single(receiver.All, r => r.Form["trade_status"] == "TRADE_FINISHED").Form;
        Assert.True(alipay.Verifies(finished));
        Assert.Equal((partly, "10.00", "5.00", "PART_R2"), (finished["trade_no"], finished["total_amount"], finished["refund_fee"], finished["out_biz_no"]));
        Assert.Equal(("2026-11-24 20:00:00", "2027-02-21 20:00:00"), (finished["gmt_refund"], finished["gmt_close"]));
        Assert.Equal("TRADE_FINISHED", (await alipay.CallAsync(Query, new { trade_no = partly })).Field("trade_status"));
        Assert.Equal("ACQ.TRADE_STATUS_ERROR", (await alipay.CallAsync(Refund, new { trade_no = partly, refund_amount = "1.00", out_request_no = "PART_R3" })).SubCode);

        Assert.DoesNotContain(receiver.All, r => r.Form["trade_no"] == fully && r.Form["trade_status"] == "TRADE_FINISHED");
        Assert.Equal("TRADE_CLOSED", (await alipay.CallAsync(Query, new { trade_no = fully })).Field("trade_status"));
    }

    [Fact]
    public async Task With_a_refund_period_of_0_days_the_payment_notify_says_TRADE_FINISHED_and_nothing_follows()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        receiver.Default = (200, "success");
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        (await sandbox.PutSettingsAsync("alipay", new { refund_period_days = "0" })).EnsureSuccessStatusCode();
        var tradeNo = await PrecreateAsync(alipay, "FINISH_NOW", receiver.Url, "12.34");
        await ScanAsync(sandbox, tradeNo);
        Assert.Equal("WAIT_BUYER_PAY", (await alipay.CallAsync(Query, new { trade_no = tradeNo })).Field("trade_status"));

        await sandbox.ActAsync(tradeNo, "pay");

        var notify = (await receiver.NextAsync()).Form;
        Assert.True(alipay.Verifies(notify));
        Assert.Equal(("TRADE_FINISHED", "12.34", "12.34"), (notify["trade_status"], notify["total_amount"], notify["buyer_pay_amount"]));
        Assert.Equal(("2026-11-23 20:00:00", "2026-11-23 20:00:00"), (notify["gmt_payment"], notify["gmt_close"]));
        Assert.Equal("TRADE_FINISHED", (await alipay.CallAsync(Query, new { trade_no = tradeNo })).Field("trade_status"));
        Assert.Equal("ACQ.TRADE_STATUS_ERROR", (await alipay.CallAsync(Refund, new { trade_no = tradeNo, refund_amount = "0.01" })).SubCode);

        await sandbox.AdvanceAsync(TimeSpan.FromDays(366));
        Assert.Single(receiver.All);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("+5")]
    [InlineData(" 30")]
    [InlineData("1.5")]
    [InlineData("ninety")]
    [InlineData("366")]
    [InlineData("99999999999")]
    public async Task A_refund_period_that_is_not_0_to_365_whole_days_is_refused_and_changes_nothing(string value)
    {
        await using var sandbox = await TestSandbox.StartAsync();

        using var refused = await sandbox.PutSettingsAsync("alipay", new { refund_period_days = value });

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("refund_period_days must be a whole number of days from 0", await refused.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Null((await sandbox.GetJsonAsync("/control/providers/alipay"))["settings"]!["refund_period_days"]);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("7")]
    [InlineData("365")]
    public async Task A_refund_period_of_0_to_365_days_is_kept(string value)
    {
        await using var sandbox = await TestSandbox.StartAsync();

        (await sandbox.PutSettingsAsync("alipay", new { refund_period_days = value })).EnsureSuccessStatusCode();

        Assert.Equal(value, (await sandbox.GetJsonAsync("/control/providers/alipay"))["settings"]!["refund_period_days"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_trade_paid_before_a_restart_finishes_after_it_once_at_the_period_set_when_paid()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-alipay-finish-" + Guid.NewGuid().ToString("N"));
        await using var receiver = await Receiver.StartAsync();
        receiver.Default = (200, "success");
        string tradeNo;
        await using (var first = await TestSandbox.StartAsync(configure: o => o.DataDirectory = data))
        {
            using var alipay = await AlipayClient.ConnectAsync(first);
            (await first.PutSettingsAsync("alipay", new { refund_period_days = "30" })).EnsureSuccessStatusCode();
            tradeNo = await PrecreateAsync(alipay, "FINISH_RESTART", receiver.Url);
            await first.ActAsync(tradeNo, "pay");
            await receiver.NextAsync();

            // The receiver has answered; the attempt's outcome is recorded just after. Stopping before that would leave
            // the notify due again after the restart (delivery is at least once), so wait for attempts in progress.
            await first.RunDueAsync();
        }

        await using (var second = await TestSandbox.StartAsync(now: Start.AddDays(29), configure: o => o.DataDirectory = data))
        {
            using var alipay = await AlipayClient.ConnectAsync(second);
            await second.RunDueAsync();
            Assert.Equal("TRADE_SUCCESS", (await alipay.CallAsync(Query, new { trade_no = tradeNo })).Field("trade_status"));

            await second.AdvanceAsync(TimeSpan.FromDays(1));
            var finished = Assert.Single(receiver.All.Skip(1)).Form;
            Assert.True(alipay.Verifies(finished));
            Assert.Equal(("TRADE_FINISHED", "2026-12-23 20:00:00"), (finished["trade_status"], finished["gmt_close"]));
        }

        await using (var third = await TestSandbox.StartAsync(now: Start.AddDays(60), configure: o => o.DataDirectory = data))
        {
            using var alipay = await AlipayClient.ConnectAsync(third);
            await third.RunDueAsync();
            Assert.Equal("TRADE_FINISHED", (await alipay.CallAsync(Query, new { trade_no = tradeNo })).Field("trade_status"));
        }

        Directory.Delete(data, recursive: true);
        Assert.Equal(["TRADE_SUCCESS", "TRADE_FINISHED"], receiver.All.Select(r => r.Form["trade_status"]));
    }
}
