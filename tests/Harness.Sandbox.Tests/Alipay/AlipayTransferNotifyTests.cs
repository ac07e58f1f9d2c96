using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Harness.Sandbox.Tests.Support;
using Microsoft.AspNetCore.WebUtilities;
using static Harness.Sandbox.Tests.Alipay.AlipayTransferTests;

namespace Harness.Sandbox.Tests.Alipay;

/// <summary>
/// <c>alipay.fund.trans.order.changed</c>: the 消息服务 message Alipay posts to the app's gateway (the webhook_url setting)
/// for each status a transfer reaches, signed with the Alipay key and retried on Alipay's schedule.
/// </summary>
public sealed class AlipayTransferNotifyTests
{
    private const string Transfer = "alipay.fund.trans.uni.transfer";
    private const string DealingPayee = "2088000000000202";

    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static Dictionary<string, string> Form(string body) =>
        QueryHelpers.ParseQuery(body).ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal);

    private static JsonObject Biz(IReadOnlyDictionary<string, string> form) => (JsonObject)JsonNode.Parse(form["biz_content"])!;

    private static string Text(JsonObject biz, string key) => biz[key]!.GetValue<string>();

    [Fact]
    public async Task A_transfer_paid_at_once_is_announced_to_the_gateway_once_as_a_signed_message_service_form()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync("/alipay/gateway");
        receiver.Default = (200, "success");
        await sandbox.SetWebhookUrlAsync("alipay", receiver.Url);
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var serials = await SerialsAsync(sandbox);

        var sent = await alipay.CallAsync(Transfer, Payout("NOTE_1", "12.50"), serials);
        Assert.Equal("SUCCESS", sent.Field("status"));
        var message = await receiver.NextAsync();
        Assert.Equal(("POST", "application/x-www-form-urlencoded; charset=utf-8"), (message.Method, message.Header("Content-Type")));
        Assert.True(alipay.Verifies(message.Form), message.Body);
        Assert.Equal(("alipay.fund.trans.order.changed", "1.1", "2021000000000001", "utf-8", "RSA2"),
            (message.Form["msg_method"], message.Form["version"], message.Form["app_id"], message.Form["charset"], message.Form["sign_type"]));
        Assert.Matches("^[0-9a-f]{32}$", message.Form["notify_id"]);
        var sentAt = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(message.Form["utc_timestamp"], CultureInfo.InvariantCulture));
        Assert.True((DateTimeOffset.UtcNow - sentAt).Duration() < TimeSpan.FromMinutes(2), message.Form["utc_timestamp"]);
        Assert.DoesNotContain("notify_time", message.Form.Keys);
        Assert.DoesNotContain("notify_type", message.Form.Keys);

        var biz = Biz(message.Form);
        Assert.Equal(("NOTE_1", sent.Field("order_id"), sent.Field("pay_fund_order_id"), "SUCCESS", "12.50"),
            (Text(biz, "out_biz_no"), Text(biz, "order_id"), Text(biz, "pay_fund_order_id"), Text(biz, "status"), Text(biz, "trans_amount")));
        Assert.Equal(("TRANS_ACCOUNT_NO_PWD", "DIRECT_TRANSFER", "alipay.fund.trans.uni.transfer", "FINISH"),
            (Text(biz, "product_code"), Text(biz, "biz_scene"), Text(biz, "origin_interface"), Text(biz, "action_type")));
        Assert.Equal(sent.Field("trans_date"), Text(biz, "pay_date"));
        Assert.Null(biz["fail_reason"]);

        // The same out_biz_no again changes nothing and announces nothing: the next message is the next transfer's.
        Assert.Equal(sent.Field("order_id"), (await alipay.CallAsync(Transfer, Payout("NOTE_1", "12.50"), serials)).Field("order_id"));
        await alipay.CallAsync(Transfer, Payout("NOTE_2", "1.00"), serials);
        Assert.Equal("NOTE_2", Text(Biz((await receiver.NextAsync()).Form), "out_biz_no"));
        Assert.Single(await sandbox.DeliveriesAsync(sent.Field("order_id")));
    }

    [Fact]
    public async Task Each_status_a_transfer_reaches_later_is_announced_and_a_dealing_one_is_not()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync("/alipay/gateway");
        receiver.Default = (200, "success");
        await sandbox.SetWebhookUrlAsync("alipay", receiver.Url);
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var serials = await SerialsAsync(sandbox);
        var dealing = new { identity = DealingPayee, identity_type = "ALIPAY_USER_ID" };

        var failing = (await alipay.CallAsync(Transfer, Payout("LATER_1", "30.00", dealing), serials)).Field("order_id");
        var succeeding = (await alipay.CallAsync(Transfer, Payout("LATER_2", "40.00", dealing), serials)).Field("order_id");
        (await sandbox.Control.PostAsJsonAsync($"/control/alipay/transfers/{failing}/outcome", new { status = "FAIL", error_code = "PAYEE_ACCOUNT_STATUS_ERROR", fail_reason = "收款账户被冻结" }, Ct)).EnsureSuccessStatusCode();

        // Nothing was sent while both were DEALING: the first message is the failure.
        var failed = await receiver.NextAsync();
        Assert.True(alipay.Verifies(failed.Form));
        var failure = Biz(failed.Form);
        Assert.Equal(("LATER_1", failing, "FAIL", "30.00", "PAYEE_ACCOUNT_STATUS_ERROR", "收款账户被冻结"),
            (Text(failure, "out_biz_no"), Text(failure, "order_id"), Text(failure, "status"), Text(failure, "trans_amount"), Text(failure, "error_code"), Text(failure, "fail_reason")));
        Assert.Null(failure["pay_fund_order_id"]);
        Assert.Null(failure["pay_date"]);
        Assert.Contains("收款账户被冻结", failed.Form["biz_content"], StringComparison.Ordinal);

        (await sandbox.Control.PostAsJsonAsync($"/control/alipay/transfers/{succeeding}/outcome", new { status = "SUCCESS" }, Ct)).EnsureSuccessStatusCode();
        var paid = Biz((await receiver.NextAsync()).Form);
        Assert.Equal((succeeding, "SUCCESS"), (Text(paid, "order_id"), Text(paid, "status")));
        Assert.NotNull(paid["pay_date"]);

        // 退票: the paid transfer comes back, with a new message of its own.
        (await sandbox.Control.PostAsJsonAsync($"/control/alipay/transfers/{succeeding}/outcome", new { status = "REFUND" }, Ct)).EnsureSuccessStatusCode();
        var returned = await receiver.NextAsync();
        var back = Biz(returned.Form);
        Assert.Equal(("REFUND", "PAYEE_ACCOUNT_STATUS_ERROR", "收款方账号异常"), (Text(back, "status"), Text(back, "error_code"), Text(back, "fail_reason")));
        Assert.Equal(Text(paid, "pay_fund_order_id"), Text(back, "pay_fund_order_id"));
        Assert.Equal(2, (await sandbox.DeliveriesAsync(succeeding)).Count);
        Assert.Single(await sandbox.DeliveriesAsync(failing));
    }

    [Fact]
    public async Task Without_a_gateway_url_nothing_is_sent_and_the_transfer_still_completes()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var serials = await SerialsAsync(sandbox);

        // A notify_url on the request is not where these go: Alipay sends them to the app's gateway only.
        await using var receiver = await Receiver.StartAsync("/alipay/notify");
        var common = new Dictionary<string, string>(serials) { ["notify_url"] = receiver.Url };
        var sent = await alipay.CallAsync(Transfer, Payout("QUIET_1", "2.00"), common);
        Assert.Equal("SUCCESS", sent.Field("status"));
        Assert.Empty(await sandbox.DeliveriesAsync(sent.Field("order_id")));
        Assert.Empty(receiver.All);
    }

    [Fact]
    public async Task An_unacknowledged_message_is_resent_on_alipays_schedule_with_a_fresh_utc_timestamp_and_sign()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync("/alipay/gateway");
        receiver.Default = (200, "fail");
        await sandbox.SetWebhookUrlAsync("alipay", receiver.Url);
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        var orderId = (await alipay.CallAsync(Transfer, Payout("RETRY_1", "3.00"), await SerialsAsync(sandbox))).Field("order_id");
        await receiver.NextAsync();

        await sandbox.AdvanceAsync(TimeSpan.FromMinutes(3));
        Assert.Single((JsonArray)(await sandbox.DeliveriesAsync(orderId))[0]!["attempts"]!);
        await sandbox.AdvanceAsync(TimeSpan.FromMinutes(1));
        receiver.Default = (200, "success");
        await sandbox.AdvanceAsync(TimeSpan.FromMinutes(10));

        var delivery = Assert.Single(await sandbox.DeliveriesAsync(orderId))!;
        Assert.Equal("delivered", delivery["status"]!.GetValue<string>());
        var attempts = ((JsonArray)delivery["attempts"]!).Select(a => a!).ToList();
        Assert.Equal(3, attempts.Count);
        var times = attempts.Select(a => a["at"]!.GetValue<DateTime>()).ToList();
        Assert.Equal([TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(10)], times.Zip(times.Skip(1), (a, b) => b - a));
        var forms = receiver.All.Select(r => Form(r.Body)).ToList();
        Assert.Equal(3, forms.Count);
        Assert.All(forms, form => Assert.True(alipay.Verifies(form)));
        Assert.Single(forms.Select(f => f["notify_id"] + f["biz_content"]).Distinct());
    }

    [Theory]
    [InlineData("tampered_signature")]
    [InlineData("stale_timestamp")]
    [InlineData("wrong_amount")]
    public async Task Delivery_faults_apply_to_the_message(string kind)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync("/alipay/gateway");
        receiver.Default = (200, "success");
        await sandbox.SetWebhookUrlAsync("alipay", receiver.Url);
        using var alipay = await AlipayClient.ConnectAsync(sandbox);
        await sandbox.AddFaultAsync(new { kind, provider = "alipay", count = 1 });
        await alipay.CallAsync(Transfer, Payout("FAULT_1", "20.00"), await SerialsAsync(sandbox));
        await sandbox.RunDueAsync();

        var form = (await receiver.NextAsync()).Form;
        Assert.Equal(kind != "tampered_signature", alipay.Verifies(form));
        Assert.Equal(kind == "wrong_amount" ? "20.01" : "20.00", Text(Biz(form), "trans_amount"));
        var age = DateTimeOffset.UtcNow - DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(form["utc_timestamp"], CultureInfo.InvariantCulture));
        Assert.True(kind == "stale_timestamp" ? age > TimeSpan.FromMinutes(9) : age < TimeSpan.FromMinutes(2), $"utc_timestamp {form["utc_timestamp"]} is {age} old");
    }
}
