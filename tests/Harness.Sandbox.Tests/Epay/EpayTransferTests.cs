using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Security.Cryptography;
using Harness.Sandbox.Epay;
using Harness.Sandbox.Tests.Support;
using Harness.Storage;

namespace Harness.Sandbox.Tests.Epay;

/// <summary>V2's transfers (代付) and balance: <c>/api/transfer/submit|query|balance</c>, paid from what the merchant's orders brought in.</summary>
public sealed class EpayTransferTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_transfer_is_paid_out_of_the_balance_once_per_out_biz_no_and_never_beyond_it()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var client = await EpayV2Client.StartAsync(sandbox);
        await PaidOrderAsync(sandbox, client, "TR-ORDER-1", "10.00");
        Assert.Equal("10.00", await AvailableAsync(client));

        var paid = await client.CallAsync("/api/transfer/submit", Transfer("3.00", "2026112320000012345"));
        Assert.Equal(1, paid["status"]!.GetValue<int>());
        Assert.Equal("2026112320000012345", paid["biz_no"]!.GetValue<string>());
        Assert.Equal("2026112320000012345", paid["out_biz_no"]!.GetValue<string>());
        Assert.Equal("3.00", paid["cost_money"]!.GetValue<string>());
        Assert.Equal("2026-11-23 20:00:00", paid["paydate"]!.GetValue<string>());
        Assert.Equal($"转账成功！转账单据号:{paid["orderid"]!.GetValue<string>()} 支付时间:2026-11-23 20:00:00", paid["msg"]!.GetValue<string>());
        Assert.Equal("7.00", await AvailableAsync(client));
        Assert.Equal("7.00", (await client.CallAsync("/api/merchant/info", []))["money"]!.GetValue<string>());

        var query = await client.CallAsync("/api/transfer/query", new() { ["out_biz_no"] = "2026112320000012345" });
        Assert.Equal(1, query["status"]!.GetValue<int>());
        Assert.Equal("转账成功！", query["msg"]!.GetValue<string>());
        Assert.Equal("3.00", query["amount"]!.GetValue<string>());
        Assert.Equal("3.00", query["cost_money"]!.GetValue<string>());
        Assert.Equal("2026-11-23 20:00:00", query["paydate"]!.GetValue<string>());
        Assert.Equal("payout", query["remark"]!.GetValue<string>());
        Assert.Null(query["errmsg"]);

        var again = await client.PostAsync("/api/transfer/submit", client.Sign(Transfer("3.00", "2026112320000012345")));
        Assert.Equal("该交易号已存在，请更换交易号", Refusal(again));
        var over = await client.PostAsync("/api/transfer/submit", client.Sign(Transfer("7.01", "PAYOUT-2")));
        Assert.Equal("需支付金额大于可转账余额", Refusal(over));
        Assert.Equal("7.00", await AvailableAsync(client));

        // A number that is not 19 digits is kept as out_biz_no; the platform draws the biz_no.
        var drawn = await client.CallAsync("/api/transfer/submit", Transfer("7.00", "PAYOUT-2"));
        var bizNo = drawn["biz_no"]!.GetValue<string>();
        Assert.Matches("^2026112320000[0-9]{6}$", bizNo);
        Assert.Equal("PAYOUT-2", drawn["out_biz_no"]!.GetValue<string>());
        Assert.Equal("PAYOUT-2", (await client.CallAsync("/api/transfer/query", new() { ["biz_no"] = bizNo }))["out_biz_no"]!.GetValue<string>());
        Assert.Equal(bizNo, (await client.CallAsync("/api/transfer/query", new() { ["out_biz_no"] = "PAYOUT-2" }))["biz_no"]!.GetValue<string>());
        Assert.Equal("0.00", await AvailableAsync(client));
    }

    [Fact]
    public async Task A_processing_transfer_holds_its_money_until_it_ends_and_a_failed_one_gives_it_back()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var client = await EpayV2Client.StartAsync(sandbox);
        await PaidOrderAsync(sandbox, client, "TR-ORDER-2", "10.00");
        Assert.Equal(HttpStatusCode.BadRequest, (await sandbox.PutSettingsAsync("epay", new { transfer_outcome = "later" })).StatusCode);
        (await sandbox.PutSettingsAsync("epay", new { transfer_outcome = "processing" })).EnsureSuccessStatusCode();

        var submitted = await client.CallAsync("/api/transfer/submit", Transfer("4.00", "WAIT-1"));
        Assert.Equal(0, submitted["status"]!.GetValue<int>());
        Assert.StartsWith("提交成功！转账处理中。", submitted["msg"]!.GetValue<string>(), StringComparison.Ordinal);
        var bizNo = submitted["biz_no"]!.GetValue<string>();
        Assert.Equal("6.00", await AvailableAsync(client));
        var waiting = await client.CallAsync("/api/transfer/query", new() { ["out_biz_no"] = "WAIT-1" });
        Assert.Equal(0, waiting["status"]!.GetValue<int>());
        Assert.Equal("转账处理中，请稍后查询结果。", waiting["msg"]!.GetValue<string>());
        Assert.Null(waiting["paydate"]);

        var failed = await sandbox.PostJsonAsync($"/control/epay/transfers/{bizNo}/outcome", new { status = "failed", errmsg = "收款账号不存在" });
        Assert.Equal(2, failed["status"]!.GetValue<int>());
        var told = await client.CallAsync("/api/transfer/query", new() { ["biz_no"] = bizNo });
        Assert.Equal(2, told["status"]!.GetValue<int>());
        Assert.Equal("转账失败：收款账号不存在", told["msg"]!.GetValue<string>());
        Assert.Equal("收款账号不存在", told["errmsg"]!.GetValue<string>());
        Assert.Equal("10.00", await AvailableAsync(client));

        var ended = await sandbox.Control.PostAsJsonAsync($"/control/epay/transfers/{bizNo}/outcome", new { status = "success" }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, ended.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await sandbox.Control.PostAsJsonAsync("/control/epay/transfers/1/outcome", new { status = "success" }, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await sandbox.Control.PostAsJsonAsync($"/control/epay/transfers/{bizNo}/outcome", new { status = "done" }, Ct)).StatusCode);

        var second = (await client.CallAsync("/api/transfer/submit", Transfer("10.00", "WAIT-2")))["biz_no"]!.GetValue<string>();
        await sandbox.AdvanceAsync(TimeSpan.FromMinutes(3));
        await sandbox.PostJsonAsync($"/control/epay/transfers/{second}/outcome", new { status = "success" });
        var succeeded = await client.CallAsync("/api/transfer/query", new() { ["out_biz_no"] = "WAIT-2" });
        Assert.Equal(1, succeeded["status"]!.GetValue<int>());
        Assert.Equal("2026-11-23 20:03:00", succeeded["paydate"]!.GetValue<string>());
        Assert.Equal("0.00", await AvailableAsync(client));
    }

    [Theory]
    [InlineData("type", "", "代付方式(type)不能为空")]
    [InlineData("type", "paypal", "type参数错误")]
    [InlineData("account", "", "收款人账号(account)不能为空")]
    [InlineData("name", " ", "收款人姓名(name)不能为空")]
    [InlineData("money", "0", "转账金额(money)不能为空")]
    [InlineData("money", "-1", "转账金额输入不规范")]
    [InlineData("money", "1e2", "转账金额输入不规范")]
    [InlineData("money", "0.00", "转账金额输入不规范")]
    [InlineData("money", "1.001", "转账金额输入不规范")]
    [InlineData("money", "abc", "转账金额输入不规范")]
    [InlineData("out_biz_no", "no spaces", "交易号输入不规范")]
    [InlineData("remark", "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三", "转账备注最多32个字")]
    public async Task A_bad_transfer_is_refused_in_Epays_words_and_moves_nothing(string field, string value, string message)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var client = await EpayV2Client.StartAsync(sandbox);
        await PaidOrderAsync(sandbox, client, "TR-ORDER-3", "5.00");
        var request = Transfer("1.00", "BAD-1");
        request[field] = value;

        var answer = await client.PostAsync("/api/transfer/submit", client.Sign(request));

        Assert.Equal(message, Refusal(answer));
        Assert.Equal("5.00", await AvailableAsync(client));
    }

    [Fact]
    public async Task Transfers_need_the_merchants_signature_a_known_number_and_a_QQ_number_for_qqpay()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var client = await EpayV2Client.StartAsync(sandbox);
        await PaidOrderAsync(sandbox, client, "TR-ORDER-4", "5.00");
        using var other = RSA.Create(2048);
        var otherKey = Convert.ToBase64String(other.ExportPkcs8PrivateKey());

        Assert.Equal("签名校验失败", Refusal(await client.PostAsync("/api/transfer/submit", client.Sign(Transfer("1.00", "SIG-1"), otherKey))));
        Assert.Equal("签名校验失败", Refusal(await client.PostAsync("/api/transfer/balance", client.Sign([], otherKey))));
        Assert.Equal("时间戳不合法", Refusal(await client.PostAsync("/api/transfer/query", client.Sign(new() { ["out_biz_no"] = "SIG-1", ["timestamp"] = EpayV2Client.Now(TimeSpan.FromMinutes(-6)) }))));
        Assert.Equal("转账交易号不存在", Refusal(await client.PostAsync("/api/transfer/query", client.Sign(new() { ["out_biz_no"] = "SIG-1" }))));
        Assert.Equal("转账交易号不存在", Refusal(await client.PostAsync("/api/transfer/query", client.Sign(new() { ["biz_no"] = "2026112320000000000" }))));
        Assert.Equal("转账交易号不能为空", Refusal(await client.PostAsync("/api/transfer/query", client.Sign([]))));

        var qq = Transfer("1.00", "QQ-1");
        qq["type"] = "qqpay";
        Assert.Equal("QQ号码格式错误", Refusal(await client.PostAsync("/api/transfer/submit", client.Sign(new(qq)))));
        qq["account"] = "10001";
        Assert.Equal("QQ号码格式错误", Refusal(await client.PostAsync("/api/transfer/submit", client.Sign(new(qq)))));
        qq["account"] = "123456789";
        Assert.Equal(1, (await client.CallAsync("/api/transfer/submit", qq))["status"]!.GetValue<int>());

        var balance = await client.CallAsync("/api/transfer/balance", []);
        Assert.Equal("4.00", balance["available_money"]!.GetValue<string>());
        Assert.Equal("0", balance["transfer_rate"]!.GetValue<string>());
    }

    [Fact]
    public async Task Money_transferred_out_cannot_be_refunded_too()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var client = await EpayV2Client.StartAsync(sandbox);
        var tradeNo = await PaidOrderAsync(sandbox, client, "TR-ORDER-5", "10.00");
        await client.CallAsync("/api/transfer/submit", Transfer("8.00", "OUT-1"));

        var refused = await client.PostAsync("/api/pay/refund", client.Sign(new() { ["trade_no"] = tradeNo, ["money"] = "2.01" }));
        Assert.Equal("商户余额不足，请先充值", Refusal(refused));
        await client.CallAsync("/api/pay/refund", new() { ["trade_no"] = tradeNo, ["money"] = "2.00" });
        Assert.Equal("0.00", await AvailableAsync(client));
    }

    [Fact]
    public async Task Transfers_and_the_balance_survive_a_restart()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-sandbox-tests", Guid.NewGuid().ToString("N"));
        string waiting;
        await using (var first = await TestSandbox.StartAsync(configure: o => o.DataDirectory = data))
        {
            using var client = await EpayV2Client.StartAsync(first);
            await PaidOrderAsync(first, client, "TR-ORDER-6", "9.00");
            await client.CallAsync("/api/transfer/submit", Transfer("2.00", "KEEP-1"));
            (await first.PutSettingsAsync("epay", new { transfer_outcome = "processing" })).EnsureSuccessStatusCode();
            waiting = (await client.CallAsync("/api/transfer/submit", Transfer("3.00", "KEEP-2")))["biz_no"]!.GetValue<string>();
        }

        await using var second = await TestSandbox.StartAsync(configure: o => o.DataDirectory = data);
        using var again = await EpayV2Client.StartAsync(second);
        Assert.Equal("4.00", await AvailableAsync(again));
        Assert.Equal(1, (await again.CallAsync("/api/transfer/query", new() { ["out_biz_no"] = "KEEP-1" }))["status"]!.GetValue<int>());
        Assert.Equal("该交易号已存在，请更换交易号", Refusal(await again.PostAsync("/api/transfer/submit", again.Sign(Transfer("1.00", "KEEP-1")))));
        await second.PostJsonAsync($"/control/epay/transfers/{waiting}/outcome", new { status = "failed" });
        var failed = await again.CallAsync("/api/transfer/query", new() { ["out_biz_no"] = "KEEP-2" });
        Assert.Equal("收款方账户异常", failed["errmsg"]!.GetValue<string>());
        Assert.Equal("7.00", await AvailableAsync(again));
    }

    [Fact]
    public async Task A_store_written_before_the_balance_was_kept_opens_it_from_its_orders_refunds_and_transfers()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-sandbox-tests", Guid.NewGuid().ToString("N"));
        await using (var first = await TestSandbox.StartAsync(configure: o => o.DataDirectory = data))
        {
            using var client = await EpayV2Client.StartAsync(first);
            var tradeNo = await PaidOrderAsync(first, client, "TR-ORDER-7", "9.00");
            await PaidOrderAsync(first, client, "TR-ORDER-8", "5.00");
            await client.CallAsync("/api/pay/refund", new() { ["trade_no"] = tradeNo, ["money"] = "1.50" });
            await client.CallAsync("/api/transfer/submit", Transfer("2.00", "OLD-1"));
            (await first.PutSettingsAsync("epay", new { transfer_outcome = "processing" })).EnsureSuccessStatusCode();
            var failing = (await client.CallAsync("/api/transfer/submit", Transfer("3.00", "OLD-2")))["biz_no"]!.GetValue<string>();
            await first.PostJsonAsync($"/control/epay/transfers/{failing}/outcome", new { status = "failed" });
            await client.CallAsync("/api/transfer/submit", Transfer("0.25", "OLD-3"));
            Assert.Equal("10.25", await AvailableAsync(client));
        }

        // Such a store has the orders, refunds and transfers but no balance document.
        using (var store = new RocksDocumentStore(Path.Combine(data, "sandbox-store")))
        {
            Assert.True(store.Collection<EpayAccount>("epay_accounts").Delete(EpayProvider.Pid));
        }

        await using var second = await TestSandbox.StartAsync(configure: o => o.DataDirectory = data);
        using var again = await EpayV2Client.StartAsync(second);
        Assert.Equal("10.25", await AvailableAsync(again));
        await PaidOrderAsync(second, again, "TR-ORDER-9", "1.00");
        Assert.Equal("11.25", (await again.CallAsync("/api/merchant/info", []))["money"]!.GetValue<string>());
    }

    private static Dictionary<string, string> Transfer(string money, string outBizNo) => new()
    {
        ["type"] = "alipay",
        ["account"] = "payee@example.com",
        ["name"] = "张三",
        ["money"] = money,
        ["out_biz_no"] = outBizNo,
        ["remark"] = "payout",
    };

    private static async Task<string> PaidOrderAsync(TestSandbox sandbox, EpayV2Client client, string outTradeNo, string money)
    {
        var tradeNo = (await client.CallAsync("/api/pay/create", EpayV2Client.Order("https://merchant.example/notify", outTradeNo, money)))["trade_no"]!.GetValue<string>();
        await sandbox.ActAsync(tradeNo, "pay");
        return tradeNo;
    }

    private static async Task<string> AvailableAsync(EpayV2Client client) =>
        (await client.CallAsync("/api/transfer/balance", []))["available_money"]!.GetValue<string>();

    /// <summary>A refusal's msg, after checking it is Epay's unsigned <c>{"code":-1,"msg"}</c>.</summary>
    private static string Refusal(JsonObject answer)
    {
        Assert.Equal(-1, answer["code"]!.GetValue<int>());
        Assert.Null(answer["sign"]);
        return answer["msg"]!.GetValue<string>();
    }
}
