using System.Net;
using System.Text.Json.Nodes;
using Harness.Sandbox.TapPay;
using Harness.Sandbox.Tests.Support;
using Microsoft.AspNetCore.WebUtilities;

namespace Harness.Sandbox.Tests.TapPay;

/// <summary>Records, refunds, capture and 3-D Secure: what happens to a trade after it is paid.</summary>
public sealed partial class TapPayTests
{
    [Fact]
    public async Task Partial_and_full_refunds_show_in_the_record_and_the_trade_history()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var tappay = new TapPayClient(sandbox);
        var id = (await tappay.PayAsync(TapPayClient.PrimeBody(TapPayTestData.DirectPayPrime, 1000))).Text("rec_trade_id");

        var partial = await tappay.RefundAsync(id, 300);
        Assert.Equal(0, partial.Status());
        Assert.Equal(300, partial["refund_amount"]!.GetValue<long>());
        Assert.True(partial["is_captured"]!.GetValue<bool>());
        Assert.Equal("TWD", partial.Text("currency"));
        var record = await tappay.RecordAsync(id);
        Assert.Equal(2, record["record_status"]!.GetValue<int>());
        Assert.Equal(300, record["refunded_amount"]!.GetValue<long>());
        Assert.Equal(700, record["amount"]!.GetValue<long>());
        Assert.Equal(1000, record["original_amount"]!.GetValue<long>());

        Assert.Equal(510, (await tappay.RefundAsync(id, 701)).Status());
        var rest = await tappay.RefundAsync(id);
        Assert.Equal(700, rest["refund_amount"]!.GetValue<long>());
        record = await tappay.RecordAsync(id);
        Assert.Equal(3, record["record_status"]!.GetValue<int>());
        Assert.Equal(1000, record["refunded_amount"]!.GetValue<long>());
        Assert.Equal(0, record["amount"]!.GetValue<long>());
        Assert.Equal(121, (await tappay.RefundAsync(id, 1)).Status());
        Assert.Equal(121, (await tappay.RefundAsync("D20261123UNKNOWN0000")).Status());

