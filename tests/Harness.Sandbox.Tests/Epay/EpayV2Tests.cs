using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Harness.Conformance.Steps.Providers;
using Harness.Sandbox.Epay;
using Harness.Sandbox.Tests.Support;
using Microsoft.AspNetCore.WebUtilities;

namespace Harness.Sandbox.Tests.Epay;

public sealed class EpayV2Tests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Create_pay_then_an_RSA_signed_notify_and_return_and_a_signed_query()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync("/notify");
        receiver.Default = (200, "success");
        using var client = await EpayV2Client.StartAsync(sandbox);

        var created = await client.CallAsync("/api/pay/create", EpayV2Client.Order(receiver.Url, "V2ORDER1"));
        var tradeNo = created["trade_no"]!.GetValue<string>();
        Assert.Equal("jump", created["pay_type"]!.GetValue<string>());
        Assert.Equal(sandbox.Server.ControlBaseUrl + "/pay/" + tradeNo, created["pay_info"]!.GetValue<string>());

        var unpaid = await client.CallAsync("/api/pay/query", new() { ["out_trade_no"] = "V2ORDER1" });
        Assert.Equal(0, unpaid["status"]!.GetValue<int>());
        Assert.Null(unpaid["endtime"]);

        var returnUrl = await sandbox.ActAsync(tradeNo, "pay");

        var notify = await receiver.NextAsync();
        Assert.Equal("GET", notify.Method);
        var query = QueryHelpers.ParseQuery(notify.Query).ToDictionary(q => q.Key, q => q.Value.ToString());
        Assert.Equal("RSA", query["sign_type"]);
        Assert.True(client.Verify(query, query["sign"]));
        Assert.Equal("TRADE_SUCCESS", query["trade_status"]);
        Assert.Equal(tradeNo, query["trade_no"]);
        Assert.Equal("V2ORDER1", query["out_trade_no"]);
        Assert.Equal("12.50", query["money"]);
        Assert.Equal("2026-11-23 20:00:00", query["addtime"]);
        Assert.Equal("2026-11-23 20:00:00", query["endtime"]);
        Assert.NotEqual(ProviderSignatures.EpayMd5(query, EpayProvider.Key), query["sign"]);

        var back = QueryHelpers.ParseQuery(new Uri(returnUrl!).Query).ToDictionary(q => q.Key, q => q.Value.ToString());
        Assert.True(client.Verify(back, back["sign"]));

        var paid = await client.CallAsync("/api/pay/query", new() { ["trade_no"] = tradeNo });
        Assert.Equal(1, paid["status"]!.GetValue<int>());
        Assert.Equal(1000, paid["pid"]!.GetValue<int>());
        Assert.Equal("12.50", paid["money"]!.GetValue<string>());
        Assert.Equal("192.0.2.10", paid["clientip"]!.GetValue<string>());
        Assert.Equal("2026-11-23 20:00:00", paid["endtime"]!.GetValue<string>());

        await sandbox.RunDueAsync();
        Assert.Equal("delivered", (await sandbox.DeliveriesAsync(tradeNo))[0]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_V2_notify_follows_the_notify_method_setting_and_the_retry_schedule()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        receiver.Script((200, "ok"));
        receiver.Default = (200, "success");
        (await sandbox.PutSettingsAsync("epay", new { notify_method = "POST" })).EnsureSuccessStatusCode();
        using var client = await EpayV2Client.StartAsync(sandbox);
        var tradeNo = (await client.CallAsync("/api/pay/create", EpayV2Client.Order(receiver.Url, "V2POST1")))["trade_no"]!.GetValue<string>();
        await sandbox.ActAsync(tradeNo, "pay");

        var first = await receiver.NextAsync();
        Assert.Equal("POST", first.Method);
        Assert.True(client.Verify(first.Form, first.Form["sign"]));
        await sandbox.AdvanceAsync(TimeSpan.FromMinutes(1));
        var second = await receiver.NextAsync();
        Assert.True(client.Verify(second.Form, second.Form["sign"]));

        var attempts = (JsonArray)(await sandbox.DeliveriesAsync(tradeNo))[0]!["attempts"]!;
        Assert.Equal([false, true], attempts.Select(a => a!["acknowledged"]!.GetValue<bool>()));
    }

    [Fact]
    public async Task Web_answers_a_qrcode_on_a_pc_and_a_jump_on_a_phone_jsapi_answers_wechat_parameters()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var client = await EpayV2Client.StartAsync(sandbox);

        var pc = await client.CallAsync("/api/pay/create", EpayV2Client.Order("https://merchant.example/notify", "WEB1", method: "web"));
        Assert.Equal("qrcode", pc["pay_type"]!.GetValue<string>());
        var payment = await sandbox.GetJsonAsync("/control/payments/" + pc["trade_no"]!.GetValue<string>());
        Assert.Equal(pc["pay_info"]!.GetValue<string>(), payment["qr_code"]!.GetValue<string>());

        var phone = EpayV2Client.Order("https://merchant.example/notify", "WEB2", method: "web");
        phone["device"] = "mobile";
        Assert.Equal("jump", (await client.CallAsync("/api/pay/create", phone))["pay_type"]!.GetValue<string>());

        var jsapi = EpayV2Client.Order("https://merchant.example/notify", "JSAPI1", method: "jsapi");
        jsapi["type"] = "wxpay";
        jsapi["sub_openid"] = "o9uAcc6VlZxhcujpKIqQuWWoDQc";
        jsapi["sub_appid"] = "wx2421b1c4370ec43b";
        var answer = await client.CallAsync("/api/pay/create", jsapi);
        Assert.Equal("jsapi", answer["pay_type"]!.GetValue<string>());
        var info = JsonNode.Parse(answer["pay_info"]!.GetValue<string>())!;
        Assert.Equal("wx2421b1c4370ec43b", info["appId"]!.GetValue<string>());
        Assert.Equal("prepay_id=wx" + answer["trade_no"]!.GetValue<string>(), info["package"]!.GetValue<string>());

        var app = EpayV2Client.Order("https://merchant.example/notify", "APP1", method: "app");
        Assert.Equal("不支持的接口类型 app", (await client.PostAsync("/api/pay/create", client.Sign(app)))["msg"]!.GetValue<string>());
    }

    [Fact]
    public async Task Submit_redirects_the_browser_to_the_pay_page()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var client = await EpayV2Client.StartAsync(sandbox);
        var order = EpayV2Client.Order("https://merchant.example/notify", "SUBMIT1");
        order.Remove("method");
        order.Remove("clientip");
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });

        using var get = await http.GetAsync(QueryHelpers.AddQueryString(sandbox.BaseUrl("epay") + "/api/pay/submit", client.Sign(order)!), Ct);
        Assert.Equal(HttpStatusCode.Redirect, get.StatusCode);
        Assert.StartsWith(sandbox.Server.ControlBaseUrl + "/pay/", get.Headers.Location!.ToString(), StringComparison.Ordinal);

        order["sign"] = "forged";
        using var forged = await http.PostAsync(sandbox.BaseUrl("epay") + "/api/pay/submit", new FormUrlEncodedContent(order), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Contains("签名校验失败", await forged.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refusals_answer_HTTP_200_with_a_nonzero_code_and_the_reason()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var client = await EpayV2Client.StartAsync(sandbox);
        using var stranger = RSA.Create(2048);
        var strangerKey = Convert.ToBase64String(stranger.ExportPkcs8PrivateKey());

        async Task<string> RefusedAsync(string path, Dictionary<string, string> parameters)
        {
            var answer = await client.PostAsync(path, parameters);
            Assert.Equal(-1, answer["code"]!.GetValue<int>());
            Assert.Null(answer["sign"]);
            return answer["msg"]!.GetValue<string>();
        }

        var order = EpayV2Client.Order("https://merchant.example/notify", "REFUSE1");
        Assert.Equal("签名校验失败", await RefusedAsync("/api/pay/create", client.Sign(order, strangerKey)));
        var unsigned = new Dictionary<string, string> { ["pid"] = "1000", ["trade_no"] = "1", ["timestamp"] = EpayV2Client.Now() };
        Assert.Equal("签名校验失败", await RefusedAsync("/api/pay/query", unsigned));
        var tampered = client.Sign(new() { ["out_trade_no"] = "REFUSE1" });
        tampered["out_trade_no"] = "REFUSE2";
        Assert.Equal("签名校验失败", await RefusedAsync("/api/pay/query", tampered));
        Assert.Equal("时间戳不合法", await RefusedAsync("/api/pay/query", client.Sign(new() { ["out_trade_no"] = "REFUSE1", ["timestamp"] = EpayV2Client.Now(TimeSpan.FromMinutes(-6)) })));
        Assert.Equal("时间戳不合法", await RefusedAsync("/api/pay/query", client.Sign(new() { ["out_trade_no"] = "REFUSE1", ["timestamp"] = EpayV2Client.Now(TimeSpan.FromMinutes(6)) })));
        var md5 = client.Sign(new() { ["out_trade_no"] = "REFUSE1" });
        md5["sign_type"] = "MD5";
        Assert.Equal("不支持的签名类型", await RefusedAsync("/api/pay/query", md5));
        Assert.Equal("商户不存在", await RefusedAsync("/api/pay/query", client.Sign(new() { ["pid"] = "1001", ["out_trade_no"] = "REFUSE1" })));
        Assert.Equal("订单号不存在", await RefusedAsync("/api/pay/query", client.Sign(new() { ["out_trade_no"] = "NOSUCHORDER" })));
        Assert.Equal("订单号不存在", await RefusedAsync("/api/pay/refund", client.Sign(new() { ["trade_no"] = "2026112320000012345", ["money"] = "1.00" })));
        Assert.Equal("退款单号不存在", await RefusedAsync("/api/pay/refundquery", client.Sign(new() { ["out_refund_no"] = "NOSUCHREFUND" })));
        Assert.Equal("缺少参数 clientip", await RefusedAsync("/api/pay/create", client.Sign(new() { ["method"] = "jump" })));

        var tradeNo = (await client.CallAsync("/api/pay/create", order))["trade_no"]!.GetValue<string>();
        Assert.Equal("订单未支付", await RefusedAsync("/api/pay/refund", client.Sign(new() { ["trade_no"] = tradeNo, ["money"] = "1.00" })));
    }

    [Fact]
    public async Task A_merchant_public_key_of_its_own_once_registered_signs_beside_the_published_one()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var client = await EpayV2Client.StartAsync(sandbox);
        using var own = RSA.Create(2048);
        var ownPrivate = Convert.ToBase64String(own.ExportPkcs8PrivateKey());
        var ownPublic = Convert.ToBase64String(own.ExportSubjectPublicKeyInfo());
        var order = () => EpayV2Client.Order("https://merchant.example/notify", "OWNKEY1");

        var before = await client.PostAsync("/api/pay/create", client.Sign(order(), ownPrivate));
        Assert.Equal("签名校验失败", before["msg"]!.GetValue<string>());

        using var notAKey = await sandbox.PutSettingsAsync("epay", new { merchant_public_key = "MIIBnotakey" });
        Assert.Equal(HttpStatusCode.BadRequest, notAKey.StatusCode);
        Assert.Contains("merchant_public_key must be an RSA public key", await notAKey.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        // The bare base64 Epay's console shows, as the published keys are.
        (await sandbox.PutSettingsAsync("epay", new { merchant_public_key = ownPublic })).EnsureSuccessStatusCode();
        var created = await client.PostAsync("/api/pay/create", client.Sign(order(), ownPrivate));
        Assert.Equal(0, created["code"]!.GetValue<int>());
        Assert.Equal(0, (await client.PostAsync("/api/pay/query", client.Sign(new() { ["out_trade_no"] = "OWNKEY1" })))["code"]!.GetValue<int>());

        using var stranger = RSA.Create(2048);
        var strangerKey = Convert.ToBase64String(stranger.ExportPkcs8PrivateKey());
        Assert.Equal("签名校验失败", (await client.PostAsync("/api/pay/query", client.Sign(new() { ["out_trade_no"] = "OWNKEY1" }, strangerKey)))["msg"]!.GetValue<string>());

        // Removing it leaves the published pair only.
        (await sandbox.PutSettingsAsync("epay", new { merchant_public_key = "" })).EnsureSuccessStatusCode();
        Assert.Equal("签名校验失败", (await client.PostAsync("/api/pay/query", client.Sign(new() { ["out_trade_no"] = "OWNKEY1" }, ownPrivate)))["msg"]!.GetValue<string>());
    }

    [Fact]
    public async Task Partial_refunds_up_to_what_was_paid_each_queryable_and_an_out_refund_no_refunds_once()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var client = await EpayV2Client.StartAsync(sandbox);
        var tradeNo = (await client.CallAsync("/api/pay/create", EpayV2Client.Order("https://merchant.example/notify", "REFUND1", "10.00")))["trade_no"]!.GetValue<string>();
        await sandbox.ActAsync(tradeNo, "pay");

        var first = await client.CallAsync("/api/pay/refund", new() { ["out_trade_no"] = "REFUND1", ["money"] = "4.00", ["out_refund_no"] = "R1" });
        Assert.Equal("退款成功", first["msg"]!.GetValue<string>());
        Assert.Equal("4.00", first["money"]!.GetValue<string>());
        Assert.Equal(tradeNo, first["trade_no"]!.GetValue<string>());
        var again = await client.CallAsync("/api/pay/refund", new() { ["out_trade_no"] = "REFUND1", ["money"] = "4.00", ["out_refund_no"] = "R1" });
        Assert.Equal(first["refund_no"]!.GetValue<string>(), again["refund_no"]!.GetValue<string>());
        var reused = await client.PostAsync("/api/pay/refund", client.Sign(new() { ["out_trade_no"] = "REFUND1", ["money"] = "5.00", ["out_refund_no"] = "R1" }));
        Assert.Equal("退款单号已存在", reused["msg"]!.GetValue<string>());

        var partly = await client.CallAsync("/api/pay/query", new() { ["trade_no"] = tradeNo });
        Assert.Equal(1, partly["status"]!.GetValue<int>());
        Assert.Equal("4.00", partly["refundmoney"]!.GetValue<string>());

        var over = await client.PostAsync("/api/pay/refund", client.Sign(new() { ["trade_no"] = tradeNo, ["money"] = "6.01" }));
        Assert.Equal("退款金额超出订单金额", over["msg"]!.GetValue<string>());
        var rest = await client.CallAsync("/api/pay/refund", new() { ["trade_no"] = tradeNo, ["money"] = "6.00" });
        Assert.Equal("", rest["out_refund_no"]!.GetValue<string>());

        var byNo = await client.CallAsync("/api/pay/refundquery", new() { ["refund_no"] = rest["refund_no"]!.GetValue<string>() });
        Assert.Equal("6.00", byNo["money"]!.GetValue<string>());
        Assert.Equal("REFUND1", byNo["out_trade_no"]!.GetValue<string>());
        Assert.Equal(1, byNo["status"]!.GetValue<int>());
        var byOutNo = await client.CallAsync("/api/pay/refundquery", new() { ["out_refund_no"] = "R1" });
        Assert.Equal(first["refund_no"]!.GetValue<string>(), byOutNo["refund_no"]!.GetValue<string>());

        var whole = await client.CallAsync("/api/pay/query", new() { ["trade_no"] = tradeNo });
        Assert.Equal(2, whole["status"]!.GetValue<int>());
        Assert.Null(whole["refundmoney"]);
    }

    [Fact]
    public async Task One_order_store_for_both_protocols_and_a_V1_order_keeps_its_MD5_notify()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        receiver.Default = (200, "success");
        using var client = await EpayV2Client.StartAsync(sandbox);
        using var http = new HttpClient { BaseAddress = new Uri(sandbox.BaseUrl("epay")) };

        var v1TradeNo = await EpayTests.SubmitAsync(sandbox, EpayTests.Order(receiver.Url, "V1ORDER1", "2.00"));
        await sandbox.ActAsync(v1TradeNo, "pay");
        var notify = await receiver.NextAsync();
        var query = QueryHelpers.ParseQuery(notify.Query).ToDictionary(q => q.Key, q => q.Value.ToString());
        Assert.Equal("MD5", query["sign_type"]);
        Assert.Equal(ProviderSignatures.EpayMd5(query, EpayProvider.Key), query["sign"]);

        var viaV2 = await client.CallAsync("/api/pay/query", new() { ["out_trade_no"] = "V1ORDER1" });
        Assert.Equal(v1TradeNo, viaV2["trade_no"]!.GetValue<string>());
        Assert.Equal(1, viaV2["status"]!.GetValue<int>());
        await client.CallAsync("/api/pay/refund", new() { ["trade_no"] = v1TradeNo, ["money"] = "0.50" });

        var v1View = JsonNode.Parse(await http.GetStringAsync($"/api.php?act=order&pid=1000&key={EpayProvider.Key}&trade_no={v1TradeNo}", Ct))!;
        Assert.Equal("0.50", v1View["refundmoney"]!.GetValue<string>());

        var v2TradeNo = (await client.CallAsync("/api/pay/create", EpayV2Client.Order(receiver.Url, "V2ORDER2")))["trade_no"]!.GetValue<string>();
        var v2View = JsonNode.Parse(await http.GetStringAsync($"/api.php?act=order&pid=1000&key={EpayProvider.Key}&out_trade_no=V2ORDER2", Ct))!;
        Assert.Equal(v2TradeNo, v2View["trade_no"]!.GetValue<string>());
    }

    [Fact]
    public async Task Merchant_info_counts_the_orders_and_merchant_orders_pages_them_newest_first_filtered_by_the_status_shown()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var client = await EpayV2Client.StartAsync(sandbox);
        var first = (await client.CallAsync("/api/pay/create", EpayV2Client.Order("https://merchant.example/notify", "LIST1", "10.00")))["trade_no"]!.GetValue<string>();
        await sandbox.ActAsync(first, "pay");
        await sandbox.AdvanceAsync(TimeSpan.FromSeconds(5));
        var second = (await client.CallAsync("/api/pay/create", EpayV2Client.Order("https://merchant.example/notify", "LIST2", "3.00")))["trade_no"]!.GetValue<string>();
        await client.CallAsync("/api/pay/refund", new() { ["trade_no"] = first, ["money"] = "1.50" });

        var info = await client.CallAsync("/api/merchant/info", []);
        Assert.Equal(1000, info["pid"]!.GetValue<int>());
        Assert.Equal("8.50", info["money"]!.GetValue<string>());
        Assert.Equal(2, info["order_num"]!.GetValue<int>());
        Assert.Equal(1, info["order_num_today"]!.GetValue<int>());
        Assert.Equal("10.00", info["order_money_today"]!.GetValue<string>());
        Assert.Equal(0, info["order_num_lastday"]!.GetValue<int>());

        var all = await client.CallAsync("/api/merchant/orders", new() { ["offset"] = "0", ["limit"] = "50" });
        Assert.Equal([second, first], ((JsonArray)all["data"]!).Select(o => o!["trade_no"]!.GetValue<string>()));
        var paid = await client.CallAsync("/api/merchant/orders", new() { ["offset"] = "0", ["limit"] = "1", ["status"] = "1" });
        var only = Assert.Single((JsonArray)paid["data"]!)!;
        Assert.Equal(first, only["trade_no"]!.GetValue<string>());
        Assert.Equal("1.50", only["refundmoney"]!.GetValue<string>());
        Assert.Empty((JsonArray)(await client.CallAsync("/api/merchant/orders", new() { ["offset"] = "1", ["limit"] = "1", ["status"] = "1" }))["data"]!);

        // Refunded in full, an order shows status 2 (已退款): under neither filter, still in the whole list.
        await sandbox.AdvanceAsync(TimeSpan.FromSeconds(5));
        var third = (await client.CallAsync("/api/pay/create", EpayV2Client.Order("https://merchant.example/notify", "LIST3", "2.00")))["trade_no"]!.GetValue<string>();
        await sandbox.ActAsync(third, "pay");
        await client.CallAsync("/api/pay/refund", new() { ["trade_no"] = third, ["money"] = "2.00" });
        var refunded = ((JsonArray)(await client.CallAsync("/api/merchant/orders", new() { ["offset"] = "0", ["limit"] = "50" }))["data"]!)[0]!;
        Assert.Equal((third, 2), (refunded["trade_no"]!.GetValue<string>(), refunded["status"]!.GetValue<int>()));
        Assert.Equal([first], ((JsonArray)(await client.CallAsync("/api/merchant/orders", new() { ["offset"] = "0", ["limit"] = "50", ["status"] = "1" }))["data"]!).Select(o => o!["trade_no"]!.GetValue<string>()));
        Assert.Equal([second], ((JsonArray)(await client.CallAsync("/api/merchant/orders", new() { ["offset"] = "0", ["limit"] = "50", ["status"] = "0" }))["data"]!).Select(o => o!["trade_no"]!.GetValue<string>()));

        var tooMany = await client.PostAsync("/api/merchant/orders", client.Sign(new() { ["offset"] = "0", ["limit"] = "51" }));
        Assert.Equal("limit 须为1到50", tooMany["msg"]!.GetValue<string>());
    }

    [Fact]
    public async Task Keys_orders_and_refunds_survive_a_restart()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-sandbox-tests", Guid.NewGuid().ToString("N"));
        string tradeNo, refundNo, merchantKey;
        await using (var first = await TestSandbox.StartAsync(configure: o => o.DataDirectory = data))
        {
            using var client = await EpayV2Client.StartAsync(first);
            merchantKey = client.MerchantPrivateKey;
            tradeNo = (await client.CallAsync("/api/pay/create", EpayV2Client.Order("https://merchant.example/notify", "RESTART1", "3.00")))["trade_no"]!.GetValue<string>();
            await first.ActAsync(tradeNo, "pay");
            refundNo = (await client.CallAsync("/api/pay/refund", new() { ["trade_no"] = tradeNo, ["money"] = "1.00", ["out_refund_no"] = "RR1" }))["refund_no"]!.GetValue<string>();
        }

        await using var second = await TestSandbox.StartAsync(configure: o => o.DataDirectory = data);
        using var again = await EpayV2Client.StartAsync(second);
        Assert.Equal(merchantKey, again.MerchantPrivateKey);
        var order = await again.CallAsync("/api/pay/query", new() { ["out_trade_no"] = "RESTART1" });
        Assert.Equal(tradeNo, order["trade_no"]!.GetValue<string>());
        Assert.Equal("1.00", order["refundmoney"]!.GetValue<string>());
        Assert.Equal(refundNo, (await again.CallAsync("/api/pay/refundquery", new() { ["out_refund_no"] = "RR1" }))["refund_no"]!.GetValue<string>());
        Assert.True(File.Exists(Path.Combine(data, "keys", "epay", "platform_public_key.pem")));
    }
}
