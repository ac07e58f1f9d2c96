using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Harness.Conformance.Steps.Providers;
using Harness.Sandbox.Epay;
using Harness.Sandbox.Tests.Support;
using Microsoft.AspNetCore.WebUtilities;

namespace Harness.Sandbox.Tests.Epay;

public sealed class EpayTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    /// <summary>Builds a go-epay style order (device included) signed with the independent MD5 signer.</summary>
    internal static Dictionary<string, string> Order(string notifyUrl, string outTradeNo = "USR1NOaB3dE91700000000", string money = "12.50") =>
        Sign(new Dictionary<string, string>
        {
            ["pid"] = EpayProvider.Pid,
            ["type"] = "alipay",
            ["out_trade_no"] = outTradeNo,
            ["notify_url"] = notifyUrl,
            ["return_url"] = "https://merchant.example/return",
            ["name"] = "TUC10",
            ["money"] = money,
            ["device"] = "pc",
            ["sign_type"] = "MD5",
        });

    internal static Dictionary<string, string> Sign(Dictionary<string, string> parameters)
    {
        parameters["sign"] = ProviderSignatures.EpayMd5(parameters, EpayProvider.Key);
        return parameters;
    }

    internal static async Task<string> SubmitAsync(TestSandbox sandbox, Dictionary<string, string> order)
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var response = await client.GetAsync(QueryHelpers.AddQueryString(sandbox.BaseUrl("epay") + "/submit.php", order!), Ct);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var payPage = response.Headers.Location!.ToString();
        Assert.StartsWith(sandbox.Server.ControlBaseUrl + "/pay/", payPage, StringComparison.Ordinal);
        return Uri.UnescapeDataString(payPage[(payPage.LastIndexOf('/') + 1)..]);
    }

    [Fact]
    public async Task Submit_pay_then_signed_GET_notify_and_signed_return_redirect()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync("/api/user/epay/notify");
        receiver.Default = (200, "success");
        var tradeNo = await SubmitAsync(sandbox, Order(receiver.Url));

        var returnUrl = await sandbox.ActAsync(tradeNo, "pay");

        var notify = await receiver.NextAsync();
        Assert.Equal("GET", notify.Method);
        var query = QueryHelpers.ParseQuery(notify.Query).ToDictionary(q => q.Key, q => q.Value.ToString());
        Assert.Equal(ProviderSignatures.EpayMd5(query, EpayProvider.Key), query["sign"]);
        Assert.Equal("MD5", query["sign_type"]);
        Assert.Equal("TRADE_SUCCESS", query["trade_status"]);
        Assert.Equal("12.50", query["money"]);
        Assert.Equal(tradeNo, query["trade_no"]);
        Assert.Equal("USR1NOaB3dE91700000000", query["out_trade_no"]);

        Assert.StartsWith("https://merchant.example/return?", returnUrl, StringComparison.Ordinal);
        var back = QueryHelpers.ParseQuery(new Uri(returnUrl!).Query).ToDictionary(q => q.Key, q => q.Value.ToString());
        Assert.Equal(ProviderSignatures.EpayMd5(back, EpayProvider.Key), back["sign"]);
        Assert.Equal("TRADE_SUCCESS", back["trade_status"]);

        await sandbox.RunDueAsync();
        var delivery = Assert.Single(await sandbox.DeliveriesAsync(tradeNo))!;
        Assert.Equal("delivered", delivery["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Submit_also_accepts_a_form_POST_from_the_merchants_page()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var response = await client.PostAsync(sandbox.BaseUrl("epay") + "/submit.php", new FormUrlEncodedContent(Order("https://merchant.example/notify")), Ct);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var payment = (await sandbox.GetArrayAsync("/control/payments?provider=epay")).Single()!;
        Assert.Equal(1250, payment["amount"]!.GetValue<long>());
        Assert.Equal("USR1NOaB3dE91700000000", payment["merchant_reference"]!.GetValue<string>());
    }

    [Fact]
    public async Task Only_the_body_success_acknowledges_a_notify()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        receiver.Script((200, "ok"), (200, "SUCCESS"));
        receiver.Default = (200, "success");
        var tradeNo = await SubmitAsync(sandbox, Order(receiver.Url));
        await sandbox.ActAsync(tradeNo, "pay");
        await receiver.NextAsync();

        await sandbox.AdvanceAsync(TimeSpan.FromMinutes(1));
        await sandbox.AdvanceAsync(TimeSpan.FromMinutes(3));

        var attempts = (JsonArray)(await sandbox.DeliveriesAsync(tradeNo))[0]!["attempts"]!;
        Assert.Equal(["ok", "SUCCESS", "success"], attempts.Select(a => a!["response_body"]!.GetValue<string>()));
        Assert.Equal([false, false, true], attempts.Select(a => a!["acknowledged"]!.GetValue<bool>()));
    }

    [Fact]
    public async Task Notify_can_be_sent_as_a_form_POST()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        receiver.Default = (200, "success");
        await sandbox.Control.PutAsync("/control/providers/epay/settings", new StringContent("""{"notify_method":"POST"}""", System.Text.Encoding.UTF8, "application/json"), Ct);
        var tradeNo = await SubmitAsync(sandbox, Order(receiver.Url));
        await sandbox.ActAsync(tradeNo, "pay");

        var notify = await receiver.NextAsync();
        Assert.Equal("POST", notify.Method);
        Assert.Equal(ProviderSignatures.EpayMd5(notify.Form, EpayProvider.Key), notify.Form["sign"]);
        Assert.Equal(tradeNo, notify.Form["trade_no"]);
    }

    [Fact]
    public async Task Mapi_creates_an_order_and_the_query_api_reports_it_paid()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(sandbox.BaseUrl("epay")) };
        var order = Order("https://merchant.example/notify", "MAPI0001", "3.00");
        var created = JsonNode.Parse(await (await http.PostAsync("/mapi.php", new FormUrlEncodedContent(order), Ct)).Content.ReadAsStringAsync(Ct))!;
        Assert.Equal(1, created["code"]!.GetValue<int>());
        var tradeNo = created["trade_no"]!.GetValue<string>();
        Assert.Equal(sandbox.Server.ControlBaseUrl + "/pay/" + tradeNo, created["payurl"]!.GetValue<string>());

        async Task<JsonNode> QueryAsync() => JsonNode.Parse(await http.GetStringAsync($"/api.php?act=order&pid={EpayProvider.Pid}&key={EpayProvider.Key}&out_trade_no=MAPI0001", Ct))!;
        Assert.Equal(0, (await QueryAsync())["status"]!.GetValue<int>());
        await sandbox.ActAsync(tradeNo, "pay");
        var paid = await QueryAsync();
        Assert.Equal(1, paid["status"]!.GetValue<int>());
        Assert.Equal("3.00", paid["money"]!.GetValue<string>());
        Assert.Equal(tradeNo, paid["trade_no"]!.GetValue<string>());
    }

    [Fact]
    public async Task Mapi_answers_a_qrcode_the_pay_page_draws_when_the_setting_asks_for_it()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(sandbox.BaseUrl("epay")) };
        (await sandbox.Control.PutAsJsonAsync("/control/providers/epay/settings", new Dictionary<string, string> { ["mapi_answer"] = "qrcode" }, Ct)).EnsureSuccessStatusCode();

        var created = JsonNode.Parse(await (await http.PostAsync("/mapi.php", new FormUrlEncodedContent(Order("https://merchant.example/notify", "MAPIQR01", "3.00")), Ct)).Content.ReadAsStringAsync(Ct))!;

        Assert.Equal(["code", "msg", "trade_no", "qrcode"], created.AsObject().Select(p => p.Key));
        var tradeNo = created["trade_no"]!.GetValue<string>();
        var qrcode = created["qrcode"]!.GetValue<string>();
        Assert.Equal(sandbox.Server.ControlBaseUrl + "/pay/" + tradeNo, qrcode);
        var page = await sandbox.Control.GetStringAsync(qrcode, Ct);
        Assert.Contains("<svg", page, StringComparison.Ordinal);
        Assert.Contains($"<code id=\"qr-content\">{qrcode}</code>", page, StringComparison.Ordinal);

        // Orders from the browser's submit.php stay plain cashier pages.
        var submitted = await SubmitAsync(sandbox, Order("https://merchant.example/notify", "SUBMIT01"));
        Assert.DoesNotContain("<svg", await sandbox.Control.GetStringAsync("/pay/" + submitted, Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mapi_answers_a_urlscheme_the_pay_page_draws_and_paying_still_sends_the_signed_notify()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        receiver.Default = (200, "success");
        using var http = new HttpClient { BaseAddress = new Uri(sandbox.BaseUrl("epay")) };
        (await sandbox.Control.PutAsJsonAsync("/control/providers/epay/settings", new Dictionary<string, string> { ["mapi_answer"] = "urlscheme" }, Ct)).EnsureSuccessStatusCode();
        var order = Order(receiver.Url, "MAPIUS01", "3.00");

        var created = JsonNode.Parse(await (await http.PostAsync("/mapi.php", new FormUrlEncodedContent(order), Ct)).Content.ReadAsStringAsync(Ct))!;

        Assert.Equal(["code", "msg", "trade_no", "urlscheme"], created.AsObject().Select(p => p.Key));
        var tradeNo = created["trade_no"]!.GetValue<string>();
        var urlscheme = created["urlscheme"]!.GetValue<string>();
        Assert.Matches("^weixin://dl/business/\\?t=[0-9a-f]{16}$", urlscheme);
        var page = await sandbox.Control.GetStringAsync("/pay/" + tradeNo, Ct);
        Assert.Contains("<svg", page, StringComparison.Ordinal);
        Assert.Contains($"<code id=\"qr-content\">{urlscheme}</code>", page, StringComparison.Ordinal);

        // The merchant retrying the same order is answered the same link; another order gets another.
        var again = JsonNode.Parse(await (await http.PostAsync("/mapi.php", new FormUrlEncodedContent(order), Ct)).Content.ReadAsStringAsync(Ct))!;
        Assert.Equal(urlscheme, again["urlscheme"]!.GetValue<string>());
        var other = JsonNode.Parse(await (await http.PostAsync("/mapi.php", new FormUrlEncodedContent(Order(receiver.Url, "MAPIUS02", "3.00")), Ct)).Content.ReadAsStringAsync(Ct))!;
        Assert.NotEqual(urlscheme, other["urlscheme"]!.GetValue<string>());

        await sandbox.ActAsync(tradeNo, "pay");

        var notify = await receiver.NextAsync();
        var query = QueryHelpers.ParseQuery(notify.Query).ToDictionary(q => q.Key, q => q.Value.ToString());
        Assert.Equal(ProviderSignatures.EpayMd5(query, EpayProvider.Key), query["sign"]);
        Assert.Equal(tradeNo, query["trade_no"]);
        Assert.Equal("MAPIUS01", query["out_trade_no"]);
        Assert.Equal("3.00", query["money"]);
        Assert.Equal("TRADE_SUCCESS", query["trade_status"]);
    }

    [Theory]
    [InlineData("mapi_answer", "applink", "mapi_answer must be payurl, qrcode or urlscheme")]
    [InlineData("notify_method", "PUT", "notify_method must be GET or POST")]
    public async Task An_epay_setting_it_cannot_take_is_refused(string key, string value, string error)
    {
        await using var sandbox = await TestSandbox.StartAsync();

        using var response = await sandbox.Control.PutAsJsonAsync("/control/providers/epay/settings", new Dictionary<string, string> { [key] = value }, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(error, JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["error"]!.GetValue<string>());
        Assert.Null((await sandbox.GetJsonAsync("/control/providers/epay"))["settings"]![key]);
    }

    [Theory]
    [InlineData("sign", "0000", "签名校验失败")]
    [InlineData("pid", "999", "商户不存在")]
    [InlineData("money", "-1", "金额不合法")]
    [InlineData("money", "1.001", "金额不合法")]
    [InlineData("money", "1.00000000000000000000000000001", "金额不合法")]
    [InlineData("money", "1e5", "金额不合法")]
    [InlineData("money", "1000000.01", "最大支付金额是1000000元")]
    [InlineData("money", "79228162514264337593543950336", "最大支付金额是1000000元")]
    [InlineData("return_url", "not a url", "return_url 不合法")]
    [InlineData("return_url", "file:///etc/passwd", "return_url 不合法")]
    [InlineData("notify_url", "ftp://merchant.example/notify", "notify_url 不合法")]
    [InlineData("notify_url", "mailto:ops@merchant.example", "notify_url 不合法")]
    [InlineData("notify_url", "/api/user/epay/notify", "notify_url 不合法")]
    [InlineData("out_trade_no", "", "缺少参数 out_trade_no")]
    public async Task Bad_orders_get_code_minus_one_with_a_message(string field, string value, string message)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(sandbox.BaseUrl("epay")) };
        var order = Order("https://merchant.example/notify");
        order[field] = value;
        if (field != "sign")
        {
            order = Sign(order); // a correctly signed request that is wrong for another reason
        }

        using var response = await http.PostAsync("/mapi.php", new FormUrlEncodedContent(order), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal(-1, body["code"]!.GetValue<int>());
        Assert.Equal(message, body["msg"]!.GetValue<string>());

        using var browser = await http.GetAsync(QueryHelpers.AddQueryString("/submit.php", order!), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, browser.StatusCode);
        Assert.Contains(message, await browser.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Orders_placed_in_the_same_second_get_distinct_trade_numbers_and_none_replaces_another()
    {
        // Five random digits per second: 1,500 orders in one second (the test clock stands still) would share one
        // about a dozen times if a taken number were not drawn again.
        await using var sandbox = await TestSandbox.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(sandbox.BaseUrl("epay")) };
        var tradeNos = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 1500), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = Ct }, async (i, ct) =>
        {
            using var response = await http.PostAsync("/mapi.php", new FormUrlEncodedContent(Order("https://merchant.example/notify", $"LOAD{i:D6}")), ct);
            tradeNos.Add(JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!["trade_no"]!.GetValue<string>());
        });

        Assert.Equal(1500, tradeNos.Distinct().Count());
        Assert.Equal(1500, (await sandbox.GetArrayAsync("/control/payments?provider=epay")).Count);
    }

    [Fact]
    public async Task Out_trade_nos_differing_only_in_case_are_two_orders()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(sandbox.BaseUrl("epay")) };
        async Task<JsonNode> PlaceAsync(string outTradeNo, string money) =>
            JsonNode.Parse(await (await http.PostAsync("/mapi.php", new FormUrlEncodedContent(Order("https://merchant.example/notify", outTradeNo, money)), Ct)).Content.ReadAsStringAsync(Ct))!;
        async Task<JsonNode> QueryAsync(string outTradeNo) =>
            JsonNode.Parse(await http.GetStringAsync($"/api.php?act=order&pid={EpayProvider.Pid}&key={EpayProvider.Key}&out_trade_no={outTradeNo}", Ct))!;

        var lower = await PlaceAsync("Order1", "1.00");
        var upper = await PlaceAsync("ORDER1", "2.00");

        Assert.NotEqual(lower["trade_no"]!.GetValue<string>(), upper["trade_no"]!.GetValue<string>());
        Assert.Equal("1.00", (await QueryAsync("Order1"))["money"]!.GetValue<string>());
        Assert.Equal("2.00", (await QueryAsync("ORDER1"))["money"]!.GetValue<string>());
        Assert.Equal(-1, (await QueryAsync("order1"))["code"]!.GetValue<int>());
    }

    [Fact]
    public async Task An_out_trade_no_outside_epays_format_is_refused_before_it_is_stored()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(sandbox.BaseUrl("epay")) };

        // 2,000 characters would reach the store, whose index keys stop at 1,023 bytes.
        foreach (var outTradeNo in new[] { new string('A', 2000), new string('A', 65), "ORDER 1", "订单1" })
        {
            using var response = await http.PostAsync("/mapi.php", new FormUrlEncodedContent(Order("https://merchant.example/notify", outTradeNo)), Ct);
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
            Assert.Equal(-1, body["code"]!.GetValue<int>());
            Assert.Equal("订单号(out_trade_no)格式不正确", body["msg"]!.GetValue<string>());
        }

        Assert.Empty(await sandbox.GetArrayAsync("/control/payments?provider=epay"));
    }

    [Fact]
    public async Task Refund_with_the_plain_key_refunds_a_paid_order_up_to_what_was_paid()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(sandbox.BaseUrl("epay")) };
        var tradeNo = await SubmitAsync(sandbox, Order("https://merchant.example/notify", "REFUND0001", "12.50"));
        async Task<(int Code, string Msg)> RefundAsync(string money, string key = EpayProvider.Key)
        {
            using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["pid"] = EpayProvider.Pid, ["key"] = key, ["trade_no"] = tradeNo, ["money"] = money });
            using var response = await http.PostAsync("/api.php?act=refund", form, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
            return (body["code"]!.GetValue<int>(), body["msg"]!.GetValue<string>());
        }

        Assert.Equal((-1, "订单未支付"), await RefundAsync("1.00"));
        await sandbox.ActAsync(tradeNo, "pay");
        Assert.Equal((-1, "KEY校验失败"), await RefundAsync("1.00", "wrong"));
        Assert.Equal((-1, "金额不合法"), await RefundAsync("0"));
        Assert.Equal((1, "退款成功"), await RefundAsync("5.00"));
        Assert.Equal((-1, "退款金额超出订单金额"), await RefundAsync("7.51"));
        Assert.Equal((1, "退款成功"), await RefundAsync("7.50"));

        var order = JsonNode.Parse(await http.GetStringAsync($"/api.php?act=order&pid={EpayProvider.Pid}&key={EpayProvider.Key}&trade_no={tradeNo}", Ct))!;
        Assert.Equal("12.50", order["refundmoney"]!.GetValue<string>());
        Assert.Equal(1, order["status"]!.GetValue<int>());
    }

    [Fact]
    public async Task The_sign_is_compared_exactly_so_uppercase_hex_is_refused()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(sandbox.BaseUrl("epay")) };
        var order = Order("https://merchant.example/notify");
        order["sign"] = order["sign"].ToUpperInvariant();

        using var response = await http.PostAsync("/mapi.php", new FormUrlEncodedContent(order), Ct);

        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal(-1, body["code"]!.GetValue<int>());
        Assert.Equal("签名校验失败", body["msg"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_query_api_needs_the_plain_key()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(sandbox.BaseUrl("epay")) };
        var body = JsonNode.Parse(await http.GetStringAsync($"/api.php?act=order&pid={EpayProvider.Pid}&key=wrong&trade_no=1", Ct))!;
        Assert.Equal(-1, body["code"]!.GetValue<int>());
    }
}