        var history = await tappay.PostAsync("/tpc/transaction/trade-history", new JsonObject { ["partner_key"] = TapPayProvider.PartnerKey, ["rec_trade_id"] = id });
        Assert.Equal(0, history.Status());
        Assert.Equal(["auth", "capture", "refund", "refund"], history["trade_history"]!.AsArray().Select(e => e!["action"]!.GetValue<string>()));
        Assert.Equal([1000L, 1000, 300, 700], history["trade_history"]!.AsArray().Select(e => e!["amount"]!.GetValue<long>()));
    }

    [Fact]
    public async Task A_delayed_capture_stays_authorised_until_cap()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var tappay = new TapPayClient(sandbox);
        var body = TapPayClient.PrimeBody(TapPayTestData.DirectPayPrime);
        body["delay_capture_in_days"] = 3;
        var id = (await tappay.PayAsync(body)).Text("rec_trade_id");
        Assert.Equal(0, (await tappay.RecordAsync(id))["record_status"]!.GetValue<int>());
        await sandbox.AdvanceAsync(TimeSpan.FromDays(1));

        var cap = await tappay.PostAsync("/tpc/transaction/cap", new JsonObject { ["partner_key"] = TapPayProvider.PartnerKey, ["rec_trade_id"] = id });

        Assert.Equal(0, cap.Status());
        var record = await tappay.RecordAsync(id);
        Assert.Equal(1, record["record_status"]!.GetValue<int>());
        Assert.True(record["is_captured"]!.GetValue<bool>());
        var capturedAt = new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        Assert.Equal(capturedAt, record["cap_millis"]!.GetValue<long>());
        Assert.Equal(capturedAt, cap["cap_millis"]!.GetValue<long>());
        Assert.Equal(121, (await tappay.PostAsync("/tpc/transaction/cap", new JsonObject { ["partner_key"] = TapPayProvider.PartnerKey, ["rec_trade_id"] = id })).Status());
    }

    [Fact]
    public async Task The_record_query_filters_orders_and_pages()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var tappay = new TapPayClient(sandbox);
        foreach (var (amount, order) in new[] { (300L, "A"), (100L, "B"), (200L, "C") })
        {
            var body = TapPayClient.PrimeBody(TapPayTestData.DirectPayPrime, amount);
            body["order_number"] = order;
            await tappay.PayAsync(body);
            await sandbox.AdvanceAsync(TimeSpan.FromSeconds(10));
        }

        await tappay.PayAsync(TapPayClient.PrimeBody(await tappay.PrimeAsync("4000000000000002"), 50));

        var all = await tappay.QueryAsync();
        Assert.Equal(0, all.Status());
        Assert.Equal(4, all["number_of_transactions"]!.GetValue<int>());
        Assert.Equal(50, all["records_per_page"]!.GetValue<int>());
        Assert.Equal([50L, 200, 100, 300], Amounts(all));

        var first = await tappay.QueryAsync(perPage: 3, page: 0, orderBy: new JsonObject { ["attribute"] = "amount", ["is_descending"] = false });
        Assert.Equal([50L, 100, 200], Amounts(first));
        Assert.Equal(2, first["total_page_count"]!.GetValue<int>());
        var second = await tappay.QueryAsync(perPage: 3, page: 1, orderBy: new JsonObject { ["attribute"] = "amount", ["is_descending"] = false });
        Assert.Equal([300L], Amounts(second));
        var past = await tappay.QueryAsync(perPage: 3, page: 2);
        Assert.Equal(2, past.Status());
        Assert.Empty(past["trade_records"]!.AsArray());

        Assert.Equal([100L], Amounts(await tappay.QueryAsync(new JsonObject { ["order_number"] = "B" })));
        Assert.Equal([50L], Amounts(await tappay.QueryAsync(new JsonObject { ["record_status"] = -1 })));
        Assert.Equal([200L, 100], Amounts(await tappay.QueryAsync(new JsonObject { ["amount"] = new JsonObject { ["lower_limit"] = 100, ["upper_limit"] = 250 } })));
        var start = new DateTimeOffset(2026, 11, 23, 12, 0, 10, TimeSpan.Zero).ToUnixTimeMilliseconds();
        Assert.Equal([200L, 100], Amounts(await tappay.QueryAsync(new JsonObject { ["time"] = new JsonObject { ["start_time"] = start, ["end_time"] = start + 10_000 } })));
        Assert.Equal(4, Amounts(await tappay.QueryAsync(new JsonObject { ["merchant_id"] = new JsonArray(TapPayProvider.MerchantId), ["currency"] = "TWD" })).Count);
        Assert.Empty(Amounts(await tappay.QueryAsync(new JsonObject { ["cardholder"] = new JsonObject { ["email"] = "other@example.com" } })));
        Assert.Equal(121, (await tappay.QueryAsync(perPage: 201)).Status());
        Assert.Equal(121, (await tappay.QueryAsync(orderBy: new JsonObject { ["attribute"] = "colour" })).Status());

        var record = (JsonObject)all["trade_records"]![3]!;
        foreach (var field in new[] { "rec_trade_id", "auth_code", "merchant_id", "merchant_name", "time", "amount", "refunded_amount", "record_status", "bank_transaction_id", "cap_millis", "original_amount", "is_captured", "bank_result_code", "bank_result_msg", "card_info", "currency", "cardholder", "details", "order_number" })
        {
            Assert.True(record.ContainsKey(field), field);
        }

        Assert.False(record.ContainsKey("card_number"));
        Assert.Equal("王小明", record["cardholder"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Three_domain_secure_pays_on_the_hosted_page_then_redirects_and_notifies_the_backend()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync("/tappay/notify");
        receiver.Script((500, "busy"));
        receiver.Default = (200, "");
        using var tappay = new TapPayClient(sandbox);
        var body = TapPayClient.PrimeBody(await tappay.PrimeAsync("4000000000003220"), 2500);
        body["order_number"] = "3DS-1";
        body["three_domain_secure"] = true;
        body["result_url"] = new JsonObject { ["frontend_redirect_url"] = "https://merchant.example/done", ["backend_notify_url"] = receiver.Url, ["go_back_url"] = "https://merchant.example/back" };

        var answer = await tappay.PayAsync(body);
        var id = answer.Text("rec_trade_id");
        Assert.Equal(0, answer.Status());
        Assert.Equal(sandbox.Server.ControlBaseUrl + "/pay/" + id, answer.Text("payment_url"));
        Assert.Equal(4, (await tappay.RecordAsync(id))["record_status"]!.GetValue<int>());
        using (var page = await sandbox.Control.GetAsync(new Uri(answer.Text("payment_url")).PathAndQuery, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        }

        Assert.Equal("https://merchant.example/back", await sandbox.ActAsync(id, "cancel"));
        var redirect = await sandbox.ActAsync(id, "pay");

        Assert.StartsWith("https://merchant.example/done?", redirect, StringComparison.Ordinal);
        var query = QueryHelpers.ParseQuery(new Uri(redirect!).Query);
        Assert.Equal(id, query["rec_trade_id"]);
        Assert.Equal("3DS-1", query["order_number"]);
        Assert.Equal(answer.Text("bank_transaction_id"), query["bank_transaction_id"]);
        Assert.Equal("0", query["status"]);

        var first = await receiver.NextAsync();
        await sandbox.AdvanceAsync(TimeSpan.FromMinutes(1));
        var retried = await receiver.NextAsync();
        Assert.Equal(first.Body, retried.Body);
        var notify = (JsonObject)JsonNode.Parse(retried.Body)!;
        Assert.Equal(id, notify.Text("rec_trade_id"));
        Assert.Equal(0, notify.Status());
        Assert.Equal(2500, notify["amount"]!.GetValue<long>());
        Assert.Equal("3DS-1", notify.Text("order_number"));
        Assert.False(notify.ContainsKey("pay_info"), "a card's notify has no e-payment pay_info");
        Assert.Equal("3220", notify["card_info"]!["last_four"]!.GetValue<string>());
        Assert.NotNull(notify["transaction_complete_millis"]);
        await sandbox.RunDueAsync();
        var deliveries = await sandbox.DeliveriesAsync(id);
        Assert.Equal("delivered", Assert.Single(deliveries)!["status"]!.GetValue<string>());

        var record = await tappay.RecordAsync(id);
        Assert.Equal(1, record["record_status"]!.GetValue<int>());
        Assert.Matches("^[0-9]{6}$", record["auth_code"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("https://merchant.example/done", "\u0001", "https://merchant.example/notify")]
    [InlineData("https://merchant.example/done", "https://merchant.example/back", "ftp://merchant.example/notify")]
    [InlineData("/done", "https://merchant.example/back", "https://merchant.example/notify")]
    public async Task Three_domain_secure_needs_absolute_http_result_urls(string frontend, string goBack, string backend)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var tappay = new TapPayClient(sandbox);
        var body = TapPayClient.PrimeBody(TapPayTestData.DirectPayPrime);
        body["three_domain_secure"] = true;
        body["result_url"] = new JsonObject { ["frontend_redirect_url"] = frontend, ["go_back_url"] = goBack, ["backend_notify_url"] = backend };

        var answer = await tappay.PayAsync(body);

        Assert.Equal(121, answer.Status());
        Assert.Contains("result_url", answer.Msg(), StringComparison.Ordinal);
        Assert.Empty((await tappay.QueryAsync())["trade_records"]!.AsArray());
    }

    [Fact]
    public async Task An_unfinished_challenge_fails_the_trade_and_notifies_the_failure()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync("/tappay/notify");
        using var tappay = new TapPayClient(sandbox);
        var body = TapPayClient.PrimeBody(TapPayTestData.DirectPayPrime);
        body["three_domain_secure"] = true;
        body["result_url"] = new JsonObject { ["frontend_redirect_url"] = "https://merchant.example/done", ["backend_notify_url"] = receiver.Url };
        var id = (await tappay.PayAsync(body)).Text("rec_trade_id");

        await sandbox.AdvanceAsync(TapPayCharges.RedirectLifetime);

        var notify = (JsonObject)JsonNode.Parse((await receiver.NextAsync()).Body)!;
        Assert.Equal(10003, notify.Status());
        Assert.Equal(-1, (await tappay.RecordAsync(id))["record_status"]!.GetValue<int>());
        Assert.Equal(121, (await tappay.RefundAsync(id)).Status());
    }

    private static List<long> Amounts(JsonObject query) =>
        [.. query["trade_records"]!.AsArray().Select(r => r!["amount"]!.GetValue<long>())];
}
