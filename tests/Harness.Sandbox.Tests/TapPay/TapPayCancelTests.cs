using System.Text.Json.Nodes;
using Harness.Sandbox.TapPay;
using Harness.Sandbox.Tests.Support;

namespace Harness.Sandbox.Tests.TapPay;

/// <summary>
/// Refund Cancel and Cap Cancel over HTTP (tappay-nodejs 2.0.11 has neither method): an unsent refund or capture is
/// undone once, the Record API and the trade history show it, and after the bank's day (midnight in Taiwan, 16:00
/// UTC; the tests start at 12:00 UTC) it is refused with 121.
/// </summary>
public sealed class TapPayCancelTests
{
    private static JsonObject Body(string recTradeId, string? refundId = null)
    {
        var body = new JsonObject { ["partner_key"] = TapPayProvider.PartnerKey, ["rec_trade_id"] = recTradeId };
        if (refundId is not null)
        {
            body["refund_id"] = refundId;
        }

        return body;
    }

    private static async Task<string[]> ActionsAsync(TapPayClient tappay, string id) =>
        [.. (await tappay.PostAsync("/tpc/transaction/trade-history", Body(id)))["trade_history"]!.AsArray().Select(e => e!["action"]!.GetValue<string>())];

    [Fact]
    public async Task A_canceled_refund_gives_its_amount_back_to_what_can_be_refunded()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var tappay = new TapPayClient(sandbox);
        var id = (await tappay.PayAsync(TapPayClient.PrimeBody(TapPayTestData.DirectPayPrime, 1000))).Text("rec_trade_id");
        var first = (await tappay.RefundAsync(id, 300)).Text("refund_id");
        var second = (await tappay.RefundAsync(id, 200)).Text("refund_id");

        var canceled = await tappay.PostAsync("/tpc/transaction/refund/cancel", Body(id, first));

        Assert.Equal((0, "Success", id, "TWD"), (canceled.Status(), canceled.Msg(), canceled.Text("rec_trade_id"), canceled.Text("currency")));
        var result = (JsonObject)canceled["result"]!;
        Assert.True(result["success"]!.GetValue<bool>());
        Assert.Equal((first, 300L), (result["refund_id"]!.GetValue<string>(), result["amount"]!.GetValue<long>()));
        var record = await tappay.RecordAsync(id);
        Assert.Equal((2, 200L, 800L), (record["record_status"]!.GetValue<int>(), record["refunded_amount"]!.GetValue<long>(), record["amount"]!.GetValue<long>()));
        Assert.False(record.ContainsKey(TapPayTrades.RefundsField));
        Assert.Equal(["auth", "capture", "refund", "refund", "refund_cancel"], await ActionsAsync(tappay, id));

        // The same refund again is refused and moves nothing; the amount is refundable again, up to what was paid.
        Assert.Equal(TapPayStatus.InvalidArguments, (await tappay.PostAsync("/tpc/transaction/refund/cancel", Body(id, first))).Status());
        Assert.Equal(200, (await tappay.RecordAsync(id))["refunded_amount"]!.GetValue<long>());
        Assert.Equal(TapPayStatus.InvalidAmount, (await tappay.RefundAsync(id, 801)).Status());
        Assert.Equal(800, (await tappay.RefundAsync(id))["refund_amount"]!.GetValue<long>());
        Assert.Equal(3, (await tappay.RecordAsync(id))["record_status"]!.GetValue<int>());
        Assert.Equal(0, (await tappay.PostAsync("/tpc/transaction/refund/cancel", Body(id, second))).Status());
        record = await tappay.RecordAsync(id);
        Assert.Equal((2, 800L, 200L), (record["record_status"]!.GetValue<int>(), record["refunded_amount"]!.GetValue<long>(), record["amount"]!.GetValue<long>()));
    }

    [Fact]
    public async Task Without_refund_id_the_latest_refund_is_canceled_and_the_trade_is_captured_again()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var tappay = new TapPayClient(sandbox);
        var id = (await tappay.PayAsync(TapPayClient.PrimeBody(TapPayTestData.DirectPayPrime, 500))).Text("rec_trade_id");
        var refund = (await tappay.RefundAsync(id)).Text("refund_id");
        Assert.Equal(3, (await tappay.RecordAsync(id))["record_status"]!.GetValue<int>());

        var canceled = await tappay.PostAsync("/tpc/transaction/refund/cancel", Body(id));

        Assert.Equal(refund, canceled["result"]!["refund_id"]!.GetValue<string>());
        var record = await tappay.RecordAsync(id);
        Assert.Equal((1, 0L, 500L), (record["record_status"]!.GetValue<int>(), record["refunded_amount"]!.GetValue<long>(), record["amount"]!.GetValue<long>()));
        Assert.Equal(TapPayStatus.InvalidArguments, (await tappay.PostAsync("/tpc/transaction/refund/cancel", Body(id))).Status());
    }

    public static TheoryData<string, string> RefundCancelRefusals => new()
    {
        { """{"partner_key":"__KEY__"}""", "rec_trade_id" },
        { """{"partner_key":"__KEY__","rec_trade_id":"D20261123UNKNOWN0000"}""", "rec_trade_id" },
        { """{"partner_key":"__KEY__","rec_trade_id":"__ID__","refund_id":"R20261123NOSUCHREF"}""", "refund_id names no refund" },
        { """{"partner_key":"__KEY__","rec_trade_id":"__ID__","refund_id":42}""", "refund_id" },
    };

    [Theory]
    [MemberData(nameof(RefundCancelRefusals))]
    public async Task A_refund_cancel_naming_no_refund_is_refused_with_121(string json, string reason)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var tappay = new TapPayClient(sandbox);
        var id = (await tappay.PayAsync(TapPayClient.PrimeBody(TapPayTestData.DirectPayPrime, 1000))).Text("rec_trade_id");
        await tappay.RefundAsync(id, 100);

        var answer = await tappay.PostRawAsync("/tpc/transaction/refund/cancel", json.Replace("__KEY__", TapPayProvider.PartnerKey, StringComparison.Ordinal).Replace("__ID__", id, StringComparison.Ordinal));

        Assert.Equal(TapPayStatus.InvalidArguments, answer.Status());
        Assert.Contains(reason, answer.Msg(), StringComparison.Ordinal);
        Assert.Equal(100, (await tappay.RecordAsync(id))["refunded_amount"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_trade_never_refunded_has_no_refund_to_cancel()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var tappay = new TapPayClient(sandbox);
        var id = (await tappay.PayAsync(TapPayClient.PrimeBody(TapPayTestData.DirectPayPrime))).Text("rec_trade_id");

        Assert.Equal(TapPayStatus.InvalidArguments, (await tappay.PostAsync("/tpc/transaction/refund/cancel", Body(id))).Status());
        Assert.Equal(1, (await tappay.RecordAsync(id))["record_status"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_refund_sent_to_the_bank_at_the_end_of_its_day_cannot_be_canceled()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var tappay = new TapPayClient(sandbox);
        var id = (await tappay.PayAsync(TapPayClient.PrimeBody(TapPayTestData.DirectPayPrime, 1000))).Text("rec_trade_id");
        var early = (await tappay.RefundAsync(id, 100)).Text("refund_id");
        var late = (await tappay.RefundAsync(id, 100)).Text("refund_id");
        await sandbox.AdvanceAsync(TimeSpan.FromHours(3) + TimeSpan.FromMinutes(59));
        Assert.Equal(0, (await tappay.PostAsync("/tpc/transaction/refund/cancel", Body(id, early))).Status());

        await sandbox.AdvanceAsync(TimeSpan.FromMinutes(1));
        var answer = await tappay.PostAsync("/tpc/transaction/refund/cancel", Body(id, late));

        Assert.Equal(TapPayStatus.InvalidArguments, answer.Status());
        Assert.Contains("sent to the bank", answer.Msg(), StringComparison.Ordinal);
        Assert.Equal(100, (await tappay.RecordAsync(id))["refunded_amount"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_canceled_capture_leaves_the_trade_authorised_until_it_is_captured_again()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var tappay = new TapPayClient(sandbox);
        var id = (await tappay.PayAsync(TapPayClient.PrimeBody(TapPayTestData.DirectPayPrime, 700))).Text("rec_trade_id");

        var canceled = await tappay.PostAsync("/tpc/transaction/cap/cancel", Body(id));

        Assert.Equal((0, "Success", id, "TWD"), (canceled.Status(), canceled.Msg(), canceled.Text("rec_trade_id"), canceled.Text("currency")));
        var record = await tappay.RecordAsync(id);
        Assert.Equal((0, false, 0L), (record["record_status"]!.GetValue<int>(), record["is_captured"]!.GetValue<bool>(), record["cap_millis"]!.GetValue<long>()));
        Assert.Equal(700, record["amount"]!.GetValue<long>());
        Assert.Equal(TapPayStatus.InvalidArguments, (await tappay.PostAsync("/tpc/transaction/cap/cancel", Body(id))).Status());

        await sandbox.AdvanceAsync(TimeSpan.FromDays(1));
        var cap = await tappay.PostAsync("/tpc/transaction/cap", Body(id));
        Assert.Equal((0, "TWD"), (cap.Status(), cap.Text("currency")));
        record = await tappay.RecordAsync(id);
        Assert.Equal((1, true), (record["record_status"]!.GetValue<int>(), record["is_captured"]!.GetValue<bool>()));
        Assert.Equal(["auth", "capture", "cap_cancel", "capture"], await ActionsAsync(tappay, id));
    }

    [Fact]
    public async Task A_canceled_capture_can_be_released_with_a_refund()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var tappay = new TapPayClient(sandbox);
        var id = (await tappay.PayAsync(TapPayClient.PrimeBody(TapPayTestData.DirectPayPrime, 400))).Text("rec_trade_id");
        Assert.Equal(0, (await tappay.PostAsync("/tpc/transaction/cap/cancel", Body(id))).Status());

        var refund = await tappay.RefundAsync(id);

        Assert.Equal((0, 400L, false), (refund.Status(), refund["refund_amount"]!.GetValue<long>(), refund["is_captured"]!.GetValue<bool>()));
        Assert.Equal(3, (await tappay.RecordAsync(id))["record_status"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_capture_that_is_not_there_or_already_sent_is_refused_with_121()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var tappay = new TapPayClient(sandbox);
        var delayed = TapPayClient.PrimeBody(TapPayTestData.DirectPayPrime);
        delayed["delay_capture_in_days"] = 2;
        var authorised = (await tappay.PayAsync(delayed)).Text("rec_trade_id");
        var refunded = (await tappay.PayAsync(TapPayClient.PrimeBody(TapPayTestData.DirectPayPrime, 300))).Text("rec_trade_id");
        await tappay.RefundAsync(refunded, 1);
        var sent = (await tappay.PayAsync(TapPayClient.PrimeBody(TapPayTestData.DirectPayPrime))).Text("rec_trade_id");
        var declined = (await tappay.PayAsync(TapPayClient.PrimeBody(await tappay.PrimeAsync("4000000000000002")))).Text("rec_trade_id");
        await sandbox.AdvanceAsync(TimeSpan.FromHours(4));

        foreach (var (id, reason) in new[] { (authorised, "no capture"), (refunded, "no capture"), (sent, "sent to the bank"), (declined, "no capture"), ("D20261123UNKNOWN0000", "rec_trade_id") })
        {
            var answer = await tappay.PostAsync("/tpc/transaction/cap/cancel", Body(id));
            Assert.Equal(TapPayStatus.InvalidArguments, answer.Status());
            Assert.Contains(reason, answer.Msg(), StringComparison.Ordinal);
        }

        Assert.Equal(1, (await tappay.RecordAsync(sent))["record_status"]!.GetValue<int>());
        Assert.Equal(0, (await tappay.RecordAsync(authorised))["record_status"]!.GetValue<int>());
        Assert.Equal(TapPayStatus.InvalidArguments, (await tappay.PostRawAsync("/tpc/transaction/cap/cancel", $$"""{"partner_key":"{{TapPayProvider.PartnerKey}}","rec_trade_id":7}""")).Status());
    }

    [Fact]
    public async Task The_cancels_check_the_partner_key_like_every_back_end_route()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var tappay = new TapPayClient(sandbox);
        var id = (await tappay.PayAsync(TapPayClient.PrimeBody(TapPayTestData.DirectPayPrime))).Text("rec_trade_id");

        foreach (var path in new[] { "/tpc/transaction/refund/cancel", "/tpc/transaction/cap/cancel" })
        {
            Assert.Equal(TapPayStatus.MissingPartnerKey, (await tappay.PostAsync(path, new JsonObject { ["rec_trade_id"] = id })).Status());
            Assert.Equal(TapPayStatus.InvalidApiKey, (await tappay.PostAsync(path, Body(id), apiKey: null)).Status());
            Assert.Equal(TapPayStatus.WrongJsonFormat, (await tappay.PostRawAsync(path, "{")).Status());
        }

        Assert.Equal(1, (await tappay.RecordAsync(id))["record_status"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("/tpc/card/metadata")]
    [InlineData("/tpc/transaction/reconciliation")]
    [InlineData("/tpc/direct-pay/get-member-card")]
    [InlineData("/tpc/card/update-cardholder")]
    [InlineData("/tpc/direct-pay/get-barcode")]
    [InlineData("/tpc/payment/pay-by-barcode")]
    [InlineData("/tpc/affiliate-code/check")]
    public async Task An_advanced_route_the_sandbox_does_not_simulate_answers_121_naming_itself(string path)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var tappay = new TapPayClient(sandbox);

        var answer = await tappay.PostAsync(path, new JsonObject { ["partner_key"] = TapPayProvider.PartnerKey, ["card_key"] = "k", ["card_token"] = "t" });

        Assert.Equal(TapPayStatus.InvalidArguments, answer.Status());
        Assert.Equal($"Invalid arguments : {path} is not simulated by the sandbox", answer.Msg());
    }

    [Fact]
    public async Task Refunds_and_captures_stay_cancellable_across_a_restart()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-tappay-cancel-" + Guid.NewGuid().ToString("N"));
        string id, refund;
        await using (var sandbox = await TestSandbox.StartAsync(configure: o => o.DataDirectory = data))
        {
            using var tappay = new TapPayClient(sandbox);
            id = (await tappay.PayAsync(TapPayClient.PrimeBody(TapPayTestData.DirectPayPrime, 900))).Text("rec_trade_id");
            refund = (await tappay.RefundAsync(id, 250)).Text("refund_id");
        }

        await using (var sandbox = await TestSandbox.StartAsync(new DateTimeOffset(2026, 11, 23, 13, 0, 0, TimeSpan.Zero), configure: o => o.DataDirectory = data))
        {
            using var tappay = new TapPayClient(sandbox);
            Assert.Equal(250, (await tappay.PostAsync("/tpc/transaction/refund/cancel", Body(id, refund)))["result"]!["amount"]!.GetValue<long>());
            Assert.Equal(0, (await tappay.PostAsync("/tpc/transaction/cap/cancel", Body(id))).Status());
            var record = await tappay.RecordAsync(id);
            Assert.Equal((0, 0L, 900L), (record["record_status"]!.GetValue<int>(), record["refunded_amount"]!.GetValue<long>(), record["amount"]!.GetValue<long>()));
        }

        Directory.Delete(data, recursive: true);
    }
}
